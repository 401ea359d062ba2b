"""The conversation brief: one page for the next lunch of one pair (or one block per member of a group)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from trellosync.domain.judge import Recurring
from trellosync.domain.matching import name_key
from trellosync.errors import ConfigError
from trellosync.report.citations import Citations
from trellosync.report.figures import make_cover, pair_figures
from trellosync.report.kinds import ReportKind, Request
from trellosync.report.practice_parts import group_items
from trellosync.report.selection import GROUP_ALL, Scope, Selection
from trellosync.report.threads import focus_threads
from trellosync.report.views import (
    CommitmentView,
    Cover,
    Evidence,
    FocusThread,
    GoalView,
    PairFigures,
    Period,
)

MAX_QUESTIONS = 5
MAX_FOCUS_OBSERVATIONS = 2
GOAL_NEAR_DAYS = 30
RECENT_DAYS = 90


@dataclass
class Question:
    """A follow-up question as data; brief.html words it by `kind`."""

    kind: str  # commitment_due | hows_it_go | focus | goal | done
    text: str
    on: date | None
    today: bool = False
    done: int = 0
    total: int = 0
    last_asked: date | None = None  # the lunch at which its "How did it go?" item was last ticked


@dataclass
class CloseOrDrop:
    """Older overdue promises folded into one line."""

    count: int
    oldest: date
    newest: date


@dataclass
class Block:
    """What one person of the pair brings to the next lunch."""

    person: str
    person_key: str
    promised: list[CommitmentView]
    close_or_drop: CloseOrDrop | None
    focus: FocusThread | None
    goals_near: list[GoalView]
    last_best: Evidence | None
    last_worst: Evidence | None
    questions: list[Question] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)  # a group member's issues at the last meeting
    recurring: list[Recurring] = field(default_factory=list)  # raised at 3+ group meetings


@dataclass
class BriefContext:
    """Everything brief.html reads."""

    kind: str
    cover: Cover
    empty: bool
    board: str
    with_names: list[str]
    group: bool
    meeting_kind: str | None  # the board's kind of meeting (domain/meetings.py); None without a board
    last_meeting: date | None
    last_meeting_url: str | None
    days_since_last_meeting: int | None
    next_meeting_due: date | None
    cadence: PairFigures | None
    since_last: list[Evidence]
    blocks: list[Block]
    other_pairs: list[str]
    sources: list[Evidence]


def choose_pair(sel: Selection, peer: str | None, board: str | None = None) -> str | None:
    """The pair with `peer` (or on `board`: its name or id), else the person's most active pair (most
    lunches in the last 90 days); two-person pairs before groups."""
    pairs = sel.pair_ids()
    if board is not None:
        pairs = [b for b in pairs if name_key(board) in (name_key(b), name_key(sel.board(b)))]
        if not pairs:
            raise ConfigError(f"{sel.name(sel.person)} has no lunches or meetings on the board {board!r}")
    if peer is not None and board is None:
        shared = [b for b in pairs if peer in sel.pair_people(b)[1:]]
        found = [b for b in shared if len(sel.pair_people(b)) == 2]  # --with names a pair's other person
        if not found:
            also = (
                "; they share "
                + ", ".join(repr(sel.board(b)) for b in shared)
                + " (a group's or team's brief: --board NAME)"
                if shared
                else ""
            )
            raise ConfigError(
                f"{sel.name(sel.person)} has no pair board with {sel.name(peer) or peer!r}{also}"
            )
        pairs = found
    elif peer is not None:
        pairs = [b for b in pairs if peer in sel.pair_people(b)[1:]]
        if not pairs:
            raise ConfigError(f"{sel.name(peer) or peer!r} has no lunches or meetings on the board {board!r}")
    if not pairs:
        return None
    # A two-person pair before a group: --with names a peer, and a group has its own brief (--with a member).
    return max(pairs, key=lambda board_id: (len(sel.pair_people(board_id)) == 2, *_activity(sel, board_id)))


def _activity(sel: Selection, board_id: str) -> tuple[int, date]:
    """(lunches in the last 90 days, last lunch) of one pair: the most active pair has the most."""
    dates = [lu.date for lu in sel.lunches if lu.board_id == board_id and lu.date <= sel.as_of]
    since = sel.as_of - timedelta(days=RECENT_DAYS)
    return sum(1 for d in dates if d >= since), max(dates, default=date.min)


def _promises(
    sel: Selection, board_id: str, last_lunch: date | None
) -> tuple[list[CommitmentView], CloseOrDrop | None]:
    """Promises for this lunch (made at the last one, or due since it), and older overdue ones folded."""
    views = [
        sel.commitment_view(c) for c in sel.commitments if c.board_id == board_id and c.made <= sel.as_of
    ]
    recent = [
        v
        for v in views
        if last_lunch is not None and (v.made >= last_lunch or (v.deadline and v.deadline > last_lunch))
    ]
    older = [v for v in views if v not in recent and v.status == "broken"]
    fold = None
    if older:
        deadlines = sorted(v.deadline for v in older if v.deadline)
        fold = CloseOrDrop(len(older), deadlines[0], deadlines[-1])
    return recent, fold


def _questions(block: Block, as_of: date, asked: dict[str, date]) -> list[Question]:
    out: list[Question] = []
    for c in block.promised:
        if c.status == "open" and c.deadline is None:  # a group's "by the next meeting": this one
            out.append(Question("hows_it_go", c.text, None, last_asked=asked.get(c.id)))
        elif c.status in ("broken", "open") and c.deadline and c.deadline <= as_of + timedelta(days=3):
            out.append(
                Question(
                    "commitment_due",
                    c.text,
                    c.deadline,
                    today=c.deadline == as_of,
                    last_asked=asked.get(c.id),
                )
            )
        elif c.status in ("kept", "late", "done_undated"):
            out.append(Question("done", c.text, c.completed_on))
    if block.focus is not None:
        out.append(
            Question(
                "focus",
                block.focus.focus.text,
                block.focus.focus.date,
                last_asked=asked.get(block.focus.focus.id),
            )
        )
    for g in block.goals_near[:2]:
        out.append(Question("goal", g.title, g.due, done=g.kr_done, total=g.kr_total))
    return out[:MAX_QUESTIONS]


def _block(sel: Selection, key: str, board_id: str, last_lunch: date | None, cites: Citations) -> Block:
    """One member's part of the brief: their promises, focus point, goals near target and last moments."""
    person_sel = (
        sel
        if key == sel.person
        else Selection(
            sel.domain, Scope(key, sel.tz, sel.as_of, sel.scope.synced_at), sel.judged, group=GROUP_ALL
        )
    )
    promised, fold = _promises(person_sel, board_id, last_lunch)
    current = [t for t in focus_threads(person_sel, None, sel.as_of, pair=board_id) if t.current]
    focus = current[-1] if current else None
    if focus is not None:
        focus.focus = cites.quote(focus.focus)
        latest = focus.observations[-MAX_FOCUS_OBSERVATIONS:]
        focus.observations_for = [cites.quote(o) for o in latest if o.polarity == "positive"]
        focus.observations_against = [cites.quote(o) for o in latest if o.polarity == "negative"]
        focus.observations_other = [
            cites.quote(o) for o in latest if o.polarity not in ("positive", "negative")
        ]
        focus.later_best = []
    goals = [
        person_sel.goal_view(g)
        for g in person_sel.goals  # this board's: other pairs' goals stay with them
        if g.board_id == board_id and person_sel.goal_status(g) in ("open", "overdue")
    ]
    near = sorted(
        (g for g in goals if g.due and abs((g.due - sel.as_of).days) <= GOAL_NEAR_DAYS),
        key=lambda g: g.due or date.min,
    )
    pair_entries = [f for f in person_sel.feedback if f.board_id == board_id and f.date <= sel.as_of]
    best = [f for f in pair_entries if f.kind == "best"]
    worst = [f for f in pair_entries if f.kind == "worst"]
    block = Block(
        person=sel.name(key),
        person_key=key,
        promised=promised,
        close_or_drop=fold,
        focus=focus,
        goals_near=near[:3],
        last_best=cites.quote(person_sel.evidence(best[-1])) if best else None,
        last_worst=cites.quote(person_sel.evidence(worst[-1])) if worst else None,
    )
    block.questions = _questions(
        block, sel.as_of, {k: d for k, d in sel.domain.asked.items() if d <= sel.as_of}
    )
    block.issues, block.recurring = group_items(sel, key, board_id, last_lunch)
    return block


