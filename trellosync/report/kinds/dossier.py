"""The promotion dossier: a short case per criterion linked to numbered sources, then the evidence behind it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from trellosync.domain.issues import wording
from trellosync.domain.model import FeedbackEntry
from trellosync.report.citations import Citations
from trellosync.report.figures import compute_figures, make_cover
from trellosync.report.kinds import ReportKind, Request
from trellosync.report.kinds.evidence import (
    UNCLASSIFIED,
    EvidenceSection,
    buckets_by_competency,
    buckets_by_ladder,
    quote_appendix,
    section,
)
from trellosync.report.practice_parts import PracticeParts, practice_charts, practice_parts
from trellosync.report.selection import Selection
from trellosync.report.text import month_label, months_between
from trellosync.report.threads import focus_threads
from trellosync.report.views import (
    Chart,
    CommitmentView,
    Cover,
    Evidence,
    Figures,
    FocusThread,
    GoalView,
    Period,
)

MAX_MONTHS = 24
MAX_PEER_QUOTES = 3
MAX_OWN_WORDS = 6
MAX_CONCERNS = 12
MAX_GROWTH_ARCS = 6


@dataclass
class PeerVoice:
    """What one peer wrote about the candidate: their strengths and praise (and, where the board opts in,
    plain observations), quoted once in the report."""

    name: str
    count: int
    strengths: int  # best moments they recorded
    praise: int  # observations marked as praise
    observations: int  # unmarked observations of boards whose mapping opts them in
    first: date
    last: date
    quotes: list[Evidence]  # not quoted elsewhere in the dossier
    quoted_elsewhere: list[Evidence]  # their other entries, by reference


# How strong a criterion's evidence is, from counts alone (printed under the table: the committee reads the rule).
STRONG_OBSERVERS = (
    2  # independent observers: distinct people other than the subject whose authorship is recorded
)
RECURRING_MEETINGS = 3  # ... and seen at this many meetings
RECURRING_MONTHS = 2  # ... in this many different months


@dataclass
class CriterionRow:
    """One row of the committee's first page: a criterion, how strong its evidence is, and its best items."""

    key: str
    name: str
    anchor: str
    strength: str  # strong | moderate | thin | none (CRITERION_STRENGTH rule, printed with the table)
    items: int
    observers: int
    meetings: int  # distinct meetings its evidence was recorded at
    months: int
    first: date | None
    last: date | None
    strongest: list[Evidence]  # one to three, each with its date and source number
    meeting_kind: str | None = None  # the one kind of those meetings, None when mixed (domain/meetings.py)


@dataclass
class ConcernView:
    """A concern and what was done about it: an open focus point's arc, the commitments made since."""

    text: str
    board: str
    since: date
    restated: int  # later lunches that restated it
    observed_for: int  # praise recorded since it was raised
    commitments_since: int  # the person's commitments on that board made since it was raised
    kept_since: int  # ... of which kept (on time or late)
    ref: Evidence


def criterion_strength(s: EvidenceSection) -> str:
    """strong: two or more independent observers and seen at three or more meetings in two or more months;
    moderate: one observer, or three or more items; thin: any other evidence; none: no evidence."""
    if not s.total:
        return "none"
    if s.peers >= STRONG_OBSERVERS and s.meetings >= RECURRING_MEETINGS and s.months >= RECURRING_MONTHS:
        return "strong"
    if s.peers >= 1 or s.total >= 3:
        return "moderate"
    return "thin"


@dataclass
class DossierContext:
    """Everything dossier.html reads."""

    kind: str
    cover: Cover
    empty: bool
    figures: Figures
    by_criterion: bool
    sections: list[EvidenceSection]
    unclassified: EvidenceSection
    months: list[str]
    goals_achieved: list[GoalView]
    peers: list[PeerVoice]
    own_words: list[Evidence]
    own_words_quoted: list[Evidence]  # their own words already quoted in the body, by reference
    unmarked_left_out: int  # unmarked observations about the person in the period, left out (fail closed)
    growth: list[FocusThread]
    open_focus: list[FocusThread]
    overdue_goals: list[GoalView]
    overdue_commitments: list[CommitmentView]
    include_worst_moments: bool
    worst_moments: list[Evidence]
    sources: list[Evidence]
    history_gaps: list[str]
    practices: PracticeParts | None = None  # latest self-review, stakeholder praise, graded promises
    charts: list[Chart] = field(default_factory=list)  # reliability over time
    criteria: list[CriterionRow] = field(default_factory=list)  # the first page: one row per criterion
    observers: int = 0  # independent observers across all the evidence
    concerns_done: list[ConcernView] = field(default_factory=list)  # open focus points and what was done


