"""The board convention of PRODUCT.md, rule by rule, and every default name changed per board."""

from __future__ import annotations

from datetime import date

import pytest
from boardbuilder import Board, iso

from trellosync.config.settings import parse_config
from trellosync.domain import People, build_domain, date_from_name, description_sections
from trellosync.domain.rules import commitment_status
from trellosync.mirror.normalize import normalize_board

CONFIG = parse_config("""
timezone: Europe/Berlin
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones, aliases: [Jess]}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
    labels: {Influence: influence}
""")


PEOPLE = """
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
"""


def domain_of(board: Board, config=CONFIG):
    mapping = config.mapping_for(board.data)
    return build_domain(normalize_board(board.data), mapping, config.people, tz=config.timezone)


# ------------------------------------------------------------------ lunch dates


@pytest.mark.parametrize(
    "name, day_first, expected",
    [
        ("2026-03-04 lunch at Dishoom", True, date(2026, 3, 4)),
        ("4 Mar 2026 – ramen", True, date(2026, 3, 4)),
        ("4th March 2026", True, date(2026, 3, 4)),
        ("Mar 4, 2026 lunch", True, date(2026, 3, 4)),
        ("04/03/2026 lunch", True, date(2026, 3, 4)),
        ("04/03/2026 lunch", False, date(2026, 4, 3)),
        ("04.03.26", True, date(2026, 3, 4)),
        ("Lunch 2026-03-04", True, None),  # only at the start of the name
        ("31/02/2026 lunch", True, None),  # not a date
        ("Sprint 12 retro", True, None),
    ],
)
def test_date_from_name(name, day_first, expected):
    assert date_from_name(name, day_first=day_first) == expected


def test_lunch_date_precedence_due_then_name_then_id():
    b = Board()
    b.card("Lunches", "2026-02-01 lunch", due="2026-02-10", created="2026-01-20")
    b.card("Lunches", "15/02/2026 sushi", created="2026-01-21")
    b.card("Lunches", "Lunch, no date", created="2026-03-03T08:00:00")
    b.card("Ideas", "2026-05-05 not a lunch")
    d = domain_of(b)
    got = [(lu.title, lu.date, lu.date_source) for lu in d.lunches]
    assert got == [
        ("2026-02-01 lunch", date(2026, 2, 10), "due"),
        ("15/02/2026 sushi", date(2026, 2, 15), "name"),
        ("Lunch, no date", date(2026, 3, 3), "created"),
    ]
    assert all(lu.participants == ["will", "jessica"] for lu in d.lunches)


def test_due_date_is_read_in_the_configured_timezone():
    b = Board()
    b.card("Lunches", "late lunch", due="2026-03-04T23:30:00")  # 00:30 on the 5th in Berlin
    assert domain_of(b).lunches[0].date == date(2026, 3, 5)


# ------------------------------------------------------------------ feedback


def test_who_an_entry_is_about():
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.checklist(
        c,
        "Best moment",
        [
            {"name": "shipped the billing migration", "member": "willsmith"},  # assigned member
            "@jessjones ran the incident review",  # @username
            "Jess: mentored the new hire",  # Name: prefix (alias)
            "Note: nobody in particular",  # not a person: stays as text
        ],
    )
    b.checklist(c, "Worst moment - Will", ["on-call week from hell"])  # name in the checklist title
    d = domain_of(b)
    got = {(e.kind, e.text): e.about for e in d.feedback}
    assert got == {
        ("best", "shipped the billing migration"): "will",
        ("best", "ran the incident review"): "jessica",
        ("best", "mentored the new hire"): "jessica",
        ("best", "Note: nobody in particular"): None,
        ("worst", "on-call week from hell"): "will",
    }
    # Trello records nobody as the writer of a check item and this mapping declares nobody: unknown.
    assert {(e.said_by, e.said_by_source) for e in d.feedback} == {(None, "unknown")}


def test_single_subject_board_attributes_everything_to_the_subject():
    config = parse_config("""
people: {will: {name: Will Smith, trello: willsmith}}
boards: [{board: Will's feedback, subjects: [will]}]
""")
    b = Board(name="Will's feedback")
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.checklist(c, "Focus", ["saying no to scope creep"])
    d = domain_of(b, config)
    assert [(e.kind, e.about) for e in d.feedback] == [("focus", "will")]


def test_description_sections_markdown_and_label_lines():
    desc = (
        "## Best moment\n- Will: demoed the new search\n- @jessjones closed 40 tickets\n\n"
        "Worst moment: the outage on Tuesday\r\n\r\n### Focus (Jessica)\nwriting shorter design docs\n\n"
        "## Notes\nnot feedback\n"
    )
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10", desc=desc)
    d = domain_of(b)
    got = sorted((e.kind, e.about, e.text, e.source) for e in d.feedback)
    assert got == sorted(
        [
            ("best", "will", "demoed the new search", "description"),
            ("best", "jessica", "closed 40 tickets", "description"),
            ("worst", None, "the outage on Tuesday", "description"),
            ("focus", "jessica", "writing shorter design docs", "description"),
        ]
    )
    assert all(e.lunch_id == c for e in d.feedback)


