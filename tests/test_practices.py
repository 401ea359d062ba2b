"""The practices around the lunch, rule by rule: promise grades, recurring issues, shareability, stakeholder
authorship, self-review sections, group meetings, advocates in the config."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.domain import build_domain
from trellosync.domain.derive_practices import build_practices
from trellosync.domain.issues import Raised, recurring_issues, same_issue
from trellosync.domain.model import FeedbackEntry
from trellosync.domain.practices import Criterion, Practices, Promise
from trellosync.domain.promises import grade_promise, reliability_series
from trellosync.domain.rules import commitment_status
from trellosync.domain.visibility import feedback_shareable
from trellosync.errors import ConfigError
from trellosync.mirror.normalize import normalize_board

PEOPLE = """
people:
  will: {name: Will Smith, trello: willsmith, advocate: jessica}
  jessica: {name: Jessica Jones, trello: jessjones}
  pete: {name: Pete Brown, trello: petebrown}
  amara: {name: Amara Okafor, trello: amaraokafor}
"""
MEMBERS = (
    ("willsmith", "Will Smith"),
    ("jessjones", "Jessica Jones"),
    ("petebrown", "Pete Brown"),
    ("amaraokafor", "Amara Okafor"),
)


def practices_of(board: Board, yaml_boards: str):
    config = parse_config(PEOPLE + "boards:\n" + yaml_boards)
    rows = normalize_board(board.data)
    mapping = config.mapping_for(board.data)
    domain = build_domain(rows, mapping, config.people, tz=config.timezone)
    p, commitments, _ = build_practices(rows, mapping, config.people, domain, tz=config.timezone)
    return p, commitments


def promise(*criteria: tuple[bool, str | None], due: date | None = date(2026, 3, 31)) -> Promise:
    crits = [
        Criterion(
            id=f"c{i}",
            name=f"criterion {i}",
            done=done,
            completed_at=datetime.fromisoformat(when) if when else None,
        )
        for i, (done, when) in enumerate(criteria)
    ]
    return Promise(
        id="p", board_id="b", person="will", title="Ship it", made=date(2026, 3, 1), due=due, criteria=crits
    )


# ------------------------------------------------------------------ graded promises


def test_all_criteria_met_by_the_due_date_is_kept_with_full_score():
    g = grade_promise(promise((True, "2026-03-10T10:00"), (True, "2026-03-31T18:00")), date(2026, 5, 1))
    assert (g.status, g.met_by_due, g.met_later, g.never_met, g.score, g.days_late) == (
        "kept",
        2,
        0,
        0,
        1.0,
        None,
    )


def test_criteria_met_after_the_due_date_grade_as_late_with_days_late_and_partial_score():
    g = grade_promise(
        promise((True, "2026-03-10T10:00"), (True, "2026-04-03T10:00"), (True, "2026-04-09T10:00")),
        date(2026, 5, 1),
    )
    assert g.status == "late"
    assert (g.met_by_due, g.met_later, g.never_met) == (1, 2, 0)
    assert g.days_late == 9
    assert g.score == pytest.approx(1 / 3)


def test_a_criterion_never_met_breaks_the_promise():
    g = grade_promise(promise((True, "2026-03-10T10:00"), (False, None)), date(2026, 5, 1))
    assert (g.status, g.met_by_due, g.never_met, g.score) == ("broken", 1, 1, 0.5)


def test_before_the_due_date_a_promise_is_open_and_ungraded():
    g = grade_promise(promise((True, "2026-03-10T10:00"), (False, None)), date(2026, 3, 20))
    assert (g.status, g.score, g.never_met) == ("open", None, 0)


def test_grade_as_of_an_earlier_date_ignores_later_ticks():
    p = promise((True, "2026-03-10T10:00"), (True, "2026-04-20T10:00"))
    assert grade_promise(p, date(2026, 4, 10)).status == "broken"
    assert grade_promise(p, date(2026, 4, 10)).never_met == 1
    assert grade_promise(p, date(2026, 5, 1)).status == "late"


def test_a_promise_without_criteria_is_kept_by_being_marked_done_in_time():
    p = promise(due=date(2026, 3, 31))
    p.done_flag, p.met_at = True, datetime(2026, 3, 30, 9)
    assert grade_promise(p, date(2026, 5, 1)).status == "kept"
    assert grade_promise(p, date(2026, 5, 1)).criteria == 1


def test_reliability_series_rolls_keep_rate_and_grade_by_month():
    kept = promise((True, "2026-03-10T10:00"))
    broken = promise((False, None), due=date(2026, 4, 15))
    broken.id = "p2"
    series = reliability_series([], [kept, broken], date(2026, 3, 1), date(2026, 5, 31))
    by_month = {p.date: p for p in series}
    assert by_month[date(2026, 3, 31)].keep_rate == 1.0
    assert by_month[date(2026, 4, 30)].keep_rate == 0.5
    assert by_month[date(2026, 4, 30)].mean_grade == 0.5


def test_promises_list_derives_criteria_and_tick_dates_from_the_history():
    b = Board(members=MEMBERS)
    cid = b.card(
        "Promises",
        "Write the on-call runbook",
        created="2026-03-01",
        due="2026-03-31",
        members=("willsmith",),
    )
    a, c = b.checklist(cid, "Success criteria", ["Runbook reviewed by two peers", "Used in one incident"])
    b.tick(cid, a, "2026-03-20T10:00")
    b.tick(cid, c, "2026-04-05T10:00")
    p, _ = practices_of(
        b, '  - board: "Peer lunch: Will & Jessica"\n    subjects: [will]\n    promises: {}\n'
    )
    [pr] = p.promises
    assert (pr.person, pr.due, len(pr.criteria)) == ("will", date(2026, 3, 31), 2)
    g = grade_promise(pr, date(2026, 5, 1))
    assert (g.status, g.days_late, g.met_by_due) == ("late", 5, 1)


def test_an_archived_unmet_promise_still_counts_as_broken():
    b = Board(members=MEMBERS)
    cid = b.card(
        "Promises",
        "Migrate the cron jobs",
        created="2026-03-01",
        due="2026-03-31",
        members=("willsmith",),
        closed=True,
    )
    b.checklist(cid, "Success criteria", ["All jobs moved"])
    p, _ = practices_of(
        b, '  - board: "Peer lunch: Will & Jessica"\n    subjects: [will]\n    promises: {}\n'
    )
    [pr] = p.promises
    assert pr.archived and grade_promise(pr, date(2026, 5, 1)).status == "broken"


# ------------------------------------------------------------------ recurring issues


def test_an_issue_raised_at_three_meetings_is_recurring_with_its_dates():
    raised = [
        Raised("will", date(2026, 1, 5), "Pete says I dominate design reviews", "a", "group"),
        Raised("will", date(2026, 2, 2), "Still dominating the design reviews", "b", "group"),
        Raised("will", date(2026, 2, 16), "Hiring pipeline is stuck", "x", "group"),
        Raised("will", date(2026, 3, 2), "Design reviews: I dominate again", "c", "group"),
        Raised("amara", date(2026, 3, 2), "Design reviews run long", "d", "group"),
    ]
    [r] = recurring_issues(raised)
    assert r.person == "will"
    assert r.dates == [date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)]


def test_two_meetings_are_not_recurring_and_different_issues_do_not_merge():
    assert not same_issue("Hiring pipeline is stuck", "Design reviews run long")
    raised = [Raised("will", date(2026, 1, d), "Hiring pipeline is stuck", str(d), "group") for d in (5, 19)]
    assert recurring_issues(raised) == []


def test_the_same_issue_twice_at_one_meeting_counts_once():
    raised = [
        Raised("will", date(2026, 1, 5), "Hiring pipeline stuck", "a", "group"),
        Raised("will", date(2026, 1, 5), "Hiring pipeline stuck (again)", "b", "focus"),
        Raised("will", date(2026, 1, 19), "Hiring pipeline stuck", "c", "group"),
    ]
    assert recurring_issues(raised) == []


# ------------------------------------------------------------------ visibility


def entry(kind: str, polarity: str = "neutral") -> FeedbackEntry:
    return FeedbackEntry(
        id="e1",
        board_id="b1",
        kind=kind,
        about="will",
        said_by=None,
        date=date(2026, 1, 5),
        text="x",
        lunch_id="card1",
        card_url=None,
        source="checklist",
        polarity=polarity,
    )


@pytest.mark.parametrize(
    "kind, polarity, visibility, marked, expected",
    [
        ("best", "strength", "private", set(), False),
        ("best", "strength", "team", set(), True),
        ("best", "strength", "private", {"e1"}, True),
        (
            "best",
            "strength",
            "private",
            {"card1"},
            False,
        ),  # its card's mark alone: a label marks entries by id
        ("worst", "concern", "team", {"e1"}, False),
        ("focus", "development", "team", {"e1", "card1"}, False),
        ("observation", "praise", "private", {"e1"}, True),
        ("observation", "concern", "team", {"e1"}, False),
        ("observation", "neutral", "team", set(), False),
    ],
)
def test_shareable_only_strengths_and_praise_on_team_boards_or_when_marked(
    kind, polarity, visibility, marked, expected
):
    p = Practices(visibility={"b1": visibility}, marked=marked)
    assert feedback_shareable(entry(kind, polarity=polarity), p) is expected


def test_board_visibility_defaults_to_private_and_marks_come_from_labels_and_the_marker():
    b = Board(members=MEMBERS)
    lab = b.label("Shareable")
    c1 = b.card("Lunches", "2026-01-05 lunch", labels=(lab,))
    c2 = b.card("Lunches", "2026-01-19 lunch")
    [i1, i2] = b.checklist(
        c2, "Best moment", ["Will: ran a great retro #share", "Jessica: calm incident call"]
    )
    cm = b.comment(c2, "praise: the demo was superb #share", "2026-01-20T10:00")
    p, _ = practices_of(b, '  - board: "Peer lunch: Will & Jessica"\n    subjects: [will, jessica]\n')
    assert p.visibility == {b.data["id"]: "private"}
    assert {c1, i1, cm} <= p.marked
    assert c2 not in p.marked and i2 not in p.marked


# ------------------------------------------------------------------ advocate cycle

STAKE = """  - board: "Peer lunch: Will & Jessica"
    subjects: [will]
    self_reviews: {}
    stakeholder_feedback: {}