def _positive(sel: Selection, period: Period) -> list[Evidence]:
    """Strengths and praise about the person in the period, plus achieved goals: the candidate's evidence."""
    end = min(period.end, sel.as_of)
    items = [sel.evidence(f) for f in sel.feedback if f.positive and period.start <= f.date <= end]
    items += [sel.goal_evidence(g) for g in sel.goals if sel.judged.achieved_in(g, period.start, end)]
    return items


def evidence_entry(f: FeedbackEntry, unmarked_boards: frozenset[str]) -> bool:
    """Whether an entry may be evidence in a dossier: a strength, an observation marked as praise, or an unmarked
    observation of a board whose mapping opts in. Focus points, worst moments and concerns never are."""
    if f.positive:
        return True
    return f.kind == "observation" and f.polarity == "neutral" and f.board_id in unmarked_boards


def unmarked_left_out(sel: Selection, period: Period, unmarked_boards: frozenset[str]) -> int:
    """Unmarked observations about the person in the period that the dossier leaves out (fails closed)."""
    end = min(period.end, sel.as_of)
    return sum(
        1
        for f in sel.feedback
        if f.kind == "observation"
        and f.polarity == "neutral"
        and f.board_id not in unmarked_boards
        and period.start <= f.date <= end
    )


def _peers(sel: Selection, period: Period, cites: Citations, unmarked: frozenset[str]) -> list[PeerVoice]:
    """Per peer who wrote about the person: their strengths and praise (never a focus point or a concern), fresh
    quotes first."""
    end = min(period.end, sel.as_of)
    by_peer: dict[str, list[Evidence]] = defaultdict(list)
    for f in sel.feedback:
        if f.peer_said and evidence_entry(f, unmarked) and period.start <= f.date <= end:
            by_peer[sel.name(f.said_by)].append(sel.evidence(f))
    voices = []
    for name, found in sorted(by_peer.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        elsewhere = [cites.cite(e) for e in found if cites.is_quoted(e)]
        fresh = [e for e in found if not cites.is_quoted(e)][-MAX_PEER_QUOTES:]
        voices.append(
            PeerVoice(
                name=name,
                count=len(found),
                strengths=sum(1 for e in found if e.kind == "best"),
                praise=sum(1 for e in found if e.kind == "observation" and e.polarity == "positive"),
                observations=sum(1 for e in found if e.polarity == "neutral"),
                first=found[0].date,
                last=found[-1].date,
                quotes=[cites.quote(e) for e in fresh],
                quoted_elsewhere=elsewhere,
            )
        )
    return voices


def _own_words(
    sel: Selection, period: Period, cites: Citations, unmarked: frozenset[str]
) -> tuple[list[Evidence], list[Evidence]]:
    """What the person wrote about themselves: their best moments and praise-marked observations (focus points
    are in the arcs; unmarked observations only where the board opts in)."""
    end = min(period.end, sel.as_of)
    seen: set[str] = set()
    mine: list[Evidence] = []
    for f in sel.feedback:
        if f.own_words and evidence_entry(f, unmarked) and period.start <= f.date <= end:
            if wording(f.text) not in seen:
                seen.add(wording(f.text))
                mine.append(sel.evidence(f))
    already = sorted((cites.cite(e) for e in mine if cites.is_quoted(e)), key=lambda e: e.ref)
    fresh = [e for e in mine if not cites.is_quoted(e)][-MAX_OWN_WORDS:]
    return [cites.quote(e) for e in fresh], already


def _threads(sel: Selection, period: Period) -> tuple[list[FocusThread], list[FocusThread]]:
    """The growth arcs worth printing and the open focus points (quoted later, in reading order)."""
    threads = focus_threads(sel, period, min(period.end, sel.as_of))
    # The longest threads tell the most: keep the few with the most lunches and observations, in date order.
    ranked = sorted(threads, key=lambda t: (t.current, t.mentions + len(t.observations)), reverse=True)
    chosen = {id(t) for t in ranked[:MAX_GROWTH_ARCS]} | {id(t) for t in threads if t.current}
    threads = [t for t in threads if id(t) in chosen]
    growth = [t for t in threads if t.observations or t.later_best or t.mentions > 1]
    return growth, [t for t in threads if t.current]


def _quote_threads(
    threads: list[FocusThread], cites: Citations, include_worst: bool, unmarked: frozenset[str]
) -> None:
    """Quote the arcs' focus points and observations (the growth appendix comes last in reading order)."""
    for t in threads:
        t.focus = cites.quote(t.focus)
        t.observations_for = [cites.quote(o) for o in t.observations_for]
        if not include_worst:  # criticism stays between peers: counted, not quoted
            t.against_left_out, t.observations_against = len(t.observations_against), []
        t.observations_against = [cites.quote(o) for o in t.observations_against]
        if t.pair not in unmarked:  # unmarked observations fail closed: counted, not quoted
            t.other_left_out, t.observations_other = len(t.observations_other), []
        t.observations_other = [cites.quote(o) for o in t.observations_other]
        t.later_best = [cites.quote(b) for b in t.later_best]


def _concerns(
    sel: Selection, period: Period, include_worst: bool, cites: Citations
) -> tuple[list, list, list]:
    end = min(period.end, sel.as_of)
    overdue_goals = [sel.goal_view(g) for g in sel.goals if sel.goal_status(g, end) == "overdue"]
    views = [
        sel.commitment_view(c) for c in sel.commitments if c.deadline is not None and c.deadline in period
    ]
    overdue = [c for c in views if c.status == "broken"][-MAX_CONCERNS:]
    worst: list[Evidence] = []
    if include_worst:
        chosen = [f for f in sel.feedback if f.polarity == "concern" and period.start <= f.date <= end]
        worst = [cites.quote(sel.evidence(f)) for f in chosen[-MAX_CONCERNS:]]
    return overdue_goals, overdue, worst


def build(req: Request) -> DossierContext:
    """The promotion dossier of one person and period (by ladder criterion when a ladder is given)."""
    sel = req.selection()
    period = req.period
    months = months_between(period.start, period.end)[-MAX_MONTHS:]
    items = _positive(sel, period)
    buckets = buckets_by_ladder(items, req.ladder, sel) if req.ladder else buckets_by_competency(items)
    cites = Citations()
    sections = [section(b, months, cites) for b in buckets]
    unmarked = req.options.unmarked_boards
    # Sources are numbered in reading order: the body (evidence, peers, the concerns' open focus points and
    # worst moments), then the appendices (further evidence, own words, growth arcs).
    peers = _peers(sel, period, cites, unmarked)
    growth, open_focus = _threads(sel, period)
    for t in open_focus:
        t.focus = cites.cite(t.focus)  # the concerns chapter refers to it; Appendix E quotes it
    overdue_goals, overdue_commitments, worst = _concerns(
        sel, period, req.options.include_worst_moments, cites
    )
    quote_appendix(sections, cites)
    own, own_quoted = _own_words(sel, period, cites, unmarked)
    _quote_threads(growth, cites, req.options.include_worst_moments, unmarked)
    cover = make_cover(sel, period, "dossier", req.options, req.report_date)
    if req.ladder:
        cover.target_level, cover.ladder_name = req.ladder.level or None, req.ladder.name
    parts = practice_parts(sel, period)
    achieved = [sel.goal_view(g) for g in sel.goals if any(e.kind == "goal" and e.id == g.id for e in items)]
    shown = [s for s in sections if s.key != UNCLASSIFIED]
    return DossierContext(
        kind="dossier",
        cover=cover,
        empty=not items,
        figures=compute_figures(sel, period),
        by_criterion=req.ladder is not None,
        sections=[s for s in sections if s.key != UNCLASSIFIED],
        unclassified=sections[-1],
        months=[month_label(m) for m in months],
        goals_achieved=achieved,
        peers=peers,
        own_words=own,
        own_words_quoted=own_quoted,
        unmarked_left_out=unmarked_left_out(sel, period, unmarked),
        growth=growth,
        open_focus=open_focus,
        overdue_goals=overdue_goals,
        overdue_commitments=overdue_commitments,
        include_worst_moments=req.options.include_worst_moments,
        worst_moments=worst,
        sources=cites.sources,
        history_gaps=list(req.domain.history_gaps),
        practices=parts,
        charts=practice_charts(parts),
        criteria=[
            CriterionRow(
                s.key,
                s.name,
                s.anchor,
                criterion_strength(s),
                s.total,
                s.peers,
                s.meetings,
                s.months,
                s.first,
                s.last,
                s.body,
                s.meeting_kind,
            )
            for s in shown
        ],
        observers=len({e.said_by for e in items if e.voice == "peer"}),
        concerns_done=[_done_about(sel, t) for t in open_focus],
    )


def _done_about(sel: Selection, t: FocusThread) -> ConcernView:
    """What was done about an open focus point: its restatements, the praise since, the commitments since."""
    since = [c for c in sel.commitments if c.board_id == t.pair and c.made >= t.focus.date]
    kept = sum(1 for c in since if sel.commitment_status(c) in ("kept", "late"))
    return ConcernView(
        text=t.focus.text,
        board=t.board,
        since=t.focus.date,
        restated=t.mentions - 1,
        observed_for=len(t.observations_for),
        commitments_since=len(since),
        kept_since=kept,
        ref=t.focus,
    )


KIND = ReportKind(
    name="dossier",
    title="Promotion dossier",
    template="dossier.html",
    builder=build,
    uses_ladder=True,
    includes=(
        "strengths",
        "praise",
        "achieved goals",
        "own words and the latest self-review",
        "stakeholder praise",
        "graded promises",
        "concerns and open focus points",
    ),
    leaves_out=(
        "worst moments, unless the config includes them",
        "stakeholder concerns (advocate brief)",
        "group issues (confidential to the group)",
    ),
)
