"""Pure builders of report contexts: figures, sections and evidence from a `Domain`.

No SQL, no I/O: everything here takes a Domain (and a parsed ladder) and returns plain dataclasses
that the Jinja templates read. Dates of datetimes are converted to the report's timezone here, so
templates only ever format `date` objects and preformatted strings.
"""

from __future__ import annotations

import math
import re
import statistics
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.model import Commitment, Domain, FeedbackEntry, Goal, Lunch

# Bounds on list lengths so a person with 1,000 lunches still gets a readable, bounded document.
MAX_EVIDENCE_PER_SECTION = 12
MAX_LUNCH_LOG = 60
MAX_FOCUS_THREADS = 20
MAX_OBSERVATIONS_PER_FOCUS = 6
MAX_COMMITMENT_ROWS = 80
MAX_PEER_QUOTES = 3
MAX_CONSISTENCY_MONTHS = 24
MAX_BRIEF_ITEMS = 8
GOAL_NEAR_DAYS = 30

KIND_LABELS = {
    "best": "Best moment",
    "worst": "Worst moment",
    "focus": "Focus point",
    "observation": "Observation",
    "goal": "Goal achieved",
    "commitment": "Commitment",
}
STATUS_LABELS = {
    "kept": "Kept",
    "late": "Kept late",
    "broken": "Overdue",
    "open": "Open",
    "achieved": "Achieved",
    "dropped": "Dropped",
}
_STOPWORDS = frozenset(
    "about after again being could every first from have into more much other should their there these "
    "they this those through under very what when where which while will with would your yours".split()
)


# ---------------------------------------------------------------------------------------------------
# Small helpers


def to_local_date(value: datetime | date | None, tz: ZoneInfo) -> date | None:
    """The calendar date of `value` in `tz` (naive datetimes are taken as UTC; dates pass through)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(tz).date()
    return value


def format_datetime(value: datetime | None, tz: ZoneInfo) -> str:
    """`22 Nov 2026, 09:14 CET` in `tz`, or an em dash when unknown."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(tz)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".strip()


def format_date(value: date | None) -> str:
    """`4 Mar 2026` (no leading zero), or an em dash when unknown."""
    if value is None:
        return "—"
    return f"{value.day} {value:%b %Y}"


def slug(text: str) -> str:
    """An HTML id fragment made of lowercase letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def _month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{date(int(year), int(month), 1):%b %Y}"


def _months_between(start: date, end: date) -> list[str]:
    keys: list[str] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys


def _spread(items: Sequence[Any], limit: int) -> list[Any]:
    """At most `limit` items evenly spread over `items` (keeps the first and the last)."""
    if len(items) <= limit:
        return list(items)
    if limit <= 1:
        return [items[-1]]
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _words(text: str) -> set[str]:
    """Crude stems (first five letters) of the content words of a text, for theme matching."""
    return {w[:5] for w in re.findall(r"[a-z]{5,}", text.lower()) if w not in _STOPWORDS}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# ---------------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class Period:
    """An inclusive date range."""

    start: date
    end: date

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end

    @property
    def days(self) -> int:
        """Number of calendar days in the period, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """`1 Jan 2026 – 31 Mar 2026`."""
        return f"{format_date(self.start)} – {format_date(self.end)}"


@dataclass
class ContextOptions:
    """What the context builders need to know besides the domain."""

    timezone: str = "UTC"
    include_worst_moments: bool = False
    lunch_interval_days: int = 14
    confidentiality: str = "Confidential: for the named person and their peers only."
    generated_by: str = "trellosync"
    generated_at: datetime | None = None


@dataclass
class Criterion:
    """One criterion of a career ladder: evidence matches by competency key/label or keyword."""

    key: str
    name: str
    description: str = ""
    competencies: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


@dataclass
class Ladder:
    """A career ladder: the target level and its criteria."""

    name: str
    level: str
    criteria: list[Criterion]


def ladder_from_dict(data: Any) -> Ladder:
    """Parse a ladder's YAML mapping (see templates/ladder.example.yaml); raises ValueError when malformed."""
    if not isinstance(data, dict):
        raise ValueError("a ladder file must hold a mapping with 'name', 'level' and 'criteria'")
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        raise ValueError("'criteria' must be a non-empty list")
    criteria: list[Criterion] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("name"):
            raise ValueError(f"criteria[{i}] must be a mapping with at least a 'name'")
        comps = item.get("competencies") or []
        kws = item.get("keywords") or []
        if not isinstance(comps, list) or not isinstance(kws, list):
            raise ValueError(f"criteria[{i}]: 'competencies' and 'keywords' must be lists")
        criteria.append(
            Criterion(
                key=str(item.get("key") or slug(str(item["name"]))),
                name=str(item["name"]),
                description=str(item.get("description") or ""),
                competencies=[str(c) for c in comps],
                keywords=[str(k) for k in kws],
            )
        )
    return Ladder(name=str(data.get("name") or "Career ladder"), level=str(data.get("level") or ""), criteria=criteria)


# ---------------------------------------------------------------------------------------------------
# Views (what templates read)


@dataclass
class Evidence:
    """One dated, attributed item with a link to its Trello card."""

    id: str
    kind: str
    kind_label: str
    date: date
    text: str
    by: str  # display name of who said it
    by_key: str | None
    about: str
    url: str | None
    board: str
    lunch_title: str | None
    labels: list[str]
    ref: int = 0  # number in the sources appendix (0 = not cited)

    @property
    def anchor(self) -> str:
        """Id of this item's row in the sources appendix."""
        return f"src-{self.ref}"


@dataclass
class Gap:
    """A stretch between two lunches longer than the cadence tolerates."""

    start: date
    end: date
    days: int


