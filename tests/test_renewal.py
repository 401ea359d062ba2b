"""Issue 18, acceptance 3: a commitment made again at a later lunch while open is linked to its renewal, and the
chain counts once in the keep rate, in the rules, on the Judgement and in the SQL views alike."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from boardbuilder import Board
from conftest import copy_sqlite
from sqlalchemy import text

from trellosync.config.settings import parse_config
from trellosync.domain import rules
from trellosync.domain.judge import Judgement
from trellosync.store.db import Store
from trellosync.sync.pipeline import ingest_board

CONFIG = """
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
  amara: {name: Amara Okafor, trello: amaraokafor}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
  - board: "Peer learning group: leads"
    subjects: [will, jessica, amara]
    lunches: {lists: [Meetings]}
    group: {}
"""
SYNCED = datetime(2026, 4, 20, 12)
LUNCHES = ["2026-03-03", "2026-03-17", "2026-03-31", "2026-04-14"]


def will(name: str, due: str | None = None) -> dict:
    return {"name": name, "member": "willsmith", "due": due}


@pytest.fixture(scope="module")
def imported(tmp_path_factory, sqlite_template):
    """A pair's four lunches holding every case, and a group's three meetings; imported by the pipeline."""
    b = Board()
    cards = [b.card("Lunches", f"{d} lunch", members=("willsmith", "jessjones")) for d in LUNCHES]
    ids: dict[str, list[str]] = {}
    first = b.checklist(
        cards[0],
        "Commitments",
        [
            will("Write the runbook", due="2026-03-10"),  # missed; renewed at lunch 2, kept late
            will("Ship the dashboard"),  # missed; renewed by a marker at lunch 2, broken again
            will("Book the venue"),  # kept before lunch 2: the same words again are a new commitment
            will("Review the on-call rota"),  # renewed twice, kept late
            will("Draft the hiring plan", due="2026-04-30"),  # renewed before its deadline, kept by it
            {"name": "Write the runbook", "member": "jessjones"},  # Jessica's own: never Will's renewal
        ],
    )
    second = b.checklist(
        cards[1],
        "Commitments",
        [
            will("write the runbook."),
            will("renewed: ship dashboard for the team"),
            will("Book the venue"),
            will("Review the on-call rota"),
            will("Draft the hiring plan", due="2026-04-30"),
        ],
    )
    third = b.checklist(cards[2], "Commitments", [will("Review the on-call rota")])
    b.tick(cards[0], first[2], "2026-03-10T10:00")
    b.tick(cards[1], second[0], "2026-03-25T10:00")
    b.tick(cards[2], third[0], "2026-04-10T10:00")
    b.tick(cards[1], second[4], "2026-03-20T10:00")
    ids.update(
        runbook=[first[0], second[0]],
        dashboard=[first[1], second[1]],
        venue=[first[2], second[2]],
        rota=[first[3], second[3], third[0]],
        hiring=[first[4], second[4]],
        jessica=[first[5]],
    )

    g = Board(
        "Peer learning group: leads",
        members=(
            ("willsmith", "Will Smith"),
            ("jessjones", "Jessica Jones"),
            ("amaraokafor", "Amara Okafor"),
        ),
    )
    meetings = [g.card("Meetings", f"{d} meeting") for d in ("2026-03-02", "2026-03-30", "2026-04-13")]
    g1 = g.checklist(meetings[0], "Will", ["Call two agencies"])
    g2 = g.checklist(meetings[1], "Will", ["Call two agencies"])
    ids["group"] = [g1[0], g2[0]]

    config = parse_config(CONFIG)
    store = Store(f"sqlite:///{copy_sqlite(sqlite_template, tmp_path_factory.mktemp('renew') / 'r.db')}")
    ingest_board(store, b.data, config, seen_at=SYNCED)
    ingest_board(store, g.data, config, seen_at=SYNCED)
    yield store, store.load_domain(), ids
    store.close()


def by_id(domain):
    return {c.id: c for c in domain.commitments}


def test_renewals_are_linked_by_wording_or_marker(imported):
    _, domain, ids = imported
    c = by_id(domain)
    for name in ("runbook", "dashboard", "hiring", "group"):
        a, b = (c[i] for i in ids[name])
        assert (a.renewed_by, a.renewed_on, b.renews, b.first_deadline) == (b.id, b.made, a.id, a.deadline), (
            name
        )
    r1, r2, r3 = (c[i] for i in ids["rota"])
    assert (r1.renewed_by, r2.renews, r2.renewed_by, r3.renews) == (r2.id, r1.id, r3.id, r2.id)
    assert r3.chain_deadline == r1.deadline == date(2026, 3, 17)
    assert c[ids["dashboard"][1]].text == "ship dashboard for the team"  # the marker is removed
    assert all(c[i].renews is None and c[i].renewed_by is None for i in ids["venue"] + ids["jessica"])


def test_a_chain_has_its_last_links_outcome_against_the_first_deadline(imported):
    _, domain, ids = imported
    c = by_id(domain)
    status = {name: [rules.commitment_status(c[i], date(2026, 4, 20)) for i in ids[name]] for name in ids}
    assert status == {
        "runbook": ["renewed", "late"],  # kept on 25 Mar, after the first deadline of 10 Mar
        "dashboard": ["renewed", "broken"],  # still open after the renewal's own deadline (31 Mar)
        "venue": ["kept", "broken"],  # ticked before lunch 2: the same words there are a new commitment
        "rota": ["renewed", "renewed", "late"],
        "hiring": ["renewed", "kept"],  # ticked 20 Mar, by the first deadline of 30 Apr
        "jessica": ["broken"],
        "group": ["renewed", "broken"],  # a group's too: renewed on 30 Mar, open after its meeting of 13 Apr
    }


def test_before_its_renewal_a_missed_commitment_is_broken(imported):
    _, domain, ids = imported
    c = by_id(domain)
    runbook = c[ids["runbook"][0]]
    assert rules.commitment_status(runbook, date(2026, 3, 12)) == "broken"  # due 10 Mar, renewed 17 Mar
    assert rules.commitment_status(runbook, date(2026, 3, 17)) == "renewed"


def test_the_chain_counts_once_in_the_keep_rate(imported):
    _, domain, _ids = imported
    wills = [c for c in domain.commitments if c.person == "will" and c.board_id != _group_board(domain)]
    kr = rules.keep_rate(wills, date(2026, 3, 1), date(2026, 3, 31), as_of=date(2026, 4, 20))
    # counted at their first deadline in March: the runbook's and the rota's chains late, the dashboard's
    # broken, the venue kept and its repeat broken; four renewed links left out; the hiring plan is due in April
    assert (kr.kept, kr.late, kr.broken, kr.open, kr.renewed) == (1, 2, 2, 0, 4)
    # as of 12 Mar nothing was renewed yet: the runbook is simply broken
    early = rules.keep_rate(wills, date(2026, 3, 1), date(2026, 3, 12), as_of=date(2026, 3, 12))
    assert (early.broken, early.renewed) == (1, 0)


def _group_board(domain):
    return next(b for b, name in domain.boards.items() if name.startswith("Peer learning"))


def test_the_judgement_names_the_renewal(imported):
    _, domain, ids = imported
    c = by_id(domain)
    judged = Judgement(domain, ZoneInfo("UTC"), date(2026, 4, 20))
    r1, r2, r3 = (c[i] for i in ids["rota"])
    assert judged.renewed_by(r1) is r2 and judged.renews(r2) is r1
    assert judged.chain(r2) == [r1, r2, r3]
    assert judged.commitment_status(r1) == "renewed"
    last = judged.commitment(r3)
    assert (last.status, last.judged_against, last.renews, last.completed_on) == (
        "late",
        date(2026, 3, 17),
        r2.id,
        date(2026, 4, 10),
    )
    assert (judged.commitment(r1).renewed_by, judged.commitment(r1).days_overdue) == (r2.id, None)
    earlier = Judgement(domain, ZoneInfo("UTC"), date(2026, 3, 20))
    assert earlier.renewed_by(r2) is None and earlier.chain(r1) == [r1, r2]  # r3 was made on 31 Mar


def test_sql_views_count_the_chain_as_the_rules_do(imported):
    store, domain, _ids = imported
    as_of = SYNCED.date()
    with store.engine.connect() as conn:
        view = {r.commitment_id: r for r in conn.execute(text("SELECT * FROM commitment_status"))}
        rate = conn.execute(text("SELECT * FROM keep_rate WHERE person = 'will'")).one()
    assert {k: r.status for k, r in view.items()} == {
        c.id: rules.commitment_status(c, as_of) for c in domain.commitments
    }
    assert {k: (r.renews, r.renewed_by) for k, r in view.items()} == {
        c.id: (c.renews, c.renewed_by) for c in domain.commitments
    }
    wills = [c for c in domain.commitments if c.person == "will"]
    kr = rules.keep_rate(wills, date.min, as_of, as_of=as_of)
    assert (rate.kept, rate.late, rate.broken) == (kr.kept, kr.late, kr.broken) == (1, 2, 3)
    # like `open`, `renewed` counts every renewed link, due yet or not
    assert rate.renewed == rules.keep_rate(wills, date.min, date.max, as_of=as_of).renewed == 6
    assert float(rate.rate) == pytest.approx(kr.rate)
