"""Issue 18, "one word per concept" in the JSON: a key that says lunch holds pair lunches only; a key that can
hold a group meeting, a check-in or a team lunch says meeting (README, "Meetings, named apart")."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import example_workspace

from trellosync.cli.demo import example_dir
from trellosync.config.settings import load_config
from trellosync.domain.meetings import LUNCH, MEETING_KINDS, meeting_kind
from trellosync.domain.model import Domain
from trellosync.report.documents import build_context, context_as_json, options_from_config

PEOPLE = ("will", "jessica", "amara", "diego")
# Keys of a person's figures that sum their pair lunches alone (group meetings and the rest are in `meetings`).
PAIR_LUNCH_FIGURES = {"lunches_held", "lunches_expected", "last_lunch", "days_since_last_lunch"}


@pytest.fixture(scope="module")
def domain(example_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Domain:
    _, store = example_workspace(example_database, tmp_path_factory.mktemp("json") / "example.db")
    try:
        return store.load_domain()
    finally:
        store.close()


def _board_of(chain: list[dict[str, Any]]) -> str | None:
    """The board an object belongs to: its own `board_id` or `pair`, else its nearest parent's."""
    for obj in reversed(chain):
        for key in ("board_id", "pair"):
            if isinstance(obj.get(key), str) and obj[key]:
                return obj[key]
        figures = obj.get("figures")
        if isinstance(figures, dict) and isinstance(figures.get("board_id"), str):
            return figures["board_id"]
    return None


def lunch_words(data: Any, kinds: dict[str, str]) -> Iterator[str]:
    """Each place where a key saying lunch holds something of another kind of meeting (empty: none)."""

    def walk(node: Any, chain: list[dict[str, Any]], path: str) -> Iterator[str]:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from walk(item, chain, f"{path}[{i}]")
            return
        if not isinstance(node, dict):
            return
        chain = [*chain, node]
        for key, value in node.items():
            if "lunch" in key.lower() and value not in (None, [], {}, "", 0):
                board = _board_of(chain)
                if board is not None and kinds.get(board, LUNCH) != LUNCH:
                    yield f"{path}.{key} holds a {kinds[board]} ({board})"
                if board is None and not (key in PAIR_LUNCH_FIGURES and _pair_lunches_only(node)):
                    yield f"{path}.{key}: no board says it is a pair lunch"
            if key == "kind" and value in MEETING_KINDS and _board_of(chain) in kinds:
                if value != kinds[_board_of(chain) or ""]:
                    yield f"{path}.kind is {value}, its board's meetings are {kinds[_board_of(chain) or '']}"
            yield from walk(value, chain, f"{path}.{key}")

    yield from walk(data, [], "")


def _pair_lunches_only(figures: dict[str, Any]) -> bool:
    """The person's figures count exactly their pair lunches under the lunch keys."""
    if not isinstance(figures.get("pairs"), list):
        return False
    pairs = [p for p in figures["pairs"] if p.get("kind") == LUNCH]
    return (
        figures["lunches_held"] == sum(p["held"] for p in pairs)
        and figures["lunches_expected"] == sum(p["expected"] for p in pairs)
        and figures["last_lunch"]
        == max((p.get("last_meeting") for p in pairs if p.get("last_meeting")), default=None)
    )


def _contexts(domain: Domain) -> Iterator[tuple[str, Any]]:
    """Every kind for every person of the example, a brief per board they meet on, the team's showcase."""
    config = load_config(example_dir() / "config.yaml")
    options = options_from_config(config, report_date=domain.synced_at.date())
    for person in PEOPLE:
        goals = build_context("goals", person, domain, options=options)
        yield f"goals {person}", goals
        for board in [p.board_id for p in goals.figures.pairs]:
            opts = dataclasses.replace(options, board=board)
            yield f"brief {person} {board}", build_context("brief", person, domain, options=opts)
        worst = dataclasses.replace(options, include_worst_moments=True)
        yield f"dossier {person}", build_context("dossier", person, domain, options=worst)
        yield f"advocate {person}", build_context("advocate", person, domain, options=options)
    team = dataclasses.replace(options, people=PEOPLE)
    yield "showcase", build_context("showcase", PEOPLE[0], domain, options=team)


def test_no_key_saying_lunch_holds_another_kind_of_meeting(domain: Domain) -> None:
    kinds = {b: meeting_kind(domain, b) for b in {lu.board_id for lu in domain.lunches}}
    assert set(kinds.values()) == set(MEETING_KINDS)  # the example has a board of every kind
    seen: dict[str, int] = {k: 0 for k in MEETING_KINDS}  # objects of each kind the documents hold
    for name, ctx in _contexts(domain):
        data = json.loads(context_as_json(ctx))
        assert list(lunch_words(data, kinds)) == [], name
        for obj in _objects(data):
            board = _board_of([obj])
            if board in kinds and ("meeting_date" in obj or "meetings" in obj or "last_meeting" in obj):
                seen[kinds[board]] += 1
    # The walk met entries and logs of every kind under the new words, so it had something to catch.
    assert all(seen.values()), seen


def test_the_walk_catches_a_lunch_word_on_a_group_board(domain: Domain) -> None:
    kinds = {b: meeting_kind(domain, b) for b in {lu.board_id for lu in domain.lunches}}
    group = next(b for b, k in kinds.items() if k != LUNCH)
    pair = next(b for b, k in kinds.items() if k == LUNCH)
    assert list(lunch_words({"sources": [{"pair": pair, "lunch_date": "2026-01-01"}]}, kinds)) == []
    assert list(lunch_words({"sources": [{"pair": group, "lunch_date": "2026-01-01"}]}, kinds))
    assert list(lunch_words({"figures": {"board_id": group}, "lunches": [{"date": "2026-01-01"}]}, kinds))
    assert list(lunch_words({"last_lunch": "2026-01-01"}, kinds))  # a brief's: no pair lunch says so


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _objects(v)
    elif isinstance(node, list):
        for v in node:
            yield from _objects(v)
