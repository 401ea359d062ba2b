"""Every table the CLI prints fits an 80-column terminal: names cut with an ellipsis, ids whole, and the columns
that cannot fit left out with one line saying which; piped, the same tables are plain columns with whole values."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from clihelp import run_cli
from conftest import copy_sqlite
from rich.cells import cell_len
from rich.console import Console

from trellosync.cli.console import print_table
from trellosync.cli.demo import example_dir
from trellosync.testing.fake_trello import FakeTrello

LONG = " — the long-running fortnightly peer feedback lunch board of the platform team"
KEY, TOKEN = "c3" * 16, "d4" * 32


class Terminal(io.StringIO):
    """Standard output as a terminal."""

    def isatty(self) -> bool:
        return True


def on_terminal(monkeypatch: pytest.MonkeyPatch, columns: int, *args: str) -> list[str]:
    """The lines `trellosync ARGS` prints on a terminal of `columns` columns (styles removed)."""
    from trellosync.cli.commands import main

    screen = Terminal()
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setattr(sys, "argv", ["trellosync", *args])
    with pytest.raises(SystemExit) as exit_:
        main()
        sys.exit(0)
    monkeypatch.undo()
    assert exit_.value.code in (0, None), screen.getvalue()
    return re.sub(r"\x1b\[[0-9;]*m", "", screen.getvalue()).splitlines()  # bold, italic, dim


def widest(lines: list[str]) -> int:
    return max(cell_len(line.rstrip()) for line in lines)


@pytest.fixture
def long_names(example_database: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The example database with board names far longer than a terminal; its boards' ids by name."""
    db = copy_sqlite(example_database, tmp_path / "long.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE boards SET name = name || ?", (LONG,))
        boards = dict(conn.execute("SELECT name, id FROM boards"))
    return db, boards


def test_status_fits_80_columns_with_names_cut_and_left_out_columns_named(long_names, monkeypatch) -> None:
    db, boards = long_names
    lines = on_terminal(monkeypatch, 80, "status", "--database", str(db))
    assert widest(lines[:-1]) <= 80, "\n".join(lines)  # the last line, the counts, is wrapped text
    rows = [line for line in lines if "…" in line]
    assert len(rows) == len(boards), "one line per board, each name cut with an ellipsis\n" + "\n".join(lines)
    assert all(any(name.startswith(row.split("…")[0]) for name in boards) for row in rows)
    assert "(left out at 80 columns: id, last change; piped: every column)" in lines
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    header = " ".join(lines[1:rule]).split()  # headers wrap at spaces, over as many lines as the widest needs
    assert sorted(header) == sorted(
        ["board", "meetings", "entries", "goals", "commitments", "last", "sync", "(UTC)", "full", "history"]
    )
    assert all(cell_len(line) <= 80 for line in "\n".join(lines[-3:]).splitlines())


def test_status_on_a_wide_terminal_shows_every_column_and_whole_ids(long_names, monkeypatch) -> None:
    db, boards = long_names
    lines = on_terminal(monkeypatch, 250, "status", "--database", str(db))
    assert widest(lines) <= 250
    text = "\n".join(lines)
    assert all(board_id in text for board_id in boards.values()) and "left out" not in text
    assert all(name in text for name in boards), "at 250 columns the names fit whole"


def test_status_piped_keeps_every_name_whole(long_names, capsys) -> None:
    db, boards = long_names
    code, out, _ = run_cli(capsys, "status", "--database", str(db))
    assert code == 0
    assert {line.split("\t")[0] for line in out.splitlines()[1:]} == set(boards)
    assert "…" not in out


