"""Cards that move between boards: Trello keeps a card's id when it moves (moveCardFromBoard on the source,
moveCardToBoard on the destination), so the mirror keeps one row per card and moves it, with its history.

A card lives on the board whose data about it is newest: a snapshot holding a card stored on another board
takes it when the snapshot is at least as new as that board's last sync; an older one (an export taken before
the move) leaves it where it is. A card's checklists, check items, comments and actions follow it. A card
that left a board by moveCardFromBoard is moved to the board it went to, never flagged deleted.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from trellosync.mirror.normalize import BoardRows
from trellosync.store import schema as t

CHUNK = 500
MOVES = ("moveCardFromBoard", "moveCardToBoard")


def _in_chunks(conn: Connection, query: Any, column: Any, ids: list[str]) -> list[Any]:
    out: list[Any] = []
    for i in range(0, len(ids), CHUNK):
        out += conn.execute(query.where(column.in_(ids[i : i + CHUNK]))).all()
    return out


def _synced_at(conn: Connection, board_ids: set[str]) -> dict[str, datetime]:
    rows = _in_chunks(
        conn,
        select(t.sync_state.c.board_id, t.sync_state.c.synced_at),
        t.sync_state.c.board_id,
        sorted(board_ids),
    )
    return {r[0]: r[1] for r in rows}


def rehome(conn: Connection, card_ids: list[str], board_id: str) -> None:
    """Move cards and everything keyed to them (checklists, check items, comments, actions) to `board_id`."""
    for i in range(0, len(card_ids), CHUNK):
        ids = card_ids[i : i + CHUNK]
        checklist_ids = list(
            conn.execute(select(t.checklists.c.id).where(t.checklists.c.card_id.in_(ids))).scalars()
        )
        for table in (t.cards,):
            conn.execute(table.update().where(table.c.id.in_(ids)).values(board_id=board_id, deleted_at=None))
        for table in (t.checklists, t.comments, t.actions):
            conn.execute(table.update().where(table.c.card_id.in_(ids)).values(board_id=board_id))
        for j in range(0, len(checklist_ids), CHUNK):
            conn.execute(
                t.check_items.update()
                .where(t.check_items.c.checklist_id.in_(checklist_ids[j : j + CHUNK]))
                .values(board_id=board_id)
            )
        for link in (t.card_labels, t.card_members):  # the new board's snapshot says which apply there
            conn.execute(link.delete().where(link.c.card_id.in_(ids), link.c.board_id != board_id))


def place_cards(conn: Connection, rows: BoardRows, seen_at: datetime | None) -> tuple[BoardRows, set[str]]:
    """Settle where this snapshot's cards live before it is stored; returns the rows to store and the other
    boards whose mirror changed (their domain must be derived again, before this board's).

    `seen_at` None: the rows are only history (an older export), which takes no card from another board.
    """
    bid = rows.board_id
    mine = {c["id"] for c in rows.cards}
    referenced = (
        mine
        | {r["card_id"] for r in rows.actions if r.get("card_id")}
        | {r["card_id"] for r in rows.comments if r.get("card_id")}
    )
    held = {
        r[0]: r[1]
        for r in _in_chunks(conn, select(t.cards.c.id, t.cards.c.board_id), t.cards.c.id, sorted(referenced))
        if r[1] != bid
    }
    if not held:
        return rows, set()
    as_of = _synced_at(conn, set(held.values()))
    taken = (
        []
        if seen_at is None
        else [c for c in sorted(mine & set(held)) if held[c] not in as_of or seen_at >= as_of[held[c]]]
    )
    touched = {held[c] for c in taken}
    rehome(conn, taken, bid)
    for c in taken:
        del held[c]
    if not held:
        return rows, touched
    # What is left is held elsewhere by newer data: this snapshot's copy of those cards is not stored, and
    # its actions and comments about them go to the board that holds them.
    stays = set(held)
    checklists = {r["id"] for r in rows.checklists if r.get("card_id") in stays}

    def follow(r: dict[str, Any]) -> dict[str, Any]:
        if r.get("card_id") in held:
            touched.add(held[r["card_id"]])
            return {**r, "board_id": held[r["card_id"]]}
        return r

    rows = replace(
        rows,
        cards=[r for r in rows.cards if r["id"] not in stays],
        card_labels=[r for r in rows.card_labels if r["card_id"] not in stays],
        card_members=[r for r in rows.card_members if r["card_id"] not in stays],
        checklists=[r for r in rows.checklists if r["id"] not in checklists],
        check_items=[r for r in rows.check_items if r["checklist_id"] not in checklists],
        actions=[follow(r) for r in rows.actions],
        comments=[follow(r) for r in rows.comments],
    )
    return rows, touched


def moved_away(
    conn: Connection, board_id: str, gone: list[str], fresh_actions: list[dict[str, Any]]
) -> dict[str, str]:
    """Of the cards missing from a board's snapshot, those whose newest move left this board: {card: board
    it went to} (they are moved there, not flagged deleted)."""
    newest: dict[str, tuple[datetime, str, dict[str, Any]]] = {}

    def note(card: str, when: datetime, kind: str, data: Any) -> None:
        if card not in newest or when > newest[card][0]:
            newest[card] = (when, kind, data if isinstance(data, dict) else {})

    wanted = set(gone)
    for a in fresh_actions:
        if a.get("type") in MOVES and a.get("card_id") in wanted:
            note(a["card_id"], a["date"], a["type"], a.get("data"))
    q = select(t.actions.c.card_id, t.actions.c.date, t.actions.c.type, t.actions.c.data).where(
        t.actions.c.type.in_(MOVES)
    )
    for card, when, kind, data in _in_chunks(conn, q, t.actions.c.card_id, sorted(wanted)):
        try:
            parsed = json.loads(data) if isinstance(data, str) else data
        except ValueError:
            parsed = {}
        note(card, when, kind, parsed)
    out: dict[str, str] = {}
    for card, (_, kind, data) in newest.items():
        source, target = data.get("board"), data.get("boardTarget")
        source_id = source.get("id") if isinstance(source, dict) else None
        target_id = target.get("id") if isinstance(target, dict) else None
        if (
            kind == "moveCardFromBoard"
            and source_id in (None, board_id)
            and isinstance(target_id, str)
            and target_id != board_id
        ):
            out[card] = target_id
    return out


def moved_comments(conn: Connection, comment_ids: list[str]) -> set[str]:
    """Of these comments, those made before their card last moved between boards: a board's history holds
    only what happened on it, so their absence from it says nothing about their deletion."""
    rows = _in_chunks(
        conn, select(t.comments.c.id, t.comments.c.card_id, t.comments.c.date), t.comments.c.id, comment_ids
    )
    cards = sorted({r[1] for r in rows if r[1]})
    if not cards:
        return set()
    q = select(t.actions.c.card_id, t.actions.c.date).where(t.actions.c.type.in_(MOVES))
    last_move: dict[str, datetime] = {}
    for card, when in _in_chunks(conn, q, t.actions.c.card_id, cards):
        last_move[card] = max(when, last_move.get(card, when))
    return {r[0] for r in rows if r[1] in last_move and r[2] <= last_move[r[1]]}
