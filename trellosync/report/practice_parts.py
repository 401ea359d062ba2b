"""The practice parts of a person's reports: their own self-review, stakeholders, graded promises,
reliability over time (plain data for templates/practices.html); a group's issues stay in its brief."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from trellosync.domain.judge import Recurring, ReliabilityPoint
from trellosync.domain.practices import Practices, Promise, SelfReview, StakeholderFeedback
from trellosync.report.figures import MAX_CHART_MONTHS
from trellosync.report.selection import Selection
from trellosync.report.text import month_label
from trellosync.report.views import Chart, Period, ReplyView


@dataclass
class StakeholderView:
    """One piece of stakeholder feedback, with how its author is known."""

    id: str  # the card's or comment's id
    text: str
    date: date
    said_by: str | None  # display name, only when recorded
    said_by_source: str | None  # comment_author | card_member | from_line
    polarity: str
    url: str | None
    reply: ReplyView | None = None  # the subject's reply, shown beside the quote (never evidence itself)


@dataclass
class GradedPromise:
    """A promise and its grade as of the report date."""

    id: str  # the promise card's id
    title: str
    made: date
    due: date | None
    met_on: date | None
    status: str  # kept | late | broken | open | done_undated
    criteria: int
    met_by_due: int
    met_later: int
    never_met: int
    days_late: int | None
    score: float | None
    url: str | None


@dataclass
class PracticeParts:
    """What the practices add to a person's goal report or dossier."""

    self_review: SelfReview | None = None
    praise: list[StakeholderView] = field(default_factory=list)
    other_feedback: int = 0  # stakeholder feedback that is not praise (for the advocate brief)
    promises: list[GradedPromise] = field(default_factory=list)
    reliability: list[ReliabilityPoint] = field(default_factory=list)
    period_start: date | None = None  # the report period's first day (a chart that starts later says so)

    @property
    def mean_grade(self) -> float | None:
        """Mean score of the graded promises listed."""
        scores = [p.score for p in self.promises if p.score is not None]
        return sum(scores) / len(scores) if scores else None


def stakeholder_view(sel: Selection, s: StakeholderFeedback) -> StakeholderView:
    """A piece of stakeholder feedback as the templates read it (its markup removed), with the subject's reply."""
    return StakeholderView(
        id=s.id,
        text=sel.shown_text(s.text, s.board_id),
        date=s.date,
        said_by=s.said_by_name,
        said_by_source=s.said_by_source,
        polarity=s.polarity,
        url=s.url,
        reply=sel.reply(s.id),
    )


def graded_promise(sel: Selection, p: Promise) -> GradedPromise:
    """A promise with its grade as of the report's date, as the judgement has it."""
    g = sel.judged.promise(p)
    return GradedPromise(
        id=p.id,
        title=p.title,
        made=p.made,
        due=p.due,
        met_on=sel.judged.promise_met_on(p),
        status=g.status,
        criteria=g.criteria,
        met_by_due=g.met_by_due,
        met_later=g.met_later,
        never_met=g.never_met,
        days_late=g.days_late,
        score=g.score,
        url=p.url,
    )


def reliability_chart(points: list[ReliabilityPoint], period_start: date | None = None) -> Chart:
    """Rolling keep rate and mean promise grade per month, in percent (`cut` when it starts after the period)."""
    points = points[-MAX_CHART_MONTHS:]
    first = points[0].date if points else None
    cut = bool(first and period_start and (first.year, first.month) > (period_start.year, period_start.month))

    def pct(v: float | None) -> float | None:
        return None if v is None else round(100 * v, 1)

    return Chart(
        kind="reliability",
        title="",
        x_labels=[month_label(f"{p.date.year:04d}-{p.date.month:02d}") for p in points],
        series=[
            (code, values)
            for code, values in (
                ("keep_rate", [pct(p.keep_rate) for p in points]),
                ("grade", [pct(p.mean_grade) for p in points]),
            )
            if any(v is not None for v in values)
        ],
        cut=cut,
    )  # no legend entry for a line with no points


def practice_parts(sel: Selection, period: Period, *, advocacy: bool = True) -> PracticeParts:
    """The practice parts for the selection's person in the period, as of its date; `advocacy`: with the latest
    self-review and stakeholder praise (a document whose cover leaves them out holds neither, in any format)."""
    practices: Practices = sel.domain.practices or Practices()
    person, end = sel.person, min(period.end, sel.as_of)
    reviews = [r for r in practices.self_reviews if r.person == person and period.start <= r.date <= end]
    feedback = [
        s for s in practices.stakeholder_feedback if s.about == person and period.start <= s.date <= end
    ]
    if not advocacy:
        reviews, feedback = [], []
    promises = [
        p
        for p in practices.promises
        if p.person == person and p.made <= end and (p.due is None or p.due >= period.start)
    ]
    start = max(period.start, end - timedelta(days=365 * 2))
    mine = [p for p in practices.promises if p.person == person]
    return PracticeParts(
        self_review=reviews[-1] if reviews else None,
        praise=[stakeholder_view(sel, s) for s in feedback if s.polarity == "praise"],
        other_feedback=sum(1 for s in feedback if s.polarity != "praise"),
        promises=sorted((graded_promise(sel, p) for p in promises), key=lambda g: g.due or date.max),
        reliability=sel.judged.reliability(sel.commitments, mine, start, end)
        if (sel.commitments or mine)
        else [],
        period_start=period.start,
    )


def practice_charts(parts: PracticeParts) -> list[Chart]:
    """The reliability chart when there is anything to draw, else nothing."""
    if any(p.keep_rate is not None or p.mean_grade is not None for p in parts.reliability):
        return [reliability_chart(parts.reliability, parts.period_start)]
    return []


def group_items(
    sel: Selection, person: str, board_id: str | None, last_meeting: date | None
) -> tuple[list[str], list[Recurring]]:
    """On a peer learning group's board: the issues the person brought to the last meeting, and the issues
    they raised at RECURRING_MIN_MEETINGS or more meetings (with the dates)."""
    practices: Practices = sel.domain.practices or Practices()
    if board_id not in practices.group_boards:
        return [], []
    issues = [
        i.text
        for i in practices.group_issues
        if i.person == person and i.board_id == board_id and i.date == last_meeting
    ]
    return issues, sel.judged.recurring(person)