@dataclass
class Figures:
    """The summary numbers of a person's period."""

    goals_set: int = 0
    goals_achieved: int = 0
    goals_open: int = 0
    goals_overdue: int = 0
    goals_dropped: int = 0
    median_days_to_achieve: float | None = None
    commitments_due: int = 0
    commitments_kept: int = 0
    commitments_late: int = 0
    commitments_broken: int = 0
    keep_rate: float | None = None
    lunches_held: int = 0
    lunches_target: int = 0
    mean_interval_days: float | None = None
    gaps: list[Gap] = field(default_factory=list)
    last_lunch: date | None = None
    days_since_last_lunch: int | None = None

    @property
    def keep_rate_label(self) -> str:
        """`75% (6 of 8)` or `no commitments due`."""
        if self.keep_rate is None:
            return "no commitments due"
        return f"{round(self.keep_rate * 100)}% ({self.commitments_kept} of {self.commitments_due})"

    @property
    def cadence_label(self) -> str:
        """`9 of 13 expected`."""
        return f"{self.lunches_held} of {self.lunches_target} expected"


@dataclass
class KeyResultView:
    """A key result of a goal, dates in the report timezone."""

    name: str
    done: bool
    completed_on: date | None
    due_on: date | None


@dataclass
class GoalView:
    """A goal as the reports show it."""

    id: str
    title: str
    description: str
    status: str
    status_label: str
    created: date
    due: date | None
    achieved_on: date | None
    dropped_on: date | None
    slip_days: int | None
    slip_label: str
    key_results: list[KeyResultView]
    kr_done: int
    kr_total: int
    labels: list[str]
    url: str | None
    board: str
    anchor: str


@dataclass
class CommitmentView:
    """A commitment with its status as of the report date."""

    id: str
    text: str
    person: str
    made: date
    deadline: date | None
    completed_on: date | None
    status: str
    status_label: str
    days_overdue: int | None
    url: str | None
    board: str


@dataclass
class FocusThread:
    """A focus point and what followed it: observations, then later best moments on the same theme."""

    focus: Evidence
    observations: list[Evidence]
    later_best: list[Evidence]
    current: bool
    more_observations: int = 0
    mentions: int = 1  # lunches at which this focus point was (re)stated
    last_mentioned: date | None = None


@dataclass
class LunchView:
    """One row of the lunch log."""

    date: date
    title: str
    with_names: str
    board: str
    url: str | None
    best: list[Evidence]
    worst: list[Evidence]
    focus: list[Evidence]
    observations: int
    commitments: int


@dataclass
class Cover:
    """What the cover page and the PDF metadata say."""

    title: str
    subtitle: str
    person: str
    person_key: str
    period: Period
    boards: list[str]
    as_of: date
    synced_at: str
    generated_at: str
    generated_by: str
    confidentiality: str
    timezone: str
    target_level: str | None = None
    ladder_name: str | None = None


@dataclass
class Chart:
    """Numbers for a chart; charts.py turns them into SVG (keeps this module free of rendering)."""

    kind: str  # "cadence" | "goal_progress"
    title: str
    x_labels: list[str]
    series: list[tuple[str, list[float | None]]]


# ---------------------------------------------------------------------------------------------------
# Shared selection logic


