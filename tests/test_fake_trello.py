"""The fake Trello server: command line, auth, stats, paging like Trello, faults, mutations."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

import pytest
from conftest import EXPORTS

from trellosync.testing.fake_trello import FakeTrello, new_object_id, synthesize_board

AUTH = {"Authorization": 'OAuth oauth_consumer_key="K", oauth_token="T"'}


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body)
        except ValueError:
            return e.code, body.decode()


def test_command_line_prints_its_url_first_and_serves_under_1() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trellosync.testing.fake_trello",
            "--export",
            str(EXPORTS / "notes-board.json"),
            "--key",
            "K",
            "--token",
            "T",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/1")
        status, boards = _get(url + "/members/me/boards?fields=id,name,dateLastActivity", AUTH)
        assert status == 200 and boards[0]["name"] == "Weekly Sprint"
        assert set(boards[0]) == {"id", "name", "dateLastActivity"}
        assert (
            _get(
                url + "/members/me/boards",
                {"Authorization": 'OAuth oauth_consumer_key="K", oauth_token="nope"'},
            )[0]
            == 401
        )
        assert _get(url + "/members/me/boards")[0] == 401
        base = url[: -len("/1")]
        status, stats = _get(base + "/_stats")
        assert stats["requests"] == 3 and stats["by_path"] == {"GET /1/members/me/boards": 3}
    finally:
        proc.terminate()
        proc.wait(10)


def test_nested_board_defaults_truncate_like_trello() -> None:
    board = synthesize_board(60, seed=3)  # 90 actions
    with FakeTrello([board]) as f:
        _, nested = _get(f"{f.url}/boards/{board['id']}?actions=all&cards=all")
        assert len(nested["actions"]) == 50  # nested actions default to 50
        _, nested = _get(f"{f.url}/boards/{board['id']}?actions=all&actions_limit=1000&cards=all")
        assert len(nested["actions"]) == 90 and len(nested["cards"]) == 60


def test_large_board_only_through_paging() -> None:
    board = synthesize_board(120, seed=4)
    with FakeTrello([board], page_threshold=100) as f:
        status, body = _get(f"{f.url}/boards/{board['id']}?cards=all")
        assert status == 403 and body["error"] == "API_TOO_MANY_CARDS_REQUESTED"  # as real Trello answers
        _, page1 = _get(f"{f.url}/boards/{board['id']}/cards/all?limit=100")
        _, page2 = _get(f"{f.url}/boards/{board['id']}/cards/all?limit=100&before={page1[-1]['id']}")
        assert len(page1) == 100 and len(page2) == 20
        assert {c["id"] for c in page1 + page2} == {c["id"] for c in board["cards"]}


@pytest.mark.slow  # 400 requests; test_drop_fault_cuts_the_connection stays in the inner loop
def test_faults_are_injected_at_the_given_rates_reproducibly() -> None:
    board = synthesize_board(2, seed=5)
    seen = []
    for _ in range(2):
        with FakeTrello([board], faults={"429": 0.3, "500": 0.2}, seed=42, limits=False) as f:
            codes = [_get(f"{f.url}/boards/{board['id']}")[0] for _ in range(200)]
            seen.append(codes)
            assert 40 <= codes.count(429) <= 80 and 20 <= codes.count(500) <= 60
            assert f.stats()["faults"]["429"] == codes.count(429)
    assert seen[0] == seen[1]


def test_drop_fault_cuts_the_connection() -> None:
    import requests

    with (
        FakeTrello([synthesize_board(1, seed=6)], faults={"drop": 1.0}) as f,
        pytest.raises(requests.exceptions.RequestException),
    ):
        requests.get(f.url + "/members/me/boards", timeout=5)


def test_mutations_update_activity_and_append_actions_with_new_ids() -> None:
    board = json.loads((EXPORTS / "small-notes-board.json").read_text())
    with FakeTrello([board]) as f:
        before = f.boards[board["id"]]["dateLastActivity"]
        req = urllib.request.Request(
            f.url[:-2] + "/_mutate",
            method="POST",
            data=json.dumps({"op": "comment", "board": board["id"], "text": "hi"}).encode(),
        )
        with urllib.request.urlopen(req) as r:
            action = json.loads(r.read())
        assert action["type"] == "commentCard" and action["data"]["text"] == "hi"
        assert len(action["id"]) == 24 and int(action["id"], 16) > max(
            int(a["id"], 16) for a in board["actions"]
        )
        live = f.boards[board["id"]]
        assert live["dateLastActivity"] > before and live["actions"][0]["id"] == action["id"]
        for op in ("check_item", "archive_card", "rename_card", "create_card", "delete_card"):
            a = f.mutate(op, board["id"])
            assert live["actions"][0] is a
        assert [a["type"] for a in live["actions"][:5]] == [
            "deleteCard",
            "createCard",
            "updateCard",
            "updateCard",
            "updateCheckItemStateOnCard",
        ]


def test_object_ids_encode_time() -> None:
    oid = new_object_id(1_700_000_000)
    assert len(oid) == 24 and int(oid[:8], 16) == 1_700_000_000
    assert new_object_id() != new_object_id()


def test_synthesized_board_has_real_shapes() -> None:
    template = json.loads((EXPORTS / "clone-board-2025.json").read_text())
    b = synthesize_board(50, template=template, seed=9)
    assert len(b["cards"]) == 50 and set(template["cards"][0]) <= set(b["cards"][0])
    assert all(int(c["id"][:8], 16) > 0 for c in b["cards"])


def _raw(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def test_answers_like_the_facts_file_text_errors_and_rate_headers() -> None:
    board = synthesize_board(3, seed=61)
    with FakeTrello([board], key="K", token="T") as f:
        status, headers, body = _raw(
            f"{f.url}/boards/{board['id']}",
            {"Authorization": 'OAuth oauth_consumer_key="K", oauth_token="wrong"'},
        )
        assert (status, body) == (401, b"invalid token") and headers["Content-Type"].startswith("text/plain")
        status, headers, body = _raw(f"{f.url}/boards/{'0' * 24}", AUTH)
        assert (status, body) == (404, b"The requested resource was not found.")
        assert headers["Content-Type"].startswith("text/plain")
        status, headers, _ = _raw(f"{f.url}/boards/{board['id']}", AUTH)
        assert status == 200
        # The header set of recorded/ruby-trello__checklist_can_update_the_item_state.yml
        assert headers["X-Rate-Limit-Api-Token-Max"] == "100" and headers["X-Rate-Limit-Api-Key-Max"] == "300"
        assert headers["X-Rate-Limit-Api-Token-Interval-Ms"] == "10000"
        assert int(headers["X-Rate-Limit-Api-Token-Remaining"]) == 98  # the second request of token T
        assert headers["X-Rate-Limit-Member-Max"] == "200"


def test_limits_are_enforced_per_token_with_trellos_error_codes() -> None:
    board = synthesize_board(1, seed=62)
    with FakeTrello([board]) as f:
        codes = [_raw(f"{f.url}/boards/{board['id']}", AUTH)[0] for _ in range(101)]
        assert codes[:100] == [200] * 100 and codes[100] == 429
        status, _, body = _raw(f"{f.url}/boards/{board['id']}", AUTH)
        assert status == 429 and json.loads(body)["error"] == "API_TOKEN_LIMIT_EXCEEDED"
        other = {"Authorization": 'OAuth oauth_consumer_key="K", oauth_token="U"'}
        assert _raw(f"{f.url}/boards/{board['id']}", other)[0] == 200, "another token has its own budget"


def test_past_200_refusals_a_key_is_refused_for_the_rest_of_the_window() -> None:
    from trellosync.testing.fake_trello import RateLimits

    now = [0.0]
    limits = RateLimits(clock=lambda: now[0])
    for _ in range(100 + 201):  # 100 allowed, then 201 refusals on one token
        limits.count("K", "T", False)
    now[0] += 5.0
    assert limits.count("K", "U", False)[1] == "API_KEY_LIMIT_EXCEEDED", "a fresh token of that key: refused"
    now[0] += 5.0
    assert limits.count("K", "U", False)[1] is None, "the next window"


def test_a_wrong_key_and_a_wrong_token_are_named_apart() -> None:
    board = synthesize_board(1, seed=63)
    with FakeTrello([board], key="K", token="T") as f:

        def body(key: str, token: str) -> tuple[int, bytes]:
            status, _, text = _raw(
                f"{f.url}/boards/{board['id']}",
                {"Authorization": f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'},
            )
            return status, text

        # Trello answers a wrong key "invalid key" (Lujeni/matterllo#30), a wrong token "invalid token".
        assert body("X", "T") == (401, b"invalid key")
        assert body("K", "X") == (401, b"invalid token")
        assert body("K", "T")[0] == 200
