"""Moved to the `trellosync.report` package; these names stay importable for older callers."""

from trellosync.report import (  # noqa: F401
    Chart,
    ContextOptions,
    Criterion,
    Ladder,
    Period,
    format_date,
    known_people,
    ladder_from_dict,
    person_figures,
    resolve_period,
    to_local_date,
)
