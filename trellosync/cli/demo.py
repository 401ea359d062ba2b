"""`trellosync demo`: the example boards shipped with the package, a temporary database, every report."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console

from trellosync.cli.console import Tick
from trellosync.config.settings import Config, load_config
from trellosync.domain.meetings import CHECK_IN, GROUP_MEETING, LUNCH, meeting_word
from trellosync.domain.model import Domain
from trellosync.errors import ConfigError
from trellosync.files import private_mkdir
from trellosync.store.db import Store
from trellosync.sync.pipeline import import_export


def example_dir() -> Path:
    """The folder of the example board exports and their config, inside the installed package."""
    return Path(str(resources.files("trellosync") / "example"))


def load_example(database_url: str) -> tuple[Config, Store]:
    """Import every example board export into the database at `database_url`."""
    folder = example_dir()
    config = load_config(folder / "config.yaml")
    config.database = database_url
    store = Store(database_url)
    for path in sorted(folder.glob("*.json")):
        import_export(store, path, config)
    return config, store


def summary_rows(domain: Domain, config: Config) -> list[dict[str, object]]:
    """Per mapped person: pair lunches, group meetings and check-ins held (never added together), goals
    achieved/open, commitment keep rate, as of the data's date."""
    from trellosync.report import person_figures

    as_of = domain.synced_at.date() if domain.synced_at else None
    rows = []
    for key, person in config.people.items():
        fig = person_figures(domain, key, as_of=as_of, timezone=config.timezone)
        held = {mc.kind: mc.held for mc in fig.meetings}
        rows.append(
            {
                "person": person.name,
                "key": key,
                "lunches": fig.lunches_held,
                "group_meetings": held.get(GROUP_MEETING, 0),
                "check_ins": held.get(CHECK_IN, 0),
                "achieved": fig.goals_achieved,
                "open": fig.goals_open,
                "keep_rate": fig.keep_rate_label,
            }
        )
    return rows


def kept_database_url(database: str | None, config_out: Path | None) -> str | None:
    """Where a kept demo database goes: --database as given, else beside a written config, else nowhere."""
    if database:
        return database if "://" in database else f"sqlite:///{Path(database).expanduser().resolve()}"
    if config_out is not None:
        return f"sqlite:///{config_out.resolve().parent / 'trellosync-demo.db'}"
    return None


def write_demo_config(path: Path, database_url: str) -> None:
    """The example's config, pointing at the demo database, for trying the other commands on it."""
    if path.exists():
        raise ConfigError(f"{path} exists; choose another file for the demo's config")
    text = (example_dir() / "config.yaml").read_text(encoding="utf-8")
    path.write_text(
        text + f"\n# Written by `trellosync demo`: the database the example was loaded into.\n"
        f"database: {database_url}\n",
        encoding="utf-8",
    )


def run_demo(
    out_dir: Path,
    *,
    reports: bool = True,
    console: Console | None = None,
    database: str | None = None,
    config_out: Path | None = None,
    progress: Callable[[int], AbstractContextManager[Tick]] | None = None,
) -> list[Path]:
    """Load the example into a database (temporary unless given), print a summary per person, write every report.

    `progress(total)` gives the callback each written report is passed to (the CLI's progress bar).
    """
    console = console or Console()
    written: list[Path] = []
    kept = kept_database_url(database, config_out)
    with tempfile.TemporaryDirectory(prefix="trellosync-demo-") as tmp:
        config, store = load_example(kept or f"sqlite:///{tmp}/demo.db")
        try:
            if config_out is not None:
                write_demo_config(config_out, store.url)
            domain = store.load_domain()
            print_summary(console, store, domain, config)
            if reports:
                written = write_reports(
                    domain, config, out_dir, progress or (lambda _n: nullcontext(_ignore))
                )
                # soft_wrap: a path or a command must stay on one line to be copied; markup=False: "[" in a path.
                console.print(f"Wrote {len(written)} PDFs to {out_dir}/:", soft_wrap=True, markup=False)
                for p in written:
                    console.print(f"  {p}", soft_wrap=True, markup=False)
            if kept:
                console.print(
                    f"The example stays in {store.safe_url}"
                    + (f"; try: trellosync status -c {config_out}" if config_out else ""),
                    soft_wrap=True,
                    markup=False,
                )
        finally:
            store.close()
    return written


