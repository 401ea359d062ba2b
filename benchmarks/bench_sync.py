"""Sync benchmarks against the fake Trello server; prints tables.

    python benchmarks/bench_sync.py [--quick]

1. Requests for a full sync of one board of 10 / 100 / 1,000 / 5,000 cards: trellosync against py-trello's
   idiomatic object API (the board, board.all_cards(), then each card's checklists and comments).
2. Requests for a sync of 50 boards in which nothing changed.
3. Wall time and peak memory of normalizing + storing a 5,000-card board, against a baseline measured in the
   same run: json.loads + sqlite3 executemany of the raw rows.
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

from trellosync.client import make_client  # noqa: E402
from trellosync.config import Config, TrelloConfig  # noqa: E402
from trellosync.pipeline import ingest_board  # noqa: E402
from trellosync.store import Store  # noqa: E402
from trellosync.sync import sync_boards  # noqa: E402
from trellosync.testing.fake_trello import FakeTrello, synthesize_board  # noqa: E402

KEY, TOKEN = "b0" * 16, "c1" * 32


def _cfg(fake: FakeTrello, db: str) -> Config:
    return Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=fake.url),
                  database=db)


def trellosync_requests(board: dict[str, Any], tmp: Path) -> int:
    """Requests of a first (full) trellosync sync of one board, the listing request included."""
    with FakeTrello([board], key=KEY, token=TOKEN, page_threshold=1000) as fake:
        bid = board["id"]
        store = Store(f"sqlite:///{tmp / f'ts-{bid}.db'}")
        sync_boards(_cfg(fake, store.url), store, progress=False)
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
        sync_boards(cfg, store, progress=False)
        fake.reset_stats()
        sync_boards(cfg, store, progress=False)
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
        con.executemany("INSERT INTO lists VALUES (?,?,?,?,?)",
                        [(x["id"], bid, x["name"], x.get("closed"), x.get("pos")) for x in data["lists"]])
        con.executemany("INSERT INTO labels VALUES (?,?,?,?)",
                        [(x["id"], bid, x.get("name"), x.get("color")) for x in data["labels"]])
        con.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?)",
                        [(c["id"], bid, c.get("idList"), c.get("name"), c.get("desc"), c.get("closed"),
                          c.get("pos"), c.get("due"), c.get("dateLastActivity")) for c in data["cards"]])
        con.executemany("INSERT INTO checklists VALUES (?,?,?,?)",
                        [(x["id"], x.get("idCard"), x.get("name"), x.get("pos")) for x in data["checklists"]])
        con.executemany("INSERT INTO check_items VALUES (?,?,?,?,?)",
                        [(i["id"], x["id"], i.get("name"), i.get("state"), i.get("pos"))
                         for x in data["checklists"] for i in x.get("checkItems") or []])
        con.executemany("INSERT INTO actions VALUES (?,?,?,?,?,?)",
                        [(a["id"], bid, a.get("type"), a.get("date"), a.get("idMemberCreator"),
                          json.dumps(a.get("data"))) for a in data["actions"]])
    con.close()


def trellosync_store(text: str, store: Store) -> None:
    """What a sync does locally with a fetched board: parse, normalize, store mirror + domain + bookmark."""
    ingest_board(store, json.loads(text), None, source="api")


def measure(fn: Callable[[], None], repeat: int) -> tuple[float, float]:
    """(best wall seconds, peak MiB traced) of fn; setup is part of fn's closure."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / 2**20


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark and print the tables."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="skip the 5,000-card py-trello run")
    args = p.parse_args(argv)
    logging.disable(logging.WARNING)
    tmp = Path(tempfile.mkdtemp(prefix="trellosync-bench-"))

    print("Full sync of one board: HTTP requests")
    print(f"{'cards':>6} {'actions':>8} {'trellosync':>11} {'py-trello':>10} {'ratio':>7}")
    for n in (10, 100, 1000, 5000):
        board = synthesize_board(n, seed=n, comment_every=2)
        ts = trellosync_requests(board, tmp)
        pt = pytrello_requests(board) if not (args.quick and n > 1000) else 0
        ratio = f"{pt / ts:.0f}x" if pt else "-"
        print(f"{n:>6} {len(board['actions']):>8} {ts:>11} {pt or '-':>10} {ratio:>7}")
    print("(trellosync counts include the one /members/me/boards request; boards over 1,000 cards are paged;\n"
          " at Trello's 90 requests / 10 s a py-trello read of 5,000 cards takes over 15 minutes)")

    print()
    n = no_change_requests(50, tmp)
    print(f"No-change sync of 50 boards: {n} request(s)")

    print()
    board = synthesize_board(5000, seed=5000, comment_every=2)
    text = json.dumps(board)
    counter = iter(range(10**6))

    def run_baseline() -> None:
        baseline_store(text, tmp / f"baseline-{next(counter)}.db")

    def run_trellosync() -> None:
        store = Store(f"sqlite:///{tmp / f'store-{next(counter)}.db'}")
        trellosync_store(text, store)
        store.close()

    # Opening a Store migrates the schema; time that separately so it is not charged to the 5,000 cards.
    t0 = time.perf_counter()
    Store(f"sqlite:///{tmp / 'migrate-only.db'}").close()
    migrate = time.perf_counter() - t0
    b_time, b_mem = measure(run_baseline, 3)
    s_time, s_mem = measure(run_trellosync, 3)
    s_time -= migrate
    print(f"Normalize + store 5,000 cards ({len(board['actions'])} actions, "
          f"{sum(len(c['checkItems']) for c in board['checklists'])} check items, {len(text) / 2**20:.1f} MiB JSON)")
    print(f"{'':>28} {'wall s':>8} {'peak MiB':>9}")
    print(f"{'baseline (json+executemany)':>28} {b_time:>8.2f} {b_mem:>9.1f}")
    print(f"{'trellosync ingest_board':>28} {s_time:>8.2f} {s_mem:>9.1f}")
    print(f"{'factor':>28} {s_time / b_time:>7.1f}x {s_mem / b_mem:>8.1f}x")
    print(f"(schema migration on open, {migrate:.2f}s, excluded from the trellosync time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