class _Selection:
    """A person's slice of the domain, with dates converted once."""

    def __init__(self, domain: Domain, person: str, tz: ZoneInfo, as_of: date) -> None:
        self.domain = domain
        self.person = person
        self.tz = tz
        self.as_of = as_of
        self.lunches: list[Lunch] = sorted(
            (lu for lu in domain.lunches if person in lu.participants), key=lambda lu: (lu.date, lu.id)
        )
        self.lunch_by_id: dict[str, Lunch] = {lu.id: lu for lu in domain.lunches}
        self.feedback: list[FeedbackEntry] = sorted(
            (f for f in domain.feedback if f.about == person), key=lambda f: (f.date, f.id)
        )
        self.goals: list[Goal] = sorted(
            (g for g in domain.goals if person in g.owners), key=lambda g: (g.created, g.id)
        )
        self.commitments: list[Commitment] = sorted(
            (c for c in domain.commitments if c.person == person), key=lambda c: (c.made, c.id)
        )

    def name(self, key: str | None) -> str:
        if key is None:
            return "Unattributed"
        p = self.domain.people.get(key)
        return p.name if p else key

    def board(self, board_id: str) -> str:
        return self.domain.boards.get(board_id, board_id)

    def first_date(self) -> date | None:
        dates = [lu.date for lu in self.lunches] + [f.date for f in self.feedback]
        dates += [g.created for g in self.goals] + [c.made for c in self.commitments]
        return min(dates) if dates else None

    def evidence(self, f: FeedbackEntry) -> Evidence:
        lunch = self.lunch_by_id.get(f.lunch_id) if f.lunch_id else None
        comps = self.domain.competencies
        return Evidence(
            id=f.id,
            kind=f.kind,
            kind_label=KIND_LABELS.get(f.kind, f.kind.title()),
            date=f.date,
            text=f.text,
            by=self.name(f.by),
            by_key=f.by,
            about=self.name(f.about),
            url=f.card_url or (lunch.url if lunch else None),
            board=self.board(f.board_id),
            lunch_title=lunch.title if lunch else None,
            labels=[comps[k].name if k in comps else k for k in f.labels],
        )

    def goal_evidence(self, g: Goal) -> Evidence:
        achieved = to_local_date(g.achieved_at, self.tz) or g.created
        comps = self.domain.competencies
        return Evidence(
            id=g.id,
            kind="goal",
            kind_label=KIND_LABELS["goal"],
            date=achieved,
            text=g.title,
            by=", ".join(self.name(o) for o in g.owners),
            by_key=None,
            about=self.name(self.person),
            url=g.url,
            board=self.board(g.board_id),
            lunch_title=None,
            labels=[comps[k].name if k in comps else k for k in g.labels],
        )

    def goal_state(self, g: Goal, on: date) -> str:
        """open | achieved | dropped as seen at the end of day `on`."""
        achieved = to_local_date(g.achieved_at, self.tz)
        dropped = to_local_date(g.dropped_at, self.tz)
        if g.status == "achieved" and (achieved is None or achieved <= on):
            return "achieved"
        if g.status == "dropped" and (dropped is None or dropped <= on):
            return "dropped"
        return "open"

    def goal_view(self, g: Goal) -> GoalView:
        achieved = to_local_date(g.achieved_at, self.tz) if g.status == "achieved" else None
        dropped = to_local_date(g.dropped_at, self.tz) if g.status == "dropped" else None
        status = self.goal_state(g, self.as_of)
        slip: int | None = None
        if g.due is None:
            slip_label = "no target date"
        elif status == "achieved" and achieved is not None:
            slip = (achieved - g.due).days
            if slip > 0:
                slip_label = f"achieved {_plural(slip, 'day')} after target"
            elif slip < 0:
                slip_label = f"achieved {_plural(-slip, 'day')} ahead of target"
            else:
                slip_label = "achieved on the target date"
        elif status == "dropped":
            slip_label = f"dropped on {format_date(dropped)}" if dropped else "dropped"
        elif self.as_of > g.due:
            slip = (self.as_of - g.due).days
            slip_label = f"overdue by {_plural(slip, 'day')}"
        else:
            slip_label = f"due in {_plural((g.due - self.as_of).days, 'day')}"
        krs = [
            KeyResultView(
                name=k.name,
                done=k.done,
                completed_on=to_local_date(k.completed_at, self.tz),
                due_on=to_local_date(k.due, self.tz),
            )
            for k in g.key_results
        ]
        comps = self.domain.competencies
        return GoalView(
            id=g.id,
            title=g.title,
            description=g.description,
            status=status,
            status_label=STATUS_LABELS[status],
            created=g.created,
            due=g.due,
            achieved_on=achieved,
            dropped_on=dropped,
            slip_days=slip,
            slip_label=slip_label,
            key_results=krs,
            kr_done=sum(1 for k in krs if k.done),
            kr_total=len(krs),
            labels=[comps[k].name if k in comps else k for k in g.labels],
            url=g.url,
            board=self.board(g.board_id),
            anchor=f"goal-{slug(g.id)}",
        )

    def commitment_status(self, c: Commitment, on: date) -> str:
        """kept | late | broken | open at the end of day `on` (completion after `on` is not yet known)."""
        done = to_local_date(c.completed_at, self.tz)
        if done is not None and done <= on:
            return "kept" if c.deadline is None or done <= c.deadline else "late"
        if c.deadline is not None and on > c.deadline:
            return "broken"
        return "open"

    def commitment_view(self, c: Commitment) -> CommitmentView:
        status = self.commitment_status(c, self.as_of)
        overdue = (self.as_of - c.deadline).days if status == "broken" and c.deadline else None
        return CommitmentView(
            id=c.id,
            text=c.text,
            person=self.name(c.person),
            made=c.made,
            deadline=c.deadline,
            completed_on=to_local_date(c.completed_at, self.tz),
            status=status,
            status_label=STATUS_LABELS[status],
            days_overdue=overdue,
            url=c.url,
            board=self.board(c.board_id),
        )


def resolve_period(
    domain: Domain, person: str, period_from: date | None, period_to: date | None, as_of: date, tz: str = "UTC"
) -> Period:
    """The inclusive period: missing ends default to the person's first data and to `as_of`."""
    end = period_to or as_of
    start = period_from
    if start is None:
        first = _Selection(domain, person, ZoneInfo(tz), as_of).first_date()
        start = min(first, end) if first else end
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    return Period(start, end)


def compute_figures(sel: _Selection, period: Period, interval_days: int = 14) -> Figures:
    """Goals set/achieved/open/overdue/dropped, keep rate and lunch cadence for a period."""
    fig = Figures()
    ref = min(period.end, sel.as_of)
    achieved_days: list[int] = []
    for g in sel.goals:
        if g.created in period:
            fig.goals_set += 1
        achieved = to_local_date(g.achieved_at, sel.tz)
        dropped = to_local_date(g.dropped_at, sel.tz)
        if g.status == "achieved" and achieved in period:
            fig.goals_achieved += 1
            achieved_days.append((achieved - g.created).days)
        if g.status == "dropped" and dropped in period:
            fig.goals_dropped += 1
        if g.created <= period.end and sel.goal_state(g, period.end) == "open":
            fig.goals_open += 1
            if g.due is not None and g.due < ref:
                fig.goals_overdue += 1
    if achieved_days:
        fig.median_days_to_achieve = float(statistics.median(achieved_days))
    for c in sel.commitments:
        if c.deadline is None or c.deadline not in period:
            continue
        status = sel.commitment_status(c, sel.as_of)
        if status == "open":
            continue  # not due yet as of the report date
        fig.commitments_due += 1
        if status == "kept":
            fig.commitments_kept += 1
        elif status == "late":
            fig.commitments_late += 1
        else:
            fig.commitments_broken += 1
    if fig.commitments_due:
        fig.keep_rate = fig.commitments_kept / fig.commitments_due
    dates = sorted({lu.date for lu in sel.lunches if lu.date in period})
    fig.lunches_held = len(dates)
    fig.lunches_target = max(1, round(period.days / interval_days))
    if len(dates) > 1:
        intervals = [(b - a).days for a, b in zip(dates, dates[1:], strict=False)]
        fig.mean_interval_days = round(sum(intervals) / len(intervals), 1)
        tolerance = math.floor(interval_days * 1.5)
        fig.gaps = [Gap(a, b, (b - a).days) for a, b in zip(dates, dates[1:], strict=False) if (b - a).days > tolerance]
    past = [lu.date for lu in sel.lunches if lu.date <= sel.as_of]
    if past:
        fig.last_lunch = past[-1]
        fig.days_since_last_lunch = (sel.as_of - past[-1]).days
    return fig


