"""A card that moves between boards moves in the record: Trello keeps its id (moveCardFromBoard on the source,
moveCardToBoard on the destination). Its history and entries follow it in either order of import or sync, on
SQLite and PostgreSQL, mapped source or not; nothing that exists on another board is flagged deleted."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

from boardbuilder import Board, iso, oid
from sqlalchemy import select

from trellosync.config.settings import BoardMapping, Config, TrelloConfig
from trellosync.store import schema as t
from trellosync.store.db import Store
from trellosync.sync.pipeline import import_export
from trellosync.sync.run import sync_boards
from trellosync.testing.fake_trello import FakeTrello, synthesize_board

KEY, TOKEN = "a7" * 16, "b8" * 32


def _boards() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str, str]:
    """Source before the move, destination after it, source after it; the card; its comment."""
    src = Board("Peer lunch: Will & Jessica")
    card = src.card("Lunches", "Lunch 5 Jan 2026", created="2026-01-05")
    comment = src.comment(card, "Best moment: the demo went well", "2026-01-06")
    src.card("Lunches", "Lunch 19 Jan 2026", created="2026-01-19")
    src.data["dateLastActivity"] = iso("2026-02-01")
    before = copy.deepcopy(src.data)
    dst = Board("Peer lunch: Will & Jessica (2026)")
    dst.data["shortLink"], dst.data["url"] = "ZyXw9876", "https://trello.com/b/ZyXw9876/y"
    dst.card("Lunches", "Lunch 2 Mar 2026", created="2026-03-02")
    moved = copy.deepcopy(next(c for c in before["cards"] if c["id"] == card))
    moved.update(idBoard=dst.data["id"], idList=dst.list("Lunches"))
    dst.data["cards"].append(moved)
    dst.action(
        "moveCardToBoard",
        "2026-02-10",
        {"card": {"id": card}, "boardSource": {"id": before["id"]}, "board": {"id": dst.data["id"]}},
    )
    dst.data["dateLastActivity"] = iso("2026-03-02")
    src.data["cards"] = [c for c in src.data["cards"] if c["id"] != card]
    src.action(
        "moveCardFromBoard",
        "2026-02-10",
        {"card": {"id": card}, "board": {"id": before["id"]}, "boardTarget": {"id": dst.data["id"]}},
    )
    src.data["dateLastActivity"] = iso("2026-02-10")
    return before, dst.data, src.data, card, comment


def _write(tmp: Path, name: str, data: dict[str, Any]) -> Path:
    p = tmp / name
    p.write_text(json.dumps(data))
    return p


def _where(store: Store, card: str, comment: str) -> dict[str, Any]:
    with store.engine.connect() as conn:
        c = conn.execute(select(t.cards.c.board_id, t.cards.c.deleted_at).where(t.cards.c.id == card)).one()
        m = conn.execute(
            select(t.comments.c.board_id, t.comments.c.deleted_at).where(t.comments.c.id == comment)
        ).one()
        lunches = conn.execute(select(t.lunches.c.board_id).where(t.lunches.c.id == card)).scalars().all()
        entries = (
            conn.execute(select(t.feedback.c.board_id).where(t.feedback.c.text.contains("demo went well")))
            .scalars()
            .all()
        )
    return {"card": tuple(c), "comment": tuple(m), "lunches": lunches, "entries": entries}


def _holds(state: dict[str, Any], board: str) -> None:
    assert state["card"] == (board, None), state
    assert state["comment"] == (board, None), state
    assert state["lunches"] == [board], state
    assert state["entries"] and set(state["entries"]) == {board}, state


def test_destination_first_then_the_older_source_export(store: Store, tmp_path: Path) -> None:
    before, dst, _after, card, comment = _boards()
    import_export(store, _write(tmp_path, "dst.json", dst), None)
    import_export(store, _write(tmp_path, "src-before.json", before), None)  # taken before the move
    _holds(_where(store, card, comment), dst["id"])


def test_source_first_then_destination_then_the_newer_source(store: Store, tmp_path: Path) -> None:
    before, dst, after, card, comment = _boards()
    import_export(store, _write(tmp_path, "src-before.json", before), None)
    _holds(_where(store, card, comment), before["id"])
    import_export(store, _write(tmp_path, "dst.json", dst), None)
    _holds(_where(store, card, comment), dst["id"])
    import_export(store, _write(tmp_path, "src-after.json", after), None)
    _holds(_where(store, card, comment), dst["id"])


def test_newer_source_first_moves_the_card_to_an_unsynced_destination_unflagged(
    store: Store, tmp_path: Path
) -> None:
    before, dst, after, card, comment = _boards()
    import_export(store, _write(tmp_path, "src-before.json", before), None)
    import_export(store, _write(tmp_path, "src-after.json", after), None)
    state = _where(store, card, comment)
    assert state["card"] == (dst["id"], None), "moved to where it went, not flagged deleted"
    assert state["comment"][1] is None
    import_export(store, _write(tmp_path, "dst.json", dst), None)  # the destination, later
    _holds(_where(store, card, comment), dst["id"])


def _sync_move(store: Store, *, map_source: bool, destination_first: bool) -> None:
    src = synthesize_board(4, seed=71, name="Source board")
    dst = synthesize_board(2, seed=72, name="Destination board")
    dst["shortLink"] = "DsTb0ard"
    with FakeTrello([src, dst], key=KEY, token=TOKEN) as fake:
        cfg = Config(
            trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=fake.url, concurrency=1), database=store.url
        )
        cfg.boards = [BoardMapping(board=src["id"]), BoardMapping(board=dst["id"])]
        sync_boards(cfg, store)
        commented = {a["data"]["card"]["id"] for a in src["actions"] if a["type"] == "commentCard"}
        card = next(c["id"] for c in src["cards"] if c["id"] in commented)
        comment = next(
            a["id"] for a in src["actions"] if a["type"] == "commentCard" and a["data"]["card"]["id"] == card
        )
        time.sleep(1.1)  # the move is dated after the first sync's bookmarks (ids carry seconds)
        fake.move_card(card, src["id"], dst["id"])
        order = [dst["id"], src["id"]] if destination_first else [src["id"], dst["id"]]
        if not map_source:
            cfg.boards = [BoardMapping(board=dst["id"])]
            order = [dst["id"]]
        for bid in order:
            sync_boards(cfg, store, boards=[bid])
        sync_boards(cfg, store, full=True)  # every board's whole history again: nothing is flagged deleted
    with store.engine.connect() as conn:
        row = conn.execute(select(t.cards.c.board_id, t.cards.c.deleted_at).where(t.cards.c.id == card)).one()
        note = conn.execute(
            select(t.comments.c.board_id, t.comments.c.deleted_at).where(t.comments.c.id == comment)
        ).one()
        lunch_boards = (
            conn.execute(select(t.lunches.c.board_id).where(t.lunches.c.id == card)).scalars().all()
        )
    assert tuple(row) == (dst["id"], None)
    assert tuple(note) == (dst["id"], None), "the card's comment follows it, unflagged"
    assert lunch_boards in ([], [dst["id"]]) and src["id"] not in lunch_boards


def test_sync_destination_first(store: Store) -> None:
    _sync_move(store, map_source=True, destination_first=True)


def test_sync_source_first(store: Store) -> None:
    _sync_move(store, map_source=True, destination_first=False)


def test_sync_destination_with_the_source_no_longer_mapped(store: Store) -> None:
    _sync_move(store, map_source=False, destination_first=True)


_ = oid  # boardbuilder's ids are what the exports above are made of


def test_a_colliding_row_is_named_as_such_not_blamed_on_the_database(sqlite_store: Store) -> None:
    from sqlalchemy import text

    from trellosync.errors import StoreError

    try:
        with sqlite_store.begin() as conn:
            for _ in range(2):
                conn.execute(text("INSERT INTO competencies (key, name) VALUES ('secret-key', 'x')"))
    except StoreError as exc:
        message = str(exc)
    assert "collides with one already stored" in message and "competencies.key" in message
    assert "refused" not in message and "secret-key" not in message
