"""The report kinds, each a small declared record: name, title, template and builder.

A builder takes a `Request` and returns the report's context: plain data that the kind's template words
and that `--format json` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.config.ladder import Ladder
from trellosync.domain.judge import Judgement
from trellosync.domain.model import Domain
from trellosync.report.selection import GROUP_NOTHING, Scope, Selection
from trellosync.report.views import ContextOptions, Period


@dataclass(frozen=True)
class Request:
    """What a builder is asked for: whose report, which period, and the options; and the one judgement of the
    domain as of the report date that every part of the report reads."""

    domain: Domain
    person: str
    period: Period
    report_date: date
    options: ContextOptions
    ladder: Ladder | None = None
    judged: Judgement = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "judged", Judgement(self.domain, ZoneInfo(self.options.timezone), self.period.end)
        )

    def selection(self, person: str | None = None, *, group: str = GROUP_NOTHING) -> Selection:
        """The slice of `person` (default: the report's person), read from the report's one judgement; `group`
        says what it holds of peer learning groups (report.selection: nothing by default)."""
        scope = Scope(person or self.person, self.judged.tz, self.judged.as_of, self.domain.synced_at)
        return Selection(self.domain, scope, self.judged, group=group)


@dataclass(frozen=True)
class ReportKind:
    """One kind of report."""

    name: str
    title: str
    template: str
    builder: Callable[[Request], Any]
    uses_ladder: bool = False
    includes: tuple[str, ...] = ()  # the kinds of entries it holds (the cover or header says so)
    leaves_out: tuple[str, ...] = ()  # and those it never holds
    team: bool = False  # one document for several people (options.people), not one per person


def _registry() -> dict[str, ReportKind]:
    from trellosync.report.kinds import advocate, brief, dossier, goals, showcase

    return {k.name: k for k in (goals.KIND, dossier.KIND, brief.KIND, advocate.KIND, showcase.KIND)}


def get_kind(name: str) -> ReportKind | None:
    """The declared kind of that name, or None."""
    return _registry().get(name)


def kind_names() -> tuple[str, ...]:
    """Names of every report kind, in the order the CLI lists them."""
    return tuple(_registry())
