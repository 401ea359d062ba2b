#!/usr/bin/env python3
"""Report rendering benchmark: our overhead over WeasyPrint, parallel --all, peak memory.

Prints a table:
  * dossier for 100 and 500 lunches: our full path (context + Jinja + WeasyPrint + PDF) against WeasyPrint
    alone laying out and writing the very same HTML in the same run; the ratio is our overhead;
  * 1,000 lunches: the dossier still renders; time and peak RSS of the rendering process;
  * render_all for 40 people: parallel (every core) against serial;
  * --variants: the cost of the PDF variants, tagged PDF/UA-1 and archival PDF/A-3u, against the untagged PDF,
    same run, interleaved, median CPU time of several repetitions.
Peak memory is the max RSS of a fresh child process that renders one report.

Run from the repository root: python benchmarks/bench_report.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weasyprint  # noqa: E402

from tests.report_fixtures import DomainBuilder, example_domain  # noqa: E402
from trellosync.domain.model import Domain  # noqa: E402
from trellosync.report import render as render_module  # noqa: E402
from trellosync.report.documents import (  # noqa: E402
    ReportOptions,
    build_context,
    context_as_json,
    render_all,
    render_report,
    render_report_html,
)
from trellosync.report.render import SafeURLFetcher  # noqa: E402

AS_OF = date(2030, 1, 1)
# A fixed generation time, so our run and the baseline lay out byte-identical HTML.
OPTIONS = ReportOptions(
    report_date=AS_OF, timezone="Europe/Berlin", generated_at=datetime(2030, 1, 1, 8, 0, tzinfo=timezone.utc)
)


def big_domain(lunches: int) -> Domain:
    """One pair with `lunches` fortnightly lunches (4 entries each way per lunch), goals and commitments."""
    start = date(AS_OF.year - 1, 1, 1) if lunches <= 26 else date(1990, 1, 1)
    return example_domain(lunches, start=start)


def team_domain(people: int, lunches: int) -> Domain:
    """`people` people in pairs, one board per pair, `lunches` lunches per board."""
    domain = Domain()
    for i in range(0, people, 2):
        a, b = f"p{i:02d}", f"p{i + 1:02d}"
        pair = example_domain(lunches, start=date(2028, 1, 3))
        rename = {"ada": a, "grace": b}
        board = f"board{i:02d}"
        sub = DomainBuilder(board_id=board, board_name=f"Peer lunch {a} & {b}").domain
        sub.people = {rename[k]: p for k, p in pair.people.items()}
        for k, p in sub.people.items():
            p.key, p.name = k, f"Person {k[1:]}"
        for lu in pair.lunches:
            lu.board_id, lu.participants = board, [rename[x] for x in lu.participants]
            lu.about = [rename[x] for x in lu.about]
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
        sub.competencies = pair.competencies
        # Synced on the as-of date: the builder's default sync (2026) is years before these lunches, which left
        # every dossier empty ("nothing to report") and the render_all figure measuring one-page documents.
        synced = datetime(AS_OF.year, AS_OF.month, AS_OF.day, tzinfo=timezone.utc)
        sub.synced_at, sub.board_synced = synced, {board: synced}
        domain.extend(sub)
    return domain


def time_ours(domain: Domain, out: Path) -> float:
    t = time.process_time()
    render_report("dossier", "ada", domain, options=OPTIONS, fmt="pdf", out=out)
    return time.process_time() - t


def time_weasyprint_alone(html: str, out: Path) -> float:
    fetcher = SafeURLFetcher()
    t = time.process_time()
    weasyprint.HTML(string=html, base_url=fetcher.root.as_uri() + "/", url_fetcher=fetcher).write_pdf(out)
    return time.process_time() - t


def overhead(lunches: int, repeats: int, tmp: Path) -> dict[str, Any]:
    """Best-of-N time of our full path and of WeasyPrint alone on the same HTML, interleaved.

    CPU time of this process, and the minimum: the least noisy estimates on a shared machine; both sides
    get the same treatment.
    """
    domain = big_domain(lunches)
    ctx = build_context("dossier", "ada", domain, options=OPTIONS)
    html, _ = render_report_html(ctx, OPTIONS)
    time_ours(domain, tmp / "warm.pdf")  # warm caches (fonts, templates) for both
    ours, alone = [], []
    for _ in range(repeats):
        ours.append(time_ours(domain, tmp / "ours.pdf"))
        alone.append(time_weasyprint_alone(html, tmp / "alone.pdf"))
    o, a = min(ours), min(alone)
    own = []
    for _ in range(repeats):  # our own work alone: context and HTML, no layout
        t = time.process_time()
        render_report_html(build_context("dossier", "ada", domain, options=OPTIONS), OPTIONS)
        own.append(time.process_time() - t)
    return {"case": f"dossier, {lunches} lunches", "ours": o, "baseline": a, "ratio": o / a, "own": min(own)}


VARIANTS = ("none", "pdf/ua-1", "pdf/a-3u")
# The untagged PDF as trellosync wrote it when the 5% bound was set (issue 20): the same path with Python's
# cycle collector left running during layout, which report.render now pauses.
BEFORE = "before"


def _render_variant(
    kind: str, person: str, domain: Domain, options: ReportOptions, v: str, out: Path
) -> None:
    if v == BEFORE:
        with patch.object(render_module, "_no_cycle_collection", contextlib.nullcontext):
            render_report(
                kind, person, domain, options=replace(options, pdf_variant="none"), fmt="pdf", out=out
            )
        return
    render_report(kind, person, domain, options=replace(options, pdf_variant=v), fmt="pdf", out=out)


def variant_costs(
    kind: str, person: str, domain: Domain, options: ReportOptions, repeats: int, tmp: Path
) -> dict[str, float]:
    """Median CPU seconds of our full path (context, HTML, WeasyPrint, PDF) per PDF variant, interleaved;
    also of making the archival variant's JSON data alone ("json")."""
    times: dict[str, list[float]] = {v: [] for v in (BEFORE, *VARIANTS, "json")}
    for v in (BEFORE, *VARIANTS):  # warm caches (fonts, templates, the PDF/A colour profile)
        _render_variant(kind, person, domain, options, v, tmp / "w.pdf")
    ctx = build_context(kind, person, domain, options=options)
    for _ in range(repeats):
        for v in (BEFORE, *VARIANTS):
            t = time.process_time()
            _render_variant(kind, person, domain, options, v, tmp / "v.pdf")
            times[v].append(time.process_time() - t)
        t = time.process_time()
        context_as_json(ctx)
        times["json"].append(time.process_time() - t)
    return {v: statistics.median(ts) for v, ts in times.items()}