def _ignore(_path: Path) -> None:
    return None


def print_summary(console: Console, store: Store, domain: Domain, config: Config) -> None:
    """What was loaded, and a table of each person's figures as of the data's date."""
    counts = store.counts()
    as_of = (
        f" (data as of {domain.synced_at:%d %b %Y})" if domain.synced_at else ""
    )  # piped tables have no title
    console.print(
        f"Loaded {counts['boards']} example boards{as_of}: {counts['cards']} cards, "
        f"{counts['meetings']} meetings, {counts['feedback']} feedback entries, "
        f"{counts['goals']} goals, {counts['commitments']} commitments.",
        soft_wrap=True,
    )
    title = f"Peer feedback lunches, data as of {domain.synced_at:%d %b %Y}"
    columns = (
        "person",
        *(meeting_word(kind, 2) for kind in (LUNCH, GROUP_MEETING, CHECK_IN)),  # the glossary's words
        "goals achieved",
        "goals open",
        "keep rate",
    )
    rows = [
        (
            str(r["person"]),
            str(r["lunches"]),
            str(r["group_meetings"]),
            str(r["check_ins"]),
            str(r["achieved"]),
            str(r["open"]),
            str(r["keep_rate"]),
        )
        for r in summary_rows(domain, config)
    ]
    from trellosync.cli.console import print_table

    print_table(title, columns, rows, console=console)  # piped: plain tab-separated columns, like every table


def write_reports(
    domain: Domain, config: Config, out_dir: Path, progress: Callable[[int], AbstractContextManager[Tick]]
) -> list[Path]:
    """Every report kind for every mapped person, in one pool of processes, with one progress callback."""
    from trellosync.report import get_kind
    from trellosync.report.documents import (
        REPORT_KINDS,
        default_filename,
        options_from_config,
        render_jobs,
        report_date_of,
        report_period,
    )

    options = options_from_config(config, report_date=domain.synced_at.date() if domain.synced_at else None)
    # Every process writes the same report date and generation time.
    options = replace(
        options,
        report_date=report_date_of(options),
        generated_at=options.generated_at or datetime.now(timezone.utc),
    )
    private_mkdir(out_dir)  # the reports quote feedback: owner-only, like every file trellosync writes
    people = list(config.people)
    jobs: list[dict[str, Any]] = []
    for kind in REPORT_KINDS:
        if get_kind(kind).team:  # type: ignore[union-attr]  # one document for the whole team (the showcase)
            team = replace(options, people=tuple(people))
            jobs.append(
                {
                    "kind": kind,
                    "person": people[0],
                    "options": team,
                    "out": out_dir / default_filename(kind, "team", "pdf", team.report_date),
                }
            )
            continue
        for p in people:
            jobs.append(
                {
                    "kind": kind,
                    "person": p,
                    "options": options,
                    "out": out_dir
                    / default_filename(kind, p, "pdf", report_period(kind, p, domain, options=options)),
                }
            )
    # The longest documents first, so the processes finish together.
    order = sorted(range(len(jobs)), key=lambda i: HEAVY.get(jobs[i]["kind"], 0), reverse=True)
    with progress(len(jobs)) as tick:
        paths = render_jobs([jobs[i] for i in order], domain, progress=tick)
    by_job = dict(zip(order, paths, strict=True))
    return [by_job[i] for i in range(len(jobs))]


HEAVY = {"dossier": 2, "goals": 2, "showcase": 1}  # report kinds of many pages, written first
