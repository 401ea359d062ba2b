"""Terminal output shared by the command bodies: tables that pipe cleanly, the progress bar over reports, warnings
and the sync view (text from Trello always made safe for a terminal)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

Tick = Callable[[Path], None]


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, file: Any = None) -> None:
    """A rich table on a terminal; piped, plain tab-separated columns with a header line and whole values."""
    from trellosync.cli.crashlog import printable

    out = file or sys.stdout
    rows = [["" if v is None else printable(str(v)) for v in row] for row in rows]  # names come from Trello
    if not out.isatty():
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write("\t".join(v.replace("\t", " ") for v in row) + "\n")
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title)
    for col in columns:
        # Ids are what people copy from this table: never cut them short with an ellipsis.
        table.add_column(col, overflow="fold", no_wrap=col in ("id", "shortLink"))
    for row in rows:
        table.add_row(*(Text(v) for v in row))  # Text, not markup: "[red]" in a board name stays literal
    Console(file=out).print(table)


@contextmanager
def report_progress(total: int, label: str = "reports") -> Iterator[Tick]:
    """One progress bar over `total` reports on stderr when it is a terminal; silent otherwise (cron, pipes)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal or total <= 0:
        yield lambda _path: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda path: bar.update(task, advance=1, description=f"{label}: {path.name}")


def safe(text: Any) -> str:
    """Text from Trello made harmless for a terminal (escape sequences and control characters shown escaped)."""
    from trellosync.cli.crashlog import printable

    return printable(str(text))


def warn(problems: Any) -> None:
    """One line per mapping problem on stderr, at every verbosity and under cron: data is being missed."""
    for p in problems or []:
        click.echo(f"warning: {safe(p)}", err=True)


def pdf_notes() -> None:
    """Say once, before PDFs are rendered, what missing system library makes them slower (or fail)."""
    from trellosync.report.render import pdf_library_notes

    for note in pdf_library_notes():
        click.echo(f"trellosync: {note}", err=True)


class SyncView:
    """What `sync` shows: on a terminal each board fetched with its cards and requests as it finishes, then one
    summary line (unchanged boards are counted there); without one (cron) nothing on success; at -v the same."""

    def __init__(self, *, tty: bool, verbose: int) -> None:
        self.show = tty or verbose > 0
        self.tty = tty

    def event(self, kind: str, data: Any) -> None:
        """A progress event from sync_boards."""
        if kind == "notice" and self.show:
            click.echo(f"  … {safe(data)}", err=True)
        elif kind == "board" and self.show:
            click.echo(self._line(data), err=True)

    @staticmethod
    def _line(o: Any) -> str:
        if o.status == "failed":
            return f"✗ {safe(o.error)}"
        if o.status != "synced":
            return f"· {safe(o.name)}: {o.status}"
        extra = ", full" if o.full else ""
        extra += ", cards paged" if o.paged else ""
        from trellosync.sync.run import counted

        actions = counted(o.actions, "action" if o.full else "new action")  # a full read is not all new
        return f"✓ {safe(o.name)}: {counted(o.cards, 'card')}, {actions}, {counted(o.requests, 'request')}{extra}"

    def finish(self, report: Any) -> None:
        """The summary line (only where someone watches)."""
        if self.show:
            click.echo(report.summary(), err=True)
