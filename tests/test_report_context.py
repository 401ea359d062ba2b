"""Report contexts are pure functions of the domain: figures, sections, evidence, periods, timezones."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from report_fixtures import DomainBuilder, example_domain, utc

from trellosync.domain.dates import local_date
from trellosync.domain.practices import Practices
from trellosync.errors import TrellosyncError
from trellosync.report import (
    ContextOptions,
    Period,
    Request,
    get_kind,
    ladder_from_dict,
    resolve_period,
)
from trellosync.report.documents import ReportOptions, UnknownPersonError, build_context
from trellosync.report.kinds.goals import MAX_LUNCH_LOG

AS_OF = date(2026, 6, 30)


def _build(kind, domain, person, period, opts, ladder=None):
    return get_kind(kind).builder(Request(domain, person, period, period.end, opts, ladder))


def build_goals_context(domain, person, period, as_of, opts):
    return _build("goals", domain, person, period, opts)  # as of min(period end, last sync)


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
    b.goal(
        "ada", "A", date(2026, 1, 10), due=date(2026, 2, 1), status="achieved", achieved_at=utc(2026, 1, 20)
    )
    b.goal(
        "ada", "B", date(2026, 1, 15), due=date(2026, 3, 1), status="achieved", achieved_at=utc(2026, 2, 14)
    )
    b.goal("ada", "C", date(2026, 2, 1), due=date(2026, 2, 20))  # open, overdue
    b.goal("ada", "D", date(2026, 2, 1), due=date(2026, 9, 1))  # open, not yet due
    b.goal("ada", "E", date(2025, 12, 1), status="dropped", dropped_at=utc(2026, 2, 2))
    b.goal("grace", "Not Ada's", date(2026, 1, 1))
    ctx = build_goals_context(
        b.domain, "ada", Period(date(2026, 1, 1), date(2026, 3, 31)), AS_OF, ContextOptions()
    )
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
    ctx = build_goals_context(
        b.domain, "ada", Period(date(2026, 3, 1), date(2026, 12, 31)), AS_OF, ContextOptions()
    )
    f = ctx.figures
    assert (f.commitments_due, f.commitments_kept, f.commitments_late, f.commitments_broken) == (3, 1, 1, 1)
    assert f.keep_rate == pytest.approx(1 / 3)
    statuses = {c.text: c.status for c in ctx.commitments}
    assert statuses == {"Kept": "kept", "Late": "late", "Broken": "broken", "Not due yet": "open"}


def test_lunch_cadence_against_fortnightly_target_with_gaps() -> None:
    b = small()
    for d in (date(2026, 1, 5), date(2026, 1, 19), date(2026, 2, 2), date(2026, 3, 2)):
        b.lunch(d, ["ada", "grace"])
    ctx = build_goals_context(
        b.domain, "ada", Period(date(2026, 1, 1), date(2026, 3, 31)), AS_OF, ContextOptions()
    )
    f = ctx.figures
    assert f.lunches_held == 4 and len(f.pairs) == 1
    pair = f.pairs[0]
    assert pair.expected == round(90 / 14) and pair.with_names == ["Grace Hopper"]
    assert pair.mean_interval_days == pytest.approx((14 + 14 + 28) / 3, abs=0.05)
    assert [(g.start, g.end, g.days) for g in pair.gaps] == [(date(2026, 2, 2), date(2026, 3, 2), 28)]


def test_period_bounds_are_inclusive_at_month_and_year_ends() -> None:
    b = small()
    for d in (date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 1)):
        b.lunch(d, ["ada", "grace"])
    opts = ContextOptions()

    def logged(start: date, end: date) -> list[date]:
        ctx = build_goals_context(b.domain, "ada", Period(start, end), AS_OF, opts)
        return [lu.date for log in ctx.pair_logs for lu in log.meetings]

    assert logged(date(2026, 2, 1), date(2026, 2, 28)) == [date(2026, 2, 28)]
    assert logged(date(2026, 1, 1), date(2026, 1, 31)) == [date(2026, 1, 31)]
    assert logged(date(2025, 12, 31), date(2025, 12, 31)) == [date(2025, 12, 31)]


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

    assert local_date(late, ZoneInfo(tz)) == expected
    assert local_date(late.replace(tzinfo=None), ZoneInfo(tz)) == expected  # naive = UTC
    b = small()
    b.domain.synced_at = datetime(2027, 2, 1, 12, 0, tzinfo=timezone.utc)
    b.goal(
        "ada", "New year goal", date(2026, 12, 1), due=date(2027, 1, 1), status="achieved", achieved_at=late
    )
    opts = ContextOptions(timezone=tz)
    jan = build_goals_context(b.domain, "ada", Period(date(2027, 1, 1), date(2027, 1, 31)), None, opts)
    assert jan.figures.goals_achieved == (1 if expected.year == 2027 else 0)
    dec = build_goals_context(b.domain, "ada", Period(date(2026, 12, 1), date(2026, 12, 31)), None, opts)
    assert dec.figures.goals_achieved == (1 if expected.year == 2026 else 0)
    assert [g.status for g in dec.goals] == ["achieved" if expected.year == 2026 else "open"]


def test_figures_are_as_of_the_earlier_of_period_end_and_last_sync() -> None:
    b = small()
    lu = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    b.commitment(lu, "ada", "Due after the sync", date(2026, 7, 10), None)
    b.goal("ada", "Achieved later", date(2026, 5, 1), status="achieved", achieved_at=utc(2026, 9, 1))
    ctx = build_goals_context(
        b.domain, "ada", Period(date(2026, 5, 1), date(2026, 12, 31)), None, ContextOptions()
    )
    assert ctx.cover.as_of == ctx.figures.as_of == date(2026, 6, 30)  # the builder's last sync
    assert [c.status for c in ctx.commitments] == ["open"]  # not judged past the last sync
    assert [g.status for g in ctx.goals] == ["open"]  # its achievement is not known on 30 Jun
    early = build_goals_context(
        b.domain, "ada", Period(date(2026, 5, 1), date(2026, 6, 10)), None, ContextOptions()
    )
    assert early.cover.as_of == date(2026, 6, 10)


def test_empty_period_says_so() -> None:
    d = example_domain(6)
    ctx = build_goals_context(
        d, "ada", Period(date(2030, 1, 1), date(2030, 1, 31)), date(2030, 2, 1), ContextOptions()
    )
    assert ctx.empty and ctx.charts == [] and ctx.sources == []
    dossier = build_dossier_context(
        d, "ada", Period(date(2030, 1, 1), date(2030, 1, 31)), date(2030, 2, 1), ContextOptions()
    )
    assert dossier.empty and all(s.total == 0 for s in dossier.sections)


def test_quotes_are_attributed_only_when_the_author_is_known() -> None:
    b = small()
    lu = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    b.entry(
        lu, "best", "ada", None, "Ran the planning meeting; we cut scope by a third.", labels=["influence"]
    )
    b.entry(lu, "best", "ada", "ada", "I finally said no to the side project.", labels=["influence"])
    b.entry(
        lu, "observation", "ada", "grace", "Saw you present the RFC: clear and short.", day=date(2026, 6, 5)
    )
    ctx = build_dossier_context(b.domain, "ada", Period(date(2026, 6, 1), AS_OF), AS_OF, ContextOptions())
    by_text = {e.text: e for e in ctx.sources}
    unknown = by_text["Ran the planning meeting; we cut scope by a third."]
    assert unknown.said_by is None and unknown.voice == "unknown"
    assert unknown.meeting_date == date(2026, 6, 2) and unknown.meeting_with == ["Grace Hopper"]
    own = by_text["I finally said no to the side project."]
    assert own.voice == "self" and own.key in {e.key for e in ctx.own_words + ctx.own_words_quoted}
    assert [p.name for p in ctx.peers] == ["Grace Hopper"]  # the subject's own words are never a peer's
    assert all(e.voice == "peer" for p in ctx.peers for e in p.quotes)


def test_every_evidence_item_has_date_and_card_link_and_a_number() -> None:
    d = example_domain(8)
    ctx = build_dossier_context(d, "ada", Period(date(2026, 1, 1), AS_OF), AS_OF, ContextOptions())
    items = [e for s in ctx.sections for e in s.body + s.more]
    assert items
    for e in items:
        assert isinstance(e.date, date)
        assert e.url and e.url.startswith("https://trello.com/c/")
        assert e.ref > 0
    assert {e.said_by for e in items if e.kind != "goal"} == {"Grace Hopper"}
    assert [s.ref for s in ctx.sources] == list(range(1, len(ctx.sources) + 1))


def test_dossier_leaves_worst_moments_out_unless_asked() -> None:
    d = example_domain(8)
    period = Period(date(2026, 1, 1), AS_OF)
    concern = next(
        f for f in d.feedback if f.kind == "observation" and f.about == "ada" and f.date > date(2026, 2, 1)
    )
    concern.polarity = "concern"
    worst_texts = {f.text for f in d.feedback if f.kind == "worst"}
    ctx = build_dossier_context(d, "ada", period, AS_OF, ContextOptions())
    assert not any(s.text in worst_texts for s in ctx.sources)
    assert not any(s.id == concern.id for s in ctx.sources)  # nor an observation marked as a concern
    assert sum(t.against_left_out for t in ctx.growth) >= 1
    assert ctx.worst_moments == []
    with_worst = build_dossier_context(d, "ada", period, AS_OF, ContextOptions(include_worst_moments=True))
    assert with_worst.worst_moments and all(e.polarity == "negative" for e in with_worst.worst_moments)
    # The brief and the goal report do show them.
    assert build_brief_context(d, "ada", AS_OF, ContextOptions()).blocks[0].last_worst is not None
    goals = build_goals_context(d, "ada", period, AS_OF, ContextOptions())
    assert any(lu.worst for log in goals.pair_logs for lu in log.meetings)


def test_dossier_evidence_per_ladder_criterion_by_competency_and_keyword() -> None:
    d = example_domain(10)
    ladder = ladder_from_dict(
        {
            "name": "Engineering ladder",
            "level": "Staff Engineer",
            "criteria": [
                {"key": "influence", "name": "Influence beyond the team", "competencies": ["Influence"]},
                {"name": "Growing others", "competencies": ["mentoring"], "keywords": ["joiner", "paired"]},
            ],
        }
    )
    ctx = build_dossier_context(d, "ada", Period(date(2026, 1, 1), AS_OF), AS_OF, ContextOptions(), ladder)
    assert ctx.by_criterion and ctx.cover.target_level == "Staff Engineer"
    by_key = {s.key: s for s in ctx.sections}
    influence = by_key["influence"]
    assert influence.total > 0 and len(influence.body) <= 3
    assert all(e.competency_key == "influence" for e in influence.body + influence.more)
    growing = by_key["growing-others"]
    assert growing.total > 0
    assert all(e.competency_key == "mentoring" for e in growing.body + growing.more)
    filed = [e.key for s in ctx.sections + [ctx.unclassified] for e in s.body + s.more]
    assert len(filed) == len(set(filed))  # each entry counts once, under its best match


def test_dossier_files_entries_by_their_stored_competency_and_goals_by_the_same_keyword_rule() -> None:
    b = small()
    lu = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    # The pipeline derived the first with the ladder's keywords (its key: the criterion's, as it names no
    # competency); the second was classified by a #tag, which wins over keywords: the dossier keeps both as stored.
    b.entry(lu, "best", "ada", "grace", "Paired with the new joiner all week.", labels=["growing-others"])
    b.entry(lu, "best", "ada", "grace", "Paired on the #influence deck.", labels=["influence"])
    b.entry(lu, "best", "ada", "grace", "Paired a lot, no competency stored.")
    b.goal(
        "ada",
        "Mentor the new joiner",
        date(2026, 5, 1),
        status="achieved",
        achieved_at=utc(2026, 6, 20),
        labels=["influence"],
    )  # a keyword in its title beats its single label, as competency_of rules
    b.goal(
        "ada",
        "Present the roadmap",
        date(2026, 5, 1),
        status="achieved",
        achieved_at=utc(2026, 6, 21),
        labels=["influence"],
    )
    ladder = ladder_from_dict(
        {
            "criteria": [
                {"key": "influence", "name": "Influence", "competencies": ["influence"]},
                {"name": "Growing others", "keywords": ["joiner", "paired"]},
            ]
        }
    )
    ctx = build_dossier_context(
        b.domain, "ada", Period(date(2026, 5, 1), AS_OF), AS_OF, ContextOptions(), ladder
    )
    texts = {
        s.key: sorted(e.text for e in s.body + s.more + s.more_quoted)
        for s in ctx.sections + [ctx.unclassified]
    }
    assert texts["growing-others"] == ["Mentor the new joiner", "Paired with the new joiner all week."]
    assert texts["influence"] == [
        "Paired on the deck.",
        "Present the roadmap",
    ]  # the #tag is markup: not shown
    assert texts["unclassified"] == ["Paired a lot, no competency stored."]


def test_dossier_body_puts_peer_observed_and_outcome_items_first() -> None:
    b = small()
    lu = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    for text in (
        "Helped a bit with the review.",
        "Kept the team calm.",
        "Tidied the backlog.",
        "Was friendly.",
    ):
        b.entry(lu, "best", "ada", None, text, labels=["influence"])
    b.entry(
        lu, "best", "ada", None, "Shipped the importer; it cut support tickets by 30%.", labels=["influence"]
    )
    b.entry(
        None,
        "observation",
        "ada",
        "grace",
        "Your RFC review was the clearest I have read.",
        day=date(2026, 6, 4),
        labels=["influence"],
    )
    ctx = build_dossier_context(b.domain, "ada", Period(date(2026, 6, 1), AS_OF), AS_OF, ContextOptions())
    body = ctx.sections[0].body
    assert [e.text for e in body[:2]] == [
        "Your RFC review was the clearest I have read.",
        "Shipped the importer; it cut support tickets by 30%.",
    ]
    assert len(body) == 3 and len(ctx.sections[0].more) == 3


def test_dossier_growth_peers_and_open_focus() -> None:
    d = example_domain(14)
    ctx = build_dossier_context(d, "ada", Period(date(2026, 1, 1), AS_OF), AS_OF, ContextOptions())
    assert ctx.sections[0].recurring
    assert len(ctx.sections[0].month_marks) == len(ctx.months) == 6
    assert ctx.growth and all(t.focus.kind == "focus" for t in ctx.growth)
    assert all(t.pair == ctx.growth[0].pair for t in ctx.growth)
    assert ctx.peers and ctx.peers[0].name == "Grace Hopper"
    assert [g.title for g in ctx.goals_achieved] == ["Lead the billing migration RFC to approval"]
    assert ctx.open_focus and all(t.current for t in ctx.open_focus)


def test_brief_asks_the_accountability_questions() -> None:
    b = small()
    lu1 = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    lu2 = b.lunch(date(2026, 6, 16), ["ada", "grace"])
    b.commitment(lu1, "ada", "Write the migration plan", date(2026, 6, 16), None)
    b.commitment(lu2, "ada", "Demo the prototype", date(2026, 6, 29), None)
    b.commitment(lu2, "ada", "Book the room", date(2026, 6, 20), utc(2026, 6, 19))
    b.entry(lu2, "focus", "ada", "grace", "Delegate the release checklist.")
    b.entry(lu2, "best", "ada", "grace", "Great incident review.")
    b.entry(lu2, "worst", "ada", "grace", "Missed the design review.")
    b.entry(None, "observation", "ada", "grace", "Handed the checklist over.", day=date(2026, 6, 20))
    b.goal(
        "ada",
        "Ship v2",
        date(2026, 5, 1),
        due=date(2026, 7, 10),
        key_results=[("Beta", utc(2026, 6, 1)), ("GA", None)],
    )
    ctx = build_brief_context(b.domain, "ada", AS_OF, ContextOptions())
    assert ctx.last_meeting == date(2026, 6, 16) and ctx.with_names == ["Grace Hopper"] and not ctx.group
    block = ctx.blocks[0]
    kinds = [(q.kind, q.text) for q in block.questions]
    assert ("commitment_due", "Demo the prototype") in kinds and ("done", "Book the room") in kinds
    assert ("focus", "Delegate the release checklist.") in kinds and ("goal", "Ship v2") in kinds
    assert len(block.questions) <= 5
    assert (
        block.close_or_drop is not None and block.close_or_drop.count == 1
    )  # the plan due at the last lunch
    assert [c.text for c in block.promised] == ["Demo the prototype", "Book the room"]
    assert block.focus is not None and [o.text for o in block.focus.observations] == [
        "Handed the checklist over."
    ]
    assert block.last_best is not None and block.last_best.text == "Great incident review."
    assert block.last_worst is not None and block.last_worst.said_by == "Grace Hopper"
    assert [g.title for g in block.goals_near] == ["Ship v2"]


def test_brief_is_for_one_pair_and_a_group_gets_a_block_per_member() -> None:
    b = small()
    b.person("lin", "Lin Chen")
    b.lunch(date(2026, 6, 2), ["ada", "grace"])
    b.board_id, b.board_name = "b0000002", "Team lunch"
    b.domain.boards[b.board_id] = b.board_name
    b.lunch(date(2026, 5, 1), ["ada", "grace", "lin"])
    default = build_brief_context(b.domain, "ada", AS_OF, ContextOptions())
    assert default.board == "Peer lunch: Ada & Grace" and not default.group
    group = build_brief_context(b.domain, "ada", AS_OF, ContextOptions(board="Team lunch"))
    assert group.board == "Team lunch" and group.group
    assert [blk.person for blk in group.blocks] == ["Ada Lovelace", "Grace Hopper", "Lin Chen"]


@pytest.mark.slow  # builds a dossier over 1,000 lunches
def test_thousand_lunches_give_bounded_sections() -> None:
    d = example_domain(1000, start=date(1990, 1, 1))
    d.synced_at = datetime(2030, 1, 1, tzinfo=timezone.utc)
    as_of = date(2030, 1, 1)
    period = resolve_period(d, "ada", None, None, as_of)
    goals = build_goals_context(d, "ada", period, as_of, ContextOptions())
    assert goals.figures.lunches_held == 1000
    log = goals.pair_logs[0]
    assert len(log.meetings) == MAX_LUNCH_LOG and log.more == 1000 - MAX_LUNCH_LOG
    dossier = build_dossier_context(d, "ada", period, as_of, ContextOptions())
    assert all(len(s.body) <= 3 for s in dossier.sections)


def test_resolve_period_defaults_and_validation() -> None:
    d = example_domain(4)
    p = resolve_period(d, "ada", None, None, AS_OF)
    assert p.start == date(2026, 1, 6) and p.end == AS_OF
    with pytest.raises(ValueError):
        resolve_period(d, "ada", date(2026, 5, 1), date(2026, 4, 1), AS_OF)


def test_unknown_person_lists_known_people() -> None:
    d = example_domain(2)
    with pytest.raises(UnknownPersonError) as err:
        build_context("goals", "bob", d, options=ReportOptions(report_date=AS_OF))
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
    ctx = build_goals_context(
        b.domain, "ada", Period(date(2026, 6, 1), date(2026, 6, 20)), date(2026, 6, 20), ContextOptions()
    )
    assert [c.status for c in ctx.commitments] == ["broken"]


@pytest.mark.parametrize(
    "lunch, wording",
    [(date(2026, 6, 16), "next one due 30 Jun 2026"), (date(2026, 6, 2), "next one was due 16 Jun 2026")],
)
def test_brief_says_a_missed_next_lunch_was_due(lunch: date, wording: str) -> None:
    from trellosync.report.documents import render_report_html

    b = small()
    lu = b.lunch(lunch, ["ada", "grace"])
    b.entry(lu, "best", "ada", "grace", "Great incident review.")
    ctx = build_brief_context(b.domain, "ada", AS_OF, ContextOptions())
    html, _ = render_report_html(ctx, ReportOptions(), for_pdf=False)
    assert ctx.cover.as_of == AS_OF and wording in " ".join(html.split())


def test_goal_report_counts_boards_not_pairs_once_a_group_is_among_them() -> None:
    from trellosync.report.documents import render_report_html

    b = small().person("alan", "Alan Turing")
    b.lunch(date(2026, 6, 2), ["ada", "grace"])
    period = Period(date(2026, 6, 1), AS_OF)

    def wording() -> str:
        ctx = build_goals_context(b.domain, "ada", period, AS_OF, ContextOptions())
        html, _ = render_report_html(ctx, ReportOptions(), for_pdf=False)
        return " ".join(html.split())

    assert "expected across 1 pair<" in wording()
    b.board_id, b.board_name = "b0000002", "Peer learning group"
    b.domain.boards[b.board_id] = b.board_name
    b.lunch(date(2026, 6, 9), ["ada", "grace", "alan"])
    assert "expected across 1 pair<" in wording() and "Team lunches held" in wording()  # counted apart
    b.domain.practices = Practices(group_boards={b.board_id: ["ada", "grace", "alan"]})
    assert "Group meetings held" in wording() and "Team lunches held" not in wording()
