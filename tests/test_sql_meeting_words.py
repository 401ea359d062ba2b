"""Issue 18, "one word per concept" in SQL: the views name pair lunches, group meetings, check-ins and team lunches
as the documents do (migration 0009), and count each as the JSON of a report does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_sqlite
from sqlalchemy import inspect, text

from trellosync.cli.demo import example_dir, load_example
from trellosync.config.settings import load_config
from trellosync.domain.meetings import MEETING_KINDS
from trellosync.domain.model import Domain
from trellosync.report.documents import build_context, context_as_json, options_from_config
from trellosync.store.db import Store

GROUP = "Peer learning group: Platform leads"
CHECK_INS = "Will – advocate check-ins"
PEOPLE = ("will", "jessica", "amara", "diego")


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def example(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The example workspace, on SQLite (a copy of the session's import) and on PostgreSQL (imported)."""
    if request.param == "sqlite":
        db = tmp_path_factory.mktemp("words") / "example.db"
        copy_sqlite(request.getfixturevalue("example_database"), db)
        store = Store(f"sqlite:///{db}")
    else:
        _, store = load_example(request.getfixturevalue("pg_server").new_database())
    yield store
    store.close()


def _views(store: Store) -> dict[str, list[dict]]:
    """Every view of the store: its rows as dicts (column name -> value)."""
    with store.engine.connect() as conn:
        names = inspect(conn).get_view_names()
        return {v: [dict(r._mapping) for r in conn.execute(text(f"SELECT * FROM {v}"))] for v in names}


def _board_ids(store: Store) -> dict[str, str]:
    with store.engine.connect() as conn:
        return {name: bid for bid, name in conn.execute(text("SELECT id, name FROM boards"))}


def _json_figures(domain: Domain, person: str) -> dict:
    """The figures of the person's goal report over their whole history, as its JSON has them."""
    options = options_from_config(
        load_config(example_dir() / "config.yaml"), report_date=domain.synced_at.date()
    )
    return json.loads(context_as_json(build_context("goals", person, domain, options=options)))["figures"]


def test_no_view_calls_a_group_meeting_or_a_check_in_a_lunch(example: Store) -> None:
    views = _views(example)
    assert {"meetings", "pair_lunches"} <= set(views)
    boards = _board_ids(example)
    group, check_ins = boards[GROUP], boards[CHECK_INS]
    # Only the view of pair lunches says lunch in its name or its columns, and it holds pair lunches alone.
    for name, rows in views.items():
        with example.engine.connect() as conn:
            columns = list(conn.execute(text(f"SELECT * FROM {name} WHERE 1 = 0")).keys())
        if name != "pair_lunches":
            assert "lunch" not in name and not [c for c in columns if "lunch" in c], (name, columns)
        for row in rows:
            if row.get("board_id") in (group, check_ins):
                assert name != "pair_lunches", row
                assert "lunch" not in {str(v) for v in row.values()}, (name, row)
    kinds = {(r["person"], r["board_id"]): r["kind"] for r in views["meetings"]}
    assert {k for (_, b), k in kinds.items() if b == group} == {"group_meeting"}
    assert {p for (p, b) in kinds if b == group} == set(PEOPLE)
    assert kinds[("will", check_ins)] == "check_in"
    assert set(kinds.values()) == set(MEETING_KINDS)  # the example holds one board of each kind
    assert {(r["person"], r["board_id"]) for r in views["pair_lunches"]} == {
        key for key, kind in kinds.items() if kind == "lunch"
    }


def test_meetings_count_what_the_documents_count(example: Store) -> None:
    domain = example.load_domain()
    rows = _views(example)["meetings"]
    judged = {(r["person"], r["board_id"]): (r["kind"], r["held"], r["expected"]) for r in rows}
    per_kind: dict[tuple[str, str], list[int]] = {}
    for (person, _), (kind, held, expected) in judged.items():
        got = per_kind.setdefault((person, kind), [0, 0])
        got[0], got[1] = got[0] + held, got[1] + expected
    for person in PEOPLE:
        figures = _json_figures(domain, person)
        pairs = {p["board_id"]: (p["kind"], p["held"], p["expected"]) for p in figures["pairs"]}
        assert pairs == {b: v for (p, b), v in judged.items() if p == person}, person
        counts = {m["kind"]: [m["held"], m["expected"]] for m in figures["meetings"]}
        assert counts == {k: v for (p, k), v in per_kind.items() if p == person}, person
        lunches = per_kind.get((person, "lunch"), [0, 0])
        assert [figures["lunches_held"], figures["lunches_expected"]] == lunches, person
    # As the demo's table and every document print them: Will's 15 lunches are not his 30 meetings.
    assert {k: v for (p, k), v in per_kind.items() if p == "will"} == {
        "lunch": [15, 16],
        "group_meeting": [6, 6],
        "check_in": [8, 7],
        "team_lunch": [1, 1],
    }


def test_board_cadence_counts_meetings(example: Store) -> None:
    with example.engine.connect() as conn:
        columns = list(conn.execute(text("SELECT * FROM board_cadence WHERE 1 = 0")).keys())
        group = conn.execute(
            text("SELECT c.held FROM board_cadence c JOIN boards b ON b.id = c.board_id WHERE b.name = :n"),
            {"n": GROUP},
        ).scalar_one()
    assert not [c for c in columns if "lunch" in c] and {"held", "first_meeting", "last_meeting"} <= set(
        columns
    )
    assert group == 6


def test_the_migration_goes_down_and_up_again(tmp_path: Path, example_database: Path) -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    from trellosync.store.db import _migrations_dir

    db = copy_sqlite(example_database, tmp_path / "down.db")
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_migrations_dir()))
    store = Store(f"sqlite:///{db}")
    try:
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008")
            old = {r.person: r.lunches for r in conn.execute(text("SELECT * FROM pair_lunches"))}
            assert len(list(conn.execute(text("SELECT * FROM pair_lunches WHERE person = 'will'")))) == 4
            command.upgrade(cfg, "head")
            new = list(conn.execute(text("SELECT * FROM pair_lunches WHERE person = 'will'")))
        assert old and [r.lunches for r in new] == [15]
    finally:
        store.close()
