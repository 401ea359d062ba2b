"""Bounded by construction: every answer is read under a byte cap (as sent and once inflated); a Retry-After
beyond trello.max_wait ends that board's attempt at once, with one line; one line per failed board."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from trellosync.config.settings import BoardMapping, Config, TrelloConfig
from trellosync.errors import PartialFailure, TrelloAPIError
from trellosync.store.db import Store
from trellosync.sync.run import sync_boards
from trellosync.testing.fake_trello import FakeTrello, synthesize_board
from trellosync.trello.client import make_client
from trellosync.trello.fetch import session_of

KEY, TOKEN = "a7" * 16, "b8" * 32
CAP = 4 * 1024 * 1024


def _nested(path: str, q: dict[str, str]) -> bool:
    return "cards" in q  # the nested board request, not the per-board listing look-up


def _sync_hostile(store: Store, kind: str, **fake_kw: Any) -> tuple[TrelloAPIError, float, int]:
    board = synthesize_board(3, seed=7, name="Hostile board")
    with FakeTrello([board], key=KEY, token=TOKEN) as fake:
        fake.hostile, fake.hostile_when = kind, _nested
        for k, v in fake_kw.items():
            setattr(fake, k, v)
        cfg = Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=fake.url), database=store.url)
        client = make_client(KEY, TOKEN, api_url=fake.url)
        session_of(client).max_answer_bytes = CAP
        tracemalloc.start()
        started = time.monotonic()
        try:
            with pytest.raises(TrelloAPIError) as err:
                sync_boards(cfg, store, boards=[board["id"]], client=client)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    return err.value, time.monotonic() - started, peak


def test_a_gzip_bomb_is_refused_under_the_cap(sqlite_store: Store) -> None:
    exc, took, peak = _sync_hostile(
        sqlite_store, "gzip_bomb", bomb_bytes=64 * 1024 * 1024
    )  # 16 times the cap
    text = str(exc)
    assert "Hostile board" in text and "once inflated" in text and "4 MiB" in text, text
    assert peak < 3 * CAP, f"peak {peak:,} bytes for a {CAP:,}-byte cap"
    assert took < 30


def test_an_endless_chunked_answer_is_refused_under_the_cap(sqlite_store: Store) -> None:
    exc, took, peak = _sync_hostile(sqlite_store, "endless")
    text = str(exc)
    assert "Hostile board" in text and "as sent" in text, text
    assert peak < 3 * CAP, f"peak {peak:,} bytes for a {CAP:,}-byte cap"
    assert took < 30


def test_a_compressed_answer_within_the_cap_is_read(sqlite_store: Store) -> None:
    """A gzip body Trello-size is inflated and stored as any other (the cap refuses only what passes it)."""
    import gzip

    from trellosync.trello import bounded

    class _Raw:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def stream(self, n: int, decode_content: bool) -> Any:
            assert decode_content is False
            for i in range(0, len(self.data), 1000):
                yield self.data[i : i + 1000]

    class _Resp:
        headers = {"Content-Encoding": "gzip"}

        def __init__(self, data: bytes) -> None:
            self.raw = _Raw(data)

        def close(self) -> None:
            pass

    body = b'{"id": "x", "name": "' + b"y" * 200_000 + b'"}'
    two_members = gzip.compress(body[:1000]) + gzip.compress(body[1000:])
    assert bounded.read_capped(_Resp(two_members), "GET /1/boards/x") == body
    with pytest.raises(bounded.AnswerTooLarge, match="once inflated"):
        bounded.read_capped(_Resp(gzip.compress(body)), "GET /1/boards/x", limit=100_000)


def test_a_retry_after_beyond_max_wait_ends_the_board_at_once_with_one_line(tmp_path: Path) -> None:
    boards = [synthesize_board(2, seed=40 + i, name=f"Board {i}") for i in range(2)]
    store = Store(str(tmp_path / "r.db"))
    slept: list[float] = []
    with FakeTrello(boards, key=KEY, token=TOKEN) as fake:
        fake.headers = {"Retry-After": str(11 * 86400)}
        fake.faults = {"429": 1.0}  # every answer: 429 with an 11-day Retry-After
        cfg = Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=fake.url), database=store.url)
        cfg.boards = [BoardMapping(board=b["id"]) for b in boards]
        client = make_client(KEY, TOKEN, api_url=fake.url)
        session_of(client).retry.sleep = slept.append
        started = time.monotonic()
        with pytest.raises(TrelloAPIError) as err:
            sync_boards(cfg, store, client=client)
        took = time.monotonic() - started
    store.close()
    assert not isinstance(err.value, PartialFailure)
    lines = [line.strip() for line in str(err.value).splitlines()[1:]]
    assert len(lines) == 2, lines  # one line per failed board
    for b, line in zip(sorted(boards, key=lambda b: b["id"]), sorted(lines), strict=True):
        assert b["id"] in line
        assert "Trello asked to wait 11.0 days (Retry-After)" in line and "trello.max_wait (180 s)" in line
        assert "not found" not in line and "invisible" not in line
    assert slept == [] and took < 10, (slept, took)
