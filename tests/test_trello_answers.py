"""Trello as it really answers: recorded exchanges replayed through the client, error codes decided before
redaction, the too-many-cards fallback whatever the status, bounded waits, deadlines and cancel."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses
import yaml
from conftest import API_DATA

from trellosync.errors import AuthError, TrelloAPIError
from trellosync.testing.fake_trello import FakeTrello, synthesize_board
from trellosync.trello.answers import Redactor, parse_wait, read_error
from trellosync.trello.client import make_client
from trellosync.trello.fetch import fetch_board, get, session_of
from trellosync.trello.pacing import RateLimiter, Stopped, header_pause
from trellosync.trello.session import BoardUnavailable, TooManyCards, Unreachable

API = "https://api.trello.com/1"
RECORDED = API_DATA / "recorded"
KEY = "k" * 32


def _client(
    api_url: str = API, *, token: str | None = None, key: str = KEY, retries: int = 2, **kw: Any
) -> Any:
    c = make_client(
        key, token or "tok" + uuid.uuid4().hex, api_url=api_url, max_retries=retries, backoff_base=0.0, **kw
    )
    return c


def _interactions(name: str) -> list[dict[str, Any]]:
    """(method, path, query, status, headers, body bytes) of every exchange of a recorded cassette."""
    path = RECORDED / name
    doc = yaml.safe_load(path.read_text()) if path.suffix == ".yml" else json.loads(path.read_text())
    out = []
    for i in doc["http_interactions"]:
        req, resp = i["request"], i["response"]
        body = resp["body"]
        raw = base64.b64decode(body["base64_string"]) if "base64_string" in body else body["string"].encode()
        parts = urlsplit(req["uri"])
        query = {k: v for k, v in parse_qsl(parts.query) if k not in ("key", "token")}
        headers = {k: v[0] if isinstance(v, list) else v for k, v in resp["headers"].items()}
        out.append(
            {
                "method": req["method"].upper(),
                "path": parts.path[len("/1") :],
                "query": query,
                "status": resp["status"]["code"],
                "headers": headers,
                "body": raw,
            }
        )
    return out


def _replay(rsps: responses.RequestsMock, exchange: dict[str, Any]) -> None:
    headers = {
        k: v
        for k, v in exchange["headers"].items()
        if k.lower() not in ("content-length", "transfer-encoding", "content-type", "set-cookie")
    }
    rsps.add(
        exchange["method"],
        API + exchange["path"],
        body=exchange["body"],
        status=exchange["status"],
        headers=headers,
        content_type=exchange["headers"].get("Content-Type", "application/json"),
        match=[responses.matchers.query_param_matcher(exchange["query"])],
    )


# ---- the recorded exchanges, replayed ---------------------------------------------------------------------


def test_recorded_401_text_plain_is_an_auth_error() -> None:
    first = _interactions("tacokit__members_actions__handles_pagination.json")[0]
    assert first["status"] == 401 and first["headers"]["Content-Type"].startswith("text/plain")
    with responses.RequestsMock() as rsps:
        _replay(rsps, first)
        with pytest.raises(AuthError, match="token invalid or expired"):
            get(_client(), first["path"], first["query"])
        assert len(rsps.calls) == 1, "a 401 is not retried"


def test_recorded_404_text_plain_is_a_missing_object_with_trellos_words() -> None:
    exchanges = _interactions("ruby-trello__can_success_delete_checklist.yml")
    missing = [e for e in exchanges if e["status"] == 404][0]
    assert missing["headers"]["Content-Type"].startswith("text/plain")
    with responses.RequestsMock() as rsps:
        _replay(rsps, missing)
        with pytest.raises(BoardUnavailable, match="The requested resource was not found") as err:
            get(_client(), missing["path"], missing["query"])
        assert err.value.status == 404


@pytest.mark.parametrize(
    "cassette",
    [
        "tacokit__members_actions__handles_pagination.json",
        "tacokit__boards_cards__handles_pagination.json",
        "tacokit__cards_add_comment__creates_a_comment.json",
    ],
)
def test_recorded_paging_chains_replay_to_the_recorded_bodies(cassette: str) -> None:
    gets = [e for e in _interactions(cassette) if e["method"] == "GET" and e["status"] == 200]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for e in gets:
            _replay(rsps, e)
        c = _client()
        for e in gets:
            assert get(c, e["path"], e["query"]) == json.loads(e["body"])
    cursors = [e for e in gets if "before" in e["query"]]
    assert cursors, "the chain pages with before=<id>"
    if "add_comment" in cassette:
        assert any(json.loads(e["body"]) == [] for e in cursors), "the end of the pages is an empty array"


def test_recorded_rate_limit_headers_are_read() -> None:
    exchanges = _interactions("ruby-trello__checklist_can_update_the_item_state.yml")
    first = exchanges[0]
    assert first["headers"]["X-Rate-Limit-Api-Token-Remaining"] == "99"
    assert header_pause(first["headers"], reserve=2, cap=180) is None  # plenty left: no pause
    spent = {**first["headers"], "X-Rate-Limit-Api-Token-Remaining": "1"}
    assert header_pause(spent, reserve=2, cap=180) == 10.0  # Interval-Ms 10000: wait the interval out
    with responses.RequestsMock() as rsps:
        _replay(rsps, {**first, "headers": spent})
        c = _client()
        get(c, first["path"], first["query"])
        assert session_of(c).limiter.wait_time() > 9.0, "the token's requests are held for the interval"


# ---- decisions before redaction ------------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 403, 413, 449])
@pytest.mark.parametrize("as_text", [False, True])
def test_too_many_cards_pages_whatever_the_status_even_with_a_one_letter_token(
    status: int, as_text: bool
) -> None:
    board = synthesize_board(30, seed=status)
    fake = FakeTrello([board], page_threshold=10, too_many_status=status, limits=False)
    with responses.RequestsMock() as rsps:

        def cb(req: Any) -> tuple[int, dict[str, str], str]:
            parts = urlsplit(req.url)
            code, payload = fake.handle("GET", parts.path + "?" + parts.query, dict(req.headers), b"")
            if code != 200 and as_text:
                return code, {"Content-Type": "text/plain"}, "API_TOO_MANY_CARDS_REQUESTED"
            return (
                code,
                {"Content-Type": "application/json"},
                payload if isinstance(payload, str) else json.dumps(payload),
            )

        rsps.add_callback(responses.GET, __import__("re").compile(API + "/.*"), callback=cb)
        # The README's fake recipe: --key K --token T. "T" must not touch the code inside API_TOO_MANY_...
        got = fetch_board(_client(key="K", token="T"), board["id"])
    assert got.paged and len(got.board["cards"]) == 30


def test_403_without_the_code_is_still_forbidden() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{API}/boards/b1",
            body="unauthorized permission requested",
            status=403,
            content_type="text/plain",
        )
        with pytest.raises(BoardUnavailable) as err:
            get(_client(), "/boards/b1")
    assert err.value.status == 403 and not isinstance(err.value, TooManyCards)


def test_error_answers_are_classified_from_raw_json_or_text() -> None:
    j = read_error(403, "application/json", b'{"message":"too many","error":"API_TOO_MANY_CARDS_REQUESTED"}')
    assert j.too_many_cards and j.code == "API_TOO_MANY_CARDS_REQUESTED"
    t = read_error(400, "text/plain", b"API_TOO_MANY_CARDS_REQUESTED")
    assert t.too_many_cards
    r = read_error(
        429, "application/json", b'{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}'
    )
    assert r.retryable and r.code == "API_TOKEN_LIMIT_EXCEEDED" and not r.too_many_cards
    assert not read_error(400, "text/plain", b"member has already voted on the card").too_many_cards


def test_redaction_replaces_whole_short_secrets_only_and_any_long_secret() -> None:
    long_token = "ab12" * 16
    redact = Redactor(["K", "T", long_token])
    assert redact("API_TOO_MANY_CARDS_REQUESTED") == "API_TOO_MANY_CARDS_REQUESTED"
    assert redact("Token T was refused, key K too") == "Token *** was refused, key *** too"
    assert redact(f"x{long_token}y") == "x***y"
    assert Redactor([])("unchanged") == "unchanged"


def test_error_messages_shown_never_contain_a_long_secret() -> None:
    token = "f0" * 32
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{API}/boards/b2", json={"error": "SOMETHING_ODD", "message": f"bad token {token}"}, status=418
        )
        with pytest.raises(TrelloAPIError) as err:
            get(_client(token=token), "/boards/b2")
    assert token not in str(err.value) and "***" in str(err.value)


# ---- bounded waits ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1000000", 180.0),
        ("2", 2.0),
        ("soon", None),
        ("", None),
        ("nan", None),
        ("inf", None),
        ("-5", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_is_capped_and_nonsense_is_ignored(value: str, expected: float | None) -> None:
    assert parse_wait(value, 180.0) == expected


def test_a_retry_after_beyond_max_wait_fails_at_once_saying_what_trello_asked() -> None:
    slept: list[float] = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(
            f"{API}/boards/b3",
            status=429,
            headers={"Retry-After": "1000000"},
            json={"error": "API_TOKEN_LIMIT_EXCEEDED"},
        )
        rsps.get(f"{API}/boards/b3", json={"id": "b3"})
        c = _client(max_wait=5.0)
        session_of(c).retry.sleep = slept.append
        with pytest.raises(
            TrelloAPIError,
            match=r"Trello asked to wait 11\.6 days \(Retry-After\), more than "
            r"trello\.max_wait \(5 s\); not retried",
        ):
            get(c, "/boards/b3")
        assert len(rsps.calls) == 1
    assert slept == [], "no wait at all: the board's attempt ends at once"


def test_a_retry_after_within_max_wait_is_waited_out() -> None:
    slept: list[float] = []
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{API}/boards/b3",
            status=429,
            headers={"Retry-After": "4"},
            json={"error": "API_TOKEN_LIMIT_EXCEEDED"},
        )
        rsps.get(f"{API}/boards/b3", json={"id": "b3"})
        c = _client(max_wait=5.0)
        now = [0.0]

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            now[0] += seconds

        session_of(c).retry.sleep = sleep
        session_of(c).limiter = RateLimiter(90, clock=lambda: now[0])
        assert get(c, "/boards/b3") == {"id": "b3"}
    assert 4.0 <= slept[0] <= 4.0 + 1.0  # what Trello asked plus at most one backoff_base of jitter


@pytest.mark.slow  # waits out a real 1.5 s request deadline
def test_a_server_sending_a_byte_every_half_second_is_cut_at_the_request_deadline() -> None:
    board = synthesize_board(3, seed=8)
    with FakeTrello([board], limits=False) as f:
        f.trickle = 0.5  # a body of thousands of bytes would take hours; each read still sees a byte in time
        c = _client(f.url, retries=0, timeout=5.0, request_deadline=1.5)
        start = time.monotonic()
        with pytest.raises(TrelloAPIError, match="request deadline"):
            get(c, f"/boards/{board['id']}")
        assert time.monotonic() - start < 4.0
        f.trickle = 0


def test_cancel_stops_a_request_in_flight_within_a_second() -> None:
    board = synthesize_board(3, seed=9)
    with FakeTrello([board], limits=False) as f:
        f.trickle = 0.5
        c = _client(f.url, retries=3, timeout=30.0, request_deadline=60.0)
        threading.Timer(0.5, session_of(c).cancel).start()
        start = time.monotonic()
        with pytest.raises(Stopped):
            get(c, f"/boards/{board['id']}")
        assert time.monotonic() - start < 1.5
        f.trickle = 0


def test_run_deadline_stops_waits_that_would_pass_it() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/boards/b4", status=429, headers={"Retry-After": "60"}, json={})
        c = _client(max_wait=120.0)
        session_of(c).set_run_deadline(5.0)
        with pytest.raises(Stopped, match="run deadline"):
            get(c, "/boards/b4")


@pytest.mark.slow  # retries for a real 3 s
def test_unreachable_api_names_the_host_says_it_retries_and_gives_up_in_time() -> None:
    notices: list[str] = []
    c = _client("http://127.0.0.1:9/1", retries=50, give_up_after=3.0)
    c.http_service.retry.backoff_base = 0.5
    session_of(c).on_notice = notices.append
    start = time.monotonic()
    with pytest.raises(Unreachable) as err:
        get(c, "/members/me/boards")
    assert time.monotonic() - start <= 3.5
    assert "cannot reach 127.0.0.1:9" in str(err.value) and err.value.exit_code == 5
    assert notices and all("retry" in n for n in notices)


def test_fixtures_are_present() -> None:
    assert Path(RECORDED).is_dir() and len(list(RECORDED.iterdir())) >= 10
