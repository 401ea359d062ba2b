"""Every status and figure rule, defined once: goals, key results, commitments, keep rate, cadence, focus.

All rules take an `as_of` date and look only at what was known by the end of that day (completion,
achievement and archive dates come from the action history). Reports use
`as_of_date(period_end, synced_at)`: the earlier of the period's end and the last sync.
Timestamps in the model are naive UTC; `tz` says which calendar day they fall on.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from trellosync.domain.dates import UTC, local_date
from trellosync.domain.model import Commitment, FeedbackEntry, Goal, KeyResult, Lunch

GOAL_STATUS_AS_OF = ("achieved", "open", "overdue", "dropped")
VOICES = ("peer", "self", "conversation")
STATUS_LABELS = {
    "achieved": "achieved",
    "open": "open",
    "overdue": "overdue",
    "dropped": "dropped",
    "kept": "kept",
    "late": "late",
    "broken": "broken",
    "done_undated": "done, date unknown",
    "renewed": "renewed",
}


# When data was last synced: one time for everything, or each board's own (Domain.board_synced). A board
# synced on 4 Nov knows nothing of 5-13 Nov, so its deadlines and lunches after its own sync are not judged.
SyncTimes = datetime | Mapping[str, datetime] | None


def sync_of(last_sync: SyncTimes, board_id: str) -> datetime | None:
    """The last sync that holds a board's data (its own when known, else the one time given)."""
    if isinstance(last_sync, Mapping):
        return last_sync.get(board_id)
    return last_sync


def latest_sync(last_sync: SyncTimes) -> datetime | None:
    """The latest of the sync times (what a report's cover states as the data's date)."""
    if isinstance(last_sync, Mapping):
        return max(last_sync.values(), default=None)
    return last_sync


def as_of_date(period_end: date | None, synced_at: datetime | None, tz: ZoneInfo = UTC) -> date:
    """The date figures are computed as of: the earlier of the period's end and the last sync's day."""
    synced = local_date(synced_at, tz)
    candidates = [d for d in (period_end, synced) if d is not None]
    if not candidates:
        return date.today()
    return min(candidates)


# ------------------------------------------------------------------ goals


def goal_achieved_on(goal: Goal, tz: ZoneInfo = UTC) -> date | None:
    """The day a goal was achieved; None when not achieved or when the history no longer holds the day."""
    return local_date(goal.achieved_at, tz) if goal.status == "achieved" else None


def goal_status(goal: Goal, as_of: date, tz: ZoneInfo = UTC, *, last_sync: SyncTimes = None) -> str | None:
    """achieved | dropped | overdue | open as of the end of `as_of`; None when the goal did not exist yet.

    Replays the status changes the action history holds (moves in and out of done lists, dueComplete,
    archive and unarchive) when they end in the goal's state now; otherwise reads the state now and its
    date. A goal achieved on an unknown date counts as achieved (never disappears); one dropped on an
    unknown date counts as dropped.
    """
    as_of = as_of_date(as_of, sync_of(last_sync, goal.board_id), tz)
    if goal.created > as_of:
        return None
    replayed = _replay(goal, as_of, tz)
    status = replayed if replayed is not None else _current_rule(goal, as_of, tz)
    if status in ("achieved", "dropped"):
        return status
    if goal.due is not None and goal.due < as_of:
        return "overdue"
    return "open"


def _current_rule(goal: Goal, as_of: date, tz: ZoneInfo) -> str:
    """achieved | dropped | open from the goal's state now and the dates it reached it."""
    if goal.status == "achieved":
        achieved = local_date(goal.achieved_at, tz)
        if achieved is None or achieved <= as_of:
            return "achieved"
    if goal.status == "dropped":
        dropped = local_date(goal.dropped_at, tz)
        if dropped is None or dropped <= as_of:
            return "dropped"
    return "open"


def _replay(goal: Goal, as_of: date, tz: ZoneInfo) -> str | None:
    """The status the history's events give on `as_of`; None when they do not end in the goal's state now
    (the history held is incomplete) or hold no event."""
    if not goal.events or goal.events[-1][1] != goal.status:
        return None
    status = "open"
    for when, after in goal.events:
        day = local_date(when, tz)
        if day is not None and day <= as_of:
            status = after
    return status


def key_result_done(kr: KeyResult, as_of: date, tz: ZoneInfo = UTC) -> bool:
    """True when the item was ticked by the end of `as_of` (ticked on an unknown date counts as done)."""
    if not kr.done:
        return False
    done = local_date(kr.completed_at, tz)
    return done is None or done <= as_of


