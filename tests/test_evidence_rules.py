"""Issue 7: who said what (authorship), polarity, one competency per entry, the pair as the unit."""

from __future__ import annotations

from datetime import date

import pytest
from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.domain import build_domain
from trellosync.errors import ConfigError
from trellosync.mirror.normalize import normalize_board

PEOPLE = """
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
  amara: {name: Amara Okafor, trello: amaraokafor}
"""


def domain_of(board: Board, boards_yaml: str, keywords=None):
    config = parse_config(PEOPLE + boards_yaml)
    return build_domain(
        normalize_board(board.data),
        config.mapping_for(board.data),
        config.people,
        tz=config.timezone,
        keywords=keywords,
    )


PAIR = """
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
"""


# ------------------------------------------------------------------ authorship


def test_check_items_have_no_author_unless_the_mapping_declares_one():
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.checklist(c, "Best moment", [{"name": "first time I said no and it stuck", "member": "willsmith"}])
    b.checklist(c, "Focus", [{"name": "listen before answering", "member": "willsmith"}])
    entries = {e.kind: e for e in domain_of(b, PAIR).feedback}
    assert (entries["best"].said_by, entries["best"].said_by_source) == (None, "unknown")

    declared = PAIR + "    feedback: {said_by: {best: subject, focus: partner}}\n"
    entries = {e.kind: e for e in domain_of(b, declared).feedback}
    assert (entries["best"].said_by, entries["best"].said_by_source) == ("will", "mapping")
    assert entries["best"].own_words and not entries["best"].peer_said
    assert (entries["focus"].said_by, entries["focus"].said_by_source) == ("jessica", "mapping")
    assert entries["focus"].peer_said


def test_said_by_per_checklist_name_and_named_person():
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.checklist(c, "Best moment - Will", ["ran the retro"])
    b.checklist(c, "Worst moment", [{"name": "missed the deadline", "member": "willsmith"}])
    declared = PAIR + "    feedback: {said_by: {'Best moment - Will': amara}}\n"
    entries = {e.kind: e for e in domain_of(b, declared).feedback}
    assert (entries["best"].said_by, entries["best"].said_by_source) == ("amara", "mapping")
    assert entries["worst"].said_by_source == "unknown"


def test_unknown_person_in_said_by_is_a_config_error():
    with pytest.raises(ConfigError, match="said_by"):
        parse_config(PEOPLE + PAIR + "    feedback: {said_by: {best: nobody}}\n")


def test_description_section_author_comes_from_the_edit_that_added_it():
    b = Board()
    first = "## Best moment\n- Will: led the incident review\n"
    final = first + "\n## Focus\n- Jessica: shorter design docs\n"
    c = b.card("Lunches", "lunch", due="2026-02-10", desc=final)
    # Jessica wrote the best moment, Will added the focus section; Trello truncates data.card.desc.
    b.action(
        "updateCard",
        "2026-02-10T13:00",
        {"card": {"id": c, "desc": first[:20]}, "old": {"desc": ""}},
        by="jessjones",
    )
    b.action(
        "updateCard",
        "2026-02-10T14:00",
        {"card": {"id": c, "desc": final[:20]}, "old": {"desc": first}},
        by="willsmith",
    )
    entries = {e.kind: e for e in domain_of(b, PAIR).feedback}
    assert (entries["best"].about, entries["best"].said_by, entries["best"].said_by_source) == (
        "will",
        "jessica",
        "trello",
    )
    assert (entries["focus"].about, entries["focus"].said_by, entries["focus"].said_by_source) == (
        "jessica",
        "will",
        "trello",
    )


def test_description_without_an_edit_in_the_history_is_unknown():
    b = Board()
    b.card("Lunches", "lunch", due="2026-02-10", desc="## Best moment\n- Will: led the review\n")
    (entry,) = domain_of(b, PAIR).feedback
    assert (entry.said_by, entry.said_by_source) == (None, "unknown")


def test_comment_author_is_recorded_by_trello():
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.comment(c, "Saw you push back on scope", "2026-02-12T10:00", by="jessjones")
    (entry,) = domain_of(b, PAIR).feedback
    assert (entry.about, entry.said_by, entry.said_by_source) == ("will", "jessica", "trello")


# ------------------------------------------------------------------ polarity


@pytest.mark.parametrize(
    "text, polarity, clean",
    [
        ("👍 great demo", "praise", "great demo"),
        ("great demo 👍", "praise", "great demo"),
        ("praise: great demo", "praise", "great demo"),
        ("Concern: the playbook is still a draft", "concern", "the playbook is still a draft"),
        ("👎 late again", "concern", "late again"),
        (
            "- the playbook is still a draft",
            "neutral",
            "- the playbook is still a draft",
        ),  # a bullet is no marker
        ("What would done look like?", "neutral", "What would done look like?"),
        ("👍 good but 👎 late", "neutral", "good but late"),  # never mixed
    ],
)
def test_observation_polarity_markers(text, polarity, clean):
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.comment(c, text, "2026-02-12T10:00")
    (entry,) = domain_of(b, PAIR).feedback
    assert (entry.polarity, entry.text) == (polarity, clean)
    assert entry.positive == (polarity == "praise")


