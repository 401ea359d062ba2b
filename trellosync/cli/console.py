"""Terminal output shared by the command bodies: tables that pipe cleanly, the progress bar over reports, warnings
and the sync view (text from Trello always made safe for a terminal)."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

Tick = Callable[[Path], None]


NAME_MIN = 16  # a name column cut with an ellipsis keeps at least this many characters
ID_COLUMNS = ("id", "shortLink")  # what people copy from a table: never cut short


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    file: Any = None,
    console: Console | None = None,
    optional: Sequence[str] = (),
) -> None:
    """A table that fits the terminal; piped, plain tab-separated columns with a header line and whole values.

    On a terminal the first column (a name) is cut with an ellipsis, ids are never cut, and when even that is
    too wide the `optional` columns are left out, in that order, with one line saying which.
    """
    from trellosync.cli.crashlog import printable

    out = console.file if console is not None else (file or sys.stdout)
    rows = [["" if v is None else printable(str(v)) for v in row] for row in rows]  # names come from Trello
    if not (console.is_terminal if console is not None else out.isatty()):
        out.write("\t".join(columns) + "\n")
        for row in rows:
            out.write("\t".join(v.replace("\t", " ") for v in row) + "\n")
        return
    from rich.console import Console

    console = console or Console(file=out)
    shown = list(range(len(columns)))
    left_out: list[str] = []
    for name in optional:
        if _min_width([columns[i] for i in shown], [[r[i] for i in shown] for r in rows]) <= console.width:
            break
        shown.remove(columns.index(name))
        left_out.append(name)
    console.print(
        _rich_table(title, [columns[i] for i in shown], [[r[i] for i in shown] for r in rows], console.width)
    )
    if left_out:
        console.print(
            f"(left out at {console.width} columns: {', '.join(left_out)}; piped: every column)",
            style="dim",
            markup=False,
            highlight=False,
        )


NAME_FIRST_CUT = 24  # the name is cut to this before any header or cell wraps


def _widths(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[tuple[int, int, int]]:
    """Each column's (narrowest, unwrapped cells, natural) width: the narrowest cuts the name to NAME_MIN, keeps
    ids whole and wraps other cells and every header at spaces; the middle one wraps only the header."""
    from rich.cells import cell_len

    out = []
    for i, col in enumerate(columns):
        cells = [r[i] for r in rows]
        header = max(map(cell_len, col.split()), default=0)
        content = max([header, *map(cell_len, cells)])
        natural = max(content, cell_len(col))
        if i == 0:
            narrowest = min(natural, max(header, NAME_MIN))
        elif col in ID_COLUMNS:
            narrowest = content
        else:
            narrowest = max([header, *(cell_len(word) for cell in cells for word in cell.split())])
        out.append((narrowest, content, natural))
    return out


def _min_width(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """The narrowest the compact table can be, with two characters between columns."""
    return sum(narrowest for narrowest, _, _ in _widths(columns, rows)) + 2 * (len(columns) - 1)


def _layout(columns: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[int]:
    """Column widths that fit `width`, giving up in this order: the name beyond NAME_FIRST_CUT, then headers
    wrapped onto two lines, then the name down to NAME_MIN, then cells wrapped at spaces."""
    spec = _widths(columns, rows)
    widths = [natural for _, _, natural in spec]
    excess = sum(widths) + 2 * (len(columns) - 1) - width
    steps = [(0, min(spec[0][2], max(spec[0][0], NAME_FIRST_CUT)))]
    steps += [(i, spec[i][1]) for i in range(1, len(columns))]
    steps += [(0, spec[0][0])]
    steps += [(i, spec[i][0]) for i in range(1, len(columns))]
    for i, floor in steps:
        if excess <= 0:
            break
        cut = min(excess, max(0, widths[i] - floor))
        widths[i] -= cut
        excess -= cut
    return widths


def _rich_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> Table:
    """The compact rich table: a rule under the header, no borders, numbers right, every column as wide as
    _layout says (the name cut with an ellipsis, other cells wrapped at spaces)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for i, (col, col_width) in enumerate(zip(columns, _layout(columns, rows, width), strict=True)):
        cells = [r[i] for r in rows]
        numeric = bool(cells) and all(_NUMBER.fullmatch(v) for v in cells)
        if i == 0:
            table.add_column(col, overflow="ellipsis", no_wrap=True, width=col_width)
        else:
            table.add_column(
                col,
                overflow="fold",
                no_wrap=col in ID_COLUMNS,
                justify="right" if numeric else "left",
                width=col_width,
            )
    for row in rows:
        table.add_row(*(Text(v) for v in row))  # Text, not markup: "[red]" in a board name stays literal
    return table


_NUMBER = re.compile(r"-?[\d.,]+%?|-|")


@contextmanager
def report_progress(total: int, label: str = "reports") -> Iterator[Tick]:
    """One progress bar over `total` reports on stderr when it is a terminal; silent otherwise (cron, pipes)."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal or total <= 0:
        yield lambda _path: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
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
