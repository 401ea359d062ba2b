"""Report contexts are pure functions of the domain: figures, sections, evidence, periods, timezones."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from report_fixtures import DomainBuilder, example_domain, utc

from trellosync.errors import TrellosyncError
from trellosync.report import (
    ContextOptions,
    Period,
    Request,
    get_kind,
    ladder_from_dict,
    resolve_period,
    to_local_date,
)
from trellosync.report.kinds.goals import MAX_LUNCH_LOG
from trellosync.reports import ReportOptions, UnknownPersonError, build_context

AS_OF = date(2026, 6, 30)


def _build(kind, domain, person, period, opts, ladder=None):
    return get_kind(kind).builder(Request(domain, person, period, period.end, opts, ladder))


def build_goals_context(domain, person, period, as_of, opts):
    return _build("goals", domain, person, period, opts)


def build_dossier_context(domain, person, period, as_of, opts, ladder=None):
    return _build("dossier", domain, person, period, opts, ladder)


def build_brief_context(domain, person, as_of, opts):
    return _build("brief", domain, person, Period(as_of, as_of), opts)


def small() -> DomainBuilder:
    b = DomainBuilder()
    b.person("ada", "Ada Lovelace").person("grace", "Grace Hopper")
    b.competency("influence", "Influence")
    return b


def test_goal_figures_count_set_achieved_open_overdue_dropped_and_median() -> None:
    b = small()
    b.goal("ada", "A", date(2026, 1, 10), due=date(2026, 2, 1), status="achieved", achieved_at=utc(2026, 1, 20))
    b.goal("ada", "B", date(2026, 1, 15), due=date(2026, 3, 1), status="achieved", achieved_at=utc(2026, 2, 14))
    b.goal("ada", "C", date(2026, 2, 1), due=date(2026, 2, 20))  # open, overdue
    b.goal("ada", "D", date(2026, 2, 1), due=date(2026, 9, 1))  # open, not yet due
    b.goal("ada", "E", date(2025, 12, 1), status="dropped", dropped_at=utc(2026, 2, 2))
    b.goal("grace", "Not Ada's", date(2026, 1, 1))
    ctx = build_goals_context(b.domain, "ada", Period(date(2026, 1, 1), date(2026, 3, 31)), AS_OF, ContextOptions())
    f = ctx.figures
    assert (f.goals_set, f.goals_achieved, f.goals_open, f.goals_overdue, f.goals_dropped) == (4, 2, 2, 1, 1)
    assert f.median_days_to_achieve == pytest.approx((10 + 30) / 2)
    titles = [g.title for g in ctx.goals]
    assert "Not Ada's" not in titles and "E" in titles  # E was open when the period started


def test_keep_rate_counts_commitments_due_in_period_kept_on_time() -> None:
    b = small()
    lu = b.lunch(date(2026, 3, 2), ["ada", "grace"])
    b.commitment(lu, "ada", "Kept", date(2026, 3, 16), utc(2026, 3, 15))
    b.commitment(lu, "ada", "Late", date(2026, 3, 16), utc(2026, 3, 20))
    b.commitment(lu, "ada", "Broken", date(2026, 3, 16), None)
    b.commitment(lu, "ada", "Not due yet", date(2026, 7, 30), None)
    b.commitment(lu, "grace", "Someone else's", date(2026, 3, 16), None)
    ctx = build_goals_context(b.domain, "ada", Period(date(2026, 3, 1), date(2026, 12, 31)), AS_OF, ContextOptions())
    f = ctx.figures
    assert (f.commitments_due, f.commitments_kept, f.commitments_late, f.commitments_broken) == (3, 1, 1, 1)
    assert f.keep_rate == pytest.approx(1 / 3)
    statuses = {c.text: c.status for c in ctx.commitments}
    assert statuses == {"Kept": "kept", "Late": "late", "Broken": "broken", "Not due yet": "open"}


def test_lunch_cadence_against_fortnightly_target_with_gaps() -> None:
    b = small()
    for d in (date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2), date(2026, 3, 2)):
        b.lunch(d, ["ada", "grace"])
    ctx = build_goals_context(b.domain, "ada", Period(date(2026, 1, 1), date(2026, 3, 31)), AS_OF, ContextOptions())
    f = ctx.figures
    assert f.lunches_held == 4
    assert f.lunches_target == round(90 / 14)
    assert f.mean_interval_days == pytest.approx((14 + 14 + 28) / 3, abs=0.05)
    assert [(g.start, g.end, g.days) for g in f.gaps] == [(date(2026, 2, 2), date(2026, 3, 2), 28)]


def test_period_bounds_are_inclusive_at_month_and_year_ends() -> None:
    b = small()
    for d in (date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 1)):
        b.lunch(d, ["ada", "grace"])
    opts = ContextOptions()
    feb = build_goals_context(b.domain, "ada", Period(date(2026, 2, 1), date(2026, 2, 28)), AS_OF, opts)
    assert [lu.date for lu in feb.lunch_log] == [date(2026, 2, 28)]
    jan = build_goals_context(b.domain, "ada", Period(date(2026, 1, 1), date(2026, 1, 31)), AS_OF, opts)
    assert [lu.date for lu in jan.lunch_log] == [date(2026, 1, 31)]
    year = build_goals_context(b.domain, "ada", Period(date(2025, 12, 31), date(2025, 12, 31)), AS_OF, opts)
    assert [lu.date for lu in year.lunch_log] == [date(2025, 12, 31)]


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Europe/Berlin", date(2027, 1, 1)),
        ("Pacific/Auckland", date(2027, 1, 1)),
        ("America/Los_Angeles", date(2026, 12, 31)),
        ("UTC", date(2026, 12, 31)),
    ],
)
def test_datetimes_are_shown_in_the_configured_timezone(tz: str, expected: date) -> None:
    late = datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)
    from zoneinfo import ZoneInfo

    assert to_local_date(late, ZoneInfo(tz)) == expected
    assert to_local_date(late.replace(tzinfo=None), ZoneInfo(tz)) == expected  # naive = UTC
    b = small()
    b.goal("ada", "New year goal", date(2026, 12, 1), due=date(2027, 1, 1), status="achieved", achieved_at=late)
    ctx = build_goals_context(
        b.domain, "ada", Period(date(2027, 1, 1), date(2027, 1, 31)), date(2027, 2, 1), ContextOptions(timezone=tz)
    )
    assert ctx.figures.goals_achieved == (1 if expected.year == 2027 else 0)
    dec = build_goals_context(
        b.domain, "ada", Period(date(2026, 12, 1), date(2026, 12, 31)), date(2027, 2, 1), ContextOptions(timezone=tz)
    )
    assert dec.figures.goals_achieved == (1 if expected.year == 2026 else 0)
    achieved = [g.achieved_on for g in dec.goals]
    assert achieved == [expected]


def test_empty_period_says_so() -> None:
    d = example_domain(6)
    ctx = build_goals_context(d, "ada", Period(date(2030, 1, 1), date(2030, 1, 31)), date(2030, 2, 1), ContextOptions())
    assert ctx.empty and "No lunches" in ctx.empty_message and "1 Jan 2030" in ctx.empty_message
    dossier = build_dossier_context(d, "ada", Period(date(2030, 1, 1), date(2030, 1, 31)), date(2030, 2, 1), ContextOptions())
    assert dossier.empty and all(s.total == 0 for s in dossier.sections)


def test_every_evidence_item_has_date_author_and_card_link() -> None:
    d = example_domain(8)
    ctx = build_dossier_context(d, "ada", Period(date(2026, 1, 1), AS_OF), AS_OF, ContextOptions())
    items = [e for s in ctx.sections for e in s.items]
    assert items
    for e in items:
        assert isinstance(e.date, date)
        assert e.by and e.by != "Unattributed"
        assert e.url and e.url.startswith("https://trello.com/c/")
        assert e.ref > 0
    assert {e.by for e in items if e.kind != "goal"} == {"Grace Hopper"}
    assert [s.ref for s in ctx.sources] == list(range(1, len(ctx.sources) + 1))


def test_dossier_leaves_worst_moments_out_unless_asked() -> None:
    d = example_domain(8)
    period = Period(date(2026, 1, 1), AS_OF)
    worst_texts = {f.text for f in d.feedback if f.kind == "worst"}
    ctx = build_dossier_context(d, "ada", period, AS_OF, ContextOptions())
    assert not any(s.text in worst_texts for s in ctx.sources)
    assert ctx.worst_moments == []
    with_worst = build_dossier_context(d, "ada", period, AS_OF, ContextOptions(include_worst_moments=True))
    assert with_worst.worst_moments and all(e.kind == "worst" for e in with_worst.worst_moments)
    # The brief and the goal report do show them.
    assert build_brief_context(d, "ada", AS_OF, ContextOptions()).last_worst is not None
    goals = build_goals_context(d, "ada", period, AS_OF, ContextOptions())
    assert any(lu.worst for lu in goals.lunch_log)


def test_dossier_evidence_per_ladder_criterion_by_competency_and_keyword() -> None:
    d = example_domain(10)
    ladder = ladder_from_dict(
        {
            "name": "Engineering ladder",
            "level": "Staff Engineer",
            "criteria": [
                {"key": "influence", "name": "Influence beyond the team", "competencies": ["Influence"]},
                {"name": "Growing others", "keywords": ["joiner", "paired"]},
            ],
        }
    )
    ctx = build_dossier_context(d, "ada", Period(date(2026, 1, 1), AS_OF), AS_OF, ContextOptions(), ladder)
    assert ctx.by_criterion and ctx.cover.target_level == "Staff Engineer"
    by_key = {s.key: s for s in ctx.sections}
    assert by_key["influence"].total > 0
    assert all("Influence" in e.labels for e in by_key["influence"].items if e.kind != "goal")
    growing = by_key["growing-others"]
    assert growing.total > 0 and all("joiner" in e.text.lower() or "paired" in e.text.lower() for e in growing.items)
    assert "unmatched" in by_key


def test_dossier_consistency_growth_peers_and_summary_claims() -> None:
    d = example_domain(14)
    ctx = build_dossier_context(d, "ada", Period(date(2026, 1, 1), AS_OF), AS_OF, ContextOptions())
    assert ctx.consistency and ctx.consistency[0].recurring
    assert len(ctx.consistency[0].month_marks) == len(ctx.months) == 6
    assert ctx.growth and all(t.focus.kind == "focus" for t in ctx.growth)
    assert ctx.peers and ctx.peers[0].name == "Grace Hopper"
    hrefs = {c.href for c in ctx.claims}
    anchors = {"#" + s.anchor for s in ctx.sections} | {"#evidence", "#goals", "#growth"}
    assert hrefs <= anchors and len(ctx.claims) >= 3
    assert [g.title for g in ctx.goals_achieved] == ["Lead the billing migration RFC to approval"]
    assert ctx.open_focus and all(t.current for t in ctx.open_focus)


def test_brief_asks_the_accountability_questions() -> None:
    b = small()
    lu1 = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    lu2 = b.lunch(date(2026, 6, 16), ["ada", "grace"])
    b.commitment(lu1, "ada", "Write the migration plan", date(2026, 6, 16), None)
    b.commitment(lu2, "ada", "Demo the prototype", date(2026, 6, 30), None)
    b.entry(lu2, "focus", "ada", "grace", "Delegate the release checklist.")
    b.entry(lu2, "best", "ada", "grace", "Great incident review.")
    b.entry(lu2, "worst", "ada", "grace", "Missed the design review.")
    b.entry(None, "observation", "ada", "grace", "Handed the checklist over.", day=date(2026, 6, 20))
    b.goal("ada", "Ship v2", date(2026, 5, 1), due=date(2026, 7, 10), key_results=[("Beta", utc(2026, 6, 1)), ("GA", None)])
    ctx = build_brief_context(b.domain, "ada", AS_OF, ContextOptions())
    assert ctx.last_lunch is not None and ctx.last_lunch.date == date(2026, 6, 16)
    assert ctx.last_lunch_with == "Grace Hopper"
    assert "You said you would write the migration plan by 16 Jun 2026: how did it go?" in ctx.questions
    assert "You said you would demo the prototype by today: how is it going?" in ctx.questions
    assert any("Delegate the release checklist" in q for q in ctx.questions)
    assert any("Ship v2" in q and "1 of 2 key results" in q for q in ctx.questions)
    assert [c.text for c in ctx.overdue_commitments] == ["Write the migration plan"]
    assert [c.text for c in ctx.open_commitments] == ["Demo the prototype"]
    assert ctx.focus is not None and [o.text for o in ctx.focus.observations] == ["Handed the checklist over."]
    assert ctx.last_best is not None and ctx.last_best.text == "Great incident review."
    assert ctx.last_worst is not None and ctx.last_worst.by == "Grace Hopper"
    assert [g.title for g in ctx.goals_near] == ["Ship v2"]


def test_thousand_lunches_give_bounded_sections() -> None:
    d = example_domain(1000, start=date(1990, 1, 1))
    as_of = date(2030, 1, 1)
    period = resolve_period(d, "ada", None, None, as_of)
    goals = build_goals_context(d, "ada", period, as_of, ContextOptions())
    assert goals.figures.lunches_held == 1000
    assert len(goals.lunch_log) == MAX_LUNCH_LOG and goals.lunch_log_more == 1000 - MAX_LUNCH_LOG
    dossier = build_dossier_context(d, "ada", period, as_of, ContextOptions())
    assert all(len(s.items) <= 2 * MAX_EVIDENCE_PER_SECTION for s in dossier.sections)
    assert len(dossier.sources) < 400


def test_resolve_period_defaults_and_validation() -> None:
    d = example_domain(4)
    p = resolve_period(d, "ada", None, None, AS_OF)
    assert p.start == date(2026, 1, 6) and p.end == AS_OF
    with pytest.raises(ValueError):
        resolve_period(d, "ada", date(2026, 5, 1), date(2026, 4, 1), AS_OF)


def test_unknown_person_lists_known_people() -> None:
    d = example_domain(2)
    with pytest.raises(UnknownPersonError) as err:
        build_context("goals", "bob", d, options=ReportOptions(as_of=AS_OF))
    assert isinstance(err.value, TrellosyncError)
    assert "ada" in str(err.value) and "grace" in str(err.value) and "'bob'" in str(err.value)


def test_ladder_format_errors_are_clear() -> None:
    with pytest.raises(ValueError, match="criteria"):
        ladder_from_dict({"name": "x"})
    with pytest.raises(ValueError, match=r"criteria\[0\]"):
        ladder_from_dict({"criteria": [{"keywords": ["a"]}]})
    ladder = ladder_from_dict({"criteria": [{"name": "Impact & scope"}]})
    assert ladder.criteria[0].key == "impact-scope"


def test_commitment_completed_after_as_of_is_not_yet_known() -> None:
    b = small()
    lu = b.lunch(date(2026, 6, 1), ["ada", "grace"])
    b.commitment(lu, "ada", "Later", date(2026, 6, 10), utc(2026, 6, 8) + timedelta(days=30))
    ctx = build_goals_context(b.domain, "ada", Period(date(2026, 6, 1), date(2026, 6, 20)), date(2026, 6, 20), ContextOptions())
    assert [c.status for c in ctx.commitments] == ["broken"]
