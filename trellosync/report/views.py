"""The plain data the templates read: periods, figures and views of evidence, goals, commitments, meetings.

Data only: no sentence a reader sees is built here (the templates word everything, see
templates/macros.html), so a template override can reword any report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from datetime import date, datetime

from trellosync.config.settings import DEFAULT_CONFIDENTIALITY, DEFAULT_TIMEZONE
from trellosync.domain.judge import Gap  # a pair's gap is the domain's record, not a copy


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


@dataclass
class ContextOptions:
    """What the context builders need to know besides the domain."""

    timezone: str = DEFAULT_TIMEZONE
    include_worst_moments: bool = False
    confidentiality: str = DEFAULT_CONFIDENTIALITY
    generated_by: str = "trellosync"
    generated_at: datetime | None = None
    peer: str | None = None  # the brief's --with
    people: tuple[str, ...] = ()  # the showcase's team (default: the report's person)
    board: str | None = None  # the brief's --board: which pair or group
    unmarked_boards: frozenset[str] = (
        frozenset()
    )  # board ids whose mapping puts unmarked observations in dossiers


@dataclass
class ReplyView:
    """The subject's reply to an entry, printed beside every quote of it ("Will Smith replied, 12 Nov: ...")."""

    text: str
    date: date
    by: str  # display name


@dataclass
class Evidence:
    """One dated entry, with who said it (when known), the meeting it comes from and its card."""

    id: str
    kind: str  # best | worst | focus | observation | goal
    polarity: str  # positive | negative | development | neutral
    date: date
    text: str
    said_by: str | None  # display name, only when Trello or the mapping records the author
    said_by_source: str  # trello | mapping | unknown
    voice: str  # peer | self | unknown: the author against the subject
    about: str
    meeting_date: dt.date | None  # dt.: the field `date` above shadows the type in this class
    meeting_with: list[str]  # the other people at that meeting, for "at the lunch of ... with ..."
    board: str
    pair: str  # board id: the pair (or group) this entry belongs to
    url: str | None
    competency: str | None  # display name of the one competency it is evidence for
    competency_key: str | None
    outcome: bool = False  # an achieved goal or an entry that names a result
    ref: int = 0  # number in the sources appendix (0 = not cited)
    repeat: bool = False  # already quoted earlier in this report: show the reference only
    reply: ReplyView | None = None  # the subject's reply, shown beside the quote (never evidence itself)
    meeting_kind: str | None = None  # the kind of that meeting (domain/meetings.py), None without one

    @property
    def anchor(self) -> str:
        """Id of this item's row in the sources appendix."""
        return f"src-{self.ref}"

    @property
    def key(self) -> str:
        """Identity across views (an entry id and a goal id never collide through the kind prefix)."""
        return f"{self.kind}:{self.id}"


@dataclass
class PairFigures:
    """Cadence of one pair or group (one board): meetings held against that board's interval."""

    board: str
    board_id: str
    with_names: list[str]
    every_days: int
    held: int
    expected: int
    mean_interval_days: float | None
    gaps: list[Gap]
    last_meeting: date | None
    subject: bool = True  # False when the person attends but the meetings are about someone else
    counted_to: date | None = (
        None  # the day it is counted up to: the as-of date, or the board's earlier last sync
    )
    kind: str = (
        "lunch"  # what its meetings are (domain/meetings.py): lunch | group_meeting | check_in | team_lunch
    )


@dataclass
class MeetingCount:
    """Meetings of one kind (pair lunches, group meetings, check-ins or team lunches), summed over boards."""

    kind: str
    held: int
    expected: int
    boards: int
    counted_early: int  # boards counted only to their own earlier last sync


