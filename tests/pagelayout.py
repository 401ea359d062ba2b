"""Where WeasyPrint put each table of a rendered report: body rows per page, and the lead kept with it.

Read from the laid-out document (`Document.pages[i]._page_box`, the box tree WeasyPrint draws), which is
exact where text extracted from the PDF can only guess which lines are table rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MIN_ROWS_APART = 3  # a table split across pages keeps at least this many body rows on every page
KEEP_WITH_NEXT = ("avoid", "avoid-page")
HEADINGS = ("h1", "h2", "h3", "h4")


@dataclass
class TableOnPages:
    """One table of a document: its body rows on each page it reaches, and what leads into it."""

    label: str  # its class and first column header, to name it in a failure
    rows_per_page: list[tuple[int, int]] = field(default_factory=list)  # (page number, body rows on it)
    lead: str | None = None  # the heading or note just before it that asks to stay with it
    lead_pages: list[int] = field(default_factory=list)


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def tables_on_pages(document: Any) -> list[TableOnPages]:
    """Every table of a laid-out WeasyPrint document, in document order."""
    from weasyprint.formatting_structure import (
        boxes,
    )  # here, not at collection, where it cost 0.7 s a process

    tables: dict[Any, TableOnPages] = {}
    pages: dict[Any, set[int]] = defaultdict(set)
    keep_next: set[Any] = set()
    root = None
    for number, page in enumerate(document.pages, start=1):
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if element is None:
                continue
            pages[element].add(number)
            if box.element_tag == "html":
                root = element
            if box.element_tag == element.tag and box.style["break_after"] in KEEP_WITH_NEXT:
                keep_next.add(element)
            if isinstance(box, boxes.TableBox):
                body = [r for g in box.children if not (g.is_header or g.is_footer) for r in g.children]
                if element not in tables:
                    head = next(iter(element.iter("th")), None)
                    tables[element] = TableOnPages(
                        f"table.{element.get('class')} ({_text(head) if head is not None else '-'})"
                    )
                tables[element].rows_per_page.append((number, len(body)))
    parent = {child: p for p in root.iter() for child in p} if root is not None else {}
    for element, table in tables.items():
        siblings = list(parent.get(element, ()))
        before = siblings[siblings.index(element) - 1] if siblings and siblings[0] is not element else None
        if before is not None and (before.tag in HEADINGS or before in keep_next):
            table.lead, table.lead_pages = _text(before)[:60], sorted(pages[before])
    return list(tables.values())


def stranded(tables: list[TableOnPages]) -> list[str]:
    """What breaks the rule: a page holding two body rows or fewer of a split table, or a table's first page
    without the heading (or note) that leads into it."""
    problems = []
    for t in tables:
        if len(t.rows_per_page) > 1 and min(n for _, n in t.rows_per_page) < MIN_ROWS_APART:
            problems.append(f"{t.label}: body rows per page {t.rows_per_page}")
        if t.lead is not None and t.rows_per_page[0][0] != max(t.lead_pages):
            problems.append(
                f"{t.label}: starts on page {t.rows_per_page[0][0]}, its lead {t.lead!r} on {t.lead_pages}"
            )
    return problems
