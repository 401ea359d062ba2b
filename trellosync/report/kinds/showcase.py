"""The team showcase: one shareable document of a team's accomplishments (PRODUCT.md, "Transparent showcase").

Only what the visibility rules (trellosync.domain.visibility) call shareable enters it: achieved goals, kept
promises with their grades, strengths and praise, each from a `team` board or marked shareable on a private
one. Worst moments, concerns, focus points, self-reviews, group issues and open commitments never do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from trellosync.domain.dates import local_date
from trellosync.domain.practices import Practices, Promise, StakeholderFeedback
from trellosync.domain.visibility import entry_marked, feedback_shareable
from trellosync.report.kinds import ReportKind, Request
from trellosync.report.selection import Selection
from trellosync.report.text import format_datetime
from trellosync.report.views import Cover, Evidence, Period

MAX_HOW_AND_WHY = 3
MAX_PER_SECTION = 12
INCLUDES = (
    "goals achieved",
    "promises kept, with their grades",
    "strengths (best moments)",
    "praise",
    "only from team boards, or marked shareable on private boards",
)
LEAVES_OUT = (
    "worst moments",
    "concerns",
    "focus points",
    "self-reviews",
    "group issues",
    "promises open or overdue",
    "unmarked entries of private boards",
)


@dataclass
class PromiseView:
    """A kept (or late-kept) promise and its grade."""

    id: str  # the promise card's id
    title: str
    person: str
    due: date | None
    met_on: date | None
    status: str  # kept | late
    criteria: int
    met_by_due: int
    days_late: int | None
    score: float | None
    board: str
    url: str | None


@dataclass
class SharedCounts:
    """How many shareable items of each kind a person has in the period (before the sections are cut to
    MAX_PER_SECTION); entries that are not shareable are never counted."""

    goals: int = 0
    promises: int = 0
    strengths: int = 0
    praise: int = 0


@dataclass
class PersonShowcase:
    """One person's part of the showcase."""

    person: str
    person_key: str
    counts: SharedCounts = field(default_factory=SharedCounts)
    how_and_why: list[Evidence] = field(default_factory=list)
    goals: list[Evidence] = field(default_factory=list)
    promises: list[PromiseView] = field(default_factory=list)
    strengths: list[Evidence] = field(default_factory=list)
    praise: list[Evidence] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing shareable about this person in the period."""
        return not (self.goals or self.promises or self.strengths or self.praise)


@dataclass
class ShowcaseContext:
    """Everything showcase.html reads."""

    kind: str
    cover: Cover
    empty: bool
    people: list[PersonShowcase]
    includes: tuple[str, ...]
    leaves_out: tuple[str, ...]
    team_boards: list[str]
    marked_boards: list[str]


def _stakeholder_evidence(sel: Selection, s: StakeholderFeedback) -> Evidence:
    """A stakeholder's praise as evidence, attributed as recorded (a `From:` line counts as declared)."""
    return Evidence(
        id=s.id,
        kind="observation",
        polarity="positive",
        date=s.date,
        text=sel.shown_text(s.text, s.board_id),
        said_by=s.said_by_name,
        said_by_source="trello" if s.said_by_source == "comment_author" else "mapping",
        voice="peer" if s.said_by_name else "unknown",
        about=sel.name(s.about),
        meeting_date=None,
        meeting_with=[],
        board=sel.board(s.board_id),
        pair=s.board_id,
        url=s.url,
        competency=None,
        competency_key=None,
        reply=sel.reply(s.id),
    )


def _promise_view(sel: Selection, p: Promise, as_of: date) -> PromiseView | None:
    g = sel.judged.promise(p, as_of)
    if g.status not in ("kept", "late"):
        return None
    return PromiseView(
        id=p.id,
        title=p.title,
        person=sel.name(p.person),
        due=p.due,
        met_on=sel.judged.promise_met_on(p),
        status=g.status,
        criteria=g.criteria,
        met_by_due=g.met_by_due,
        days_late=g.days_late,
        score=g.score,
        board=sel.board(p.board_id),
        url=p.url,
    )


