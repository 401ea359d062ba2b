"""Summary figures, the cover, the period and chart numbers: all read from the one Judgement."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from trellosync.domain.dates import local_date, month_end
from trellosync.domain.judge import Cadence, Judgement
from trellosync.domain.meetings import LUNCH, MEETING_KINDS
from trellosync.domain.model import Domain, Lunch
from trellosync.report.selection import GROUP_OWN_COMMITMENTS, Scope, Selection
from trellosync.report.text import format_datetime, month_key, month_label, months_between
from trellosync.report.views import Chart, ContextOptions, Cover, Figures, MeetingCount, PairFigures, Period

MAX_CHART_MONTHS = 24


def resolve_period(
    domain: Domain,
    person: str,
    period_from: date | None,
    period_to: date | None,
    as_of: date,
    tz: str = "UTC",
) -> Period:
    """The inclusive period: missing ends default to the person's first data and to `as_of`."""
    end = period_to or as_of
    start = period_from
    if start is None:
        first = Selection(domain, Scope(person, ZoneInfo(tz), end, domain.synced_at)).first_date()
        start = min(first, end) if first else end
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    return Period(start, end)


def _pair_views(sel: Selection, cadences: list[Cadence]) -> list[PairFigures]:
    """Each of the person's pairs (the judgement's cadences) with the names of the other people."""
    return [
        PairFigures(
            board=sel.board(cad.board_id),
            board_id=cad.board_id,
            with_names=[sel.name(k) for k in sel.pair_people(cad.board_id)[1:]],
            every_days=cad.every_days,
            held=cad.count,
            expected=cad.expected,
            mean_interval_days=cad.mean_interval_days,
            gaps=list(cad.gaps),
            last_meeting=cad.last_lunch,
            counted_to=cad.end,
            kind=sel.judged.meeting_kind(cad.board_id),
        )
        for cad in cadences
    ]


def pair_figures(sel: Selection, period: Period) -> list[PairFigures]:
    """Cadence of each of the person's pairs over the period (up to the as-of date)."""
    return _pair_views(sel, sel.judged.cadences(sel.person, period.start, min(period.end, sel.as_of)))


def compute_figures(sel: Selection, period: Period) -> Figures:
    """The person's figures for the period, as the judgement has them (as of min(period end, last sync))."""
    pf = sel.judged.person_figures(
        sel.person,
        period.start,
        period.end,
        goals=sel.goals,
        commitments=sel.commitments,
        feedback=sel.feedback,
    )
    pairs = _pair_views(sel, pf.cadences)
    fig = Figures(
        as_of=pf.as_of,
        goals_set=pf.goals.set,
        goals_achieved=pf.goals.achieved,
        goals_achieved_undated=pf.goals.achieved_undated,
        goals_open=pf.goals.open,
        goals_overdue=pf.goals.overdue,
        goals_dropped=pf.goals.dropped,
        median_days_to_achieve=pf.goals.median_days_to_achieve,
        commitments_due=pf.keep_rate.judged,
        commitments_kept=pf.keep_rate.kept,
        commitments_late=pf.keep_rate.late,
        commitments_broken=pf.keep_rate.broken,
        commitments_undated=pf.keep_rate.done_undated,
        keep_rate=pf.keep_rate.rate,
        lunches_held=sum(p.held for p in pairs if p.kind == LUNCH),
        lunches_expected=sum(p.expected for p in pairs if p.kind == LUNCH),
        pairs=pairs,
        meetings=meeting_counts(pairs, pf.as_of),
    )
    past = [
        lu.date for lu in sel.lunches if lu.date <= pf.as_of and sel.judged.meeting_kind(lu.board_id) == LUNCH
    ]
    if past:
        fig.last_lunch = past[-1]
        fig.days_since_last_lunch = (pf.as_of - past[-1]).days
    return fig


def meeting_counts(pairs: list[PairFigures], as_of: date) -> list[MeetingCount]:
    """Meetings held and expected per kind, in the order of MEETING_KINDS: never added across kinds."""
    out = []
    for kind in MEETING_KINDS:
        mine = [p for p in pairs if p.kind == kind]
        if mine:
            out.append(
                MeetingCount(
                    kind,
                    sum(p.held for p in mine),
                    sum(p.expected for p in mine),
                    len(mine),
                    sum(1 for p in mine if p.counted_to is not None and p.counted_to < as_of),
                )
            )
    return out


