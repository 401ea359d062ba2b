"""report.css keeps every table's rows together at page breaks, checked on WeasyPrint's own layout.

A table falls at every height of the page in turn; the shipped stylesheet must never leave two body rows or
fewer alone on a page nor part a table from its heading, and the checker must see it when the rules are gone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pagelayout import TableOnPages, stranded, tables_on_pages

from trellosync.report.render import make_environment, write_pdf

ROWS = 8
OFFSETS = range(
    0, 120, 6
)  # mm of filler above the table: the page break falls before each of its rows in turn


def _document(css: str) -> str:
    sections = []
    for n, offset in enumerate(OFFSETS):
        rows = "".join(
            f'<tr><td><div class="tall">row {r + 1}</div></td><td>x</td></tr>' for r in range(ROWS)
        )
        sections.append(
            f'<section class="sheet"><div class="filler f{offset}"></div><h2>Table {n}</h2>'
            f'<table class="rows"><thead><tr><th>Row</th><th>Other</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>"
        )
    fillers = "".join(f".f{o} {{ height: {120 + o}mm; }}" for o in OFFSETS)
    test_css = f".sheet {{ break-before: page; }} .tall {{ height: 9mm; }} {fillers}"
    return f"<!DOCTYPE html><html><head><style>{css}\n{test_css}</style></head><body>{''.join(sections)}</body></html>"


def _layout(css: str, out: Path) -> list[TableOnPages]:
    tables: list[TableOnPages] = []
    write_pdf(_document(css), out, on_document=lambda document: tables.extend(tables_on_pages(document)))
    return tables


@pytest.fixture(scope="module")
def report_css() -> str:
    return make_environment(None, True).get_template("report.css").render(asset_base="")


@pytest.mark.slow
def test_report_css_never_strands_two_rows_or_a_heading(report_css: str, tmp_path: Path) -> None:
    tables = _layout(report_css, tmp_path / "kept.pdf")
    assert len(tables) == len(OFFSETS)
    assert sum(len(t.rows_per_page) > 1 for t in tables) >= 3  # some tables do break across pages
    assert stranded(tables) == []
    assert all(sum(n for _, n in t.rows_per_page) == ROWS for t in tables)


@pytest.mark.slow
def test_the_check_sees_stranded_rows_and_headings_without_the_rules(report_css: str, tmp_path: Path) -> None:
    bare = re.sub(r"^tbody tr:nth-.*$", "", report_css, flags=re.MULTILINE)
    bare = bare.replace("break-after: avoid", "break-after: auto")
    assert bare != report_css
    problems = stranded(_layout(bare, tmp_path / "bare.pdf"))
    assert any("body rows per page [(" in p and (", 1)]" in p or ", 2)]" in p) for p in problems)
    assert any("its lead 'Table" in p for p in problems)
