"""Sync benchmarks against the fake Trello server; prints tables.

    python benchmarks/bench_sync.py [--quick]

1. Requests for a full sync of one board of 10 / 100 / 1,000 / 5,000 cards: trellosync against py-trello's
   idiomatic object API (the board, board.all_cards(), then each card's checklists and comments).
2. Requests for a sync of 50 boards in which nothing changed.
3. Wall time and peak memory of normalizing + storing a 5,000-card board, against a baseline measured in the
   same run: json.loads + sqlite3 executemany of the raw rows.
4. Wall time and requests of re-syncing a 5,000-card board in which one card changed.

    python benchmarks/bench_sync.py --ingest     # only 3 and 4 (about a minute)
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trellosync.config.settings import Config, TrelloConfig  # noqa: E402
from trellosync.mirror.normalize import normalize_board  # noqa: E402
from trellosync.mirror.validate import check_board_json  # noqa: E402
from trellosync.store.db import Store  # noqa: E402
from trellosync.sync.pipeline import ingest_board, paused_gc  # noqa: E402
from trellosync.sync.run import sync_boards  # noqa: E402
from trellosync.testing.fake_trello import FakeTrello, synthesize_board  # noqa: E402
from trellosync.trello.client import make_client

KEY, TOKEN = "b0" * 16, "c1" * 32


def _cfg(fake: FakeTrello, db: str) -> Config:
    return Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=fake.url), database=db)


def trellosync_requests(board: dict[str, Any], tmp: Path) -> int:
    """Requests of a first (full) trellosync sync of one board, the listing request included."""
    with FakeTrello([board], key=KEY, token=TOKEN, page_threshold=1000) as fake:
        bid = board["id"]
        store = Store(f"sqlite:///{tmp / f'ts-{bid}.db'}")
        sync_boards(_cfg(fake, store.url), store)
        store.close()
        return int(fake.stats()["requests"])


def pytrello_requests(board: dict[str, Any]) -> int:
    """Requests of py-trello's object API reading the same board (the fake lets it read any size at once)."""
    with FakeTrello([board], key=KEY, token=TOKEN, page_threshold=10**9, limits=False) as fake:
        client = make_client(KEY, TOKEN, api_url=fake.url, max_requests_per_10s=100000)
        b = client.get_board(board["id"])
        for card in b.all_cards():
            card.checklists  # noqa: B018 - lazy property: one request per card with checklists
            card.comments  # noqa: B018 - one request per card with comments
        return int(fake.stats()["requests"])


def no_change_requests(n_boards: int, tmp: Path) -> int:
    """Requests of a second sync of n boards in which nothing changed."""
    boards = [synthesize_board(10, seed=500 + i, name=f"Board {i}") for i in range(n_boards)]
    with FakeTrello(boards, key=KEY, token=TOKEN) as fake:
        store = Store(f"sqlite:///{tmp / 'nochange.db'}")
        cfg = _cfg(fake, store.url)
        sync_boards(cfg, store)
        fake.reset_stats()
        sync_boards(cfg, store)
        store.close()
        return int(fake.stats()["requests"])


def baseline_store(text: str, db: Path) -> None:
    """json.loads + sqlite3 executemany of the raw rows (no normalization, no domain)."""
    data = json.loads(text)
    con = sqlite3.connect(db)
    con.executescript("""
        CREATE TABLE lists(id TEXT PRIMARY KEY, board_id TEXT, name TEXT, closed INT, pos REAL);
        CREATE TABLE labels(id TEXT PRIMARY KEY, board_id TEXT, name TEXT, color TEXT);
        CREATE TABLE cards(id TEXT PRIMARY KEY, board_id TEXT, list_id TEXT, name TEXT, desc TEXT, closed INT,
                           pos REAL, due TEXT, last_activity TEXT);
        CREATE TABLE checklists(id TEXT PRIMARY KEY, card_id TEXT, name TEXT, pos REAL);
        CREATE TABLE check_items(id TEXT PRIMARY KEY, checklist_id TEXT, name TEXT, state TEXT, pos REAL);
        CREATE TABLE actions(id TEXT PRIMARY KEY, board_id TEXT, type TEXT, date TEXT, member_id TEXT, data TEXT);
    """)
    bid = data["id"]
    with con:
        con.executemany(
            "INSERT INTO lists VALUES (?,?,?,?,?)",
            [(x["id"], bid, x["name"], x.get("closed"), x.get("pos")) for x in data["lists"]],
        )
        con.executemany(
            "INSERT INTO labels VALUES (?,?,?,?)",
            [(x["id"], bid, x.get("name"), x.get("color")) for x in data["labels"]],
        )
        con.executemany(
            "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    c["id"],
                    bid,
                    c.get("idList"),
                    c.get("name"),
                    c.get("desc"),
                    c.get("closed"),
                    c.get("pos"),
                    c.get("due"),
                    c.get("dateLastActivity"),
                )
                for c in data["cards"]
            ],
        )
        con.executemany(
            "INSERT INTO checklists VALUES (?,?,?,?)",
            [(x["id"], x.get("idCard"), x.get("name"), x.get("pos")) for x in data["checklists"]],
        )
        con.executemany(
            "INSERT INTO check_items VALUES (?,?,?,?,?)",
            [
                (i["id"], x["id"], i.get("name"), i.get("state"), i.get("pos"))
                for x in data["checklists"]
                for i in x.get("checkItems") or []
            ],
        )
        con.executemany(
            "INSERT INTO actions VALUES (?,?,?,?,?,?)",
            [
                (
                    a["id"],
                    bid,
                    a.get("type"),
                    a.get("date"),
                    a.get("idMemberCreator"),
                    json.dumps(a.get("data")),
                )
                for a in data["actions"]
            ],
        )
    con.close()


