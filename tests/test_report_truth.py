"""Sentences of the reports that must be true of the data (the r1 truth audit of the demo reports).

Each test builds a small domain, renders one report's HTML (no PDF) and reads the sentence a committee member
would read: counts, labels and empty sections must say what the data says, no more.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from zoneinfo import ZoneInfo

from report_fixtures import DomainBuilder, utc

from trellosync.report import ContextOptions, Period, Request, get_kind
from trellosync.report.documents import ReportOptions, render_report_html
from trellosync.report.selection import Scope, Selection
from trellosync.report.threads import focus_threads

AS_OF = date(2026, 6, 30)
PERIOD = Period(date(2026, 3, 1), AS_OF)


def small() -> DomainBuilder:
    b = DomainBuilder()
    b.person("ada", "Ada Lovelace").person("grace", "Grace Hopper")
    return b


def html_of(kind: str, b: DomainBuilder, person: str = "ada", period: Period = PERIOD) -> str:
    """The report's HTML with tags dropped and whitespace folded, as a reader sees its words."""
    ctx = get_kind(kind).builder(Request(b.domain, person, period, period.end, ContextOptions(), None))
    html, _ = render_report_html(ctx, ReportOptions(), for_pdf=False)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_focus_point_stated_at_three_lunches_is_restated_at_two() -> None:
    b = small()
    for day in (date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30)):
        lu = b.lunch(day, ["ada", "grace"])
        b.entry(lu, "focus", "ada", "ada", "Speak up earlier in planning")
        b.entry(lu, "best", "ada", "ada", "Shipped the billing migration")
    for kind in ("goals", "dossier"):
        text = html_of(kind, b)
        assert "raised 2 Mar 2026" in text and ", restated at 2 later lunches until 30 Mar 2026" in text, kind


def two_boards_one_synced_early() -> DomainBuilder:
    """Ada's pair board synced at the period's end; a team board last synced 12 Jun with one lunch."""
    from datetime import datetime, timezone

    b = small()
    for day in (date(2026, 6, 2), date(2026, 6, 16), date(2026, 6, 30)):
        lu = b.lunch(day, ["ada", "grace"])
        b.entry(lu, "best", "ada", "grace", "Shipped the billing migration")
    b.domain.board_synced[b.board_id] = datetime(2026, 6, 30, 22, 0, tzinfo=timezone.utc)
    b.board_id, b.board_name = "b0000002", "Team board"
    b.domain.boards[b.board_id] = b.board_name
    b.lunch(date(2026, 6, 1), ["ada", "grace"])
    b.domain.board_synced[b.board_id] = datetime(2026, 6, 12, 9, 0, tzinfo=timezone.utc)
    return b


def test_a_board_counted_only_to_its_earlier_sync_says_so_and_one_lunch_is_singular() -> None:
    b = two_boards_one_synced_early()
    period = Period(date(2026, 6, 1), AS_OF)
    goals = html_of("goals", b, period=period)
    assert (
        "1 lunch of 1 expected (one every 14 days), counted to 12 Jun 2026 (this board's last sync)" in goals
    )
    assert (
        "3 lunches of 2 expected (one every 14 days) ·" in goals
    )  # the pair board: counted to the as-of date
    assert "expected across 2 pairs; 1 counted to its last sync" in goals
    dossier = html_of("dossier", b, period=period)
    assert (
        "1 lunch of 1 expected, one every 14 days, counted to 12 Jun 2026 (this board's last sync)" in dossier
    )
    assert "1 lunches" not in dossier


