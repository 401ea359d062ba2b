"""Two syncs never overlap (SQLite and PostgreSQL); PostgreSQL workers split boards, none synced twice."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from trellosync.config.settings import Config, TrelloConfig
from trellosync.errors import LockError
from trellosync.store.db import Store
from trellosync.store.locks import SyncLock, acquire_sync_lock
from trellosync.sync.run import SyncReport, sync_boards
from trellosync.testing.fake_trello import FakeTrello, synthesize_board

KEY, TOKEN = "c3" * 16, "d4" * 32


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'locks.db'}"
    return request.getfixturevalue("pg_url")


def _cfg(fake: FakeTrello, url: str) -> Config:
    return Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=fake.url), database=url)


def test_second_sync_exits_at_once_with_a_clear_message(url: str) -> None:
    store = Store(url)
    with FakeTrello([synthesize_board(3, seed=1)], key=KEY, token=TOKEN) as fake:
        held = acquire_sync_lock(url)
        try:
            t0 = time.monotonic()
            with pytest.raises(LockError, match="another sync is running") as exc:
                sync_boards(_cfg(fake, url), store)
            assert time.monotonic() - t0 < 2
            assert exc.value.exit_code == 7
            assert fake.stats()["requests"] == 0
        finally:
            held.release()
        sync_boards(_cfg(fake, url), store)  # free again
    store.close()


def test_wait_waits_for_the_running_sync(url: str) -> None:
    store = Store(url)
    with FakeTrello([synthesize_board(3, seed=2)], key=KEY, token=TOKEN) as fake:
        held = acquire_sync_lock(url)
        timer = threading.Timer(0.8, held.release)
        timer.start()
        t0 = time.monotonic()
        report = sync_boards(_cfg(fake, url), store, wait=True)
        assert time.monotonic() - t0 >= 0.7
        assert [o.status for o in report.outcomes] == ["synced"]
        timer.join()
    store.close()


def test_sqlite_lock_is_released_when_the_holder_dies(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'dead.db'}"
    code = (
        f"import time; from trellosync.store.locks import acquire_sync_lock; acquire_sync_lock({url!r}); "
        "print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    with pytest.raises(LockError):
        acquire_sync_lock(url)
    proc.kill()
    proc.wait()
    acquire_sync_lock(url).release()


def test_cli_second_sync_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from clihelp import run_cli

    db = tmp_path / "cli.db"
    with FakeTrello([synthesize_board(2, seed=3)], key=KEY, token=TOKEN) as fake:
        cfg = tmp_path / "c.yaml"
        cfg.write_text(
            f"trello:\n  api_key: {KEY}\n  token: {TOKEN}\n  api_url: {fake.url}\ndatabase: sqlite:///{db}\n"
        )
        held = acquire_sync_lock(f"sqlite:///{db}")
        try:
            code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
        finally:
            held.release()
        assert code == 7 and "another sync is running" in err
        code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
        assert code == 0, err


@pytest.mark.slow  # ten boards synced by three workers; test_board_claims_are_exclusive_between_workers stays fast
def test_postgres_workers_split_boards_and_never_sync_one_twice(pg_url: str) -> None:
    boards = [synthesize_board(20, seed=200 + i, name=f"Team board {i}") for i in range(10)]
    Store(pg_url).close()  # migrate once
    with FakeTrello(boards, key=KEY, token=TOKEN, latency=0.2) as fake:
        reports: list[SyncReport] = []
        errors: list[BaseException] = []

        def worker() -> None:
            store = Store(pg_url)
            try:
                cfg = _cfg(fake, pg_url)
                cfg.trello.concurrency = 2
                reports.append(sync_boards(cfg, store, worker=True))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                store.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert not errors, errors
        synced = [o.board_id for r in reports for o in r.outcomes if o.status == "synced"]
        assert sorted(synced) == sorted(b["id"] for b in boards), "every board synced exactly once"
        assert all(n == 1 for n in fake.stats()["by_board"].values())
        assert all(any(o.status == "synced" for o in r.outcomes) for r in reports), "both workers did work"
        # a plain (non-worker) sync is excluded while a worker runs
        held = SyncLock(pg_url, shared=True)
        held.acquire()
        try:
            with pytest.raises(LockError):
                sync_boards(_cfg(fake, pg_url), Store(pg_url))
        finally:
            held.release()
    store = Store(pg_url)
    assert store.counts()["boards"] == 10
    store.close()


def test_board_claims_are_exclusive_between_workers(pg_url: str) -> None:
    a: Any = SyncLock(pg_url, shared=True)
    b: Any = SyncLock(pg_url, shared=True)
    a.acquire()
    b.acquire()
    try:
        assert a.try_board("x" * 24)
        assert not b.try_board("x" * 24)
        assert b.try_board("y" * 24)
        a.release_board("x" * 24)
        assert b.try_board("x" * 24)
    finally:
        a.release()
        b.release()
