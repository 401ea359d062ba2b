"""The record of what `trellosync prepare` wrote on Trello (`schema.prepared_writes`, migration 0006): one row per card, checklist, item.

It is what makes `prepare` idempotent between syncs (a card written is not written again for the same date,
even after it was renamed, moved or deleted on the board) and what ties a ticked "How did it go?" item to
the commitment, promise or focus point it asked about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from trellosync.store.schema import check_items, lunches, prepared_writes

KINDS = ("card", "checklist", "item")
REF_KINDS = ("commitment", "promise", "focus")


def save_prepared(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Record what was just written (one row per Trello object)."""
    rows = list(rows)
    if rows:
        conn.execute(prepared_writes.insert(), rows)


def load_prepared(conn: Connection, board_ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every recorded write (of the given boards), oldest first."""
    q = select(prepared_writes).order_by(prepared_writes.c.written_at, prepared_writes.c.id)
    if board_ids is not None:
        q = q.where(prepared_writes.c.board_id.in_(list(board_ids)))
    return [dict(r._mapping) for r in conn.execute(q)]


def own_ids(conn: Connection, board_id: str) -> set[str]:
    """The ids of everything trellosync wrote on a board."""
    q = select(prepared_writes.c.id).where(prepared_writes.c.board_id == board_id)
    return {r.id for r in conn.execute(q)}


def last_asked(conn: Connection, board_ids: Iterable[str] | None = None) -> dict[str, date]:
    """What each ticked "How did it go?" item asked about -> the date of the latest lunch it was ticked at.

    The lunch's date is its card's as the mirror holds it (the pair may have moved it), else the date the
    card was prepared for.
    """
    p = prepared_writes
    q = (
        select(p.c.ref_id, p.c.lunch_date, lunches.c.date)
        .join(
            check_items,
            and_(
                check_items.c.id == p.c.id,
                check_items.c.state == "complete",
                check_items.c.deleted_at.is_(None),
            ),
        )
        .outerjoin(lunches, lunches.c.id == p.c.card_id)
        .where(p.c.kind == "item", p.c.ref_id.is_not(None))
    )
    if board_ids is not None:
        q = q.where(p.c.board_id.in_(list(board_ids)))
    out: dict[str, date] = {}
    for ref_id, prepared_for, held in conn.execute(q):
        day = held or prepared_for
        if ref_id not in out or day > out[ref_id]:
            out[ref_id] = day
    return out
