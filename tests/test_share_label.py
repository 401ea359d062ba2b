"""Issue 18, acceptance 2 (the label): a shareable label on a card marks only the entries on it about the card's
subject, never the other person's; read through the real import pipeline and the store."""

from __future__ import annotations

import pytest
from boardbuilder import Board
from conftest import copy_sqlite

from trellosync.config.settings import parse_config
from trellosync.domain.visibility import entry_marked, feedback_shareable
from trellosync.store.db import Store
from trellosync.sync.pipeline import ingest_board

CONFIG = """
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
  - board: "Will – stakeholders"
    subjects: [will]
    stakeholder_feedback: {}
"""


@pytest.fixture(scope="module")
def imported(tmp_path_factory, sqlite_template):
    b = Board()
    share, share_jessica = b.label("Shareable"), b.label("Shareable: Jessica")
    ids: dict[str, str] = {}
    # Will's card (its one member): the label marks what is about Will, whoever wrote it
    will_card = b.card("Lunches", "2026-03-03 lunch", members=("willsmith",), labels=(share,))
    ids["will_best"], ids["jessica_best"] = b.checklist(
        will_card, "Best moment", ["Will: ran a great retro", "Jessica: calm incident call"]
    )
    ids["praise_of_will"] = b.comment(
        will_card, "praise: the demo was superb", "2026-03-04T10:00", by="jessjones"
    )
    ids["praise_of_jessica"] = b.comment(
        will_card, "praise: Jessica's talk was great", "2026-03-04T11:00", by="willsmith"
    )
    # a pair's card: the label names whose entries it marks
    pair_card = b.card(
        "Lunches", "2026-03-17 lunch", members=("willsmith", "jessjones"), labels=(share_jessica,)
    )
    ids["pair_will"], ids["pair_jessica"] = b.checklist(
        pair_card, "Best moment", ["Will: said no to scope creep", "Jessica: led the review"]
    )
    # a pair's card with the bare label: it names nobody, so it marks nothing
    bare = b.card("Lunches", "2026-03-31 lunch", members=("willsmith", "jessjones"), labels=(share,))
    ids["bare_will"], ids["bare_jessica"] = b.checklist(
        bare, "Best moment", ["Will: unblocked the release", "Jessica: ran the demo"]
    )

    s = Board("Will – stakeholders")
    label = s.label("Shareable")
    card = s.card(
        "Stakeholder feedback",
        "Incident write-up",
        created="2026-03-05",
        labels=(label,),
        desc="praise: The incident write-up was the clearest this year.",
    )
    ids["stakeholder_card"] = card
    ids["stakeholder_comment"] = s.comment(card, "praise: and the timeline was spot on", "2026-03-06T10:00")

    config = parse_config(CONFIG)
    store = Store(f"sqlite:///{copy_sqlite(sqlite_template, tmp_path_factory.mktemp('label') / 'l.db')}")
    ingest_board(store, b.data, config)
    ingest_board(store, s.data, config)
    yield store.load_domain(), ids
    store.close()


def test_a_label_marks_only_the_entries_about_the_cards_subject(imported):
    domain, ids = imported
    entries = {f.id: f for f in domain.feedback}
    shared = {
        name for name, i in ids.items() if i in entries and feedback_shareable(entries[i], domain.practices)
    }
    assert shared == {"will_best", "praise_of_will", "pair_jessica"}
    assert (entries[ids["praise_of_will"]].about, entries[ids["praise_of_will"]].said_by) == (
        "will",
        "jessica",
    )
    assert (
        entries[ids["praise_of_jessica"]].about == "jessica"
    )  # Will's words about Jessica: not his to share


def test_a_label_on_a_card_that_is_one_entry_marks_it_and_its_comments(imported):
    domain, ids = imported
    p = domain.practices
    feedback = {s.id: s for s in p.stakeholder_feedback}
    assert {feedback[ids["stakeholder_card"]].about, feedback[ids["stakeholder_comment"]].about} == {"will"}
    assert entry_marked(p, feedback[ids["stakeholder_card"]].board_id, ids["stakeholder_card"])
    assert entry_marked(p, feedback[ids["stakeholder_comment"]].board_id, ids["stakeholder_comment"])
