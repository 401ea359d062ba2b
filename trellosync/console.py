"""Terminal output shared by the command bodies: tables that pipe cleanly, and the progress bar over reports."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

Tick = Callable[[Path], None]


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, file: Any = None) -> None:
    """A rich table on a terminal; piped, plain tab-separated columns with a header line and whole values."""
    from .crashlog import printable

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
