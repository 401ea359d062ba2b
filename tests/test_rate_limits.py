"""Pacing by Trello's own headers and the 100-per-900-s limit of /1/members/ routes, measured against the fake
(which enforces Trello's limits and sends its X-Rate-Limit-* headers)."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from conftest import EXPORTS

from trellosync.config.settings import BoardMapping, Config, TrelloConfig
from trellosync.errors import TrelloAPIError
from trellosync.store.db import Store
from trellosync.sync.run import sync_boards
from trellosync.testing.fake_trello import FakeTrello, RateLimits, synthesize_board
from trellosync.trello import pacing
from trellosync.trello.client import make_client
from trellosync.trello.fetch import fetch_member_boards, get, session_of
from trellosync.trello.pacing import RateLimiter

KEY = "c9" * 16


def _separate_process(client: Any) -> Any:
    """Give a client the pacing state a separate process would have (nothing shared in memory)."""
    s = session_of(client)
    s.limiter = RateLimiter(90)
    s.members_limiter = RateLimiter(pacing.MEMBERS_ROUTE_MAX, pacing.MEMBERS_ROUTE_WINDOW)
    return client


def _hammer(fake: FakeTrello, token: str, n: int, board_id: str, *, reserve: int) -> float:
    c = _separate_process(make_client(KEY, token, api_url=fake.url, max_retries=8, backoff_base=0.2))
    session_of(c).header_reserve = reserve
    start = time.monotonic()
    for _ in range(n):
        get(c, f"/boards/{board_id}", {"fields": "name"})
    return time.monotonic() - start


@pytest.mark.slow
@pytest.mark.parametrize("reserve, expect_429", [(2, False), (-1, True)])
def test_two_processes_sharing_a_token_pace_by_the_remaining_header(reserve: int, expect_429: bool) -> None:
    board = synthesize_board(2, seed=51)
    # Trello's limits scaled down in time (20 per 1 s instead of 100 per 10 s) so the test takes seconds.
    limits = RateLimits(token_max=20, key_max=60, interval=1.0)
    token = "tok" + uuid.uuid4().hex
    with FakeTrello([board], limits=limits) as f:
        times: list[float] = []
        workers = [
            threading.Thread(target=lambda: times.append(_hammer(f, token, 40, board["id"], reserve=reserve)))
            for _ in range(2)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        refused = f.stats()["by_status"].get("429", 0)
        total = f.stats()["requests"]
    if expect_429:
        assert refused > 0, "without header pacing two processes trip the token's limit"
    else:
        assert refused == 0, f"{refused} of {total} requests refused"
        rate = 80 / max(times)
        assert rate <= 20 + 2  # never more than the budget per interval (plus the reserve)
        print(f"header-paced throughput: {rate:.1f} requests/s for a budget of 20/s, 0 refused")


def _cron_run(fake: FakeTrello, token: str, store: Store, config: Config) -> None:
    client = _separate_process(make_client(KEY, token, api_url=fake.url))
    sync_boards(config, store, client=client, lock=False)


@pytest.mark.slow
@pytest.mark.parametrize("mapped", [False, True])
def test_a_cron_every_minute_on_four_workers_never_trips_the_members_limit(
    tmp_path: Path, mapped: bool
) -> None:
    now = [0.0]
    limits = RateLimits(clock=lambda: now[0])
    token = "tok" + uuid.uuid4().hex
    exports = [EXPORTS / "notes-board.json", EXPORTS / "small-notes-board.json"]
    with FakeTrello(exports, limits=limits) as f:
        stores = [Store(f"sqlite:///{tmp_path / f'w{i}.db'}") for i in range(4)]
        boards = [BoardMapping(board=b["id"]) for b in f.boards.values()] if mapped else []
        configs = [
            Config(
                trello=TrelloConfig(api_key=KEY, token=token, api_url=f.url), database=s.url, boards=boards
            )
            for s in stores
        ]
        for _minute in range(30):  # half an hour of `* * * * * trellosync sync` on four machines
            for store, cfg in zip(stores, configs, strict=True):
                _cron_run(f, token, store, cfg)
            now[0] += 60.0
        stats = f.stats()
    members = stats["by_path"].get("GET /1/members/me/boards", 0)
    assert stats["by_status"].get("429", 0) == 0 and not stats["rate_limited"]
    assert members == (0 if mapped else 4 * 30)  # mapped boards are listed one by one, never under /members/
    print(
        f"30 min x 4 workers, mapped={mapped}: {stats['requests']} requests, {members} under /1/members/, "
        "0 refused"
    )


def test_the_fake_enforces_the_members_limit_and_the_client_refuses_to_trip_it() -> None:
    now = [0.0]
    board = synthesize_board(1, seed=52)
    with FakeTrello([board], limits=RateLimits(clock=lambda: now[0])) as f:
        raw = _separate_process(make_client(KEY, "tok" + uuid.uuid4().hex, api_url=f.url, max_retries=0))
        session_of(raw).members_limiter = RateLimiter(10**6, 900)  # a client that does not know the limit
        session_of(raw).limiter = RateLimiter(1000)  # only the members limit is under test here
        for _ in range(100):
            fetch_member_boards(raw)
            now[0] += 0.2  # within the token's 100 per 10 s; all within one 900 s members window
        with pytest.raises(TrelloAPIError, match="429"):
            fetch_member_boards(raw)
        assert f.stats()["rate_limited"]["members"] == 1
        now[0] += 900.0
        fetch_member_boards(raw)  # the next window
        ours = _separate_process(make_client(KEY, "tok" + uuid.uuid4().hex, api_url=f.url, max_wait=5.0))
        session_of(ours).limiter = RateLimiter(1000)
        for _ in range(100):
            fetch_member_boards(ours)
            now[0] += 0.2
        before = f.stats()["requests"]
        with pytest.raises(TrelloAPIError, match="100 requests per 900 s on /1/members/"):
            fetch_member_boards(ours)
        assert f.stats()["requests"] == before, "our client did not send the 101st request"