def print_variants(repeats: int, tmp: Path) -> None:
    """The table of --variants: the example workspace's goal report and dossier, and a 100-lunch dossier."""
    from trellosync.cli.demo import load_example

    _, store = load_example(f"sqlite:///{tmp / 'example.db'}")
    example = store.load_domain()
    store.close()
    assert example.synced_at is not None
    demo = replace(OPTIONS, report_date=example.synced_at.date())
    cases = [
        ("goals", "will", example, demo, "example goals, Will"),
        ("dossier", "will", example, demo, "example dossier, Will"),
        ("dossier", "ada", big_domain(100), OPTIONS, "dossier, 100 lunches"),
    ]
    print(f"{'case':<28} {'variant':<9} {'median CPU s':>12} {'vs untagged':>12} {'vs before':>10}")
    print("-" * 77)
    for kind, person, domain, options, label in cases:
        costs = variant_costs(kind, person, domain, options, repeats, tmp)
        for v in (BEFORE, *VARIANTS):
            print(
                f"{label:<28} {v:<9} {costs[v]:>12.3f} {costs[v] / costs['none']:>12.3f}"
                f" {costs[v] / costs[BEFORE]:>10.3f}"
            )
        print(
            f"{'':<28} {'(JSON)':<9} {costs['json']:>12.3f} {costs['json'] / costs['none']:>12.3f}"
            "   making the embedded data alone"
        )
    print(
        f"  (median of {repeats}, interleaved; none = untagged, pdf/ua-1 = the default, pdf/a-3u = archival;\n"
        "   before = the untagged PDF as written before the layout paused the cycle collector)"
    )


def _child_render(lunches: int, out: str) -> tuple[float, int]:
    domain = big_domain(lunches)
    t = time.perf_counter()
    render_report("dossier", "ada", domain, options=OPTIONS, fmt="pdf", out=Path(out))
    return time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak(lunches: int, tmp: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of a fresh process rendering one dossier."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter: RSS not inherited from this process
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        seconds, rss_kib = pool.submit(_child_render, lunches, str(tmp / f"peak{lunches}.pdf")).result()
    return seconds, rss_kib / 1024


def all_people(people: int, lunches: int, tmp: Path, kind: str) -> dict[str, Any]:
    domain = team_domain(people, lunches)
    keys = sorted(domain.people)
    t = time.perf_counter()
    render_all(kind, keys, domain, out_dir=tmp / "serial", options=OPTIONS, jobs=1)
    serial = time.perf_counter() - t
    t = time.perf_counter()
    render_all(kind, keys, domain, out_dir=tmp / "parallel", options=OPTIONS, jobs=None)
    parallel = time.perf_counter() - t
    return {
        "case": f"render_all {kind}, {people} people",
        "ours": parallel,
        "baseline": serial,
        "ratio": parallel / serial,
    }


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description="report rendering benchmark")
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller --all run")
    parser.add_argument(
        "--kind", default="dossier", choices=["goals", "dossier", "brief"], help="kind for --all"
    )
    parser.add_argument("--variants", action="store_true", help="only the cost of the PDF variants")
    args = parser.parse_args()
    repeats = 2 if args.quick else 7
    if args.variants:
        with tempfile.TemporaryDirectory(prefix="trellosync-bench-") as d:
            print_variants(3 if args.quick else 11, Path(d))
        return
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="trellosync-bench-") as d:
        tmp = Path(d)
        rows = [overhead(100, repeats, tmp), overhead(500, repeats, tmp)]
        print(f"{'case':<34} {'ours (s)':>9} {'baseline (s)':>13} {'ratio':>7}")
        print("  (dossier rows: CPU seconds; render_all row: wall-clock seconds)")
        print("-" * 66)
        for r in rows:
            print(f"{r['case']:<34} {r['ours']:>9.2f} {r['baseline']:>13.2f} {r['ratio']:>7.3f}")
            print(
                f"  of which context + HTML: {r['own'] * 1000:.0f} ms = {100 * r['own'] / r['baseline']:.1f}% of WeasyPrint's time"
            )
        print(f"  (best of {repeats}; baseline: WeasyPrint alone on the same HTML; ratio = our overhead)")
        allp = all_people(20 if args.quick else 40, 26, tmp, args.kind)
        print(f"{allp['case']:<34} {allp['ours']:>9.2f} {allp['baseline']:>13.2f} {allp['ratio']:>7.3f}")
        print(f"  (ours: parallel on {cores} cores; baseline: serial; ratio = parallel / serial)")
        print()
        print(f"{'peak memory, one dossier':<34} {'time (s)':>9} {'max RSS (MiB)':>14}")
        print("-" * 66)
        for n in (100, 500, 1000):
            seconds, mib = peak(n, tmp)
            print(f"{f'{n} lunches':<34} {seconds:>9.2f} {mib:>14.0f}")


if __name__ == "__main__":
    main()