def trellosync_store(text: str, store: Store) -> None:
    """What a sync does locally with a fetched board: parse, normalize, store mirror + domain + bookmark."""
    ingest_board(store, json.loads(text), None, source="api")


def mirror_only_store(text: str, store: Store) -> None:
    """What the baseline does, our way: parse, check and clean, normalize, upsert the mirror, commit; no domain."""
    rows = normalize_board(check_board_json(json.loads(text)))
    with paused_gc(), store.begin() as conn:
        store.save_mirror(
            conn,
            rows,
            seen_at=rows.board["date_last_activity"],
            snapshot_complete=True,
            history_complete=True,
        )


def resync_one_card(board: dict[str, Any], tmp: Path) -> tuple[float, float, int]:
    """(first sync s, re-sync s, re-sync requests) of a board in which one card was renamed in between."""
    with FakeTrello([board], key=KEY, token=TOKEN, page_threshold=10**9) as fake:
        store = Store(f"sqlite:///{tmp / 'resync.db'}")
        cfg = _cfg(fake, store.url)
        t0 = time.perf_counter()
        sync_boards(cfg, store)
        first = time.perf_counter() - t0
        fake.mutate("rename_card", board["id"], name="Renamed for the benchmark")
        fake.reset_stats()
        t0 = time.perf_counter()
        sync_boards(cfg, store)
        again = time.perf_counter() - t0
        store.close()
        return first, again, int(fake.stats()["requests"])


def ingest_split(text: str, store: Store) -> dict[str, float]:
    """One ingest's time split into JSON parsing, SQL (statements and commit) and the Python in between."""
    from sqlalchemy import event

    sql, rows = [0.0], [0]

    def before(conn: Any, *_: Any) -> None:
        conn.info["t0"] = time.perf_counter()

    def after(conn: Any, _cursor: Any, _stmt: Any, params: Any, _ctx: Any, many: bool) -> None:
        sql[0] += time.perf_counter() - conn.info["t0"]
        rows[0] += len(params) if many else 0

    dialect = store.engine.dialect
    plain_commit = dialect.do_commit

    def timed_commit(dbapi_conn: Any) -> None:
        t0 = time.perf_counter()
        plain_commit(dbapi_conn)
        sql[0] += time.perf_counter() - t0

    event.listen(store.engine, "before_cursor_execute", before)
    event.listen(store.engine, "after_cursor_execute", after)
    dialect.do_commit = timed_commit  # type: ignore[method-assign]
    t0 = time.perf_counter()
    data = json.loads(text)
    parse = time.perf_counter() - t0
    ingest_board(store, data, None, source="api")
    total = time.perf_counter() - t0
    store.close()
    base = json.loads(text)
    baseline_rows = (
        len(base["lists"])
        + len(base["labels"])
        + len(base["cards"])
        + len(base["checklists"])
        + sum(len(c.get("checkItems") or []) for c in base["checklists"])
        + len(base["actions"])
    )
    return {
        "parse": parse,
        "sql": sql[0],
        "rows": rows[0],
        "baseline_rows": baseline_rows,
        "python": total - parse - sql[0],
    }


