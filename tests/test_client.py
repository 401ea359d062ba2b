"""The Trello client: header auth, base URL, timeouts, throttling, retries, errors, exact request counts."""

from __future__ import annotations

import json
import re
import threading
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses

from trellosync.errors import AuthError, TrelloAPIError
from trellosync.testing.fake_trello import FakeTrello, synthesize_board
from trellosync.trello.client import make_client
from trellosync.trello.fetch import fetch_board, fetch_member_boards, session_of
from trellosync.trello.pacing import RateLimiter
from trellosync.trello.session import BoardUnavailable

API = "https://api.trello.com/1"
KEY = "k" * 32


def _client(api_url: str = API, retries: int = 2, **kw: Any) -> Any:
    token = "tok" + uuid.uuid4().hex  # a token of its own: its own rate limiter
    c = make_client(KEY, token, api_url=api_url, max_retries=retries, backoff_base=0.0, **kw)
    session_of(c).retry.sleep = lambda s: None
    return c


def _serve(rsps: responses.RequestsMock, fake: FakeTrello, base: str = API) -> None:
    """Answer every request under `base` from the fake's handler (responses sees each request)."""

    def cb(req: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        path = urlsplit(req.url).path
        query = urlsplit(req.url).query
        prefix = urlsplit(base).path[: -len("/1")]
        status, payload, headers = fake.respond(
            req.method, path[len(prefix) :] + ("?" + query if query else ""), dict(req.headers), b""
        )
        is_text = isinstance(payload, str) and not hasattr(payload, "_json")
        body = payload if isinstance(payload, str) else json.dumps(payload)
        ctype = (
            "text/plain; charset=utf-8" if is_text and not body.startswith(("[", "{")) else "application/json"
        )
        return status, {**headers, "Content-Type": ctype}, body

    rsps.add_callback(responses.GET, re.compile(re.escape(base) + r"/.*"), callback=cb)


def test_header_auth_no_secrets_in_url_and_timeout_on_every_request() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/members/me/boards", json=[{"id": "a" * 24, "name": "B"}])
        c = _client(timeout=7.5)
        token = session_of(c)._secrets[1]
        assert fetch_member_boards(c) == [{"id": "a" * 24, "name": "B"}]
        call = rsps.calls[0]
        assert (
            call.request.headers["Authorization"]
            == f'OAuth oauth_consumer_key="{KEY}", oauth_token="{token}"'
        )
        assert KEY not in call.request.url and token not in call.request.url
        q = dict(parse_qsl(urlsplit(call.request.url).query))
        assert q == {"fields": "id,name,closed,dateLastActivity,shortLink,url"}
        assert call.request.req_kwargs["timeout"] == (7.5, 7.5)  # (connect, read); plus an overall deadline


def test_base_url_is_configurable() -> None:
    base = "http://127.0.0.1:9/trello/1"
    with responses.RequestsMock() as rsps:
        rsps.get(f"{base}/members/me/boards", json=[])
        assert fetch_member_boards(_client(api_url=base + "/")) == []


@pytest.mark.parametrize("n_cards, expected", [(10, 1), pytest.param(2000, 8, marks=pytest.mark.slow)])
def test_full_board_fetch_costs_a_constant_number_of_requests(n_cards: int, expected: int) -> None:
    board = synthesize_board(n_cards, seed=n_cards, comment_every=4)  # 2000 cards: 2,500 actions
    fake = FakeTrello([board], page_threshold=1000)
    with responses.RequestsMock() as rsps:
        _serve(rsps, fake)
        c = _client()
        got = fetch_board(c, board["id"])
        assert len(rsps.calls) == expected == got.requests
        paths = [urlsplit(x.request.url).path for x in rsps.calls]
    b = got.board
    assert len(b["cards"]) == n_cards
    assert len(b["checklists"]) == n_cards
    assert len(b["actions"]) == len(board["actions"])  # beyond the 1000 an export holds
    assert len({a["id"] for a in b["actions"]}) == len(b["actions"])
    if n_cards == 2000:
        # nested (refused: too many cards), nested without cards, 3 card pages, checklists, 2 action pages
        assert paths.count(f"/1/boards/{board['id']}") == 2
        assert paths.count(f"/1/boards/{board['id']}/cards/all") == 3
        assert paths.count(f"/1/boards/{board['id']}/actions") == 2
        assert got.paged


def test_request_count_does_not_grow_with_cards_below_the_paging_threshold() -> None:
    counts = []
    for n in (10, 100, 900):
        board = synthesize_board(n, seed=n, comment_every=0)
        with responses.RequestsMock() as rsps:
            _serve(rsps, FakeTrello([board], page_threshold=1000))
            fetch_board(_client(), board["id"])
            counts.append(len(rsps.calls))
    assert counts == [1, 1, 1]


@pytest.mark.slow  # 6,000 actions
def test_incremental_fetch_pages_actions_only_back_to_the_bookmark() -> None:
    board = synthesize_board(3000, seed=7, comment_every=1)  # 6,000 actions
    fake = FakeTrello([board], page_threshold=5000)
    bookmark = board["actions"][1500]["id"]
    with responses.RequestsMock() as rsps:
        _serve(rsps, fake)
        got = fetch_board(_client(), board["id"], since_action_id=bookmark)
        # nested answer honours actions_since: 1000 newest, then one page back to the bookmark
        assert len(rsps.calls) == 2
    assert [a["id"] for a in got.board["actions"]] == [a["id"] for a in board["actions"][:1500]]
    assert not got.actions_complete


def test_401_is_an_auth_error_without_retry() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/members/me/boards", status=401, body="invalid token")
        with pytest.raises(AuthError, match="token invalid or expired"):
            fetch_member_boards(_client())
        assert len(rsps.calls) == 1


@pytest.mark.parametrize("status", [403, 404])
def test_missing_or_forbidden_board(status: int) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(re.compile(f"{API}/boards/.*"), status=status, body="The requested resource was not found.")
        with pytest.raises(BoardUnavailable) as exc:
            fetch_board(_client(), "b" * 24)
        assert exc.value.status == status
        assert "b" * 24 in str(exc.value)


def test_429_backs_off_using_retry_after_then_succeeds() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(
            f"{API}/members/me/boards",
            status=429,
            headers={"Retry-After": "3"},
            json={"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"},
        )
        rsps.get(f"{API}/members/me/boards", json=[])
        c = _client()
        s = session_of(c)
        slept: list[float] = []
        s.retry.sleep = slept.append
        paused: list[float] = []
        s.limiter.pause = paused.append  # type: ignore[method-assign]
        assert fetch_member_boards(c) == []
        assert len(rsps.calls) == 2
        assert slept == [3.0] and paused == [3.0]


def test_429_without_headers_uses_exponential_backoff_with_jitter() -> None:
    with responses.RequestsMock() as rsps:
        for _ in range(3):
            rsps.get(f"{API}/members/me/boards", status=429, json={"error": "API_KEY_LIMIT_EXCEEDED"})
        rsps.get(f"{API}/members/me/boards", json=[])
        c = _client(retries=5)
        s = session_of(c)
        s.retry.backoff_base = 0.5
        slept: list[float] = []
        s.retry.sleep = slept.append
        s.limiter.pause = lambda sec: None  # type: ignore[method-assign]
        fetch_member_boards(c)
        assert len(slept) == 3
        assert all(0 <= d <= 0.5 * 2**i for i, d in enumerate(slept))


def test_5xx_is_retried_then_gives_up_with_a_clear_error() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/members/me/boards", status=503, body="unavailable")
        with pytest.raises(TrelloAPIError, match=r"HTTP 503.*after 3 attempts"):
            fetch_member_boards(_client(retries=2))
        assert len(rsps.calls) == 3


def test_5xx_then_success() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/members/me/boards", status=502)
        rsps.get(f"{API}/members/me/boards", status=500)
        rsps.get(f"{API}/members/me/boards", json=[{"id": "x"}])
        assert fetch_member_boards(_client(retries=2)) == [{"id": "x"}]


@pytest.mark.parametrize(
    "exc",
    [
        requests.exceptions.ConnectTimeout("slow"),
        requests.exceptions.ReadTimeout("slow"),
        requests.exceptions.ConnectionError("reset by peer"),
        requests.exceptions.ChunkedEncodingError("dropped"),
    ],
)
def test_timeouts_and_dropped_connections_are_retried_a_bounded_number_of_times(exc: Exception) -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/members/me/boards", body=exc)
        with pytest.raises(TrelloAPIError, match="after 4 attempts") as err:
            fetch_member_boards(_client(retries=3))
        assert len(rsps.calls) == 4
        assert err.value.__cause__ is None and err.value.__suppress_context__


def test_truncated_json_body_is_retried() -> None:
    with responses.RequestsMock() as rsps:
        rsps.get(f"{API}/members/me/boards", body='[{"id": "x"')
        rsps.get(f"{API}/members/me/boards", json=[{"id": "x"}])
        assert fetch_member_boards(_client()) == [{"id": "x"}]


def test_rate_limiter_never_exceeds_its_window_budget() -> None:
    now = [0.0]

    def sleep(s: float) -> None:
        now[0] += s

    lim = RateLimiter(90, 10.0, clock=lambda: now[0], sleep=sleep)
    stamps = []
    for _ in range(400):
        lim.acquire()
        stamps.append(now[0])
    for i, t0 in enumerate(stamps):
        in_window = sum(1 for t in stamps[i:] if t - t0 < 10.0)
        assert in_window <= 90
    assert stamps[-1] < 45  # and it is not needlessly slow: 400 requests in ~4 windows


def test_rate_limiter_is_thread_safe() -> None:
    lock = threading.Lock()
    now = [0.0]

    def clock() -> float:
        with lock:
            return now[0]

    def sleep(s: float) -> None:
        with lock:
            now[0] += min(s, 0.01)

    lim = RateLimiter(90, 10.0, clock=clock, sleep=sleep)
    stamps: list[float] = []

    def worker() -> None:
        for _ in range(50):
            lim.acquire()
            with lock:
                stamps.append(now[0])

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert len(stamps) == 300
    for i, t0 in enumerate(stamps):
        assert sum(1 for t in stamps[i:] if t - t0 < 10.0) <= 90


def test_limiter_is_shared_by_clients_of_one_token() -> None:
    a = make_client(KEY, "shared-token-1", api_url=API)
    b = make_client(KEY, "shared-token-1", api_url=API)
    c = make_client(KEY, "other-token-2", api_url=API)
    assert session_of(a).limiter is session_of(b).limiter
    assert session_of(a).limiter is not session_of(c).limiter


def test_missing_credentials_are_a_config_error() -> None:
    from trellosync.errors import ConfigError

    with pytest.raises(ConfigError, match="credentials"):
        make_client(None, "t")


@pytest.mark.slow  # a board of 1,000 cards
def test_exactly_1000_nested_cards_are_reread_through_paging() -> None:
    board = synthesize_board(1000, seed=1000, comment_every=0)
    with responses.RequestsMock() as rsps:
        _serve(rsps, FakeTrello([board], page_threshold=5000))
        got = fetch_board(_client(), board["id"])
        # nested, a full card page and an empty one, and one action page (1000 nested actions: maybe more)
        assert len(rsps.calls) == 4
    assert got.paged and len(got.board["cards"]) == 1000


def test_413_means_page_the_cards() -> None:
    board = synthesize_board(5, seed=413, comment_every=0)
    fake = FakeTrello([board])
    with responses.RequestsMock() as rsps:
        rsps.get(
            re.compile(re.escape(f"{API}/boards/{board['id']}") + r"\?.*cards=all.*"),
            status=413,
            body="Request Entity Too Large",
        )
        _serve(rsps, fake)
        got = fetch_board(_client(), board["id"])
    assert got.paged and len(got.board["cards"]) == 5