def key_results_done(goal: Goal, as_of: date, tz: ZoneInfo = UTC) -> tuple[int, int]:
    """(done, total) key results of a goal as of `as_of`."""
    return sum(1 for k in goal.key_results if key_result_done(k, as_of, tz)), len(goal.key_results)


@dataclass
class GoalCounts:
    """Goals of a period: `open` includes `overdue`; `achieved` includes `achieved_undated`."""

    set: int = 0
    achieved: int = 0
    achieved_undated: int = 0
    open: int = 0
    overdue: int = 0
    dropped: int = 0
    median_days_to_achieve: float | None = None


def goal_counts(
    goals: Iterable[Goal], start: date, end: date, tz: ZoneInfo = UTC, *, last_sync: SyncTimes = None
) -> GoalCounts:
    """Goals set, achieved, dropped in [start, end]; open and overdue as of `end` (pass the as-of date),
    each goal no later than its board's last sync.

    An achieved goal with no known date counts as achieved in a period when it was created by its end.
    """
    out = GoalCounts()
    days: list[int] = []
    for g in goals:
        if start <= g.created <= end:
            out.set += 1
        status = goal_status(g, end, tz, last_sync=last_sync)
        if status == "achieved":
            achieved = goal_achieved_on(g, tz)
            if achieved_in_period(g, start, end, tz, last_sync=last_sync):
                out.achieved += 1
                out.achieved_undated += achieved is None
                if achieved is not None:
                    days.append((achieved - g.created).days)
        elif status == "dropped":
            dropped = local_date(g.dropped_at, tz)
            if dropped is None or dropped >= start:
                out.dropped += 1
        elif status in ("open", "overdue"):
            out.open += 1
            out.overdue += status == "overdue"
    if days:
        out.median_days_to_achieve = float(statistics.median(days))
    return out


def achieved_in_period(
    goal: Goal, start: date, end: date, tz: ZoneInfo = UTC, *, last_sync: SyncTimes = None
) -> bool:
    """Achieved by `end` and counted in a period from `start`: achieved on or after `start`, or on a day the
    history no longer holds (such a goal counts in every period that ends after it was created)."""
    if goal_status(goal, end, tz, last_sync=last_sync) != "achieved":
        return False
    achieved = goal_achieved_on(goal, tz)
    return achieved is None or achieved >= start


def goal_slip(
    g: Goal, status: str, achieved: date | None, as_of: date, judged_to: date | None = None
) -> tuple[str, int | None]:
    """How a goal stands against its target date as of `as_of`, as a code the templates word, and the days:
    dropped | no_target | undated | late | ahead | on_time | overdue | due_in | unjudged.

    `judged_to` is the day its status was judged to (its board's last sync, when earlier than `as_of`): an
    overdue goal is late by the days to then; an open goal whose target fell after then is `unjudged`.
    """
    judged_to = judged_to or as_of
    if status == "dropped":
        return "dropped", None
    if g.due is None:
        return "no_target", None
    if status == "achieved":
        if achieved is None:
            return "undated", None
        days = (achieved - g.due).days
        return ("late" if days > 0 else "ahead" if days < 0 else "on_time"), abs(days)
    if status == "overdue":
        return "overdue", (judged_to - g.due).days
    if g.due < as_of:
        return "unjudged", None  # its target passed after its board's last sync: the data cannot say
    return "due_in", (g.due - as_of).days


# ------------------------------------------------------------------ commitments


def commitment_status(c: Commitment, as_of: date, *, last_sync: SyncTimes = None, tz: ZoneInfo = UTC) -> str:
    """kept | late | broken | open | done_undated | renewed as of `as_of`, never judging past the last sync.

    kept: ticked by its deadline; late: ticked after it; broken: still open after it; open: before it (or
    its deadline is on/after the last sync, which data cannot judge); done_undated: ticked, but the history
    no longer holds when; renewed: made again at a later lunch by `as_of` (domain/renewal.py), its renewal
    carries the outcome. A renewal is kept or late against its chain's first deadline (`chain_deadline`),
    broken once its own deadline has passed.
    """
    cutoff = as_of_date(as_of, sync_of(last_sync, c.board_id), tz)
    if c.renewed_by is not None and c.renewed_on is not None and c.renewed_on <= cutoff:
        return "renewed"
    if c.done and c.completed_at is None:
        return "done_undated"
    done = local_date(c.completed_at, tz) if c.done else None
    if done is not None and done <= cutoff:
        return "kept" if c.chain_deadline is None or done <= c.chain_deadline else "late"
    if c.deadline is not None and c.deadline < cutoff:
        return "broken"
    return "open"