def measure(
    fn: Callable[[Any], None], repeat: int, setup: Callable[[], Any] = lambda: None
) -> tuple[float, float]:
    """(best wall seconds, peak MiB traced) of fn(setup()); setup is neither timed nor traced."""
    best = float("inf")
    for _ in range(repeat):
        arg = setup()
        gc.collect()
        t0 = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - t0)
    arg = setup()
    gc.collect()
    tracemalloc.start()
    fn(arg)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print the tables."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="skip the 5,000-card py-trello run")
    p.add_argument("--ingest", action="store_true", help="only the local ingest and re-sync figures")
    args = p.parse_args(argv)
    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="trellosync-bench-"))
    if not args.ingest:
        request_tables(tmp, quick=args.quick)
    ingest_table(tmp)
    return 0


def request_tables(tmp: Path, *, quick: bool) -> None:
    """Benchmarks 1 and 2: requests of a full sync, and of a sync in which nothing changed."""

    print("Full sync of one board: HTTP requests")
    print(f"{'cards':>6} {'actions':>8} {'trellosync':>11} {'py-trello':>10} {'ratio':>7}")
    for n in (10, 100, 1000, 5000):
        board = synthesize_board(n, seed=n, comment_every=2)
        ts = trellosync_requests(board, tmp)
        pt = pytrello_requests(board) if not (quick and n > 1000) else 0
        ratio = f"{pt / ts:.0f}x" if pt else "-"
        print(f"{n:>6} {len(board['actions']):>8} {ts:>11} {pt or '-':>10} {ratio:>7}")
    print(
        "(trellosync counts include the one /members/me/boards request; boards over 1,000 cards are paged;\n"
        " at Trello's 90 requests / 10 s a py-trello read of 5,000 cards takes over 15 minutes)"
    )

    print()
    n = no_change_requests(50, tmp)
    print(f"No-change sync of 50 boards: {n} request(s)")
    print()


def ingest_table(tmp: Path) -> None:
    """Benchmarks 3 and 4: local cost of storing a 5,000-card board, and of re-syncing it after one change."""
    board = synthesize_board(5000, seed=5000, comment_every=2)
    text = json.dumps(board)
    counter = iter(range(10**6))

    def run_baseline(_: None) -> None:
        baseline_store(text, tmp / f"baseline-{next(counter)}.db")

    def new_store() -> Store:
        # Opening a Store migrates the schema: done before the clock starts, like the baseline's empty file.
        return Store(f"sqlite:///{tmp / f'store-{next(counter)}.db'}")

    def run_trellosync(store: Store) -> None:
        trellosync_store(text, store)
        store.close()

    def run_mirror(store: Store) -> None:
        mirror_only_store(text, store)
        store.close()

    b_time, b_mem = measure(run_baseline, 3)
    s_time, s_mem = measure(run_trellosync, 3, setup=new_store)
    m_time, m_mem = measure(run_mirror, 3, setup=new_store)
    print(
        f"Normalize + store 5,000 cards ({len(board['actions'])} actions, "
        f"{sum(len(c['checkItems']) for c in board['checklists'])} check items, {len(text) / 2**20:.1f} MiB JSON)"
    )
    print(f"{'':>28} {'wall s':>8} {'peak MiB':>9}")
    print(f"{'baseline (json+executemany)':>28} {b_time:>8.2f} {b_mem:>9.1f}")
    print(f"{'trellosync ingest_board':>28} {s_time:>8.2f} {s_mem:>9.1f}")
    print(f"{'factor':>28} {s_time / b_time:>7.1f}x {s_mem / b_mem:>8.1f}x")
    print(
        f"{'mirror only (no domain)':>28} {m_time:>8.2f} {m_mem:>9.1f}   "
        f"({m_time / b_time:.1f}x, {m_mem / b_mem:.1f}x: checked, normalized, upserted, committed)"
    )
    print("(the schema migration when the store is opened is not timed; everything after it is)")
    print()
    split = ingest_split(text, new_store())
    print("Where one ingest's time goes (wall s; SQL = statements plus commit, as the driver reports them):")
    print(
        f"  json.loads {split['parse']:.2f}; SQL {split['sql']:.2f} for {split['rows']:,} rows (the baseline "
        f"writes {split['baseline_rows']:,}); validation, normalizing and deriving the domain in Python "
        f"{split['python']:.2f}"
    )
    print()
    first, again, requests = resync_one_card(board, tmp)
    print(
        f"Sync of the same 5,000-card board from the fake API: first {first:.2f}s; after renaming one card "
        f"{again:.2f}s ({requests} requests)"
    )


if __name__ == "__main__":
    sys.exit(main())