def test_advocate_brief_check_in_is_a_one_on_one_and_empty_sections_say_why() -> None:
    from trellosync.domain.practices import Practices

    b = small().person("alan", "Alan Turing")
    old = b.lunch(date(2026, 3, 2), ["ada", "grace"])
    b.commitment(old, "ada", "Write the runbook", date(2026, 3, 16))  # still open: 106 days overdue
    check_in = b.lunch(date(2026, 6, 1), ["ada", "alan"])  # the check-in with the advocate
    b.commitment(check_in, "ada", "Draft the plan", date(2026, 6, 10), utc(2026, 6, 9))  # kept
    b.lunch(date(2026, 6, 20), ["ada", "grace", "alan"])  # a group meeting the advocate attended too
    b.domain.practices = Practices(advocates={"ada": "alan"})
    text = html_of("advocate", b)
    assert "last check-in 1 Jun 2026" in text
    assert "No stakeholder concern or other feedback since 1 Jun 2026: nothing to answer." in text
    assert "Every theme raised" not in text  # there was no theme to answer
    assert "Nothing overdue" not in text  # one is, folded into the line below
    assert "Nothing due in the next two weeks, and nothing broken for 45 days or less." in text
    assert "Also 1 older commitment or promise broken for more than 45 days" in text
    assert "keep rate of commitments and promises (last 90 days)" in text


def test_goal_report_titles_its_lunch_log_by_board_once_a_group_is_among_them() -> None:
    b = small().person("alan", "Alan Turing")
    b.lunch(date(2026, 6, 2), ["ada", "grace"])
    assert "Appendix C: lunches, pair by pair" in html_of("goals", b)
    b.board_id, b.board_name = "b0000002", "Peer learning group"
    b.domain.boards[b.board_id] = b.board_name
    b.lunch(date(2026, 6, 9), ["ada", "grace", "alan"])
    text = html_of("goals", b)
    assert "Appendix C: lunches and meetings, board by board" in text and "pair by pair" not in text
    assert (
        "1 team lunch of 2 expected" in text and "1 lunch of 2 expected" in text
    )  # each named for what it is


def test_dossier_counts_months_with_evidence_not_a_span() -> None:
    b = small().competency("delivery", "Delivery")
    for day in (date(2026, 3, 2), date(2026, 6, 29)):  # two months, four months apart
        lu = b.lunch(day, ["ada", "grace"])
        b.entry(lu, "best", "ada", "ada", "Shipped the billing migration", labels=["delivery"])
    text = html_of("dossier", b)
    assert "Delivery thin 0 2 2 " in text  # the first page: strength, observers, lunches, months (not a span)
    assert "2 items · 2 lunches · in 2 different months · 2 Mar 2026 – 29 Jun 2026" in text
    assert "over 2 months" not in text


def test_dossier_peer_section_accounts_for_every_entry_it_counts() -> None:
    b = small()
    for i, day in enumerate((date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30), date(2026, 4, 13))):
        lu = b.lunch(day, ["ada", "grace"])
        b.entry(lu, "observation", "ada", "grace", f"Observation number {i + 1} about the review")
    text = html_of("dossier", b)
    assert (
        "0 strengths, 4 observations marked as praise, 2 Mar 2026 – 13 Apr 2026; 1 earlier not quoted here"
        in text
    )


def test_a_later_best_moment_is_on_the_focus_theme_only_when_it_shares_a_content_word() -> None:
    b = small()
    first = b.lunch(date(2026, 3, 2), ["ada", "grace"])
    b.entry(first, "focus", "ada", "ada", "Delegate on-call follow-ups instead of doing them all myself")
    later = b.lunch(date(2026, 3, 16), ["ada", "grace"])
    b.entry(later, "best", "ada", "ada", "Said 'I don't know' in the review instead of bluffing")
    b.entry(later, "best", "ada", "ada", "Delegated the disk-alert follow-ups to Sam")
    sel = Selection(b.domain, Scope("ada", ZoneInfo("UTC"), AS_OF, b.domain.synced_at))
    [thread] = focus_threads(sel, PERIOD, AS_OF)
    assert [e.text for e in thread.later_best] == ["Delegated the disk-alert follow-ups to Sam"]


def test_advocate_brief_says_its_unanswered_list_is_a_word_match_not_that_no_answer_exists() -> None:
    from trellosync.domain.practices import Practices, StakeholderFeedback

    b = small().person("alan", "Alan Turing")
    b.lunch(date(2026, 6, 1), ["ada", "alan"])
    b.domain.practices = Practices(
        advocates={"ada": "alan"},
        stakeholder_feedback=[
            StakeholderFeedback(
                id="s1",
                board_id=b.board_id,
                about="ada",
                said_by=None,
                said_by_name="Pete Novak",
                said_by_source="from_line",
                date=date(2026, 6, 10),
                text="In design reviews you answer for others.",
                polarity="concern",
                url=None,
            )
        ],
    )
    text = html_of("advocate", b)
    assert "In design reviews you answer for others." in text
    assert "share no issue" not in text  # a word match cannot know that nothing answers it
    assert "A word match: read each against the self-review and focus points" in text


