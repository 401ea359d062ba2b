"""`trellosync demo`: the example boards shipped with the package, a temporary database, every report."""

from __future__ import annotations

import tempfile
from importlib import resources
from pathlib import Path

from rich.console import Console
from rich.table import Table

from .config import Config, load_config
from .model import Domain
from .pipeline import import_export
from .store import Store


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
    """Per mapped person: lunches held, goals achieved/open, commitment keep rate, as of the data's date."""
    from .report_context import person_figures

    as_of = domain.synced_at.date() if domain.synced_at else None
    rows = []
    for key, person in config.people.items():
        fig = person_figures(domain, key, as_of=as_of, timezone=config.timezone,
                             interval_days=config.reports.lunch_interval_days)
        rows.append({"person": person.name, "key": key, "lunches": fig.lunches_held,
                     "achieved": fig.goals_achieved, "open": fig.goals_open,
                     "keep_rate": fig.keep_rate_label})
    return rows


def run_demo(out_dir: Path, *, reports: bool = True, console: Console | None = None) -> list[Path]:
    """Load the example into a temporary database, print a summary per person, write every report."""
    console = console or Console()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="trellosync-demo-") as tmp:
        config, store = load_example(f"sqlite:///{tmp}/demo.db")
        try:
            domain = store.load_domain()
            counts = store.counts()
            console.print(f"Loaded {counts['boards']} example boards: {counts['cards']} cards, "
                          f"{counts['lunches']} lunches, {counts['feedback']} feedback entries, "
                          f"{counts['goals']} goals, {counts['commitments']} commitments.")
            table = Table(title=f"Peer feedback lunches, data as of {domain.synced_at:%d %b %Y}")
            for col, just in (("person", "left"), ("lunches", "right"), ("goals achieved", "right"),
                              ("goals open", "right"), ("keep rate", "right")):
                table.add_column(col, justify=just)  # type: ignore[arg-type]
            for r in summary_rows(domain, config):
                table.add_row(str(r["person"]), str(r["lunches"]), str(r["achieved"]), str(r["open"]),
                              str(r["keep_rate"]))
            console.print(table)
            if reports:
                from .report import get_kind
                from .reports import REPORT_KINDS, options_from_config, render_all, render_team

                options = options_from_config(config, as_of=domain.synced_at.date() if domain.synced_at else None)
                out_dir.mkdir(parents=True, exist_ok=True)
                people = list(config.people)
                for kind in REPORT_KINDS:
                    if get_kind(kind).team:  # type: ignore[union-attr]
                        written.append(render_team(kind, people, domain, out_dir=out_dir, options=options))
                    else:
                        written += render_all(kind, people, domain, out_dir=out_dir, options=options)
                console.print(f"Wrote {len(written)} PDFs to {out_dir}/:")
                for p in written:
                    console.print(f"  {p}")
        finally:
            store.close()
    return written
