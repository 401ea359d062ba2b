"""Every rule of the practices, defined once: promise grade, recurring issues, shareability, reliability.

Promise grade (README, "Graded promises"): a promise is a commitment whose deadline is the card's due
date and which is done when every success criterion is ticked (a promise without criteria: when its due
is marked complete or it moves to a done list). Its *status* is the one commitment rule
(`commitment_status`: kept | late | broken | open | done_undated). Its *grade* says how closely it was
kept: how many criteria were met by the due date (the score, 0-100 %), how many were met later, how
many never (still open after the due date), and by how many days the last one was late.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from trellosync.domain.dates import local_date as _local
from trellosync.domain.rules import commitment_status, keep_rate
from trellosync.model import Commitment, FeedbackEntry
from trellosync.practices.model import Practices, Promise

UTC = ZoneInfo("UTC")
RECURRING_MIN_MEETINGS = 3  # "will not tolerate a member continuing to share the same issue"
SAME_ISSUE_OVERLAP = 0.5  # shared content words / content words of the shorter text
RELIABILITY_WINDOW_DAYS = 90


# ------------------------------------------------------------------ graded promises

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
    return Commitment(id=p.id, board_id=p.board_id, lunch_id=p.id, person=p.person, text=p.title, made=p.made,
                      deadline=p.due, completed_at=promise_completed_at(p), url=p.url, done=promise_done(p))


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


def grade_promise(p: Promise, as_of: date, *, last_sync: datetime | None = None, tz: ZoneInfo = UTC) -> PromiseGrade:
    """The grade of a promise as of `as_of`: criteria met by the due date, met later, never; days late."""
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


# ------------------------------------------------------------------ recurring issues

_STOP = frozenset("about after again being could every first from have into more much other should their there "
                  "these they this those through under very what when where which while will with would your "
                  "still again same keep keeps kept issue problem".split())


def issue_words(text: str) -> set[str]:
    """Content-word stems (first five letters of words of four letters or more) of an issue's text."""
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


def same_issue(a: str, b: str) -> bool:
    """Two texts raise the same issue when half the content words of the shorter one recur in the other."""
    wa, wb = issue_words(a), issue_words(b)
    if not wa or not wb:
        return " ".join(a.lower().split()) == " ".join(b.lower().split())
    return len(wa & wb) / min(len(wa), len(wb)) >= SAME_ISSUE_OVERLAP


@dataclass
class Raised:
    """One time a person raised an issue or focus point (a group issue or a lunch's focus point)."""

    person: str
    date: date
    text: str
    id: str
    source: str  # group | focus


@dataclass
class Recurring:
    """An issue a person raised at `RECURRING_MIN_MEETINGS` or more meetings."""

    person: str
    text: str  # the latest wording
    dates: list[date]
    ids: list[str] = field(default_factory=list)


def recurring_issues(raised: Iterable[Raised], *, min_meetings: int = RECURRING_MIN_MEETINGS) -> list[Recurring]:
    """Issues each person raised on `min_meetings` or more distinct days, with those days."""
    clusters: list[list[Raised]] = []
    for r in sorted(raised, key=lambda r: (r.person, r.date, r.id)):
        home = next((c for c in clusters if c[0].person == r.person and any(same_issue(r.text, x.text) for x in c)),
                    None)
        if home is None:
            clusters.append([r])
        else:
            home.append(r)
    out = []
    for c in clusters:
        dates = sorted({x.date for x in c})
        if len(dates) >= min_meetings:
            out.append(Recurring(person=c[0].person, text=c[-1].text, dates=dates, ids=[x.id for x in c]))
    return sorted(out, key=lambda r: (r.person, r.dates[0]))


def raised_by(person: str, practices: Practices, feedback: Iterable[FeedbackEntry], as_of: date) -> list[Raised]:
    """What a person raised at group meetings up to `as_of`: their issues and focus points on group boards.

    A pair's focus point carried from lunch to lunch is tracked by design and is not a recurring issue.
    """
    out = [Raised(i.person, i.date, i.text, i.id, "group") for i in practices.group_issues
           if i.person == person and i.date <= as_of]
    out += [Raised(person, f.date, f.text, f.id, "focus") for f in feedback
            if f.kind == "focus" and f.about == person and f.date <= as_of and f.board_id in practices.group_boards]
    return out


def without_marker(text: str, marker: str | None) -> str:
    """The text without the shareable marker (case-insensitive), for display."""
    if not marker:
        return text
    return " ".join(re.sub(re.escape(marker), " ", text, flags=re.IGNORECASE).split())


# ------------------------------------------------------------------ visibility

def entry_marked(practices: Practices, board_id: str, *ids: str | None) -> bool:
    """True when the board is `team` or the entry (or its card) is marked shareable."""
    if practices.visibility.get(board_id, "private") == "team":
        return True
    return any(i in practices.marked for i in ids if i)


def feedback_showcase_kind(f: FeedbackEntry) -> str | None:
    """strength (a best moment) | praise (an observation marked as praise) | None: never in a showcase."""
    if f.kind == "best":
        return "strength"
    if f.kind == "observation" and f.polarity == "praise":
        return "praise"
    return None


def feedback_shareable(f: FeedbackEntry, practices: Practices) -> bool:
    """A strength or praise on a team board, or marked shareable on a private one; nothing else."""
    return feedback_showcase_kind(f) is not None and entry_marked(practices, f.board_id, f.id, f.lunch_id)


# ------------------------------------------------------------------ reliability over time

@dataclass
class ReliabilityPoint:
    """Rolling reliability at one date: keep rate of commitments and promises due in the window, mean grade."""

    date: date
    judged: int
    kept: int
    keep_rate: float | None
    graded: int
    mean_grade: float | None


def _month_ends(start: date, end: date) -> list[date]:
    out: list[date] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append(min(date(ny, nm, 1) - timedelta(days=1), end))
        y, m = ny, nm
    return out


def reliability_series(commitments: Iterable[Commitment], promises: Iterable[Promise], start: date, end: date, *,
                       window_days: int = RELIABILITY_WINDOW_DAYS, last_sync: datetime | None = None,
                       tz: ZoneInfo = UTC) -> list[ReliabilityPoint]:
    """At each month's end in [start, end]: the keep rate of commitments and promises whose deadline fell in
    the preceding `window_days`, and the mean grade of the promises among them, each judged as of that day."""
    promises = list(promises)
    everything = list(commitments) + [promise_as_commitment(p) for p in promises]
    out = []
    for day in _month_ends(start, end):
        lo = day - timedelta(days=window_days)
        rate = keep_rate(everything, lo + timedelta(days=1), day, as_of=day, last_sync=last_sync, tz=tz)
        scores = [g.score for p in promises if p.due is not None and lo < p.due <= day and p.made <= day
                  and (g := grade_promise(p, day, last_sync=last_sync, tz=tz)).score is not None]
        out.append(ReliabilityPoint(day, rate.judged, rate.kept, rate.rate, len(scores),
                                    sum(scores) / len(scores) if scores else None))
    return out