def test_a_members_goal_report_holds_their_group_commitments_and_nothing_else_of_the_group() -> None:
    from trellosync.domain.practices import Practices

    b = small().person("alan", "Alan Turing")
    lu = b.lunch(date(2026, 6, 2), ["ada", "grace", "alan"])
    b.entry(lu, "best", "ada", "grace", "Said in the group: a best moment")
    b.entry(lu, "focus", "ada", "grace", "Said in the group: a focus point")
    b.commitment(lu, "ada", "Promised in the group: write the doc", date(2026, 6, 16))
    b.domain.practices = Practices(group_boards={b.board_id: ["ada", "grace", "alan"]})
    goals = html_of("goals", b)
    assert "Promised in the group: write the doc" in goals
    assert "Said in the group" not in goals and "Recurring group issues" not in goals
    for kind in ("dossier", "advocate"):
        assert "in the group" not in html_of(kind, b), kind


def test_the_example_group_meets_monthly_and_is_counted_so(tmp_path, example_database) -> None:
    from conftest import example_workspace

    from trellosync.domain import rules

    _config, store = example_workspace(example_database, tmp_path / "example.db")
    try:
        domain = store.load_domain()
    finally:
        store.close()
    [group] = [
        c
        for c in rules.person_cadences(domain.lunches, "amara", date(2026, 4, 1), date(2026, 11, 4))
        if domain.boards[c.board_id] == "Peer learning group: Platform leads"
    ]
    assert (group.count, group.expected, group.every_days, group.gaps) == (6, 6, 28, [])


def test_goal_report_keeps_commitments_and_graded_promises_apart_in_its_words() -> None:
    b = small()
    lu = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    b.commitment(lu, "ada", "Write the runbook", date(2026, 6, 16), utc(2026, 6, 10))
    text = html_of("goals", b)
    assert (
        "Commitments made at the lunches, or due, in the period (graded promises are in the next section)."
        in text
    )
    assert "0 comments 1 commitment" in text  # the lunch log's notes column
    assert "Promises made, or due" not in text and "1 promise" not in text


def test_growth_arc_keep_rate_of_a_replaced_focus_runs_until_it_was_replaced() -> None:
    b = small()
    first = b.lunch(date(2026, 3, 2), ["ada", "grace"])
    b.entry(first, "focus", "ada", "ada", "Speak up earlier in planning")
    b.entry(first, "best", "ada", "ada", "Shipped the billing migration")
    b.commitment(first, "ada", "Write the runbook", date(2026, 3, 10), utc(2026, 3, 9))
    again = b.lunch(date(2026, 3, 16), ["ada", "grace"])
    b.entry(again, "focus", "ada", "ada", "Speak up earlier in planning")
    later = b.lunch(date(2026, 4, 13), ["ada", "grace"])
    b.entry(later, "focus", "ada", "ada", "Write shorter status updates")
    text = html_of("dossier", b)
    assert (
        "this pair's commitments kept on time: none due in the 90 days before it was raised, 100% until it was "
        "replaced"
    ) in text
    assert "promises kept on time" not in text  # graded promises are another thing, in 'Reliability'
    assert "1 further item names no competency" in text


def test_lunches_per_month_target_owes_nothing_before_a_board_began() -> None:
    from trellosync.report.figures import cadence_chart

    b = small()
    b.lunch(date(2026, 3, 2), ["ada", "grace"])
    b.board_id, b.board_name = "b0000002", "Team board"
    b.domain.boards[b.board_id] = b.board_name
    b.lunch(date(2026, 6, 1), ["ada", "grace"])  # the second board begins in June
    sel = Selection(b.domain, Scope("ada", ZoneInfo("UTC"), AS_OF, b.domain.synced_at))
    chart = cadence_chart(sel, PERIOD)
    target = dict(zip(chart.x_labels, dict(chart.series)["target"], strict=True))
    assert target["Mar 2026"] == round(30 / 14, 2)  # the first board only, from its first lunch on 2 Mar
    assert target["May 2026"] == round(31 / 14, 2)
    assert target["Jun 2026"] == round(2 * 30 / 14, 2)  # both boards
    mid_june = cadence_chart(sel, Period(date(2026, 3, 1), date(2026, 6, 15)))
    assert dict(zip(mid_june.x_labels, dict(mid_june.series)["target"], strict=True))["Jun 2026"] == round(
        2 * 15 / 14, 2
    )  # a month the period ends in owes only its days up to the end


