"""Requests per prepared lunch: `trellosync prepare --apply` on the example workspace, and a second run.

    python benchmarks/bench_prepare.py [--on 2026-11-16] [--days-ahead 20]

Serves the example workspace from the fake Trello API on 127.0.0.1, syncs it, plans the next lunches as of
`--on` (from the database: no request), writes them (a card, a checklist, one request per item: Trello has
no call that adds several items; paced by the same session as the reads), then runs `prepare --apply` again.
Prints the requests per lunch and what the second run costs (0: nothing is written twice). py-trello's
`Card.add_checklist` sends the same writes and then re-reads the card (`Card.fetch`, several GETs).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trellosync.cli.demo import example_dir  # noqa: E402
from trellosync.config.settings import load_config  # noqa: E402
from trellosync.store.db import Store  # noqa: E402
from trellosync.sync.prepare_run import apply_plan, load_plan  # noqa: E402
from trellosync.sync.run import sync_boards  # noqa: E402
from trellosync.testing.fake_trello import FakeTrello  # noqa: E402
from trellosync.trello.client import make_client  # noqa: E402

KEY, TOKEN = "0c" * 16, "0d" * 32


def _exports() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(example_dir().glob("*.json"))]


def main() -> int:
    """Run the comparison and print one table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--on", type=date.fromisoformat, default=date(2026, 11, 16))
    ap.add_argument("--days-ahead", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeTrello(_exports(), key=KEY, token=TOKEN) as fake:
        cfg = Path(tmp) / "c.yaml"
        cfg.write_text(
            (example_dir() / "config.yaml").read_text()
            + f"\ntrello: {{api_key: '{KEY}', token: '{TOKEN}', api_url: '{fake.url}'}}\n"
            + f"database: {tmp}/db.sqlite\nprepare: {{days_ahead: {args.days_ahead}}}\n"
        )
        config = load_config(cfg)
        store = Store(config.database)
        client = make_client(KEY, TOKEN, api_url=fake.url)
        sync_boards(config, store, client=client)
        plan = load_plan(store, config, today=args.on)
        items = sum(len(p.items) for p in plan.lunches)
        fake.reset_stats()
        started = time.perf_counter()
        written = apply_plan(client, store, plan)
        ours, seconds = fake.stats()["requests"], time.perf_counter() - started
        fake.reset_stats()
        apply_plan(client, store, load_plan(store, config, today=args.on))
        again = fake.stats()["requests"]
        store.close()
    n = len(written)
    print(
        f"{n} lunches prepared, {items} items ({args.on}, days_ahead {args.days_ahead}); "
        f"trellosync wrote them in {seconds:.2f} s"
    )
    print("| | requests | per lunch |")
    print("|---|---|---|")
    print(f"| trellosync `prepare --apply` | {ours} | {ours / n:.1f} (1 card + 1 checklist + 1 per item) |")
    print(f"| a second `prepare --apply` | {again} | 0 |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
