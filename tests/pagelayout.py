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


def _boxes() -> Any:
    """WeasyPrint's box classes, imported when first needed, not at collection (0.7 s in every process)."""
    from weasyprint.formatting_structure import boxes

    return boxes


def _walk(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _walk(child)


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def tables_on_pages(document: Any) -> list[TableOnPages]:
    """Every table of a laid-out WeasyPrint document, in document order."""
    boxes = _boxes()
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


# ------------------------------------------------------------------ how full each page is

MIN_FILL = 1 / 3  # every page but a document's last is at least a third full (issue 18)


def _in_flow_bottoms(box: Any) -> Iterator[float]:
    """The bottom edges of what a page prints: lines of text and replaced boxes (images, charts), and
    boxes that draw a border or background; floats and absolutely placed boxes aside."""
    boxes = _boxes()
    if isinstance(box, boxes.MarginBox) or box.style["position"] in ("absolute", "fixed"):
        return
    if box.style["float"] != "none":
        return
    if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
        yield box.position_y + box.margin_height()
        return
    if isinstance(box, boxes.BlockBox) and any(
        box.style[f"border_{side}_width"] for side in ("top", "bottom")
    ):
        yield box.position_y + box.margin_height() - box.margin_bottom
    for child in getattr(box, "children", None) or ():
        yield from _in_flow_bottoms(child)


def page_fill(document: Any) -> list[float]:
    """Each page's fill: the bottom of its lowest in-flow box, less the top of the page's content area, over
    the content area's height (0 for an empty page)."""
    out = []
    for page in document.pages:
        box = page._page_box
        top, height = box.content_box_y(), box.height
        bottom = max((b for child in box.children for b in _in_flow_bottoms(child)), default=top)
        out.append(max(0.0, min(1.0, (bottom - top) / height)))
    return out


def underfilled(fills: list[float]) -> list[str]:
    """The pages but the last that are less than a third full, as 'page N: P%'."""
    return [f"page {n}: {f:.0%}" for n, f in enumerate(fills[:-1], start=1) if f < MIN_FILL]


def _printed(box: Any, page: int) -> Iterator[tuple[int, Any]]:
    """(page, element) of each line and replaced box, in layout order; margin boxes, floats and absolutely
    placed boxes aside."""
    boxes = _boxes()
    if isinstance(box, boxes.MarginBox) or box.style["position"] in ("absolute", "fixed"):
        return
    if box.style["float"] != "none":
        return
    if isinstance(box, (boxes.LineBox, boxes.ReplacedBox)):
        yield page, box.element
        return
    for child in getattr(box, "children", None) or ():
        yield from _printed(child, page)


def headings_left_behind(document: Any) -> list[str]:
    """Headings, and blocks that ask to stay with the next block of their section (break-after: avoid), printed
    last on a page while what follows them starts on the next: 'page N: text'."""
    printed = [
        leaf for number, page in enumerate(document.pages, 1) for leaf in _printed(page._page_box, number)
    ]
    keep_next: set[Any] = set()
    root = None
    for page in document.pages:
        for box in _walk(page._page_box):
            element = getattr(box, "element", None)
            if element is None:
                continue
            if box.element_tag == "html":
                root = element
            if box.element_tag == element.tag and (
                element.tag in HEADINGS or box.style["break_after"] in KEEP_WITH_NEXT
            ):
                keep_next.add(element)
    parent = {child: p for p in root.iter() for child in p} if root is not None else {}
    last: dict[Any, int] = {}  # element -> index of its last printed line (its own or a descendant's)
    for i, (_, element) in enumerate(printed):
        while element is not None:
            last[element] = i
            element = parent.get(element)
    out = []
    for element in keep_next:
        siblings = list(parent.get(element, ()))
        if element.tag not in HEADINGS and siblings[-1:] == [element]:
            continue  # a block that ends its section leads into nothing: the next may start on a new page
        i = last.get(element)
        if i is not None and i + 1 < len(printed) and printed[i + 1][0] > printed[i][0]:
            out.append((printed[i][0], f"page {printed[i][0]}: {element.tag} {_text(element)[:50]!r}"))
    return [text for _, text in sorted(out)]