def _cover(
    sel: _Selection, period: Period, title: str, subtitle: str, opts: ContextOptions, as_of: date
) -> Cover:
    board_ids = {lu.board_id for lu in sel.lunches} | {g.board_id for g in sel.goals}
    board_ids |= {f.board_id for f in sel.feedback}
    generated = opts.generated_at or datetime.now(timezone.utc)
    return Cover(
        title=title,
        subtitle=subtitle,
        person=sel.name(sel.person),
        person_key=sel.person,
        period=period,
        boards=sorted(sel.board(b) for b in board_ids),
        as_of=as_of,
        synced_at=format_datetime(sel.domain.synced_at, sel.tz),
        generated_at=format_datetime(generated, sel.tz),
        generated_by=opts.generated_by,
        confidentiality=opts.confidentiality,
        timezone=opts.timezone,
    )


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _focus_threads(sel: _Selection, period: Period | None, as_of: date) -> list[FocusThread]:
    """Each focus point about the person (repeats merged), with what followed it on the same board."""
    obs_by_board: dict[str, list[FeedbackEntry]] = defaultdict(list)
    best_by_board: dict[str, list[FeedbackEntry]] = defaultdict(list)
    focus_by_board: dict[str, list[FeedbackEntry]] = defaultdict(list)
    for f in sel.feedback:  # sorted by date
        if f.date > as_of:
            continue
        if f.kind == "observation":
            obs_by_board[f.board_id].append(f)
        elif f.kind == "best":
            best_by_board[f.board_id].append(f)
        elif f.kind == "focus":
            focus_by_board[f.board_id].append(f)
    threads: list[FocusThread] = []
    for board_id, points in focus_by_board.items():
        # The same focus point is often carried from lunch to lunch: one thread per (author, wording).
        groups: dict[tuple[str | None, str], list[FeedbackEntry]] = {}
        for fp in points:
            groups.setdefault((fp.by, _norm(fp.text)), []).append(fp)
        last_by_author: dict[str | None, list[tuple[date, str]]] = defaultdict(list)
        for (by, key), items in groups.items():
            last_by_author[by].append((items[0].date, key))
        obs = obs_by_board.get(board_id, [])
        obs_dates = [o.date for o in obs]
        bests = best_by_board.get(board_id, [])
        best_dates = [b.date for b in bests]
        for (by, key), items in groups.items():
            first, last = items[0], items[-1]
            # Current until the same author raises a different focus point after this one's last mention.
            newer = [d for d, k in last_by_author[by] if k != key and d > last.date]
            until = min(newer) if newer else None
            if period is not None and not (
                any(i.date in period for i in items) or (first.date < period.start and (until is None or until >= period.start))
            ):
                continue
            lo = bisect_left(obs_dates, first.date)
            hi = bisect_left(obs_dates, until) if until else len(obs)
            window = obs[lo:hi]
            theme_words = _words(first.text)
            theme_labels = set(first.labels)
            later = [
                b
                for b in bests[bisect_right(best_dates, first.date) :]
                if (theme_labels & set(b.labels)) or (theme_words & _words(b.text))
            ]
            shown = window[-MAX_OBSERVATIONS_PER_FOCUS:]
            threads.append(
                FocusThread(
                    focus=sel.evidence(first),
                    observations=[sel.evidence(o) for o in shown],
                    later_best=[sel.evidence(b) for b in later[:3]],
                    current=until is None,
                    more_observations=len(window) - len(shown),
                    mentions=len(items),
                    last_mentioned=last.date,
                )
            )
    threads.sort(key=lambda t: (t.focus.date, t.focus.id))
    return threads[-MAX_FOCUS_THREADS:]


def _cadence_chart(sel: _Selection, period: Period, interval_days: int) -> Chart:
    months = _months_between(period.start, period.end)[-MAX_CONSISTENCY_MONTHS:]
    counts = {m: 0 for m in months}
    for lu in sel.lunches:
        if lu.date in period and _month_key(lu.date) in counts:
            counts[_month_key(lu.date)] += 1
    target = round(30.44 / interval_days, 2)
    return Chart(
        kind="cadence",
        title="Lunches per month",
        x_labels=[_month_label(m) for m in months],
        series=[("Lunches held", [float(counts[m]) for m in months]), ("Target", [target for _ in months])],
    )


def _goal_progress_chart(sel: _Selection, period: Period) -> Chart:
    months = _months_between(period.start, period.end)[-MAX_CONSISTENCY_MONTHS:]
    set_counts: list[float | None] = []
    achieved_counts: list[float | None] = []
    kr_counts: list[float | None] = []
    for m in months:
        y, mo = (int(x) for x in m.split("-"))
        end = (date(y + (mo == 12), mo % 12 + 1, 1) - timedelta(days=1))
        end = min(end, period.end)
        set_counts.append(float(sum(1 for g in sel.goals if period.start <= g.created <= end)))
        achieved_counts.append(
            float(sum(1 for g in sel.goals if g.status == "achieved" and period.start <= (to_local_date(g.achieved_at, sel.tz) or date.max) <= end))
        )
        kr_counts.append(
            float(
                sum(
                    1
                    for g in sel.goals
                    for k in g.key_results
                    if k.done and period.start <= (to_local_date(k.completed_at, sel.tz) or date.max) <= end
                )
            )
        )
    return Chart(
        kind="goal_progress",
        title="Goal progress (cumulative)",
        x_labels=[_month_label(m) for m in months],
        series=[("Goals set", set_counts), ("Goals achieved", achieved_counts), ("Key results done", kr_counts)],
    )