def test_kind_polarity_and_label_and_custom_markers():
    b = Board()
    kudos = b.label("Kudos")
    c = b.card("Lunches", "lunch", due="2026-02-10", labels=(kudos,))
    b.checklist(c, "Best moment", [{"name": "a", "member": "willsmith"}])
    b.checklist(c, "Worst moment", [{"name": "b", "member": "willsmith"}])
    b.checklist(c, "Focus", [{"name": "c", "member": "willsmith"}])
    b.comment(c, "nice one", "2026-02-12T10:00")
    b.comment(c, "+1 shipped it", "2026-02-12T11:00")
    yaml = PAIR + "    polarity: {praise: ['+1'], concern: ['hmm:'], labels: {Kudos: praise}}\n"
    got = {e.text: e.polarity for e in domain_of(b, yaml).feedback}
    assert got == {
        "a": "strength",
        "b": "concern",
        "c": "development",
        "nice one": "praise",
        "shipped it": "praise",
    }
    d = domain_of(b, yaml)
    assert "kudos" not in d.competencies  # a polarity label is not a competency


def test_a_bare_dash_is_refused_as_a_marker():
    with pytest.raises(ConfigError, match="bullet"):
        parse_config(PEOPLE + PAIR + "    polarity: {praise: ['-']}\n")


# ------------------------------------------------------------------ competency per entry

TWO_LABELS = (
    PAIR
    + """    labels: {Influence: influence, "Technical depth": technical_depth, Humility: humility}
    competency_aliases: {influence: [push back, convinced, buy-in], technical_depth: [migration, schema]}
"""
)


def test_two_label_cards_never_file_a_quote_under_a_competency_its_text_does_not_support():
    b = Board()
    infl, tech = b.label("Influence"), b.label("Technical depth")
    hum = b.label("Humility")
    two = b.card("Lunches", "lunch 1", due="2026-02-10", labels=(infl, tech))
    b.checklist(
        two,
        "Best moment",
        [
            {"name": "Push back on scope in planning", "member": "willsmith"},
            {"name": "Wrote the schema migration plan", "member": "willsmith"},
            {"name": "Asked for help early", "member": "willsmith"},
            {"name": "Got buy-in for the schema change #humility", "member": "willsmith"},
        ],
    )
    one = b.card("Lunches", "lunch 2", due="2026-02-24", labels=(hum,))
    b.checklist(one, "Best moment", [{"name": "Admitted the outage was mine", "member": "willsmith"}])
    got = {e.text: (e.competency, e.competency_source) for e in domain_of(b, TWO_LABELS).feedback}
    assert got == {
        "Push back on scope in planning": ("influence", "alias"),
        "Wrote the schema migration plan": ("technical_depth", "alias"),
        "Asked for help early": (None, None),  # two labels, no text support: unclassified
        "Got buy-in for the schema change #humility": ("humility", "tag"),  # explicit tag wins
        "Admitted the outage was mine": ("humility", "label"),  # single mapped label
    }


def test_ladder_keywords_classify_and_ties_prefer_the_cards_label():
    b = Board()
    infl, tech = b.label("Influence"), b.label("Technical depth")
    c = b.card("Lunches", "lunch", due="2026-02-10", labels=(tech,))
    b.checklist(
        c,
        "Best moment",
        [
            {"name": "mentored Sam through the design", "member": "willsmith"},
            {"name": "aligned stakeholders on the design", "member": "willsmith"},
        ],
    )
    assert infl
    keywords = {"mentoring": ["mentored"], "influence": ["aligned", "design"], "technical_depth": ["design"]}
    got = {
        e.text: (e.competency, e.competency_source)
        for e in domain_of(b, TWO_LABELS, keywords=keywords).feedback
    }
    # one keyword each for mentoring, influence and technical depth: the tie goes to the card's label
    assert got["mentored Sam through the design"] == ("technical_depth", "keyword")
    assert got["aligned stakeholders on the design"] == ("influence", "keyword")  # two keywords beat one


# ------------------------------------------------------------------ the pair is the unit


def test_a_lunch_is_about_the_boards_subjects_not_its_attendees():
    b = Board(
        name="Will – advocate check-ins",
        members=(("willsmith", "Will Smith"), ("amaraokafor", "Amara Okafor")),
    )
    b.card("Check-ins", "check-in", due="2026-02-10", members=("willsmith", "amaraokafor"))
    yaml = """
boards:
  - board: "Will – advocate check-ins"
    subjects: [will]
    lunches: {lists: [Check-ins], every_days: 28}
"""
    (lunch,) = domain_of(b, yaml).lunches
    assert lunch.about == ["will"] and set(lunch.participants) == {"will", "amara"}
    assert lunch.every_days == 28


def test_on_a_board_mapping_no_subjects_the_cards_members_are_the_pair():
    b = Board(members=(("willsmith", "Will Smith"), ("jessjones", "Jessica Jones"), ("amaraokafor", "A O")))
    b.card("Lunches", "lunch", due="2026-02-10", members=("willsmith", "amaraokafor"))
    (lunch,) = domain_of(b, "boards: [{board: 'Peer lunch: Will & Jessica'}]\n").lunches
    assert lunch.about == ["will", "amara"] and lunch.every_days == 14
    assert date(2026, 2, 10) == lunch.date