@dataclass
class Figures:
    """The summary numbers of a person's period, all as of one date."""

    as_of: date
    goals_set: int = 0
    goals_achieved: int = 0
    goals_achieved_undated: int = 0
    goals_open: int = 0
    goals_overdue: int = 0
    goals_dropped: int = 0
    median_days_to_achieve: float | None = None
    commitments_due: int = 0
    commitments_kept: int = 0
    commitments_late: int = 0
    commitments_broken: int = 0
    commitments_undated: int = 0
    keep_rate: float | None = None
    lunches_held: int = 0  # pair lunches only: group meetings, check-ins and team lunches are in `meetings`
    lunches_expected: int = 0
    meetings: list[MeetingCount] = field(default_factory=list)  # one per kind of meeting the person had
    pairs: list[PairFigures] = field(default_factory=list)
    last_lunch: date | None = None  # the last pair lunch, like `lunches_held`
    days_since_last_lunch: int | None = None

    @property
    def keep_rate_label(self) -> str:
        """`75% (6 of 8)` for terminal summaries (the reports word it in templates)."""
        if self.keep_rate is None:
            return "—"
        return f"{round(self.keep_rate * 100)}% ({self.commitments_kept} of {self.commitments_due})"


@dataclass
class KeyResultView:
    """A key result of a goal, dates in the report timezone, as of the report date."""

    name: str
    done: bool
    completed_on: date | None
    due_on: date | None


@dataclass
class GoalView:
    """A goal as of the report date; `slip` says how its outcome stands against its target date."""

    id: str
    title: str
    description: str
    status: str  # open | achieved | dropped
    created: date
    due: date | None
    achieved_on: date | None
    dropped_on: date | None
    slip: str  # ahead | on_time | late | overdue | due_in | no_target | undated | dropped | not_judged
    slip_days: int | None
    key_results: list[KeyResultView]
    kr_done: int
    kr_total: int
    competencies: list[str]
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
    status: str  # kept | late | broken | open | done_undated | renewed
    days_overdue: int | None
    url: str | None
    board: str
    pair: str
    judged_against: date | None = None  # a renewal is judged against its chain's first deadline
    renews: str | None = None  # the id of the commitment it made again
    renewed_by: str | None = None  # the id of the commitment that made it again


@dataclass
class FocusThread:
    """A focus point and its own thread: raised, restated, observations for and against, outcome."""

    focus: Evidence
    pair: str
    board: str
    mentions: int  # meetings at which it was (re)stated
    last_mentioned: date
    current: bool
    state: str  # open | resolved | relapsed
    closed_on: date | None
    observations_for: list[Evidence]  # praise after it was raised
    observations_against: list[Evidence]  # concerns after it was raised
    observations_other: list[Evidence]
    later_best: list[Evidence]
    keep_rate_before: float | None = None
    keep_rate_after: float | None = None
    more_observations: int = 0
    against_left_out: int = 0  # concerns counted but not quoted (the dossier without worst moments)
    other_left_out: int = 0  # unmarked observations counted but not quoted (the dossier fails closed)

    @property
    def observations(self) -> list[Evidence]:
        """All shown observations in date order."""
        items = self.observations_for + self.observations_against + self.observations_other
        return sorted(items, key=lambda e: (e.date, e.id))


@dataclass
class MeetingView:
    """One row of a pair's lunch log (a group's meeting log, a check-in log)."""

    date: date
    with_names: list[str]
    url: str | None
    best: list[Evidence]
    worst: list[Evidence]
    focus: list[Evidence]
    observations: int
    commitments: int
    focus_unchanged: bool = False
    kind: str = "lunch"  # the board's kind of meeting, as PairFigures.kind


@dataclass
class PairLog:
    """The meeting log of one pair or group, with its cadence."""

    figures: PairFigures
    meetings: list[MeetingView]
    more: int


@dataclass
class Cover:
    """What the cover and the PDF metadata say. `as_of` = min(period end, last sync)."""

    kind: str
    person: str
    person_key: str
    period: Period
    boards: list[str]
    as_of: date
    report_date: date
    synced_at: str
    synced_on: date | None
    generated_at: str
    generated_by: str
    confidentiality: str
    timezone: str
    target_level: str | None = None
    ladder_name: str | None = None
    data_from: date | None = None  # the retention policy removed what is older: the data starts on this day


@dataclass
class Chart:
    """Numbers for a chart; charts.py turns them into SVG, the template gives its title and legend words."""

    kind: str  # "cadence" | "goal_progress" | "reliability"
    title: str  # empty: the template words it
    x_labels: list[str]
    series: list[tuple[str, list[float | None]]]  # (series code, values)
    cut: bool = (
        False  # it starts after the period does (at most MAX_CHART_MONTHS are drawn): the template says so
    )
