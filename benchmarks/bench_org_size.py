#!/usr/bin/env python3
"""A report's cost against the organisation's size: one brief and one dossier (HTML and PDF) of the same person,
in an organisation of 20 and of 400 people.

Each organisation is generated here: one peer-lunch board per pair, two years of fortnightly lunches (4 entries
each way per lunch, commitments, goals), saved into a SQLite database the way a sync derives it. Each report is
the CLI's whole run (`python -m trellosync report ...` in a fresh process: imports, database, report), best of
--repeats, the sizes interleaved. Prints the wall and CPU times and the 400/20 ratios of each (target: at most 1.2).

Run from the repository root: python benchmarks/bench_org_size.py [--sizes 20 400] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.report_fixtures import DomainBuilder, example_domain  # noqa: E402
from trellosync.store import schema as t  # noqa: E402
from trellosync.store.db import Store, SyncState  # noqa: E402

SYNCED = datetime(2026, 11, 30, 18, 0, tzinfo=timezone.utc)
START = date(2024, 12, 2)  # two years of fortnightly lunches up to the sync
LUNCHES = 52
REPORTS = (("brief", "pdf"), ("dossier", "html"), ("dossier", "pdf"))


def build_organisation(people: int, db: Path) -> None:
    """`people` people in pairs, one peer-lunch board per pair with two years of lunches, into the database."""
    store = Store(f"sqlite:///{db}")
    try:
        for i in range(0, people, 2):
            a, b = f"p{i:03d}", f"p{i + 1:03d}"
            rename = {"ada": a, "grace": b}
            pair = example_domain(LUNCHES, start=START)
            board = f"{i:024x}"
            sub = DomainBuilder(board_id=board, board_name=f"Peer lunch: {a} & {b}").domain
            sub.people = {rename[k]: p for k, p in pair.people.items()}
            for k, p in sub.people.items():
                p.key, p.name, p.trello_username = k, f"Person {k[1:]}", k
            for lu in pair.lunches:
                lu.board_id, lu.board_name = board, sub.boards[board]
                lu.participants, lu.about = (
                    [rename[x] for x in lu.participants],
                    [rename[x] for x in lu.about],
                )
            for f in pair.feedback:
                f.board_id, f.about = board, rename.get(f.about or "", f.about)
                f.said_by = rename.get(f.said_by or "", f.said_by)
            for g in pair.goals:
                g.board_id, g.owners = board, [rename[o] for o in g.owners]
            for c in pair.commitments:
                c.board_id, c.person = board, rename.get(c.person or "", c.person)
            sub.lunches, sub.feedback, sub.goals, sub.commitments = (
                pair.lunches,
                pair.feedback,
                pair.goals,
                pair.commitments,
            )
            sub.competencies, sub.synced_at = pair.competencies, SYNCED
            with store.begin() as conn:
                store.upsert(
                    conn,
                    t.boards,
                    [
                        {
                            "id": board,
                            "name": sub.boards[board],
                            "short_link": f"s{i:07d}",
                            "url": None,
                            "description": "",
                            "closed": False,
                            "date_last_activity": None,
                            "created_at": None,
                            "deleted_at": None,
                        }
                    ],
                )
                store.save_domain(conn, board, sub)
                store.set_sync_state(
                    conn,
                    SyncState(
                        board,
                        "export",
                        None,
                        None,
                        None,
                        SYNCED.replace(tzinfo=None),
                        SYNCED.replace(tzinfo=None),
                        True,
                    ),
                )
    finally:
        store.close()


def time_report(db: Path, kind: str, fmt: str, out: Path) -> tuple[float, float]:
    """Wall and CPU time (user + system) of `trellosync report KIND p000` into `out`, in a fresh process."""
    cmd = [
        sys.executable,
        "-m",
        "trellosync",
        "report",
        kind,
        "p000",
        "--database",
        str(db),
        "--format",
        fmt,
        "-o",
        str(out),
        "--force",
        "--to",
        "2026-11-30",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        cmd, check=True, env=env, cwd=out.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Build each organisation, time each report at each size, print the table and the ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 400])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    walls: dict[int, dict[tuple[str, str], float]] = {s: {} for s in args.sizes}
    cpus: dict[int, dict[tuple[str, str], float]] = {s: {} for s in args.sizes}
    with tempfile.TemporaryDirectory(prefix="bench-org-") as tmp:
        dbs = {}
        for size in args.sizes:
            dbs[size] = Path(tmp) / f"org{size}.db"
            started = time.perf_counter()
            build_organisation(size, dbs[size])
            print(
                f"{size} people: {size // 2} boards, {size // 2 * LUNCHES} lunches, "
                f"generated in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
        # Sizes interleaved and the best of --repeats kept: other work on the machine slows both alike.
        for _ in range(args.repeats):
            for kind, fmt in REPORTS:
                for size in args.sizes:
                    wall, cpu = time_report(dbs[size], kind, fmt, Path(tmp) / f"{kind}-{size}.{fmt}")
                    walls[size][kind, fmt] = min(walls[size].get((kind, fmt), wall), wall)
                    cpus[size][kind, fmt] = min(cpus[size].get((kind, fmt), cpu), cpu)
    small, large = min(args.sizes), max(args.sizes)
    print(
        f"\n{'best of ' + str(args.repeats):<16}"
        + "".join(f"{f'{s} people':>16}" for s in args.sizes)
        + f"{'ratio wall':>12}{'ratio CPU':>11}"
    )
    worst = 0.0
    for kind, fmt in REPORTS:
        ratio_wall = walls[large][kind, fmt] / walls[small][kind, fmt]
        ratio_cpu = cpus[large][kind, fmt] / cpus[small][kind, fmt]
        worst = max(worst, ratio_cpu)
        print(
            f"{kind + ' ' + fmt:<16}"
            + "".join(f"{walls[s][kind, fmt]:>6.2f}s ({cpus[s][kind, fmt]:.2f} CPU)" for s in args.sizes)
            + f"{ratio_wall:>12.2f}{ratio_cpu:>11.2f}"
        )
    print(
        f"\nworst CPU ratio {large}/{small} people: {worst:.2f} (target: at most 1.20; wall time moves with the "
        "machine's other work, CPU time much less)"
    )


if __name__ == "__main__":
    main()