def test_comments_are_observations_by_the_commenter():
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.comment(c, "Saw you push back on scope in planning", "2026-02-12T10:00", by="jessjones")
    b.comment(c, "@jessjones great review of my PR", "2026-02-13T10:00", by="willsmith")
    d = domain_of(b)
    obs = sorted((e.about, e.said_by, e.date, e.text) for e in d.feedback if e.kind == "observation")[::-1]
    assert obs == [
        ("will", "jessica", date(2026, 2, 12), "Saw you push back on scope in planning"),
        ("jessica", "will", date(2026, 2, 13), "great review of my PR"),
    ]


# ------------------------------------------------------------------ goals


def test_goal_statuses_and_dates_from_action_history():
    b = Board()
    open_goal = b.card("Goals", "Give a talk", members=("willsmith",), due="2026-09-01", created="2026-01-05")
    moved = b.card("Goals", "Lead an incident review", members=("jessjones",), created="2026-01-06")
    done_list = b.list("Achieved")
    for card in b.data["cards"]:
        if card["id"] == moved:
            card["idList"] = done_list
    b.action(
        "updateCard",
        "2026-03-15T10:00",
        {
            "card": {"id": moved},
            "listBefore": {"id": b.list("Goals")},
            "listAfter": {"id": done_list},
            "old": {"idList": b.list("Goals")},
        },
    )
    ticked = b.card(
        "Goals", "Will: write the migration RFC", due="2026-04-01", due_complete=True, created="2026-01-07"
    )
    b.action(
        "updateCard",
        "2026-03-20T10:00",
        {"card": {"id": ticked, "dueComplete": True}, "old": {"dueComplete": False}},
    )
    dropped = b.card("Goals", "Learn Rust", members=("willsmith",), closed=True, created="2026-01-08")
    b.action(
        "updateCard", "2026-04-02T10:00", {"card": {"id": dropped, "closed": True}, "old": {"closed": False}}
    )
    krs = b.checklist(open_goal, "Milestones", ["outline", "rehearse"])
    b.tick(open_goal, krs[0], "2026-02-01T10:00")
    d = domain_of(b)
    goals = {g.title: g for g in d.goals}
    assert goals["Give a talk"].status == "open"
    assert goals["Give a talk"].due == date(2026, 9, 1)
    assert goals["Give a talk"].owners == ["will"]
    assert [
        (k.name, k.done, k.completed_at and k.completed_at.date()) for k in goals["Give a talk"].key_results
    ] == [("outline", True, date(2026, 2, 1)), ("rehearse", False, None)]
    assert goals["Lead an incident review"].status == "achieved"
    assert goals["Lead an incident review"].achieved_at.date() == date(2026, 3, 15)
    assert goals["write the migration RFC"].status == "achieved"
    assert goals["write the migration RFC"].owners == ["will"]  # Name: prefix, no members
    assert goals["write the migration RFC"].achieved_at.date() == date(2026, 3, 20)
    assert goals["Learn Rust"].status == "dropped"
    assert goals["Learn Rust"].dropped_at.date() == date(2026, 4, 2)


# ------------------------------------------------------------------ commitments


def test_commitment_deadlines_and_statuses():
    b = Board()
    l1 = b.card("Lunches", "lunch 1", due="2026-02-10")
    b.card("Lunches", "lunch 2", due="2026-02-24")
    items = b.checklist(
        l1,
        "Commitments",
        [
            {"name": "kept: write the doc", "member": "willsmith"},
            {"name": "late: fix the flaky test", "member": "willsmith"},
            {"name": "broken: book the room", "member": "jessjones"},
            {"name": "open: plan the offsite", "member": "jessjones", "due": "2026-12-01"},
        ],
    )
    b.tick(l1, items[0], "2026-02-20T10:00")
    b.tick(l1, items[1], "2026-02-26T10:00")
    d = domain_of(b)
    by_text = {c.text: c for c in d.commitments}
    assert by_text["kept: write the doc"].deadline == date(2026, 2, 24)  # next lunch
    assert by_text["open: plan the offsite"].deadline == date(2026, 12, 1)  # item due
    as_of = date(2026, 6, 1)
    assert {c.text.split(":")[0]: commitment_status(c, as_of) for c in d.commitments} == {
        "kept": "kept",
        "late": "late",
        "broken": "broken",
        "open": "open",
    }
    # as seen before the deadline, the late one was still open
    assert commitment_status(by_text["late: fix the flaky test"], date(2026, 2, 20)) == "open"
    assert by_text["kept: write the doc"].person == "will"