def _lunch_log(sel: _Selection, period: Period, include_worst: bool) -> tuple[list[LunchView], int]:
    lunches = [lu for lu in sel.lunches if lu.date in period]
    shown = lunches[-MAX_LUNCH_LOG:]
    ids = {lu.id for lu in shown}
    per_lunch: dict[str, list[FeedbackEntry]] = defaultdict(list)
    for f in sel.feedback:
        if f.lunch_id in ids:
            per_lunch[f.lunch_id].append(f)
    commitments: dict[str, int] = defaultdict(int)
    for c in sel.commitments:
        if c.lunch_id in ids:
            commitments[c.lunch_id] += 1
    rows = []
    for lu in shown:
        entries = per_lunch.get(lu.id, [])
        others = [sel.name(p) for p in lu.participants if p != sel.person]
        rows.append(
            LunchView(
                date=lu.date,
                title=lu.title,
                with_names=", ".join(others) or "—",
                board=lu.board_name or sel.board(lu.board_id),
                url=lu.url,
                best=[sel.evidence(f) for f in entries if f.kind == "best"],
                worst=[sel.evidence(f) for f in entries if f.kind == "worst"] if include_worst else [],
                focus=[sel.evidence(f) for f in entries if f.kind == "focus"],
                observations=sum(1 for f in entries if f.kind == "observation"),
                commitments=commitments.get(lu.id, 0),
            )
        )
    return rows, len(lunches) - len(shown)


# ---------------------------------------------------------------------------------------------------
# Goal-achievement report


@dataclass
class GoalsContext:
    """Everything goals.html reads."""

    kind: str
    cover: Cover
    empty: bool
    empty_message: str
    figures: Figures
    charts: list[Chart]
    goals: list[GoalView]
    commitments: list[CommitmentView]
    commitments_more: int
    focus_threads: list[FocusThread]
    lunch_log: list[LunchView]
    lunch_log_more: int
    history_gaps: list[str]
    sources: list[Evidence]
    toc: list[tuple[str, str]]


def build_goals_context(
    domain: Domain, person: str, period: Period, as_of: date, opts: ContextOptions
) -> GoalsContext:
    """The goal-achievement report: figures, goals, commitments, focus points, lunch log, provenance."""
    tz = ZoneInfo(opts.timezone)
    sel = _Selection(domain, person, tz, as_of)
    figures = compute_figures(sel, period, opts.lunch_interval_days)
    goals = [
        sel.goal_view(g)
        for g in sel.goals
        if g.created <= period.end and sel.goal_state(g, period.start - timedelta(days=1)) == "open"
    ]
    commitments_all = [
        c for c in sel.commitments if c.made in period or (c.deadline is not None and c.deadline in period)
    ]
    commitments = [sel.commitment_view(c) for c in commitments_all[-MAX_COMMITMENT_ROWS:]]
    threads = _focus_threads(sel, period, min(period.end, as_of))
    log, log_more = _lunch_log(sel, period, include_worst=True)
    activity = [g for g in sel.goals if g.created in period]
    activity += [g for g in sel.goals if to_local_date(g.achieved_at, tz) in period or to_local_date(g.dropped_at, tz) in period]
    empty = not (activity or commitments or log or any(f.date in period for f in sel.feedback))
    sources: list[Evidence] = []
    seen: set[str] = set()
    for item in [t.focus for t in threads] + [o for t in threads for o in t.observations]:
        if item.id not in seen:
            seen.add(item.id)
            sources.append(item)
    sources.sort(key=lambda e: (e.date, e.id))
    for i, s in enumerate(sources, 1):
        s.ref = i
    cover = _cover(sel, period, "Goal-achievement report", "Goals, commitments and feedback lunches", opts, as_of)
    toc = [
        ("summary", "Summary"),
        ("goals", "Goals"),
        ("commitments", "Commitments"),
        ("focus", "Focus points and observations"),
        ("lunches", "Lunch log"),
        ("provenance", "Provenance"),
    ]
    return GoalsContext(
        kind="goals",
        cover=cover,
        empty=empty,
        empty_message=f"No lunches, feedback, goal activity or commitments for {cover.person} in {period.label}.",
        figures=figures,
        charts=[_goal_progress_chart(sel, period), _cadence_chart(sel, period, opts.lunch_interval_days)],
        goals=goals,
        commitments=commitments,
        commitments_more=len(commitments_all) - len(commitments),
        focus_threads=threads,
        lunch_log=log,
        lunch_log_more=log_more,
        history_gaps=list(domain.history_gaps),
        sources=sources,
        toc=toc,
    )


# ---------------------------------------------------------------------------------------------------
# Promotion dossier


@dataclass
class EvidenceSection:
    """Evidence for one competency or ladder criterion."""

    key: str
    name: str
    description: str
    items: list[Evidence]
    total: int
    lunches: int
    months: int
    people: int
    first: date | None
    last: date | None
    month_marks: list[bool]  # one per month of `DossierContext.months`, True = evidence that month

    @property
    def anchor(self) -> str:
        """HTML id of the section."""
        return f"comp-{slug(self.key)}"

    @property
    def recurring(self) -> bool:
        """Seen at three or more lunches across at least two months."""
        return self.lunches >= 3 and self.months >= 2


