"""Migration 0002: the evidence columns and the views that expose the domain rules' statuses to SQL users."""

from __future__ import annotations

from datetime import date

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from boardbuilder import Board
from sqlalchemy import create_engine, text

from trellosync.config.settings import parse_config
from trellosync.domain.rules import commitment_status
from trellosync.store import schema
from trellosync.store.db import Store, _migrations_dir
from trellosync.sync.pipeline import ingest_board

CONFIG = parse_config("""
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
    feedback: {said_by: {best: partner}}
""")


def example_board() -> Board:
    b = Board()
    l1 = b.card("Lunches", "lunch 1", due="2026-02-10")
    b.card("Lunches", "lunch 2", due="2026-02-24")
    b.checklist(l1, "Best moment", [{"name": "ran the retro", "member": "willsmith"}])
    items = b.checklist(
        l1,
        "Commitments",
        [
            {"name": "write the doc", "member": "willsmith"},
            {"name": "book the room", "member": "willsmith"},
            {"name": "plan the offsite", "member": "willsmith", "due": "2026-12-01"},
        ],
    )
    b.tick(l1, items[0], "2026-02-20T10:00")
    b.comment(l1, "👍 great facilitation", "2026-02-11T10:00", by="jessjones")
    g = b.card("Goals", "Give a talk", members=("willsmith",), due="2026-03-01")
    assert g
    return b


def test_migrations_match_the_schema(store):
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), schema.metadata)
    assert diffs == []


def test_views_show_the_statuses_of_the_domain_rules(store):
    ingest_board(store, example_board().data, CONFIG, seen_at=None)
    d = store.load_domain()
    with store.engine.connect() as conn:
        commitments = {r.text: r.status for r in conn.execute(text("SELECT * FROM commitment_status"))}
        keep = conn.execute(
            text("SELECT kept, broken, judged, rate FROM keep_rate WHERE person = 'will'")
        ).one()
        goals = {
            r.title: r.status for r in conn.execute(text("SELECT * FROM goal_status WHERE person = 'will'"))
        }
        evidence = {
            r.text: (r.said_by_name, r.said_by_source, r.voice, r.polarity)
            for r in conn.execute(text("SELECT * FROM evidence"))
        }
        pairs = {r.person: r.lunches for r in conn.execute(text("SELECT * FROM pair_lunches"))}
    on = d.synced_at.date()
    assert commitments == {c.text: commitment_status(c, on) for c in d.commitments}
    assert commitments == {"write the doc": "kept", "book the room": "broken", "plan the offsite": "open"}
    assert (keep.kept, keep.broken, keep.judged, float(keep.rate)) == (1, 1, 2, 0.5)
    assert goals == {"Give a talk": "overdue" if on > date(2026, 3, 1) else "open"}
    assert evidence == {
        "ran the retro": ("Jessica Jones", "mapping", "peer", "strength"),
        "great facilitation": ("Jessica Jones", "trello", "peer", "praise"),
    }
    assert pairs == {"will": 2, "jessica": 2}


def test_upgrade_from_0001_forgets_guessed_authors(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_migrations_dir()))
    engine = create_engine(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO feedback (id, board_id, kind, about, by, date, text, source, labels) VALUES "
                "('e1', 'b', 'best', 'will', 'jessica', '2026-01-01', 'x', 'checklist', '[]'),"
                "('e2', 'b', 'observation', 'will', 'jessica', '2026-01-01', 'y', 'comment', '[]')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO sync_state (board_id, source, synced_at, history_complete, mapping_hash) "
                "VALUES ('b', 'export', '2026-01-02 00:00:00', 1, 'abc')"
            )
        )
    engine.dispose()
    store = Store(url)  # migrates to head
    with store.engine.connect() as conn:
        rows = {
            r.id: (r.said_by, r.said_by_source, r.voice, r.polarity)
            for r in conn.execute(text("SELECT * FROM feedback"))
        }
        assert rows == {
            "e1": (None, "unknown", "conversation", "strength"),
            "e2": ("jessica", "trello", "peer", "neutral"),
        }
        assert conn.execute(text("SELECT mapping_hash FROM sync_state")).scalar() is None
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        assert conn.execute(text("SELECT by FROM feedback WHERE id = 'e2'")).scalar() == "jessica"
    store.close()
