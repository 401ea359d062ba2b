"""Every path and query parameter the client sends exists in Trello's OpenAPI description (or its guides)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import EXPORTS

from trellosync.sync.onboard import get_board_outline
from trellosync.testing.fake_trello import FakeTrello, synthesize_board
from trellosync.trello.client import make_client
from trellosync.trello.fetch import fetch_board, fetch_member_boards
from trellosync.trello.write import create_card, create_check_item, create_checklist

OPENAPI = Path(__file__).resolve().parents[2] / "shared" / "data" / "trello-openapi-v3.json"

# The OpenAPI file lists a nested resource's switch (cards=, actions=, ...) but not the parameters that shape
# it; those are documented in the nested-resources guide
# (https://developer.atlassian.com/cloud/trello/guides/rest-api/nested-resources/) and are allowed only on
# a path that declares the switch.
NESTED: dict[str, set[str]] = {
    "actions": {
        "actions_entities",
        "actions_display",
        "actions_format",
        "actions_since",
        "actions_before",
        "actions_limit",
        "action_fields",
        "action_member",
        "action_member_fields",
        "action_memberCreator",
        "action_memberCreator_fields",
    },
    "cards": {
        "card_fields",
        "card_attachments",
        "card_attachment_fields",
        "card_members",
        "card_member_fields",
        "card_checklists",
        "card_stickers",
        "card_customFieldItems",
    },
    "checklists": {"checklist_fields", "checkItems", "checkItem_fields"},
    "labels": {"label_fields", "labels_limit"},
    "lists": {"list_fields"},
    "members": {"member_fields"},
}
# Card paging (limit/before/since on a board's cards) is documented in the API introduction's "Paging"
# section and in the 2021 changelog, not in the OpenAPI file.
PAGING: dict[str, set[str]] = {
    "/boards/{id}/cards/{filter}": {"limit", "before", "since"},
    "/boards/{id}/cards": {"limit", "before", "since"},
}


def _spec() -> dict[str, Any]:
    if not OPENAPI.exists():
        pytest.fail(f"{OPENAPI} is missing: CI must check out shared/ beside the repository")
    return json.loads(OPENAPI.read_text())


def _params(spec: dict[str, Any], item: dict[str, Any], method: str) -> set[str]:
    out = set()
    for p in item.get(method, {}).get("parameters", []) + item.get("parameters", []):
        if "$ref" in p:
            p = spec["components"]["parameters"][p["$ref"].split("/")[-1]]
        if p.get("in") == "query":
            out.add(p["name"])
    return out


def _match(spec: dict[str, Any], path: str) -> str | None:
    best: tuple[int, str] | None = None
    for template in spec["paths"]:
        rx = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(rx, path):
            literal = sum(1 for seg in template.split("/") if seg and not seg.startswith("{"))
            if best is None or literal > best[0]:
                best = (literal, template)
    return best[1] if best else None


@pytest.fixture(scope="module")
def request_log() -> list[dict[str, Any]]:
    """Run every kind of request the client makes against the fake server and return its request log
    (once for the module: both tests only read it)."""
    small = json.loads((EXPORTS / "notes-board.json").read_text())
    big = synthesize_board(2500, seed=21)
    with FakeTrello([small, big], page_threshold=1000) as f:
        c = make_client("k" * 32, "t" * 64, api_url=f.url)
        fetch_member_boards(c)
        fetch_board(c, small["id"])
        got = fetch_board(c, big["id"])
        assert got.paged
        fetch_board(c, big["id"], since_action_id=big["actions"][1500]["id"])
        get_board_outline(c, small["id"])
        card = create_card(
            c,
            list_id=small["lists"][0]["id"],
            name="n",
            desc="d",
            due=datetime(2026, 1, 2),
            member_ids=[small["members"][0]["id"]],
        )
        checklist = create_checklist(c, card["id"], "How did it go?")
        create_check_item(c, checklist["id"], "item")
        return list(f.log)


def test_every_request_uses_a_documented_path_and_parameters(request_log: list[dict[str, Any]]) -> None:
    spec = _spec()
    log = request_log
    assert len(log) > 10
    problems = []
    for entry in log:
        path = entry["path"][len("/1") :].replace("/members/me/", "/members/{me}/")
        template = _match(spec, path)
        if template is None:
            problems.append(f"{entry['path']}: no such path in the OpenAPI description")
            continue
        allowed = _params(spec, spec["paths"][template], entry["method"].lower())
        for switch, extra in NESTED.items():
            if switch in allowed:
                allowed |= extra
        allowed |= PAGING.get(template, set())
        for name in [*entry["query"], *entry.get("body", [])]:  # writes send their parameters as JSON
            if name not in allowed:
                problems.append(f"{entry['path']} ({template}): undocumented query parameter {name!r}")
    assert not problems, "\n".join(sorted(set(problems)))


def test_secrets_never_travel_as_query_parameters(request_log: list[dict[str, Any]]) -> None:
    assert all(not ({"key", "token"} & set(e["query"])) for e in request_log)