@dataclass
class PeerVoice:
    """What one peer said about the candidate."""

    name: str
    count: int
    first: date
    last: date
    boards: list[str]
    quotes: list[Evidence]


@dataclass
class Claim:
    """A summary sentence with the anchor of its evidence."""

    text: str
    href: str


@dataclass
class DossierContext:
    """Everything dossier.html reads."""

    kind: str
    cover: Cover
    empty: bool
    empty_message: str
    figures: Figures
    claims: list[Claim]
    by_criterion: bool
    sections: list[EvidenceSection]
    months: list[str]
    consistency: list[EvidenceSection]
    goals_achieved: list[GoalView]
    growth: list[FocusThread]
    peers: list[PeerVoice]
    open_focus: list[FocusThread]
    broken_commitments: list[CommitmentView]
    overdue_goals: list[GoalView]
    worst_moments: list[Evidence]
    include_worst_moments: bool
    sources: list[Evidence]
    history_gaps: list[str]
    toc: list[tuple[str, str]]


def _criterion_matcher(crit: Criterion, domain: Domain) -> tuple[set[str], re.Pattern[str] | None]:
    wanted = {c.lower() for c in crit.competencies}
    keys = {k for k, comp in domain.competencies.items() if k.lower() in wanted or comp.name.lower() in wanted}
    keys |= {c for c in crit.competencies if c.lower() in wanted}  # labels nobody mapped still match by key
    pattern = None
    if crit.keywords:
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in crit.keywords) + r")", re.IGNORECASE)
    return keys, pattern