def person_showcase(sel: Selection, practices: Practices, period: Period) -> PersonShowcase:
    """What is shareable about one person in the period."""
    out = PersonShowcase(person=sel.name(sel.person), person_key=sel.person)
    for f in sel.feedback:
        if f.date in period and feedback_shareable(f, practices):
            ev = sel.evidence(f)
            (out.strengths if f.kind == "best" else out.praise).append(ev)
    out.praise += [
        _stakeholder_evidence(sel, s)
        for s in practices.stakeholder_feedback
        if s.about == sel.person
        and s.date in period
        and s.polarity == "praise"
        and entry_marked(practices, s.board_id, s.id)
    ]
    for g in sel.goals:
        achieved = sel.judged.goal(g).achieved_on
        if achieved in period and entry_marked(practices, g.board_id, g.id):
            out.goals.append(sel.goal_evidence(g))
    for p in practices.promises:
        done = sel.judged.promise_met_on(p)
        if p.person == sel.person and done in period and entry_marked(practices, p.board_id, p.id):
            if view := _promise_view(sel, p, sel.as_of):
                out.promises.append(view)
    out.counts = SharedCounts(
        goals=len(out.goals), promises=len(out.promises), strengths=len(out.strengths), praise=len(out.praise)
    )
    for items in (out.strengths, out.praise, out.goals):
        items.sort(key=lambda e: e.date, reverse=True)
        del items[MAX_PER_SECTION:]
    out.promises.sort(key=lambda v: v.met_on or date.min, reverse=True)
    # How and why: a peer's words first, then strengths, newest first, each with who said it or where.
    ranked = sorted(out.praise + out.strengths, key=lambda e: (e.said_by is not None, e.date), reverse=True)
    out.how_and_why = ranked[:MAX_HOW_AND_WHY]
    return out


def _cover(req: Request, sels: list[Selection], as_of: date, board_ids: set[str]) -> Cover:
    tz = ZoneInfo(req.options.timezone)
    generated = req.options.generated_at or datetime.now(timezone.utc)
    names = [s.name(s.person) for s in sels]
    return Cover(
        kind="showcase",
        person=", ".join(names),
        person_key="team",
        period=req.period,
        boards=sorted(sels[0].board(b) for b in board_ids),
        as_of=as_of,
        report_date=req.report_date,
        synced_at=format_datetime(req.domain.synced_at, tz),
        synced_on=local_date(req.domain.synced_at, tz),
        generated_at=format_datetime(generated, tz),
        generated_by=req.options.generated_by,
        confidentiality="Shareable with the team: only entries of team boards, or marked for sharing on private boards.",
        timezone=req.options.timezone,
        data_from=req.domain.data_from,
    )


def build(req: Request) -> ShowcaseContext:
    """The showcase of `req.options.people` (default: `req.person`) for the period."""
    as_of = req.judged.as_of
    practices: Practices = req.domain.practices or Practices()
    keys = list(req.options.people) or [req.person]
    sels = [req.selection(k) for k in keys]
    people = [person_showcase(s, practices, req.period) for s in sels]
    used = {e.pair for p in people for e in p.goals + p.strengths + p.praise}
    used |= {b for b, v in practices.visibility.items() if v == "team"}
    return ShowcaseContext(
        kind="showcase",
        cover=_cover(req, sels, as_of, used),
        empty=all(p.empty for p in people),
        people=people,
        includes=INCLUDES,
        leaves_out=LEAVES_OUT,
        team_boards=sorted(sels[0].board(b) for b, v in practices.visibility.items() if v == "team"),
        marked_boards=sorted({sels[0].board(b) for b, v in practices.visibility.items() if v != "team"}),
    )


KIND = ReportKind(
    name="showcase",
    title="Team showcase",
    template="showcase.html",
    builder=build,
    includes=INCLUDES,
    leaves_out=LEAVES_OUT,
    team=True,
)
