"""The report kinds, each a small declared record: name, title, template and builder.

A builder takes a `Request` and returns the report's context: plain data that the kind's template words
and that `--format json` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from trellosync.config.ladder import Ladder
from trellosync.domain.model import Domain
from trellosync.report.views import ContextOptions, Period


@dataclass(frozen=True)
class Request:
    """What a builder is asked for: whose report, which period, and the options."""

    domain: Domain
    person: str
    period: Period
    report_date: date
    options: ContextOptions
    ladder: Ladder | None = None


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
