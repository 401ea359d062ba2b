"""Graded promises, defined once: when a promise is done, its status, its grade, and reliability over time.

Promise grade (README, "Graded promises"): a promise is a commitment whose deadline is the card's due
date and which is done when every success criterion is ticked (a promise without criteria: when its due
is marked complete or it moves to a done list). Its *status* is the one commitment rule
(`commitment_status`: kept | late | broken | open | done_undated). Its *grade* says how closely it was
kept: how many criteria were met by the due date (the score, 0-100 %), how many were met later, how
many never (still open after the due date), and by how many days the last one was late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from trellosync.domain.dates import UTC, month_ends
from trellosync.domain.dates import local_date as _local
from trellosync.domain.model import Commitment
from trellosync.domain.practices import Promise
from trellosync.domain.rules import SyncTimes, as_of_date, commitment_status, keep_rate, sync_of

RELIABILITY_WINDOW_DAYS = 90


def promise_completed_at(p: Promise) -> datetime | None:
    """When the promise's last criterion was met (None when not all are met or a tick is undated)."""
    if p.criteria:
        if not all(c.done for c in p.criteria) or any(c.completed_at is None for c in p.criteria):
            return None
        return max(c.completed_at for c in p.criteria if c.completed_at)
    return p.met_at if p.done_flag else None


def promise_done(p: Promise) -> bool:
    """Every success criterion ticked (or, without criteria, the card marked done)."""
    return all(c.done for c in p.criteria) if p.criteria else p.done_flag


def promise_as_commitment(p: Promise) -> Commitment:
    """The promise as a commitment, so its status is the one commitment rule."""
    return Commitment(
        id=p.id,
        board_id=p.board_id,
        lunch_id=p.id,
        person=p.person,
        text=p.title,
        made=p.made,
        deadline=p.due,
        completed_at=promise_completed_at(p),
        url=p.url,
        done=promise_done(p),
    )


@dataclass
class PromiseGrade:
    """How closely a promise was kept, as of a date."""

    status: str  # kept | late | broken | open | done_undated (the commitment rule)
    criteria: int  # number of success criteria (a promise without criteria has one: being done)
    met_by_due: int
    met_later: int
    never_met: int  # still open after the due date
    met_undated: int  # ticked, date no longer in the history
    days_late: int | None  # last criterion met this many days after the due date
    score: float | None  # met_by_due / criteria once the due date has passed (None before, or no due)


def _criteria_dates(p: Promise, tz: ZoneInfo) -> list[tuple[bool, date | None]]:
    if p.criteria:
        return [(c.done, _local(c.completed_at, tz)) for c in p.criteria]
    return [(p.done_flag, _local(p.met_at, tz))]


def grade_promise(
    p: Promise, as_of: date, *, last_sync: SyncTimes = None, tz: ZoneInfo = UTC
) -> PromiseGrade:
    """The grade of a promise as of `as_of` (no later than its board's last sync): criteria met by the due date,
    met later, never; days late."""
    as_of = as_of_date(as_of, sync_of(last_sync, p.board_id), tz)
    status = commitment_status(promise_as_commitment(p), as_of, last_sync=last_sync, tz=tz)
    by_due = later = never = undated = 0
    last: date | None = None
    for done, when in _criteria_dates(p, tz):
        if done and when is None:
            undated += 1
        elif done and when is not None and when <= as_of:
            if p.due is None or when <= p.due:
                by_due += 1
            else:
                later += 1
            last = max(last, when) if last else when
        elif p.due is not None and p.due < as_of:
            never += 1
    total = max(1, len(p.criteria))
    due_passed = p.due is not None and p.due < as_of
    days_late = (last - p.due).days if (status == "late" and last and p.due) else None
    score = by_due / total if due_passed or status == "kept" else None
    return PromiseGrade(status, total, by_due, later, never, undated, days_late, score)


@dataclass
class ReliabilityPoint:
    """Rolling reliability at one date: keep rate of commitments and promises due in the window, mean grade."""

    date: date
    judged: int
    kept: int
    keep_rate: float | None
    graded: int
    mean_grade: float | None


def reliability_series(
    commitments: Iterable[Commitment],
    promises: Iterable[Promise],
    start: date,
    end: date,
    *,
    window_days: int = RELIABILITY_WINDOW_DAYS,
    last_sync: SyncTimes = None,
    tz: ZoneInfo = UTC,
) -> list[ReliabilityPoint]:
    """At each month's end in [start, end]: the keep rate of commitments and promises whose deadline fell in
    the preceding `window_days`, and the mean grade of the promises among them, each judged as of that day."""
    promises = list(promises)
    everything = list(commitments) + [promise_as_commitment(p) for p in promises]
    out = []
    for day in month_ends(start, end):
        lo = day - timedelta(days=window_days)
        rate = keep_rate(everything, lo + timedelta(days=1), day, as_of=day, last_sync=last_sync, tz=tz)
        scores = [
            g.score
            for p in promises
            if p.due is not None
            and lo < p.due <= day
            and p.made <= day
            and (g := grade_promise(p, day, last_sync=last_sync, tz=tz)).score is not None
        ]
        out.append(
            ReliabilityPoint(
                day,
                rate.judged,
                rate.kept,
                rate.rate,
                len(scores),
                sum(scores) / len(scores) if scores else None,
            )
        )
    return out
