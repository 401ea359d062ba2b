"""Peak memory of a sync against hostile answers: an endless chunked body and a gzip bomb.

    python benchmarks/bench_hostile.py [--bomb-gib 3]

The fake Trello runs in this process; each sync runs in a child process of its own (default caps, SQLite),
which reports its peak RSS (resource.getrusage), its wall time and the line it failed with. A normal sync of a
1,000-card board is the baseline. Without the byte cap the same endless answer grew a sync to 10.8 GiB and the
bomb to 10 GiB (issue 19); with it both stay under the bound the README states.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trellosync.testing.fake_hostile import gzip_bomb  # noqa: E402
from trellosync.testing.fake_trello import FakeTrello, synthesize_board  # noqa: E402

KEY, TOKEN = "b0" * 16, "c1" * 32


def child(url: str, board_id: str, db: str) -> None:
    """One sync in this process; prints its figures as JSON."""
    from trellosync.config.settings import Config, TrelloConfig
    from trellosync.errors import TrellosyncError
    from trellosync.store.db import Store
    from trellosync.sync.run import sync_boards

    store = Store(db)
    cfg = Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=url), database=store.url)
    started = time.monotonic()
    error = ""
    try:
        sync_boards(cfg, store, boards=[board_id])
    except TrellosyncError as exc:
        error = " ".join(str(exc).split())
    took = time.monotonic() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mib": peak_kib / 1024, "seconds": took, "error": error}))


def run(fake: FakeTrello, board_id: str, tmp: Path, name: str) -> dict[str, object]:
    """A child sync against `fake`; its figures."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", fake.url, board_id, str(tmp / f"{name}.db")],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    """Print one row per scenario: peak RSS, wall time, outcome."""
    p = argparse.ArgumentParser()
    p.add_argument("--bomb-gib", type=float, default=3.0)
    p.add_argument("--child", nargs=3, metavar=("URL", "BOARD", "DB"))
    args = p.parse_args()
    if args.child:
        child(*args.child)
        return 0
    board = synthesize_board(1000, seed=5, name="Bench board")
    bomb_bytes = int(args.bomb_gib * 1024**3)
    t0 = time.monotonic()
    body = gzip_bomb(bomb_bytes)
    print(
        f"gzip bomb: {len(body) / 1024**2:.1f} MiB as sent, {bomb_bytes / 1024**3:g} GiB inflated "
        f"(built in {time.monotonic() - t0:.0f} s)"
    )
    rows = []
    with tempfile.TemporaryDirectory() as d, FakeTrello([board], key=KEY, token=TOKEN) as fake:
        tmp = Path(d)
        fake.bomb_bytes = bomb_bytes
        rows.append(("normal sync, 1,000 cards", run(fake, board["id"], tmp, "normal")))
        fake.hostile_when = lambda path, q: "cards" in q  # the nested board answer
        for kind in ("endless", "gzip_bomb"):
            fake.hostile = kind
            rows.append((f"{kind} answer", run(fake, board["id"], tmp, kind)))
    print("| scenario | peak RSS MiB | wall s | outcome |")
    print("|---|---|---|---|")
    for name, r in rows:
        outcome = str(r["error"])[:140] or "synced"
        print(f"| {name} | {r['peak_mib']:.0f} | {r['seconds']:.1f} | {outcome} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
