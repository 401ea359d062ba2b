"""A sync SIGKILLed at twenty moments leaves every board at its previous or its new state; the next completes."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXPORTS

from trellosync.config.settings import load_config
from trellosync.store import schema as t
from trellosync.store.db import Store
from trellosync.sync.run import sync_boards
from trellosync.testing.fake_trello import FakeTrello, synthesize_board

KEY, TOKEN = "e5" * 16, "f6" * 32
KILLS = 20


def _copy(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite database (WAL included)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    with sqlite3.connect(src) as s, sqlite3.connect(dst) as d:
        s.backup(d)


def _fingerprint(db: Path, board_ids: list[str]) -> dict[str, str]:
    """Per board: a hash of every row that belongs to it, with sync-time timestamps reduced to set/unset.

    What is computed as of the run's date (statuses at sync, the cadence row) is left out: a kill-run after
    midnight would otherwise differ from the state it replays without being half-written.
    """
    con = sqlite3.connect(db)
    try:
        out = {}
        for bid in board_ids:
            h = hashlib.sha256()
            for table in t.metadata.sorted_tables:
                cols = [c.name for c in table.columns]
                key = "board_id" if "board_id" in cols else "id" if table.name == "boards" else None
                if key is None or table.name == "board_cadence":
                    continue
                shown = [
                    f"({c} IS NOT NULL)" if c.endswith("_at") or c in ("last_full_sync",) else c
                    for c in cols
                    if not (c == "id" and str(table.c.id.type).startswith("INTEGER"))
                    and c != "status_at_sync"
                ]
                rows = con.execute(
                    f"SELECT {', '.join(shown)} FROM {table.name} WHERE {key} = ?", (bid,)
                ).fetchall()
                h.update(table.name.encode())
                for r in sorted(map(repr, rows)):
                    h.update(r.encode())
            out[bid] = h.hexdigest()
        return out
    finally:
        con.close()


def _sync(cfg: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "trellosync", "-c", str(cfg), "sync"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.slow
def test_sigkill_at_twenty_moments(tmp_path: Path) -> None:
    big = synthesize_board(700, seed=77, comment_every=1)  # paged (threshold 500), 1,400 actions: paged too
    with FakeTrello(
        [big, EXPORTS / "csv-export-board.json"], key=KEY, token=TOKEN, page_threshold=500
    ) as fake:
        board_ids = list(fake.boards)
        cfg = tmp_path / "c.yaml"
        work = tmp_path / "work.db"
        cfg.write_text(
            f"trello:\n  api_key: {KEY}\n  token: {TOKEN}\n  api_url: {fake.url}\n"
            f"database: sqlite:///{work}\n"
        )
        env = {**os.environ}
        config = load_config(cfg)
        p = _sync(cfg, env)
        assert p.wait(120) == 0, p.stderr.read() if p.stderr else ""
        state_a = tmp_path / "a.db"
        _copy(work, state_a)
        fp_a = _fingerprint(state_a, board_ids)
        # change both boards in every way a user can
        for bid in board_ids:
            fake.mutate("comment", bid, text="after the first sync")
            fake.mutate("check_item", bid)
            fake.mutate("archive_card", bid)
            fake.mutate("rename_card", bid)
            fake.mutate("delete_card", bid)
            fake.mutate("create_card", bid, name="2026-03-04 lunch")
        t0 = time.monotonic()
        p = _sync(cfg, env)
        assert p.wait(120) == 0
        duration = time.monotonic() - t0
        fp_b = _fingerprint(work, board_ids)
        assert all(fp_a[b] != fp_b[b] for b in board_ids)

        seen: dict[str, int] = {"A": 0, "B": 0}
        moments = [duration * (0.15 + 1.0 * i / (KILLS - 1)) for i in range(KILLS)]
        for delay in moments:
            _copy(state_a, work)
            proc = _sync(cfg, env)
            if delay == moments[-1]:
                # The last "kill" comes after the end, so the new state is seen however loaded the machine is
                # (kills timed by the first run's duration can all land early when later runs are slower).
                proc.wait(120)
            else:
                time.sleep(delay)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
            con = sqlite3.connect(work)
            try:
                assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            finally:
                con.close()
            fp = _fingerprint(work, board_ids)
            for b in board_ids:
                assert fp[b] in (fp_a[b], fp_b[b]), f"board {b} half-written after a kill at {delay:.2f}s"
                seen["A" if fp[b] == fp_a[b] else "B"] += 1
            # the next sync completes (run in-process: the subprocess start-up is already covered above)
            store = Store(f"sqlite:///{work}")
            try:
                sync_boards(config, store)
            finally:
                store.close()
            assert _fingerprint(work, board_ids) == fp_b
        print("boards found at previous / new state after the kills:", seen)
        assert seen["A"] and seen["B"], seen