def build_dossier_context(
    domain: Domain,
    person: str,
    period: Period,
    as_of: date,
    opts: ContextOptions,
    ladder: Ladder | None = None,
) -> DossierContext:
    """The promotion dossier: evidence per competency/criterion, consistency, growth, peers, concerns."""
    tz = ZoneInfo(opts.timezone)
    sel = _Selection(domain, person, tz, as_of)
    figures = compute_figures(sel, period, opts.lunch_interval_days)
    positive = [f for f in sel.feedback if f.date in period and f.kind in ("best", "observation")]
    months = _months_between(period.start, period.end)[-MAX_CONSISTENCY_MONTHS:]
    month_index = {m: i for i, m in enumerate(months)}
    achieved_goals = [
        g for g in sel.goals if g.status == "achieved" and to_local_date(g.achieved_at, tz) in period
    ]

    # Bucket the evidence.
    buckets: list[tuple[str, str, str, list[FeedbackEntry], list[Goal]]] = []
    if ladder is not None:
        claimed: set[str] = set()
        for crit in ladder.criteria:
            keys, pattern = _criterion_matcher(crit, domain)
            entries = [
                f for f in positive if (keys & set(f.labels)) or (pattern is not None and pattern.search(f.text))
            ]
            goals = [
                g for g in achieved_goals if (keys & set(g.labels)) or (pattern is not None and pattern.search(g.title))
            ]
            claimed |= {f.id for f in entries}
            buckets.append((crit.key, crit.name, crit.description, entries, goals))
        rest = [f for f in positive if f.id not in claimed]
        buckets.append(("unmatched", "Not matched to a criterion", "Positive evidence no criterion's competencies or keywords matched.", rest, []))
    else:
        by_comp: dict[str, list[FeedbackEntry]] = defaultdict(list)
        unlabelled: list[FeedbackEntry] = []
        for f in positive:
            known = [k for k in f.labels]
            for k in known:
                by_comp[k].append(f)
            if not known:
                unlabelled.append(f)
        goals_by_comp: dict[str, list[Goal]] = defaultdict(list)
        for g in achieved_goals:
            for k in g.labels:
                goals_by_comp[k].append(g)
        keys = sorted(set(by_comp) | set(goals_by_comp), key=lambda k: (-len(by_comp.get(k, [])), k))
        for k in keys:
            comp = domain.competencies.get(k)
            buckets.append((k, comp.name if comp else k, "", by_comp.get(k, []), goals_by_comp.get(k, [])))
        if unlabelled:
            buckets.append(("unlabelled", "Other evidence (no competency label)", "Evidence whose card carries no competency label.", unlabelled, []))

    cited: dict[str, Evidence] = {}

    def cite(e: Evidence) -> Evidence:
        return cited.setdefault(f"{e.kind}:{e.id}", e)

    sections: list[EvidenceSection] = []
    for key, name, description, entries, goals in buckets:
        entries = sorted(entries, key=lambda f: (f.date, f.id))
        marks = [False] * len(months)
        for f in entries:
            i = month_index.get(_month_key(f.date))
            if i is not None:
                marks[i] = True
        items = [cite(sel.evidence(f)) for f in _spread(entries, MAX_EVIDENCE_PER_SECTION)]
        items += [cite(sel.goal_evidence(g)) for g in goals[:MAX_EVIDENCE_PER_SECTION]]
        items.sort(key=lambda e: (e.date, e.id))
        dates = [f.date for f in entries] + [to_local_date(g.achieved_at, tz) or g.created for g in goals]
        sections.append(
            EvidenceSection(
                key=key,
                name=name,
                description=description,
                items=items,
                total=len(entries) + len(goals),
                lunches=len({f.lunch_id or f.id for f in entries}),
                months=len({_month_key(f.date) for f in entries}),
                people=len({f.by for f in entries if f.by}),
                first=min(dates) if dates else None,
                last=max(dates) if dates else None,
                month_marks=marks,
            )
        )
    consistency = sorted(
        (s for s in sections if s.total and s.key not in ("unmatched", "unlabelled")),
        key=lambda s: (-s.months, -s.lunches, s.name),
    )

    goal_views = [sel.goal_view(g) for g in achieved_goals]
    threads = _focus_threads(sel, period, min(period.end, as_of))
    for t in threads:
        t.focus = cite(t.focus)
        t.observations = [cite(o) for o in t.observations]
        t.later_best = [cite(b) for b in t.later_best]
    growth = [t for t in threads if t.observations or t.later_best]

    # Peer voices.
    by_peer: dict[str, list[FeedbackEntry]] = defaultdict(list)
    for f in positive:
        if f.by and f.by != person:
            by_peer[f.by].append(f)
    peers = [
        PeerVoice(
            name=sel.name(k),
            count=len(v),
            first=v[0].date,
            last=v[-1].date,
            boards=sorted({sel.board(f.board_id) for f in v}),
            quotes=[cite(sel.evidence(f)) for f in v[-MAX_PEER_QUOTES:]],
        )
        for k, v in sorted(by_peer.items(), key=lambda kv: (-len(kv[1]), sel.name(kv[0])))
    ]

    open_focus = [t for t in threads if t.current]
    commitments = [sel.commitment_view(c) for c in sel.commitments if c.deadline is not None and c.deadline in period]
    broken = [c for c in commitments if c.status == "broken"][-MAX_COMMITMENT_ROWS:]
    overdue = [
        sel.goal_view(g)
        for g in sel.goals
        if g.created <= period.end and sel.goal_state(g, as_of) == "open" and g.due is not None and g.due < min(period.end, as_of)
    ]
    worst: list[Evidence] = []
    if opts.include_worst_moments:
        worst = [cite(sel.evidence(f)) for f in sel.feedback if f.kind == "worst" and f.date in period][-MAX_EVIDENCE_PER_SECTION:]

    sources = sorted(cited.values(), key=lambda e: (e.date, e.kind, e.id))
    for i, s in enumerate(sources, 1):
        s.ref = i

    # Summary claims, each pointing at its evidence.
    claims: list[Claim] = []
    people_count = len({f.by for f in positive if f.by and f.by != person})
    if positive:
        claims.append(
            Claim(
                f"{_plural(len(positive), 'dated piece')} of positive evidence from {_plural(people_count, 'colleague')} "
                f"across {_plural(len({_month_key(f.date) for f in positive}), 'month')} "
                f"({format_date(positive[0].date)} – {format_date(positive[-1].date)}).",
                "#evidence",
            )
        )
    for s in consistency[:3]:
        claims.append(
            Claim(
                f"{s.name}: {_plural(s.total, 'item')} at {_plural(s.lunches, 'lunch', 'lunches')} in "
                f"{_plural(s.months, 'month')}, from {_plural(s.people, 'person', 'people')}"
                + (" — a recurring strength." if s.recurring else "."),
                f"#{s.anchor}",
            )
        )
    if goal_views:
        median = figures.median_days_to_achieve
        claims.append(
            Claim(
                f"Achieved {_plural(len(goal_views), 'goal')} in the period"
                + (f", a median of {median:g} days from setting to achieving." if median is not None else "."),
                "#goals",
            )
        )
    if figures.keep_rate is not None:
        claims.append(
            Claim(
                f"Kept {figures.commitments_kept} of the {figures.commitments_due} commitments due in the period on time "
                f"({round(figures.keep_rate * 100)}%).",
                "#goals",
            )
        )
    if growth:
        with_best = sum(1 for t in growth if t.later_best)
        claims.append(
            Claim(
                f"{_plural(len(growth), 'focus point')} followed up with observations; "
                f"{with_best} later showed up as best moments.",
                "#growth",
            )
        )

    ladder_name = ladder.name if ladder else None
    cover = _cover(sel, period, "Promotion dossier", "Dated, attributed evidence", opts, as_of)
    cover.target_level = ladder.level if ladder and ladder.level else None
    cover.ladder_name = ladder_name
    empty = not (positive or achieved_goals)
    toc = [
        ("summary", "Summary"),
        ("evidence", "Evidence by " + ("criterion" if ladder else "competency")),
        ("consistency", "Consistency over time"),
        ("goals", "Goals achieved"),
        ("growth", "Growth arc"),
        ("peers", "Peer voices"),
        ("concerns", "Concerns and open focus points"),
        ("sources", "Sources"),
    ]
    return DossierContext(
        kind="dossier",
        cover=cover,
        empty=empty,
        empty_message=f"No lunches, feedback or achieved goals for {cover.person} in {period.label}.",
        figures=figures,
        claims=claims,
        by_criterion=ladder is not None,
        sections=sections,
        months=[_month_label(m) for m in months],
        consistency=consistency,
        goals_achieved=goal_views,
        growth=growth,
        peers=peers,
        open_focus=open_focus,
        broken_commitments=broken,
        overdue_goals=overdue,
        worst_moments=worst,
        include_worst_moments=opts.include_worst_moments,
        sources=sources,
        history_gaps=list(domain.history_gaps),
        toc=toc,
    )


# ---------------------------------------------------------------------------------------------------
# Conversation brief


@dataclass
class BriefContext:
    """Everything brief.html reads."""

    kind: str
    cover: Cover
    empty: bool
    empty_message: str
    last_lunch: Lunch | None
    last_lunch_with: str
    next_lunch_due: date | None
    days_since_last_lunch: int | None
    questions: list[str]
    open_commitments: list[CommitmentView]
    overdue_commitments: list[CommitmentView]
    overdue_more: int
    done_since: list[CommitmentView]
    focus: FocusThread | None
    other_focus: list[FocusThread]
    last_best: Evidence | None
    last_worst: Evidence | None
    since_last: list[Evidence]
    goals_near: list[GoalView]
    figures: Figures
    toc: list[tuple[str, str]]


