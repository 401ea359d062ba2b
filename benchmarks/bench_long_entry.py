#!/usr/bin/env python3
"""Long entries: rendering a report whose lunch holds one entry of 100 characters, 16 KB (Trello's own limit
for card text) and 50 KB, each as a description section and as a comment. Prints seconds per report and the
ratio to the 100-character baseline measured in the same run. Long entries are quoted as an excerpt
(render.MAX_QUOTE_CHARS); before that, a 16 KB entry took 17 s and a 50 KB one 112 s (issue 10).

Run from the repository root: python benchmarks/bench_long_entry.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from boardbuilder import Board  # noqa: E402

from trellosync.config.settings import parse_config  # noqa: E402
from trellosync.domain.model import Domain  # noqa: E402
from trellosync.report.documents import ReportOptions, render_report  # noqa: E402
from trellosync.store.db import Store  # noqa: E402
from trellosync.sync.pipeline import ingest_board  # noqa: E402

CONFIG = parse_config("""
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
""")
WORDS = "the quick brown fox demoed search and ran the retro with great care".split()


def domain_with_entry(chars: int, folder: Path) -> Domain:
    """A one-lunch board whose best moment and one comment are `chars` characters long."""
    rnd = random.Random(1)
    text = ""
    while len(text) < chars:
        text += rnd.choice(WORDS) + " "
    b = Board()
    c = b.card(
        "Lunches",
        "2026-02-10 lunch",
        due="2026-02-10",
        desc=f"Best moment (Will):\n{text}\n",
        members=("willsmith", "jessjones"),
    )
    b.comment(c, "Will: " + text, "2026-02-11T10:00")
    store = Store(f"sqlite:///{folder / f'{chars}.db'}")
    try:
        ingest_board(store, b.data, CONFIG)
        return store.load_domain()
    finally:
        store.close()


def main() -> None:
    opts = ReportOptions(
        report_date=date(2026, 6, 30), generated_at=datetime(2026, 6, 30, tzinfo=timezone.utc)
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base: dict[str, float] = {}
        warm = domain_with_entry(100, folder)  # fonts and templates loaded once, outside the timings
        render_report("dossier", "will", warm, options=opts, fmt="pdf", out=folder / "warm.pdf")
        print(f"{'entry':>8} {'report':>8} {'seconds':>8} {'vs 100 chars':>13}")
        for chars in (100, 16_384, 50_000):
            domain = domain_with_entry(chars, folder)
            for kind in ("dossier", "brief", "goals"):
                t = time.perf_counter()
                render_report(
                    kind, "will", domain, options=opts, fmt="pdf", out=folder / f"{kind}-{chars}.pdf"
                )
                took = time.perf_counter() - t
                base.setdefault(kind, took)
                print(f"{chars:>8} {kind:>8} {took:>8.2f} {took / base[kind]:>12.2f}x")


if __name__ == "__main__":
    main()