@pytest.fixture
def fake_long(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """The fake Trello API serving the example boards under long names."""
    exports = []
    for path in sorted(example_dir().glob("*.json")):
        board = json.loads(path.read_text(encoding="utf-8"))
        board["name"] += LONG
        exports.append(board)
    with FakeTrello(exports, key=KEY, token=TOKEN) as fake:
        monkeypatch.setenv("TRELLO_API_KEY", KEY)
        monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
        monkeypatch.setenv("TRELLO_API_URL", fake.url)
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
        yield exports


def test_boards_fits_80_columns_with_every_column_and_whole_ids(fake_long, monkeypatch) -> None:
    lines = on_terminal(monkeypatch, 80, "boards")
    assert widest(lines) <= 80, "\n".join(lines)
    text = "\n".join(lines)
    assert all(b["id"] in text and b["shortLink"] in text for b in fake_long)
    assert text.count("…") == len(fake_long) and "left out" not in text
    header = next(line for line in lines if line.startswith("name"))
    assert header.split()[:3] == ["name", "id", "shortLink"]


def test_demo_summary_fits_80_columns(example_database: Path, tmp_path: Path) -> None:
    from conftest import example_workspace

    from trellosync.cli.demo import print_summary

    config, store = example_workspace(example_database, tmp_path / "demo.db")
    out = io.StringIO()
    try:
        print_summary(
            Console(file=out, width=80, force_terminal=True, color_system=None),
            store,
            store.load_domain(),
            replace_names(config),
        )
    finally:
        store.close()
    lines = out.getvalue().splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("person"))) - 1 :]
    assert widest(table) <= 80, "\n".join(lines)
    assert sum("…" in line for line in table) == len(config.people)  # the long names, each cut on one line


def replace_names(config):
    """The config with every person's name made far longer than a terminal."""
    for person in config.people.values():
        person.name = person.name + " of the platform team's peer-feedback lunches since the very beginning"
    return config


def render(width: int, columns: tuple[str, ...], rows: list[tuple[str, ...]], **kw) -> list[str]:
    """print_table on a rich Console of `width` columns that is a terminal."""
    out = io.StringIO()
    print_table(
        "title",
        columns,
        rows,
        console=Console(file=out, width=width, force_terminal=True, color_system=None),
        **kw,
    )
    return out.getvalue().splitlines()


def test_print_table_cuts_names_never_ids_and_drops_optional_columns_in_order() -> None:
    rows = [
        (
            "A board whose name never ends, and then goes on " * 3,
            "6a0d7810b2d4f6a8c0000001",
            "12",
            "2026-11-04 07:00 (export)",
            "yes",
        )
    ]
    columns = ("board", "id", "lunches", "last sync", "full history")
    wide = render(200, columns, rows, optional=("full history", "id"))
    assert "left out" not in "\n".join(wide) and "6a0d7810b2d4f6a8c0000001" in "\n".join(wide)
    assert "left out" not in "\n".join(render(80, columns, rows, optional=("full history", "id")))
    narrow = render(70, columns, rows, optional=("full history", "id"))
    assert widest(narrow) <= 70
    assert "6a0d7810b2d4f6a8c0000001" in "\n".join(narrow)  # the id fits once 'full history' is left out
    assert narrow[-1] == "(left out at 70 columns: full history; piped: every column)"
    tiny = render(50, columns, rows, optional=("full history", "id"))
    assert widest(tiny) <= 50 and "6a0d7810" not in "\n".join(tiny)
    assert (
        " ".join(line.strip() for line in tiny[-2:])
        == "(left out at 50 columns: full history, id; piped: every column)"
    )
    row = next(line for line in tiny if line.startswith("A board"))
    assert "…" in row and "12" in row  # one line: the name cut, the figures beside it


def test_print_table_piped_is_tab_separated_and_whole() -> None:
    out = io.StringIO()
    name = "[red]A board[/red] " + "x" * 200
    print_table(
        "title", ("board", "id"), [(name, "6a0d7810b2d4f6a8c0000001")], console=Console(file=out, width=80)
    )
    assert out.getvalue() == f"board\tid\n{name}\t6a0d7810b2d4f6a8c0000001\n"


def test_an_empty_table_prints_its_header() -> None:
    lines = render(80, ("board", "id", "lunches"), [], optional=("id",))
    assert [line.split() for line in lines if line.strip() and "─" not in line][1] == [
        "board",
        "id",
        "lunches",
    ]