def test_an_unmet_success_criterion_is_not_met_yet_not_never() -> None:
    from trellosync.domain.practices import Criterion, Practices, Promise

    b = small()
    b.lunch(date(2026, 3, 2), ["ada", "grace"])
    b.domain.practices = Practices(
        promises=[
            Promise(
                id="p1",
                board_id=b.board_id,
                person="ada",
                title="Run two guild sessions",
                made=date(2026, 3, 1),
                due=date(2026, 5, 31),
                criteria=[
                    Criterion(id="k1", name="First session", done=True, completed_at=utc(2026, 5, 20)),
                    Criterion(id="k2", name="Second session", done=False, completed_at=None),
                ],
            )
        ]
    )
    text = html_of("goals", b)
    assert "1 of 2 by the due date (50%), 1 not met yet" in text  # it may still be met: 'never' says more
    assert " never" not in text.split("Promises and reliability", 2)[-1].split("Focus points")[0]


def test_group_brief_holds_no_goal_of_another_board_and_speaks_of_meetings() -> None:
    b = small().person("alan", "Alan Turing")
    b.goal("ada", "Private pair goal", date(2026, 3, 1), due=date(2026, 7, 10))  # on the pair board
    b.board_id, b.board_name = "b0000002", "Peer learning group"
    b.domain.boards[b.board_id] = b.board_name
    meeting = b.lunch(date(2026, 6, 16), ["ada", "grace", "alan"])
    b.commitment(meeting, "ada", "Write the runbook", None)
    b.goal("ada", "Group goal", date(2026, 3, 1), due=date(2026, 7, 12))
    ctx = get_kind("brief").builder(
        Request(b.domain, "ada", Period(AS_OF, AS_OF), AS_OF, ContextOptions(board=b.board_id), None)
    )
    html, _ = render_report_html(ctx, ReportOptions(), for_pdf=False)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
    assert ctx.group and "Group goal" in text
    assert "Private pair goal" not in text  # another board's goal stays out of the group's document
    assert "last meeting 16 Jun 2026" in text and "Committed at or since the last meeting" in text
    assert "one board's commitments" in text and "other boards' entries and goals" in text


def test_a_chart_that_starts_after_the_period_says_where_it_starts() -> None:
    b = small()
    for day in (date(2023, 1, 9), date(2026, 6, 1)):
        lu = b.lunch(day, ["ada", "grace"])
        b.entry(lu, "best", "ada", "grace", "Shipped the billing migration")
    b.goal("ada", "Lead the migration", date(2023, 1, 10), due=date(2026, 6, 1))
    long = html_of("goals", b, period=Period(date(2023, 1, 1), AS_OF))
    assert "The chart starts in Jul 2024: it draws the last two years of the period at most" in long
    short = html_of("goals", b, period=Period(date(2026, 1, 1), AS_OF))
    assert "The chart starts in" not in short


def test_dossier_titles_its_figures_appendix_for_the_meetings_it_holds() -> None:
    b = small().person("alan", "Alan Turing")
    lunch = b.lunch(date(2026, 6, 2), ["ada", "grace"])
    b.entry(lunch, "best", "ada", "ada", "Shipped the billing migration")
    assert "Appendix C: lunches and figures" in html_of("dossier", b)
    b.board_id, b.board_name = "b0000002", "Peer learning group"
    b.domain.boards[b.board_id] = b.board_name
    b.lunch(date(2026, 6, 9), ["ada", "grace", "alan"])
    text = html_of("dossier", b)
    assert "Appendix C: lunches, meetings and figures" in text and "lunches and figures" not in text
