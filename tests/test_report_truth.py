"""Sentences of the reports that must be true of the data (the r1 truth audit of the demo reports).

Each test builds a small domain, renders one report's HTML (no PDF) and reads the sentence a committee member
would read: counts, labels and empty sections must say what the data says, no more.
"""

from __future__ import annotations

from datetime import date

from report_fixtures import DomainBuilder

from trellosync.report import ContextOptions, Period, Request, get_kind
from trellosync.reports import ReportOptions, render_report_html

AS_OF = date(2026, 6, 30)
PERIOD = Period(date(2026, 3, 1), AS_OF)


def small() -> DomainBuilder:
    b = DomainBuilder()
    b.person("ada", "Ada Lovelace").person("grace", "Grace Hopper")
    return b


def html_of(kind: str, b: DomainBuilder, person: str = "ada", period: Period = PERIOD) -> str:
    """The report's HTML with tags dropped and whitespace folded, as a reader sees its words."""
    import re

    ctx = get_kind(kind).builder(Request(b.domain, person, period, period.end, ContextOptions(), None))
    html, _ = render_report_html(ctx, ReportOptions(), for_pdf=False)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_focus_point_stated_at_three_lunches_is_restated_at_two() -> None:
    b = small()
    for day in (date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30)):
        lu = b.lunch(day, ["ada", "grace"])
        b.entry(lu, "focus", "ada", "ada", "Speak up earlier in planning")
        b.entry(lu, "best", "ada", "ada", "Shipped the billing migration")
    for kind in ("goals", "dossier"):
        text = html_of(kind, b)
        assert "raised 2 Mar 2026, restated at 2 later lunches until 30 Mar 2026" in text, kind
