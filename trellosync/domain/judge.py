"""One judgement of the domain as of a report date: every status, grade and figure a report states.

A report is built from one `Judgement`. It fixes the dates once:

- the *report date*: the day the reader asked about (the period's end; by default today);
- the *as-of date*: the earlier of the report date and the latest sync (what the cover states);
- each board's own cut-off: the earlier of the report date and *that board's* last sync. A board synced on
  4 Nov knows nothing of 5-13 Nov, so its deadlines, lunches and goals after its own sync are not judged.

Every goal, key result, commitment and promise status, each lunch counted and every figure goes through the
rules (`rules.py`, `promises.py`, `issues.py`) with those cut-offs, here and nowhere else: the report layer reads
this object and never calls a status or figure rule itself (an import-linter contract in pyproject.toml). A
status asked for an earlier day (a chart's month end, a period's start) is judged by the same rule with the
same per-board cut-off, so a chart, a table and a summary of one report cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from trellosync.domain import issues, meetings, next_lunch, promises, rules
from trellosync.domain.dates import local_date
from trellosync.domain.issues import Recurring
from trellosync.domain.model import Commitment, Domain, FeedbackEntry, Goal, KeyResult, Lunch
from trellosync.domain.practices import Practices, Promise
from trellosync.domain.promises import PromiseGrade, ReliabilityPoint
from trellosync.domain.rules import Cadence, Gap, KeepRate, PersonFigures

# The record types a report reads come through here, with the judgement that fills them.
__all__ = [
    "Cadence",
    "CommitmentJudgement",
    "Gap",
    "GoalJudgement",
    "Judgement",
    "KeepRate",
    "PersonFigures",
    "PromiseGrade",
    "Recurring",
    "ReliabilityPoint",
]


@dataclass(frozen=True)
class GoalJudgement:
    """A goal as of one day: its status, when it was achieved or dropped, its key results, its competencies."""

    status: str | None  # achieved | dropped | overdue | open; None: the goal did not exist yet
    achieved_on: date | None  # None when not achieved, or achieved on a day the history no longer holds
    dropped_on: date | None
    key_results_done: tuple[bool, ...]  # per key result, in order
    competencies: tuple[str, ...]  # competency keys, the one it is filed under first
    slip: str  # against its target date (rules.goal_slip): dropped | no_target | undated | late | ahead | ...
    slip_days: int | None

    @property
    def kr_done(self) -> int:
        """How many key results were done."""
        return sum(self.key_results_done)


@dataclass(frozen=True)
class CommitmentJudgement:
    """A commitment as of one day: kept | late | broken | open | done_undated | renewed, and how late."""

    status: str
    completed_on: date | None  # the day it was ticked, when kept or late
    days_overdue: int | None  # broken: days from the deadline to its board's cut-off
    # Renewal (domain/renewal.py): kept or late is judged against `judged_against`, the first deadline of its
    # chain (its own deadline when it renews nothing); `renews`: the id of the commitment it made again;
    # `renewed_by`: the id of the commitment that made it again by that day (its status is then renewed).
    judged_against: date | None = None
    renews: str | None = None
    renewed_by: str | None = None


@dataclass
class Judgement:
    """The one judgement of a domain as of a report date (see the module docstring)."""

    domain: Domain
    tz: ZoneInfo
    report_date: date
    as_of: date = field(init=False)
    _goals: dict[str, GoalJudgement] = field(default_factory=dict, init=False, repr=False)
    _commitments: dict[str, CommitmentJudgement] = field(default_factory=dict, init=False, repr=False)
    _grades: dict[tuple[str, date], PromiseGrade] = field(default_factory=dict, init=False, repr=False)
    _by_id: dict[str, Commitment] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.as_of = rules.as_of_date(self.report_date, rules.latest_sync(self.domain.sync_times), self.tz)

    # ---------------------------------------------------------------- dates

    def board_as_of(self, board_id: str, on: date | None = None) -> date:
        """The day a board's items are judged as of: `on` (default: the as-of date), no later than its sync."""
        return rules.as_of_date(on or self.as_of, rules.sync_of(self.domain.sync_times, board_id), self.tz)

    def local(self, when: datetime | date | None) -> date | None:
        """The calendar day of a timestamp in the report's time zone."""
        return local_date(when, self.tz)

    # ---------------------------------------------------------------- goals

    def goal(self, g: Goal, on: date | None = None) -> GoalJudgement:
        """The goal as of `on` (default: the as-of date), judged no later than its board's sync."""
        if on is None and g.id in self._goals:
            return self._goals[g.id]
        day = self.board_as_of(g.board_id, on)
        status = rules.goal_status(g, day, self.tz, last_sync=self.domain.sync_times)
        achieved_on = rules.goal_achieved_on(g, self.tz) if status == "achieved" else None
        slip, slip_days = rules.goal_slip(g, status or "open", achieved_on, on or self.as_of, day)
        out = GoalJudgement(
            status=status,
            achieved_on=achieved_on,
            dropped_on=self.local(g.dropped_at) if status == "dropped" else None,
            key_results_done=tuple(rules.key_result_done(k, day, self.tz) for k in g.key_results),
            competencies=tuple(g.labels),
            slip=slip,
            slip_days=slip_days,
        )
        if on is None:
            self._goals[g.id] = out
        return out

    def goal_status(self, g: Goal, on: date | None = None) -> str | None:
        """achieved | dropped | overdue | open as of `on` (default: the as-of date); None before it existed."""
        return self.goal(g, on).status

    def key_result_done(self, g: Goal, k: KeyResult, on: date | None = None) -> bool:
        """Whether a key result of `g` was done by `on` (default: the as-of date)."""
        return rules.key_result_done(k, self.board_as_of(g.board_id, on), self.tz)

    def achieved_in(self, g: Goal, start: date, on: date | None = None) -> bool:
        """Achieved by `on` and counted in a period from `start` (rules.achieved_in_period: undated counts)."""
        return rules.achieved_in_period(
            g, start, self.board_as_of(g.board_id, on), self.tz, last_sync=self.domain.sync_times
        )

    # ---------------------------------------------------------------- commitments and promises

    def commitment(self, c: Commitment, on: date | None = None) -> CommitmentJudgement:
        """The commitment as of `on` (default: the as-of date), judged no later than its board's sync."""
        if on is None and c.id in self._commitments:
            return self._commitments[c.id]
        status = rules.commitment_status(c, on or self.as_of, last_sync=self.domain.sync_times, tz=self.tz)
        overdue = None
        if status == "broken" and c.deadline is not None:
            overdue = (self.board_as_of(c.board_id, on) - c.deadline).days
        out = CommitmentJudgement(
            status,
            self.local(c.completed_at) if status in ("kept", "late") else None,
            overdue,
            judged_against=c.chain_deadline,
            renews=c.renews,
            renewed_by=c.renewed_by if status == "renewed" else None,
        )
        if on is None:
            self._commitments[c.id] = out
        return out

    def commitment_status(self, c: Commitment, on: date | None = None) -> str:
        """kept | late | broken | open | done_undated | renewed as of `on` (default: the as-of date)."""
        return self.commitment(c, on).status

    def _commitment_by_id(self, commitment_id: str | None) -> Commitment | None:
        if commitment_id is None:
            return None
        if len(self._by_id) != len(self.domain.commitments):
            self._by_id = {c.id: c for c in self.domain.commitments}
        return self._by_id.get(commitment_id)

    def renewed_by(self, c: Commitment, on: date | None = None) -> Commitment | None:
        """The commitment that renewed `c` (domain/renewal.py), when it was made by `on` (default: the as-of date)
        and its board's sync; such a `c` is neither kept nor broken: its renewal carries the outcome."""
        later = self._commitment_by_id(c.renewed_by)
        if later is None or later.made > self.board_as_of(c.board_id, on):
            return None
        return later

    def renews(self, c: Commitment) -> Commitment | None:
        """The commitment `c` renews (made again at an earlier lunch while open), if any."""
        return self._commitment_by_id(c.renews)

    def chain(self, c: Commitment, on: date | None = None) -> list[Commitment]:
        """Every link of `c`'s chain of renewals, first to last as of `on` (default: the as-of date)."""
        first = c
        while (before := self.renews(first)) is not None:
            first = before
        out = [first]
        while (after := self.renewed_by(out[-1], on)) is not None:
            out.append(after)
        return out

    def promise(self, p: Promise, on: date | None = None) -> PromiseGrade:
        """A promise's status and grade as of `on` (default: the as-of date), no later than its board's sync."""
        day = self.board_as_of(p.board_id, on)
        key = (p.id, day)
        if key not in self._grades:
            self._grades[key] = promises.grade_promise(p, day, last_sync=self.domain.sync_times, tz=self.tz)
        return self._grades[key]

    def promise_met_on(self, p: Promise) -> date | None:
        """The day a promise's last criterion was met (None when not all are, or a tick is undated)."""
        return self.local(promises.promise_completed_at(p))

    def keep_rate(
        self, commitments: Iterable[Commitment], start: date, end: date, on: date | None = None
    ) -> KeepRate:
        """The keep rate of the commitments due in [start, end], as of `on` (default: the as-of date)."""
        return rules.keep_rate(
            commitments, start, end, as_of=on or self.as_of, last_sync=self.domain.sync_times, tz=self.tz
        )

    def reliability(
        self, commitments: Iterable[Commitment], person_promises: Iterable[Promise], start: date, end: date
    ) -> list[ReliabilityPoint]:
        """Rolling keep rate and mean promise grade at each month's end in [start, end]."""
        return promises.reliability_series(
            commitments, person_promises, start, end, last_sync=self.domain.sync_times, tz=self.tz
        )

    # ---------------------------------------------------------------- lunches and figures

    def group_boards(self) -> set[str]:
        """The boards of peer learning groups (whose words stay in the group)."""
        practices = self.domain.practices or Practices()
        return set(practices.group_boards)

    def meeting_kind(self, board_id: str) -> str:
        """What a board's meetings are: lunch | group_meeting | check_in | team_lunch (meetings.meeting_kind)."""
        return meetings.meeting_kind(self.domain, board_id)

    def lunches_of(self, person: str) -> list[Lunch]:
        """The lunches about the person (their pairs' and groups' boards), by date."""
        return rules.lunches_of(self.domain.lunches, person)

    def cadences(self, person: str, start: date, end: date) -> list[Cadence]:
        """One cadence per board of the person's lunches in [start, end], each counted to its own sync."""
        return rules.person_cadences(
            self.domain.lunches, person, start, end, last_sync=self.domain.sync_times, tz=self.tz
        )

    def next_lunch_due(self, board_id: str, on: date | None = None) -> date | None:
        """When the board's next lunch or meeting is due, by its cadence, from its last one held by `on` (default:
        the as-of date), no later than its board's sync."""
        return next_lunch.next_lunch_due(self.domain.lunches, board_id, self.board_as_of(board_id, on))

    def lunches_owed(self, lunches: Iterable[Lunch], first_day: date, last_day: date) -> float:
        """Lunches owed in [first_day, last_day] by the boards of `lunches` (rules.lunches_owed)."""
        return rules.lunches_owed(lunches, first_day, min(last_day, self.as_of))

    def person_figures(
        self,
        person: str,
        start: date,
        end: date,
        *,
        goals: Iterable[Goal] | None = None,
        commitments: Iterable[Commitment] | None = None,
        feedback: Iterable[FeedbackEntry] | None = None,
    ) -> PersonFigures:
        """Every summary figure of a person for [start, end], over the goals, commitments and entries given
        (default: the whole domain's; a report passes the slice it holds, so its figures count what it shows)."""
        d = self.domain
        return rules.person_figures(
            d.goals if goals is None else goals,
            d.commitments if commitments is None else commitments,
            d.lunches,
            d.feedback if feedback is None else feedback,
            person,
            start,
            end,
            last_sync=d.sync_times,
            tz=self.tz,
        )

    def goal_progress(
        self, goals: list[Goal], start: date, days: list[date]
    ) -> dict[str, list[float | None]]:
        """Goals set, achieved and key results done since `start`, cumulative at each of `days` (month ends)."""
        out: dict[str, list[float | None]] = {"set": [], "achieved": [], "key_results": []}
        for day in days:
            out["set"].append(float(sum(1 for g in goals if start <= g.created <= day)))
            out["achieved"].append(float(sum(1 for g in goals if self.achieved_in(g, start, day))))
            out["key_results"].append(
                float(
                    sum(
                        1
                        for g in goals
                        for k in g.key_results
                        if self.key_result_done(g, k, day)
                        and (self.local(k.completed_at) or g.created) >= start
                    )
                )
            )
        return out

    # ---------------------------------------------------------------- feedback and issues

    def voice(self, f: FeedbackEntry) -> str:
        """peer | self | conversation: whose words an entry is."""
        return rules.voice(f)

    def open_focus(
        self, feedback: Iterable[FeedbackEntry], person: str, on: date | None = None
    ) -> list[FeedbackEntry]:
        """The person's focus points still current on `on` (default: the as-of date)."""
        return rules.open_focus_points(feedback, person, on or self.as_of)

    def about_nobody(self, board_ids: Iterable[str] | None = None) -> list[FeedbackEntry]:
        """Entries (of these boards; default: all) about nobody: comments naming several people other than the
        card's participants, without a `Name:` prefix to say which. They are no one's evidence; a report counts
        them so a reader knows something was left out."""
        boards = set(board_ids) if board_ids is not None else None
        return [
            f for f in self.domain.feedback if f.about is None and (boards is None or f.board_id in boards)
        ]

    def recurring(self, person: str, on: date | None = None) -> list[Recurring]:
        """Issues the person raised at RECURRING_MIN_MEETINGS or more group meetings up to `on`."""
        practices = self.domain.practices or Practices()
        return issues.recurring_issues(
            issues.raised_by(person, practices, self.domain.feedback, on or self.as_of)
        )