def build_brief_context(domain: Domain, person: str, as_of: date, opts: ContextOptions) -> BriefContext:
    """The conversation brief: what to follow up on at the next lunch, as of `as_of`."""
    tz = ZoneInfo(opts.timezone)
    sel = _Selection(domain, person, tz, as_of)
    past = [lu for lu in sel.lunches if lu.date <= as_of]
    last = past[-1] if past else None
    since = last.date if last else None
    first = sel.first_date() or as_of
    period = Period(min(first, as_of), as_of)
    figures = compute_figures(sel, Period(max(period.start, as_of - timedelta(days=90)), as_of), opts.lunch_interval_days)

    views = [sel.commitment_view(c) for c in sel.commitments if c.made <= as_of]
    open_c = sorted((c for c in views if c.status == "open"), key=lambda c: (c.deadline or date.max, c.made))
    overdue_all = sorted((c for c in views if c.status == "broken"), key=lambda c: c.deadline or date.min, reverse=True)
    overdue = overdue_all[:5]
    done_since = [
        c for c in views if c.completed_on is not None and since is not None and since <= c.completed_on <= as_of
    ][-MAX_BRIEF_ITEMS:]

    threads = _focus_threads(sel, None, as_of)
    current = [t for t in threads if t.current]
    focus = current[-1] if current else None
    if focus is not None and len(focus.observations) > 3:
        focus.more_observations += len(focus.observations) - 3
        focus.observations = focus.observations[-3:]
    other_focus = current[:-1][-3:]
    known = [f for f in sel.feedback if f.date <= as_of]
    bests = [f for f in known if f.kind == "best"]
    worsts = [f for f in known if f.kind == "worst"]
    in_focus = {o.id for o in focus.observations} if focus else set()
    since_last = [
        sel.evidence(f)
        for f in known
        if f.kind == "observation" and since is not None and f.date >= since and f.id not in in_focus
    ]
    goals_near = [
        sel.goal_view(g)
        for g in sel.goals
        if sel.goal_state(g, as_of) == "open" and g.due is not None and g.due <= as_of + timedelta(days=GOAL_NEAR_DAYS)
    ]
    goals_near.sort(key=lambda g: g.due or date.max)

    questions: list[str] = []
    for c in overdue[:3]:
        questions.append(f"You said you would {_lower_first(c.text)} by {format_date(c.deadline)}: how did it go?")
    for c in open_c[:3]:
        if c.deadline is not None and c.deadline <= as_of + timedelta(days=opts.lunch_interval_days):
            when = "today" if c.deadline == as_of else format_date(c.deadline)
            questions.append(f"You said you would {_lower_first(c.text)} by {when}: how is it going?")
    if focus is not None:
        questions.append(
            f"Your focus point since {format_date(focus.focus.date)} is “{focus.focus.text.strip().rstrip('.')}”: "
            "what have you tried, and what got in the way?"
        )
    for g in goals_near[:2]:
        progress = f" with {g.kr_done} of {g.kr_total} key results done" if g.kr_total else ""
        verb = "was due" if g.due and g.due < as_of else "is due"
        questions.append(f"“{g.title}” {verb} {format_date(g.due)}{progress}: what is left, and what would help?")
    for c in done_since[-1:]:
        questions.append(f"You did {_lower_first(c.text)} ({format_date(c.completed_on)}): what did you learn?")

    cover = _cover(sel, period, "Conversation brief", "For the next feedback lunch", opts, as_of)
    empty = last is None and not (views or sel.goals or known)
    return BriefContext(
        kind="brief",
        cover=cover,
        empty=empty,
        empty_message=f"No lunches, commitments or goals recorded for {cover.person} up to {format_date(as_of)}.",
        last_lunch=last,
        last_lunch_with=", ".join(sel.name(p) for p in last.participants if p != person) if last else "",
        next_lunch_due=(last.date + timedelta(days=opts.lunch_interval_days)) if last else None,
        days_since_last_lunch=(as_of - last.date).days if last else None,
        questions=questions[:MAX_BRIEF_ITEMS],
        open_commitments=open_c[:MAX_BRIEF_ITEMS],
        overdue_commitments=overdue,
        overdue_more=len(overdue_all) - len(overdue),
        done_since=done_since,
        focus=focus,
        other_focus=other_focus,
        last_best=sel.evidence(bests[-1]) if bests else None,
        last_worst=sel.evidence(worsts[-1]) if worsts else None,
        since_last=since_last[-MAX_BRIEF_ITEMS:],
        goals_near=goals_near[:MAX_BRIEF_ITEMS],
        figures=figures,
        toc=[
            ("questions", "Follow-up questions"),
            ("commitments", "Commitments"),
            ("focus", "Focus point"),
            ("moments", "Last best and worst moment"),
            ("goals", "Goals near their target"),
        ],
    )


def person_figures(
    domain: Domain, person: str, *, as_of: date | None = None, timezone: str = "UTC", interval_days: int = 14
) -> Figures:
    """The summary figures of a person over all their data up to `as_of` (default: today)."""
    as_of = as_of or date.today()
    period = resolve_period(domain, person, None, None, as_of, timezone)
    return compute_figures(_Selection(domain, person, ZoneInfo(timezone), as_of), period, interval_days)


def known_people(domain: Domain) -> list[str]:
    """Keys of the people a report can be made for (mapped people first, then anyone else seen)."""
    keys = [k for k, p in domain.people.items() if p.mapped]
    return keys + [k for k in domain.people if k not in keys]


def iter_dates(items: Iterable[Evidence]) -> list[date]:
    """The dates of a list of evidence (handy in tests)."""
    return [e.date for e in items]
