"""The advocate brief: what an advocate reads before the face-to-face (context/advocate-feedback-cycle.txt).

The person's latest self-review, the stakeholder feedback since the last check-in (praise and criticism
apart, each attributed only as recorded), the themes stakeholders raised that no focus point, commitment
or promise answers yet, what is due, and any issue they keep bringing to their peer learning group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from trellosync.domain.issues import same_issue
from trellosync.domain.practices import Practices, SelfReview
from trellosync.report.figures import make_cover
from trellosync.report.kinds import ReportKind, Request
from trellosync.report.practice_parts import StakeholderView, stakeholder_view
from trellosync.report.selection import Selection
from trellosync.report.views import CommitmentView, Cover

DUE_SOON_DAYS = 14
OVERDUE_LISTED_DAYS = 45  # older overdue items are folded into one "close or drop?" line
MAX_FEEDBACK = 12
INCLUDES = (
    "the latest self-review",
    "stakeholder feedback since the last check-in (praise and concerns apart)",
    "open focus points",
    "commitments and promises due",
)
LEAVES_OUT = (
    "best and worst moments of the lunches",
    "lunch observations",
    "other people's feedback",
    "what was said or committed in a peer learning group",
)


@dataclass
class DueItem:
    """A commitment or promise that is overdue or due soon."""

    id: str  # the check item's (commitment) or card's (promise) id
    kind: str  # commitment | promise
    text: str
    deadline: date | None
    status: str
    detail: str  # e.g. "1 of 3 criteria met"
    url: str | None


@dataclass
class AdvocateContext:
    """Everything advocate.html reads."""

    kind: str
    cover: Cover
    empty: bool
    advocate: str | None
    last_check_in: date | None
    since: date
    self_review: SelfReview | None
    praise: list[StakeholderView]
    other: list[StakeholderView]  # neutral and concerns
    earlier_count: int  # stakeholder feedback in the period before the last check-in
    unanswered: list[StakeholderView]
    focus_points: list[str]
    due: list[DueItem]
    older_overdue: int
    keep_rate: float | None
    keep_rate_judged: int
    includes: tuple[str, ...] = INCLUDES
    leaves_out: tuple[str, ...] = LEAVES_OUT
    promises_open: list[str] = field(default_factory=list)


def last_check_in(sel: Selection, advocate: str | None) -> date | None:
    """The latest one-on-one lunch of the person with their advocate (up to the as-of date).

    A group meeting or team lunch the advocate also attended is not a check-in with the advocate.
    """
    if advocate is None:
        return None
    dates = [
        lu.date
        for lu in sel.lunches
        if advocate in lu.participants and len(set(lu.participants)) <= 2 and lu.date <= sel.as_of
    ]
    return max(dates, default=None)


def _due(sel: Selection, practices: Practices) -> list[DueItem]:
    """Commitments and promises overdue or due within DUE_SOON_DAYS, by deadline."""
    soon = sel.as_of + timedelta(days=DUE_SOON_DAYS)
    out = []
    for c in sel.commitments:
        v: CommitmentView = sel.commitment_view(c)
        if v.status in ("open", "broken") and c.deadline and c.deadline <= soon and c.made <= sel.as_of:
            out.append(DueItem(c.id, "commitment", c.text, c.deadline, v.status, "", c.url))
    for p in practices.promises:
        if p.person != sel.person or p.made > sel.as_of:
            continue
        g = sel.judged.promise(p)
        if g.status in ("open", "broken") and p.due and p.due <= soon:
            met = g.met_by_due + g.met_later + g.met_undated
            out.append(DueItem(p.id, "promise", p.title, p.due, g.status, f"{met} of {g.criteria}", p.url))
    return sorted(out, key=lambda d: d.deadline or date.max)


def _older(d: DueItem, as_of: date) -> bool:
    return d.deadline is not None and d.deadline < as_of - timedelta(days=OVERDUE_LISTED_DAYS)


def build(req: Request) -> AdvocateContext:
    """The advocate brief for `req.person`, as of the period's end."""
    sel = req.selection()
    as_of = sel.as_of
    practices: Practices = req.domain.practices or Practices()
    advocate = practices.advocates.get(req.person)
    check_in = last_check_in(sel, advocate)
    since = check_in or req.period.start
    reviews = [
        r
        for r in practices.self_reviews
        if r.person == req.person and r.date in req.period and r.date <= as_of
    ]
    mine = [s for s in practices.stakeholder_feedback if s.about == req.person and s.date <= as_of]
    recent = [s for s in mine if s.date > since or (check_in is None and s.date >= since)]
    focus = sel.judged.open_focus(sel.feedback, req.person)
    answers = [f.text for f in focus] + [
        c.text for c in sel.commitments if sel.commitment_status(c) == "open"
    ]
    open_promises = [
        p.title
        for p in practices.promises
        if p.person == req.person and sel.judged.promise(p).status == "open"
    ]
    answers += open_promises
    if reviews:
        answers += reviews[-1].improve + reviews[-1].goals
    due = _due(sel, practices)
    unanswered = [
        s for s in recent if s.polarity != "praise" and not any(same_issue(s.text, a) for a in answers)
    ]
    start = as_of - timedelta(days=365)
    series = sel.judged.reliability(
        sel.commitments, [p for p in practices.promises if p.person == req.person], start, as_of
    )
    now = series[-1] if series else None
    cover = make_cover(sel, req.period, "advocate", req.options, req.report_date)
    return AdvocateContext(
        kind="advocate",
        cover=cover,
        empty=not (reviews or mine or focus or due),
        advocate=sel.name(advocate) if advocate else None,
        last_check_in=check_in,
        since=since,
        self_review=reviews[-1] if reviews else None,
        praise=[stakeholder_view(sel, s) for s in recent if s.polarity == "praise"][-MAX_FEEDBACK:],
        other=[stakeholder_view(sel, s) for s in recent if s.polarity != "praise"][-MAX_FEEDBACK:],
        earlier_count=sum(1 for s in mine if s.date in req.period and s not in recent),
        unanswered=[stakeholder_view(sel, s) for s in unanswered],
        focus_points=[sel.shown_text(f.text, f.board_id) for f in focus],
        due=[d for d in due if not _older(d, as_of)],
        older_overdue=sum(1 for d in due if _older(d, as_of)),
        keep_rate=now.keep_rate if now else None,
        keep_rate_judged=now.judged if now else 0,
        promises_open=open_promises,
    )


KIND = ReportKind(
    name="advocate",
    title="Advocate brief",
    template="advocate.html",
    builder=build,
    includes=INCLUDES,
    leaves_out=LEAVES_OUT,
)