def test_labels_map_to_competencies():
    b = Board()
    infl = b.label("Influence")
    other = b.label("Technical depth")
    empty = b.label("")
    c = b.card("Lunches", "lunch", due="2026-02-10", labels=(infl, other, empty))
    b.checklist(c, "Best moment", [{"name": "convinced the team", "member": "willsmith"}])
    d = domain_of(b)
    # only Influence is mapped: the card has one mapped label, so the entry is evidence for it
    assert (d.feedback[0].competency, d.feedback[0].competency_source) == ("influence", "label")
    assert d.feedback[0].card_labels == ["influence", "technical-depth"]
    assert set(d.competencies) == {"influence", "technical-depth"}


def test_every_default_name_can_be_changed_per_board():
    config = parse_config(
        PEOPLE
        + """
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
    lunches: {lists: [Lunch log], day_first: false}
    goals: {lists: [OKRs], done_lists: [Shipped]}
    feedback: {best: [Highs], worst: [Lows], focus: [Growth edge], commitments: [Promises]}
    labels: {Craft: technical-depth}
"""
    )
    b = Board()
    craft = b.label("Craft")
    c = b.card("Lunch log", "03/04/2026 tacos", labels=(craft,))
    b.card("Lunches", "2026-01-01 ignored: not a lunch list here")
    b.checklist(c, "Highs", [{"name": "great demo", "member": "willsmith"}])
    b.checklist(c, "Lows", [{"name": "bad deploy", "member": "willsmith"}])
    b.checklist(c, "Growth edge", [{"name": "delegate more", "member": "jessjones"}])
    b.checklist(c, "Best moment", [{"name": "default name: not mapped on this board", "member": "willsmith"}])
    b.checklist(c, "Promises", [{"name": "send the notes", "member": "jessjones"}])
    b.card("OKRs", "Mentor an intern", members=("willsmith",))
    b.card("Shipped", "Ship v2", members=("jessjones",))
    d = domain_of(b, config)
    assert [(lu.title, lu.date) for lu in d.lunches] == [("03/04/2026 tacos", date(2026, 3, 4))]
    assert sorted((e.kind, e.text) for e in d.feedback) == [
        ("best", "great demo"),
        ("focus", "delegate more"),
        ("worst", "bad deploy"),
    ]
    assert [x.text for x in d.commitments] == ["send the notes"]
    assert {g.title: g.status for g in d.goals} == {"Mentor an intern": "open", "Ship v2": "achieved"}
    assert d.feedback[0].labels == ["technical-depth"]


def test_unmapped_board_members_become_people():
    b = Board(members=(("someone", "Some One"),))
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.checklist(c, "Best moment", ["good week"])
    d = build_domain(normalize_board(b.data), None, {})
    assert d.people["someone"].name == "Some One" and not d.people["someone"].mapped
    assert d.feedback[0].about == "someone"  # the board's single subject


def test_description_sections_ignore_unknown_headings():
    people = People({}, {}, {})
    kinds = {
        "best": ["Best moment"],
        "worst": ["Worst moment"],
        "focus": ["Focus"],
        "commitments": ["Commitments"],
    }
    assert description_sections("## Agenda\n- food\nRandom: line\n", kinds, people) == []


def test_iso_helper():
    assert iso("2026-01-02") == "2026-01-02T12:00:00.000Z"


def test_description_lines_starting_with_a_person_are_separate_entries():
    b = Board()
    b.card(
        "Lunches",
        "lunch",
        due="2026-02-10",
        desc="Best moment:\r\n@willsmith demoed search\r\nJessica: closed the incident\r\nwith a calm write-up\r\n",
    )
    d = domain_of(b)
    assert sorted((e.about, e.text) for e in d.feedback) == [
        ("jessica", "closed the incident with a calm write-up"),
        ("will", "demoed search"),
    ]


def test_ignored_comments_are_not_observations():
    config = parse_config(
        PEOPLE
        + """
boards:
  - board: "Peer lunch: Will & Jessica"
    feedback: {ignore_comments: ['^moved to \\d', 'running late']}
"""
    )
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.comment(c, "Moved to 13:00, sorry", "2026-02-09T10:00")
    b.comment(c, "RUNNING LATE, start without me", "2026-02-10T11:50")
    b.comment(c, "Great pushback in planning", "2026-02-12T10:00")
    assert [e.text for e in domain_of(b, config).feedback] == ["Great pushback in planning"]


def test_bad_ignore_pattern_is_a_config_error():
    from trellosync.errors import ConfigError

    with pytest.raises(ConfigError, match="not a valid regular expression"):
        parse_config("boards:\n  - board: B\n    feedback: {ignore_comments: ['(']}\n")