@dataclass
class KeepRate:
    """Commitments due in a period: rate = kept / (kept + late + broken); undated ticks are left out, and so are
    renewed commitments (their chain counts once, as its last link)."""

    kept: int = 0
    late: int = 0
    broken: int = 0
    open: int = 0
    done_undated: int = 0
    renewed: int = 0

    @property
    def judged(self) -> int:
        """Commitments whose deadline has passed and whose outcome is known."""
        return self.kept + self.late + self.broken

    @property
    def rate(self) -> float | None:
        """kept / judged, None when nothing could be judged."""
        return self.kept / self.judged if self.judged else None


def keep_rate(
    commitments: Iterable[Commitment],
    start: date,
    end: date,
    *,
    as_of: date,
    last_sync: SyncTimes = None,
    tz: ZoneInfo = UTC,
) -> KeepRate:
    """The keep rate of commitments whose deadline falls in [start, end], as of `as_of`; a chain of renewals
    counts once, at its first deadline (`Commitment.chain_deadline`), with its last link's status."""
    out = KeepRate()
    for c in commitments:
        due = c.chain_deadline
        if due is None or not start <= due <= end or c.made > as_of:
            continue
        status = commitment_status(c, as_of, last_sync=last_sync, tz=tz)
        setattr(out, status, getattr(out, status) + 1)
    return out


# ------------------------------------------------------------------ lunches and cadence


def lunches_of(lunches: Iterable[Lunch], person: str) -> list[Lunch]:
    """The lunches a person had: those about them (their pair's board), not ones they only attended."""
    return sorted((lu for lu in lunches if person in lu.about), key=lambda lu: (lu.date, lu.id))


def partners(lunch: Lunch, person: str) -> list[str]:
    """Whom the person had this lunch with: the pair's other subjects, else the other attendees (an advocate)."""
    return [p for p in lunch.about if p != person] or [p for p in lunch.participants if p != person]


@dataclass
class Gap:
    """Two consecutive lunches further apart than 1.5 times the board's interval."""

    start: date
    end: date
    days: int


@dataclass
class Cadence:
    """One board's lunches in [start, end] against its interval (lunches.every_days)."""

    board_id: str
    every_days: int
    start: date
    end: date
    count: int = 0
    expected: int = 0
    mean_interval_days: float | None = None
    longest_interval_days: int | None = None
    gaps: list[Gap] = field(default_factory=list)
    last_lunch: date | None = None


def cadence(lunches: Iterable[Lunch], board_id: str, start: date, end: date, every_days: int) -> Cadence:
    """Count, mean interval, gaps and expected count of one board's lunches in [start, end].

    The expected count runs from the later of `start` and the pair's first lunch: nobody owes lunches
    from before the pair began.
    """
    every = sorted({lu.date for lu in lunches if lu.board_id == board_id})
    dates = [d for d in every if start <= d <= end]
    if every and every[0] > start:
        start = min(every[0], end)
    days = (end - start).days + 1
    out = Cadence(
        board_id, every_days, start, end, count=len(dates), expected=max(1, round(days / every_days))
    )
    if dates:
        out.last_lunch = dates[-1]
    intervals = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
    if intervals:
        out.mean_interval_days = round(sum(intervals) / len(intervals), 1)
        out.longest_interval_days = max(intervals)
        tolerance = math.floor(every_days * 1.5)
        out.gaps = [
            Gap(a, b, (b - a).days)
            for a, b in zip(dates, dates[1:], strict=False)
            if (b - a).days > tolerance
        ]
    return out


def lunches_owed(lunches: Iterable[Lunch], first_day: date, last_day: date) -> float:
    """Lunches owed in [first_day, last_day]: each board's share of its interval (lunches.every_days), counted
    from its first lunch on (as `cadence`: nobody owes lunches from before the pair began)."""
    first_lunch: dict[str, date] = {}
    every: dict[str, int] = {}
    for lu in lunches:
        first_lunch[lu.board_id] = min(lu.date, first_lunch.get(lu.board_id, lu.date))
        every[lu.board_id] = lu.every_days
    owed = sum(max(0, (last_day - max(first_day, first_lunch[b])).days + 1) / every[b] for b in every)
    return round(owed, 2)