"""


def test_stakeholder_authorship_comes_from_from_lines_card_members_and_comment_authors_only():
    b = Board(members=MEMBERS)
    b.card(
        "Stakeholder feedback",
        "Design reviews",
        created="2026-02-01",
        desc="From: Pete\nYou like to feel like the smartest person in the room.",
    )
    b.card(
        "Stakeholder feedback",
        "Customer call",
        created="2026-02-02",
        desc="From: Dana (Acme)\nClear answers.",
    )
    b.card(
        "Stakeholder feedback",
        "Mentoring",
        created="2026-02-03",
        members=("willsmith", "amaraokafor"),
        desc="praise: Patient pairing sessions.",
    )
    c4 = b.card("Stakeholder feedback", "Incident review", created="2026-02-04")
    b.comment(c4, "concern: the write-up came late", "2026-02-05T10:00", by="jessjones")
    b.card("Stakeholder feedback", "Somebody said the roadmap talk was vague", created="2026-02-06")
    p, _ = practices_of(b, STAKE)
    got = {
        f.text: (f.about, f.said_by, f.said_by_name, f.said_by_source, f.polarity)
        for f in p.stakeholder_feedback
    }
    assert got["You like to feel like the smartest person in the room."] == (
        "will",
        "pete",
        "Pete Brown",
        "from_line",
        "neutral",
    )
    assert got["Clear answers."] == ("will", None, "Dana (Acme)", "from_line", "neutral")
    assert got["Patient pairing sessions."] == ("will", "amara", "Amara Okafor", "card_member", "praise")
    assert got["the write-up came late"] == ("will", "jessica", "Jessica Jones", "comment_author", "concern")
    assert got["Somebody said the roadmap talk was vague"] == ("will", None, None, None, "neutral")


def test_self_review_sections_from_the_description_or_checklists():
    b = Board(members=MEMBERS)
    cid = b.card(
        "Self-reviews",
        "2026-03-01 Self-review Q1",
        desc=(
            "## Recent accomplishments\n- Led the payments migration\n- Mentored Amara\n\n"
            "## Future goals\nStaff engineer by Q4\n\nWays to improve: leave room for others in design reviews"
        ),
    )
    b.checklist(cid, "Goals", ["Speak at the guild"])
    p, _ = practices_of(b, STAKE)
    [r] = p.self_reviews
    assert (r.person, r.date) == ("will", date(2026, 3, 1))
    assert r.accomplishments == ["Led the payments migration", "Mentored Amara"]
    assert r.goals == ["Staff engineer by Q4", "Speak at the guild"]
    assert r.improve == ["leave room for others in design reviews"]
    assert p.advocates == {"will": "jessica"}


def test_an_advocate_must_be_a_mapped_person_other_than_themself():
    with pytest.raises(ConfigError) as exc:
        parse_config("people:\n  will: {name: Will, advocate: nobody}\n  jo: {name: Jo, advocate: jo}\n")
    text = "\n".join(exc.value.problems)
    assert "people.will.advocate: unknown person 'nobody'" in text
    assert "people.jo.advocate: a person cannot be their own advocate" in text


# ------------------------------------------------------------------ peer learning groups

GROUP = """  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica, pete, amara]
    lunches: {lists: [Meetings]}
    group: {}
