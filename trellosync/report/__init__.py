"""Reports: from a Domain to plain-data contexts, then Jinja templates and WeasyPrint.

Layout (one hop to any rule):
  text.py       dates, ids, months (no wording: the templates and macros.html word everything)
  views.py      the dataclasses templates read (Period, Evidence, Figures, GoalView, ...)
  ladder.py     career ladder: its file (configured_ladder), its keywords for the domain, criterion matching
  selection.py  a person's slice of the domain; statuses come from trellosync.domain.rules, never re-derived
  figures.py    summary and per-pair figures, the cover, chart numbers
  threads.py    focus-point threads (growth arcs)
  citations.py  numbered sources; each quote printed once per report
  kinds/        one module per report kind, each declared as a ReportKind(name, title, template, builder)
  charts.py     chart numbers -> inline SVG
"""

from __future__ import annotations

from trellosync.config.ladder import Criterion, Ladder, ladder_from_dict
from trellosync.report.figures import known_people, person_figures, resolve_period
from trellosync.report.kinds import ReportKind, Request, get_kind, kind_names
from trellosync.report.text import format_date
from trellosync.report.views import Chart, ContextOptions, Period

__all__ = [
    "Chart",
    "ContextOptions",
    "Criterion",
    "Ladder",
    "Period",
    "ReportKind",
    "Request",
    "format_date",
    "get_kind",
    "kind_names",
    "known_people",
    "ladder_from_dict",
    "person_figures",
    "resolve_period",
]