def person_cadences(
    lunches: Iterable[Lunch],
    person: str,
    start: date,
    end: date,
    *,
    last_sync: SyncTimes = None,
    tz: ZoneInfo = UTC,
) -> list[Cadence]:
    """One Cadence per board (pair) whose lunches are about the person, in board order of first lunch;
    each counted up to `end` but no later than that board's last sync. A board whose first lunch comes after
    that day had not begun: it owes nothing and is left out."""
    by_board: dict[str, list[Lunch]] = defaultdict(list)
    for lu in lunches_of(lunches, person):
        by_board[lu.board_id].append(lu)
    ends = {bid: as_of_date(end, sync_of(last_sync, bid), tz) for bid in by_board}
    return [
        cadence(lus, bid, start, ends[bid], lus[0].every_days)
        for bid, lus in by_board.items()
        if min(lu.date for lu in lus) <= ends[bid]
    ]


# ------------------------------------------------------------------ feedback


def voice(entry: FeedbackEntry) -> str:
    """peer (a known author other than the subject) | self (the subject's own words) | conversation."""
    if entry.peer_said:
        return "peer"
    if entry.own_words:
        return "self"
    return "conversation"


def open_focus_points(feedback: Iterable[FeedbackEntry], person: str, as_of: date) -> list[FeedbackEntry]:
    """Focus points about the person still current on `as_of`.

    Per board, the focus entries of the latest lunch (up to `as_of`) that recorded any focus point about
    the person: a later focus point replaces the earlier ones; a lunch that records none keeps them open.
    """
    latest: dict[str, list[FeedbackEntry]] = {}
    for f in sorted(feedback, key=lambda f: (f.date, f.id)):
        if f.kind != "focus" or f.about != person or f.date > as_of:
            continue
        current = latest.get(f.board_id)
        if current and current[0].date == f.date:
            current.append(f)
        else:
            latest[f.board_id] = [f]
    return [f for entries in latest.values() for f in entries]


def entries_by_competency(
    feedback: Iterable[FeedbackEntry], person: str, start: date, end: date, *, positive_only: bool = False
) -> dict[str | None, list[FeedbackEntry]]:
    """Entries about the person in [start, end], each once, under its competency (None = unclassified)."""
    out: dict[str | None, list[FeedbackEntry]] = defaultdict(list)
    for f in feedback:
        if f.about == person and start <= f.date <= end and (f.positive or not positive_only):
            out[f.competency].append(f)
    return dict(out)


# ------------------------------------------------------------------ one person's figures


@dataclass
class PersonFigures:
    """Every figure of one person for [start, end], as of `as_of` (= min(period end, last sync))."""

    person: str
    start: date
    end: date
    as_of: date
    goals: GoalCounts
    keep_rate: KeepRate
    cadences: list[Cadence]
    open_focus: list[FeedbackEntry]
    by_competency: dict[str | None, list[FeedbackEntry]]
    positive_entries: int = 0  # strengths and praise in the period
    peers: int = 0  # distinct known authors other than the person among the positive entries


def person_figures(
    goals: Iterable[Goal],
    commitments: Iterable[Commitment],
    lunches: Iterable[Lunch],
    feedback: Iterable[FeedbackEntry],
    person: str,
    start: date,
    end: date,
    *,
    last_sync: SyncTimes = None,
    tz: ZoneInfo = UTC,
) -> PersonFigures:
    """The figures a report of `person` for [start, end] states, each computed by the rules above.

    `as_of` is min(end, the latest sync); each goal, commitment and pair is judged no later than its own
    board's sync when `last_sync` maps boards to their sync times.
    """
    as_of = as_of_date(end, latest_sync(last_sync), tz)
    feedback = [f for f in feedback if f.about == person]
    positive = [f for f in feedback if f.positive and start <= f.date <= as_of]
    return PersonFigures(
        person=person,
        start=start,
        end=end,
        as_of=as_of,
        goals=goal_counts([g for g in goals if person in g.owners], start, as_of, tz, last_sync=last_sync),
        keep_rate=keep_rate(
            [c for c in commitments if c.person == person],
            start,
            end,
            as_of=as_of,
            last_sync=last_sync,
            tz=tz,
        ),
        cadences=person_cadences(lunches, person, start, as_of, last_sync=last_sync, tz=tz),
        open_focus=open_focus_points(feedback, person, as_of),
        by_competency=entries_by_competency(feedback, person, start, as_of),
        positive_entries=len(positive),
        peers=len({f.said_by for f in positive if f.peer_said}),
    )
