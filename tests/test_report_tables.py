"""report.css keeps every table's rows together at page breaks, checked on WeasyPrint's own layout.

A table falls at every height of the page in turn; the shipped stylesheet must never leave two body rows or
fewer alone on a page nor part a table from its heading, and the checker must see it when the rules are gone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pagelayout import TableOnPages, headings_left_behind, page_fill, stranded, tables_on_pages, underfilled

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


def _pages(css: str, body: str, out: Path) -> tuple[list[float], list[str]]:
    """How full each page of `body` is, and the headings it leaves behind, laid out with `css`."""
    found: list[tuple[list[float], list[str]]] = []
    html = f"<!DOCTYPE html><html><head><style>{css}</style></head><body>{body}</body></html>"
    write_pdf(html, out, on_document=lambda d: found.append((page_fill(d), headings_left_behind(d))))
    return found[0]


@pytest.mark.slow
def test_the_page_checks_see_a_short_page_and_a_heading_left_behind(report_css: str, tmp_path: Path) -> None:
    paragraph = (
        "<p>" + "A sentence long enough to wrap across the width of the page, again and again. " * 3 + "</p>"
    )
    sections = "".join(
        f'<section class="sheet"><div class="tall" style="height: {h}mm"></div><h2>Heading {h}</h2>{paragraph}</section>'
        for h in range(222, 246, 2)
    )
    test_css = ".sheet { break-before: page; } .tall { border-top: 0.5pt solid black; }"
    _, left = _pages(f"{report_css}\n{test_css}", sections, tmp_path / "kept.pdf")
    assert left == []
    # a page with one line before a forced break is short; with a 120 mm block under the line it is not
    one_line = '<p>Only this line.</p><section class="sheet"><p>Next page.</p></section>'
    fills, _ = _pages(f"{report_css}\n{test_css}", one_line, tmp_path / "short.pdf")
    assert underfilled(fills) == [f"page 1: {fills[0]:.0%}"] and fills[0] < 0.05
    fuller = one_line.replace("</p>", '</p><div class="tall" style="height: 120mm"></div>', 1)
    fills, _ = _pages(f"{report_css}\n{test_css}", fuller, tmp_path / "full.pdf")
    assert (
        underfilled(fills) == [] and 0.49 < fills[0] < 0.55
    )  # 120 of 251 mm (A4 less 24 and 22 mm margins), and the line above it
    bare = report_css.replace("break-after: avoid", "break-after: auto")
    _, left = _pages(f"{bare}\n{test_css}", sections, tmp_path / "bare.pdf")
    assert any(item.startswith("page ") and "'Heading 2" in item for item in left), left