def build(req: Request) -> BriefContext:
    """The brief for the next lunch of `req.person` with `req.options.peer` (default: their most active pair)."""
    sel = req.selection(group=GROUP_ALL)  # only the chosen board's entries are shown
    as_of = sel.as_of
    board_id = choose_pair(sel, req.options.peer, req.options.board)
    cites = Citations(numbered=False)
    pair_lunches = [lu for lu in sel.lunches if lu.board_id == board_id and lu.date <= as_of]
    last = pair_lunches[-1] if pair_lunches else None
    people = sel.pair_people(board_id) if board_id else [req.person]
    group = len(people) >= 3
    members = people if group else [req.person]
    blocks = (
        [_block(sel, k, board_id, last.date if last else None, cites) for k in members] if board_id else []
    )
    since = [
        cites.quote(e)
        for e in (
            sel.evidence(f)
            for f in sel.feedback
            if board_id
            and f.board_id == board_id
            and f.kind == "observation"
            and last
            and last.date < f.date <= as_of
        )
        if not cites.is_quoted(e)
    ]
    window = Period(
        max(as_of - timedelta(days=RECENT_DAYS), min((lu.date for lu in sel.lunches), default=as_of)), as_of
    )
    cadence = next((p for p in pair_figures(sel, window) if p.board_id == board_id), None)
    cover = make_cover(
        sel, Period(last.date if last else as_of, as_of), "brief", req.options, req.report_date
    )
    return BriefContext(
        kind="brief",
        cover=cover,
        empty=last is None and not any(b.promised or b.focus for b in blocks),
        board=sel.board(board_id) if board_id else "",
        with_names=[sel.name(k) for k in people[1:]],
        group=group,
        meeting_kind=sel.judged.meeting_kind(board_id) if board_id else None,
        last_meeting=last.date if last else None,
        last_meeting_url=last.url if last else None,
        days_since_last_meeting=(as_of - last.date).days if last else None,
        next_meeting_due=sel.judged.next_lunch_due(board_id) if board_id else None,
        cadence=cadence,
        since_last=since[-3:],
        blocks=blocks,
        other_pairs=[sel.board(b) for b in sel.pair_ids() if b != board_id],
        sources=cites.sources,
    )


KIND = ReportKind(
    name="brief",
    title="Conversation brief",
    template="brief.html",
    builder=build,
    includes=("one board's commitments, focus points, goals near target, last best and worst moment",),
    leaves_out=("other boards' entries and goals", "self-reviews", "stakeholder feedback"),
)
