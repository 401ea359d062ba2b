"""Issue 18, acceptance 1: whom a lunch-card comment is about, read through the real import pipeline.

A comment is about the one mapped person its text names other than the card's participants (full name, a
first name no other mapped person shares, an alias, `@username`); naming several such people it is about
nobody; a leading `Name:` (or `@username`) prefix always wins; naming nobody else it is about the other
participant.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from boardbuilder import Board
from conftest import copy_sqlite

from trellosync.config.settings import parse_config
from trellosync.domain.judge import Judgement
from trellosync.domain.model import Person
from trellosync.domain.people import People, _mention_patterns
from trellosync.store.db import Store
from trellosync.sync.pipeline import ingest_board

CONFIG = """
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
  oscar: {name: Oscar Díaz, trello: oscardiaz, aliases: [Ozzy]}
  diego: {name: Diego Ruiz, trello: diegoruiz}
  sam: {name: Sam Lee, trello: samlee}
  samp: {name: Sam Park, trello: sampark}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
"""

CASES = [
    # (comment by Jessica, whom it is about, why)
    ("praise: Oscar Díaz from the platform team unblocked our dashboard", "oscar", "full name"),
    ("praise: oscar díaz unblocked our dashboard", "oscar", "full name in any case"),
    ("Oscar unblocked our dashboard", "oscar", "a unique first name"),
    ("praise: Ozzy fixed the flaky build", "oscar", "an alias"),
    ("thanks to @diegoruiz for the review", "diego", "@username"),
    (
        "Sam ran the incident call",
        "will",
        "a first name two people share names neither: the other participant",
    ),
    ("Oscar and Diego paired on the migration", None, "two third people: nobody"),
    ("Will and Oscar unblocked it", "oscar", "a participant and one third person: the third person"),
    ("Diego: Oscar helped him with the rollout", "diego", "a Name: prefix wins over the text"),
    ("@oscardiaz thanks, Diego told me", "oscar", "an @username prefix wins too"),
    ("I am willing to pair on it, oscarish ideas welcome", "will", "whole words only: nobody named"),
    ("we will ship it when diego is back", "will", "a first name in lower case is a word, not a name"),
    ("Oscar Diaz unblocked it", "oscar", "accents as written: Oscar (first name) still names him"),
    ("Jessica says the dashboard is fixed", "will", "naming the author names nobody else"),
    (
        "concern: counted 6 open items on your board with Oscar",
        "will",
        "'your': it speaks to the participant",
    ),
]


@pytest.fixture(scope="module")
def imported(tmp_path_factory, sqlite_template):
    """The board imported by the pipeline: (its domain as loaded back from the store, comment id per case)."""
    b = Board()
    lunch = b.card("Lunches", "2026-03-03 lunch", members=("willsmith", "jessjones"))
    ids = [
        b.comment(lunch, text, f"2026-03-04T10:{n:02d}", by="jessjones")
        for n, (text, _, _) in enumerate(CASES)
    ]
    store = Store(f"sqlite:///{copy_sqlite(sqlite_template, tmp_path_factory.mktemp('about') / 'a.db')}")
    ingest_board(store, b.data, parse_config(CONFIG))
    yield store.load_domain(), ids
    store.close()


@pytest.mark.parametrize("n", range(len(CASES)), ids=[c[2] for c in CASES])
def test_a_comment_is_about_the_one_third_person_it_names(imported, n):
    domain, ids = imported
    text, who, why = CASES[n]
    entry = next(f for f in domain.feedback if f.id == ids[n])
    assert (entry.about, entry.said_by, entry.kind) == (who, "jessica", "observation"), why


def test_a_comment_about_nobody_is_in_nobodys_evidence_and_counted(imported):
    domain, ids = imported
    judged = Judgement(domain, ZoneInfo(domain.timezone), domain.lunches[-1].date)
    assert [f.id for f in judged.about_nobody()] == [ids[6]]
    start = domain.lunches[0].date
    for person in domain.people:
        figures = judged.person_figures(person, start, judged.report_date)
        assert ids[6] not in {f.id for entries in figures.by_competency.values() for f in entries}, person


def test_names_match_with_their_accents_as_written():
    people = parse_config(CONFIG.replace("Oscar Díaz", "Óscar Díaz")).people
    persons = {k: Person(k, pc.name, pc.trello) for k, pc in people.items()}
    named = People(persons, {}, {}, _mention_patterns(persons, people)).mentioned
    assert named("Óscar Díaz helped") == ["oscar"]
    assert named("Oscar Diaz helped") == []
    assert named("thanks @OscarDiaz, and Diego, and sam lee") == ["oscar", "diego", "sam"]
