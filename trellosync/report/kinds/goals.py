"""The goal-achievement report: goals and key results as of the period end, slips, commitments, per-pair lunch log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from trellosync.domain.issues import wording
from trellosync.report.citations import Citations
from trellosync.report.figures import (
    cadence_chart,
    compute_figures,
    goal_progress_chart,
    make_cover,
)
from trellosync.report.kinds import ReportKind, Request
from trellosync.report.practice_parts import PracticeParts, practice_charts, practice_parts
from trellosync.report.selection import GROUP_OWN_COMMITMENTS, Selection
from trellosync.report.threads import focus_threads
from trellosync.report.views import (
    Chart,
    CommitmentView,
    Cover,
    Evidence,
    Figures,
    FocusThread,
    GoalView,
    MeetingView,
    PairLog,
    Period,
)

MAX_COMMITMENT_ROWS = 80
MAX_LUNCH_LOG = 60
MAX_FOCUS_THREADS = 20


@dataclass
class GoalsContext:
    """Everything goals.html reads."""

    kind: str
    cover: Cover
    empty: bool
    figures: Figures
    charts: list[Chart]
    goals: list[GoalView]
    commitments: list[CommitmentView]
    commitments_more: int
    focus_threads: list[FocusThread]
    pair_logs: list[PairLog]
    history_gaps: list[str]
    sources: list[Evidence]
    practices: PracticeParts | None = None  # graded promises, reliability


def _pair_logs(sel: Selection, period: Period, cites: Citations, figures: Figures) -> list[PairLog]:
    """Each pair's (or group's) meetings in the period up to the as-of date, newest last, with what each recorded."""
    end = min(period.end, sel.as_of)
    per_lunch: dict[str, list] = defaultdict(list)
    for f in sel.feedback:
        per_lunch[f.lunch_id or ""].append(f)
    promises: dict[str, int] = defaultdict(int)
    for c in sel.commitments:
        promises[c.lunch_id] += 1
    logs: list[PairLog] = []
    for pf in figures.pairs:
        lunches = [lu for lu in sel.lunches if lu.board_id == pf.board_id and period.start <= lu.date <= end]
        shown = lunches[-MAX_LUNCH_LOG:]
        rows: list[MeetingView] = []
        previous: list[str] = []
        for lu in shown:
            entries = per_lunch.get(lu.id, [])
            focus = [f for f in entries if f.kind == "focus"]
            texts = sorted(wording(f.text) for f in focus)
            unchanged = bool(texts) and texts == previous
            rows.append(
                MeetingView(
                    date=lu.date,
                    with_names=[
                        sel.name(p)
                        for p in sel.pair_people(lu.board_id)[1:]
                        if p in lu.participants + lu.about
                    ],
                    url=lu.url,
                    best=[cites.quote(sel.evidence(f), listed=False) for f in entries if f.kind == "best"],
                    worst=[cites.quote(sel.evidence(f), listed=False) for f in entries if f.kind == "worst"],
                    focus=[] if unchanged else [cites.quote(sel.evidence(f), listed=False) for f in focus],
                    observations=sum(1 for f in entries if f.kind == "observation"),
                    commitments=promises.get(lu.id, 0),
                    focus_unchanged=unchanged,
                    kind=pf.kind,
                )
            )
            previous = texts or previous
        logs.append(PairLog(figures=pf, meetings=rows, more=len(lunches) - len(shown)))
    return logs


def build(req: Request) -> GoalsContext:
    """The goal-achievement report of one person and period."""
    sel = req.selection(group=GROUP_OWN_COMMITMENTS)
    as_of = sel.as_of
    period = req.period
    figures = compute_figures(sel, period)
    goals = [
        sel.goal_view(g)
        for g in sel.goals
        if g.created <= as_of
        and sel.goal_status(g, period.start - timedelta(days=1)) in (None, "open", "overdue")
    ]
    chosen = [
        c
        for c in sel.commitments
        if c.made <= as_of and (c.made in period or (c.deadline is not None and c.deadline in period))
    ]
    commitments = [sel.commitment_view(c) for c in chosen[-MAX_COMMITMENT_ROWS:]]
    cites = Citations()
    threads = focus_threads(sel, period, as_of)[-MAX_FOCUS_THREADS:]
    for t in threads:
        t.focus = cites.quote(t.focus)
        quoted = {o.key: cites.quote(o) for o in t.observations}  # numbered in the date order they are shown
        t.observations_for = [quoted[o.key] for o in t.observations_for]
        t.observations_against = [quoted[o.key] for o in t.observations_against]
        t.observations_other = [quoted[o.key] for o in t.observations_other]
        t.later_best = []  # growth belongs to the dossier; this report follows the goals
    logs = _pair_logs(sel, period, cites, figures)
    activity = any(g.created in period or sel.judged.local(g.achieved_at) in period for g in sel.goals)
    empty = not (
        activity
        or commitments
        or any(log.meetings for log in logs)
        or any(f.date in period for f in sel.feedback)
    )
    if empty:  # nothing happened in the period: the report is one notice, not lists carried over from before
        goals, commitments, chosen, threads, logs, cites = [], [], [], [], [], Citations()
    parts = practice_parts(sel, period, advocacy=False)  # self-reviews and stakeholders: the advocate's
    return GoalsContext(
        kind="goals",
        cover=make_cover(sel, period, "goals", req.options, req.report_date),
        empty=empty,
        figures=figures,
        charts=[]
        if empty
        else [goal_progress_chart(sel, period), cadence_chart(sel, period), *practice_charts(parts)],
        goals=goals,
        commitments=commitments,
        commitments_more=len(chosen) - len(commitments),
        focus_threads=threads,
        pair_logs=logs,
        history_gaps=list(req.domain.history_gaps),
        sources=cites.sources,
        practices=parts,
    )


KIND = ReportKind(
    name="goals",
    title="Goal-achievement report",
    template="goals.html",
    builder=build,
    includes=(
        "goals",
        "commitments (their own, also those made in a peer learning group)",
        "graded promises",
        "focus points and observations",
        "lunch log",
    ),
    leaves_out=("self-reviews", "stakeholder feedback", "what else was said in a peer learning group"),
)