def make_cover(sel: Selection, period: Period, kind: str, opts: ContextOptions, report_date: date) -> Cover:
    """The cover facts: person, period, boards, the as-of date and where the data comes from."""
    board_ids = set(sel.pair_ids()) | {g.board_id for g in sel.goals} | {f.board_id for f in sel.feedback}
    generated = opts.generated_at or datetime.now(timezone.utc)
    return Cover(
        kind=kind,
        person=sel.name(sel.person),
        person_key=sel.person,
        period=period,
        boards=sorted(sel.board(b) for b in board_ids),
        as_of=sel.as_of,
        report_date=report_date,
        synced_at=format_datetime(sel.domain.synced_at, sel.tz),
        synced_on=local_date(sel.domain.synced_at, sel.tz),
        generated_at=format_datetime(generated, sel.tz),
        generated_by=opts.generated_by,
        confidentiality=opts.confidentiality,
        timezone=opts.timezone,
        data_from=sel.domain.data_from,
    )


def cadence_chart(sel: Selection, period: Period) -> Chart:
    """Pair lunches per month, against the sum of the pairs' targets (group meetings and check-ins apart)."""
    every_month = months_between(period.start, period.end)
    months = every_month[-MAX_CHART_MONTHS:]
    counts = {m: 0 for m in months}
    for lu in _pair_lunches(sel):
        if lu.date in period and month_key(lu.date) in counts:
            counts[month_key(lu.date)] += 1
    return Chart(
        kind="cadence",
        title="",
        x_labels=[month_label(m) for m in months],
        series=[
            ("held", [float(counts[m]) for m in months]),
            ("target", [_month_target(sel, m, period) for m in months]),
        ],
        cut=len(months) < len(every_month),
    )


def _month_target(sel: Selection, key: str, period: Period) -> float:
    """Lunches owed in the part of one month inside the period (up to the as-of date)."""
    year, month = (int(x) for x in key.split("-"))
    first_day = max(date(year, month, 1), period.start)
    last_day = min(date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1), period.end)
    return sel.judged.lunches_owed(_pair_lunches(sel), first_day, last_day)


def _pair_lunches(sel: Selection) -> list[Lunch]:
    """The person's pair lunches (not group meetings, check-ins or team lunches)."""
    return [lu for lu in sel.lunches if sel.judged.meeting_kind(lu.board_id) == LUNCH]


def goal_progress_chart(sel: Selection, period: Period) -> Chart:
    """Goals set, goals achieved and key results done, cumulative per month of the period."""
    every_month = months_between(period.start, period.end)
    months = every_month[-MAX_CHART_MONTHS:]
    days = [min(month_end(date(int(m[:4]), int(m[5:7]), 1)), period.end, sel.as_of) for m in months]
    series = sel.judged.goal_progress(sel.goals, period.start, days)
    return Chart(
        kind="goal_progress",
        title="",
        x_labels=[month_label(m) for m in months],
        series=list(series.items()),
        cut=len(months) < len(every_month),
    )


def person_figures(
    domain: Domain, person: str, *, as_of: date | None = None, timezone: str = "UTC"
) -> Figures:
    """The summary figures of a person over all their data up to `as_of` (default: today), as their goal report
    counts them (their own commitments, those made in a peer learning group included)."""
    tz = ZoneInfo(timezone)
    period = resolve_period(domain, person, None, None, as_of or date.today(), timezone)
    judged = Judgement(domain, tz, period.end)
    sel = Selection(
        domain, Scope(person, tz, judged.as_of, domain.synced_at), judged, group=GROUP_OWN_COMMITMENTS
    )
    return compute_figures(sel, period)


def known_people(domain: Domain) -> list[str]:
    """Keys of the people a report can be made for (mapped people first, then anyone else seen)."""
    keys = [k for k, p in domain.people.items() if p.mapped]
    return keys + [k for k in domain.people if k not in keys]
