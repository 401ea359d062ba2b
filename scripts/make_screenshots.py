#!/usr/bin/env python3
"""Render the three reports for one example person and save the first page of each as docs/<kind>.png.

Uses the invented example workspace shipped in trellosync/example (no real names), a temporary database,
and poppler's `pdftoppm -png -r 60 -f 1 -l 1`. Run from the repository root: python scripts/make_screenshots.py
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from trellosync.cli.demo import load_example
from trellosync.report.documents import REPORT_KINDS, options_from_config, render_report


def main(argv: list[str] | None = None) -> int:
    """Write docs/goals.png, docs/dossier.png and docs/brief.png for one example person."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--person", default="will", help="example person key (default: will)")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args(argv)
    if shutil.which("pdftoppm") is None:
        print("pdftoppm not found: install poppler-utils", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="trellosync-shots-") as tmp:
        config, store = load_example(f"sqlite:///{tmp}/example.db")
        try:
            domain = store.load_domain()
        finally:
            store.close()
        as_of = domain.synced_at.date() if domain.synced_at else None
        options = options_from_config(config, report_date=as_of)
        for kind in REPORT_KINDS:
            pdf = render_report(
                kind, args.person, domain, options=options, fmt="pdf", out=Path(tmp) / f"{kind}.pdf"
            )
            stem = args.out / f"report-{kind}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    str(args.dpi),
                    "-f",
                    "1",
                    "-l",
                    "1",
                    "-singlefile",
                    str(pdf),
                    str(stem),
                ],
                check=True,
            )
            print(f"{stem}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