"""


def test_group_meetings_hold_issues_and_commitments_per_member():
    b = Board(members=MEMBERS)
    m1 = b.card("Meetings", "2026-01-05 Group meeting")
    m2 = b.card("Meetings", "2026-02-02 Group meeting")
    [issue, c1, c2] = b.checklist(
        m1, "Will", ["Issue: hiring pipeline is stuck", "Call two agencies", "Rewrite the job ad"]
    )
    b.checklist(m1, "Issues", ["Pete: on-call is exhausting", "Amara: no time for deep work"])
    b.tick(m1, c1, "2026-01-20T10:00")
    b.tick(m1, c2, "2026-02-10T10:00")
    b.checklist(m2, "Jessica", ["Issue: roadmap keeps changing"])
    p, commitments = practices_of(b, GROUP)
    assert p.group_boards == {b.data["id"]: ["will", "jessica", "pete", "amara"]}
    assert {(i.person, i.text, i.date) for i in p.group_issues} == {
        ("will", "hiring pipeline is stuck", date(2026, 1, 5)),
        ("pete", "on-call is exhausting", date(2026, 1, 5)),
        ("amara", "no time for deep work", date(2026, 1, 5)),
        ("jessica", "roadmap keeps changing", date(2026, 2, 2)),
    }
    assert [(c.person, c.text, c.deadline) for c in commitments] == [
        ("will", "Call two agencies", date(2026, 2, 2)),
        ("will", "Rewrite the job ad", date(2026, 2, 2)),
    ]
    assert [commitment_status(c, date(2026, 3, 1)) for c in commitments] == ["kept", "late"]
    assert issue not in {c.id for c in commitments}


def test_a_board_is_a_group_only_when_mapped_as_one_with_three_or_more_subjects():
    b = Board(members=MEMBERS)
    m1 = b.card("Lunches", "2026-01-05 lunch")
    b.checklist(m1, "Will", ["Issue: hiring pipeline is stuck"])
    p, commitments = practices_of(
        b, '  - board: "Peer lunch: Will & Jessica"\n    subjects: [will, jessica, pete]\n'
    )
    assert p.group_boards == {} and p.group_issues == [] and commitments == []
    with pytest.raises(ConfigError, match="a peer learning group needs 3 or more subjects"):
        parse_config(PEOPLE + "boards:\n  - board: X\n    subjects: [will, jessica]\n    group: {}\n")


# ------------------------------------------------------------------ stored and loaded (SQLite and PostgreSQL)


def test_practices_are_stored_per_board_and_survive_a_rebuild(store):
    from trellosync.cli.demo import example_dir
    from trellosync.config.settings import load_config
    from trellosync.sync.pipeline import import_export, rebuild_domain

    config = load_config(example_dir() / "config.yaml")
    for f in sorted(example_dir().glob("practices-*.json")):
        import_export(store, f, config)
    p = store.load_domain().practices
    counts = (len(p.self_reviews), len(p.stakeholder_feedback), len(p.group_issues), len(p.promises))
    assert counts == (2, 6, 12, 11)
    assert sum(len(x.criteria) for x in p.promises) == 23
    assert sorted(p.visibility.values()) == ["private", "private", "team"]
    assert p.advocates["will"] == "amara" and len(p.group_boards) == 1 and p.marked
    from trellosync.store.schema import PER_BOARD, advocates

    mine = {t.name for t in (*PER_BOARD, advocates)}
    before = {k: v for k, v in store.table_dump().items() if k in mine}
    assert all(before.values())
    rebuild_domain(store, config)
    assert {k: v for k, v in store.table_dump().items() if k in mine} == before
