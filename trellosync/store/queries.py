"""Read-only queries of the database: the domain as stored, and the figures `trellosync status` reports.

`Store` exposes each of these as a method of the same name; nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, or_, select, text

from trellosync.domain.model import Competency, Domain, Person
from trellosync.store import schema as t
from trellosync.store.practice_rows import load_practices
from trellosync.store.prepared import last_asked
from trellosync.store.rows import commitment_of, feedback_of, goals_of, lunch_of, reply_of


def _board_rows(conn: Connection, table: Table, ids: list[str] | None) -> list[Any]:
    """Every row of a per-board table, of the given boards (None: all)."""
    q = select(table)
    if ids is not None:
        q = q.where(table.c.board_id.in_(ids))
    return list(conn.execute(q))


def _load_boards(conn: Connection, d: Domain, ids: list[str] | None) -> None:
    """People, competencies and board names into `d`."""
    d.people = {
        r.key: Person(
            key=r.key, name=r.name, trello_username=r.trello_username, member_id=r.member_id, mapped=r.mapped
        )
        for r in conn.execute(select(t.people).order_by(t.people.c.key))
    }
    d.competencies = {r.key: Competency(r.key, r.name) for r in conn.execute(select(t.competencies))}
    bq = select(t.boards.c.id, t.boards.c.name, t.boards.c.short_link)
    if ids is not None:
        bq = bq.where(t.boards.c.id.in_(ids))
    rows = list(conn.execute(bq))
    d.boards = {r.id: r.name for r in rows}
    d.board_links = {r.id: r.short_link for r in rows if r.short_link}


def _load_lunches(conn: Connection, d: Domain, ids: list[str] | None) -> None:
    """Lunches into `d`, with each board's subjects and cadence."""
    d.lunches = sorted(
        (lunch_of(r, d.boards.get(r.board_id, "")) for r in _board_rows(conn, t.lunches, ids)),
        key=lambda x: (x.date, x.id),
    )
    for lu in d.lunches:
        d.board_subjects.setdefault(lu.board_id, [])
        d.board_subjects[lu.board_id] += [p for p in lu.about if p not in d.board_subjects[lu.board_id]]
        d.board_every_days[lu.board_id] = lu.every_days


def _load_sync_times(conn: Connection, d: Domain, ids: list[str] | None) -> None:
    """When each board was synced, and the newest of those, into `d`."""
    sq = select(t.sync_state.c.board_id, t.sync_state.c.synced_at)
    if ids is not None:
        sq = sq.where(t.sync_state.c.board_id.in_(ids))
    d.board_synced = {bid: at for bid, at in conn.execute(sq) if at is not None}
    # The database's last sync, whichever boards are loaded: a report of some boards says the same as of all.
    d.synced_at = conn.execute(select(func.max(t.sync_state.c.synced_at))).scalar()


def load_domain(engine: Engine, board_ids: Iterable[str] | None = None) -> Domain:
    """The domain of the given boards (default: all), with every person and competency."""
    ids = list(board_ids) if board_ids is not None else None
    with engine.connect() as conn:
        d = Domain()
        _load_boards(conn, d, ids)
        _load_lunches(conn, d, ids)
        d.feedback = sorted(
            (feedback_of(r) for r in _board_rows(conn, t.feedback, ids)), key=lambda x: (x.date, x.id)
        )
        d.goals = goals_of(_board_rows(conn, t.goals, ids), _board_rows(conn, t.key_results, ids))
        d.commitments = sorted(
            (commitment_of(r) for r in _board_rows(conn, t.commitments, ids)), key=lambda c: (c.made, c.id)
        )
        d.history_gaps = [r.note for r in _board_rows(conn, t.history_gaps, ids)]
        _load_sync_times(conn, d, ids)
        d.practices = load_practices(conn, ids)
        d.replies = sorted(
            (reply_of(r) for r in _board_rows(conn, t.replies, ids)), key=lambda r: (r.date, r.id)
        )
        mark = conn.execute(
            select(t.retention_marks.c.cutoff).where(t.retention_marks.c.kind == "entries")
        ).first()
        d.data_from = mark.cutoff if mark else None
        d.asked = last_asked(conn, ids)
    return d


def board_ids_about(engine: Engine, people: Iterable[str]) -> list[str]:
    """The boards about any of `people`: whose lunches are about them or that they attend, whose goals they own,
    whose entries, commitments, self-reviews, stakeholder feedback, issues or promises are about them or theirs,
    and the peer learning groups they belong to (a report of them reads no other board)."""
    keys = sorted(set(people))
    if not keys:
        return []
    # JSON lists of person keys are matched as quoted strings ('"will"'), then checked exactly.
    quoted = [f"%{json.dumps(k)}%" for k in keys]
    by_key = [
        (t.lunch_people, t.lunch_people.c.person),
        (t.goal_owners, t.goal_owners.c.person),
        (t.feedback, t.feedback.c.about),
        (t.feedback, t.feedback.c.said_by),
        (t.commitments, t.commitments.c.person),
        (t.self_reviews, t.self_reviews.c.person),
        (t.stakeholder_feedback, t.stakeholder_feedback.c.about),
        (t.stakeholder_feedback, t.stakeholder_feedback.c.said_by),
        (t.group_issues, t.group_issues.c.person),
        (t.promises, t.promises.c.person),
        (t.replies, t.replies.c.by),
    ]
    found: set[str] = set()
    with engine.connect() as conn:
        for table, col in by_key:
            found.update(conn.execute(select(table.c.board_id).where(col.in_(keys)).distinct()).scalars())
        for table, col in (
            (t.lunches, t.lunches.c.participants),
            (t.lunches, t.lunches.c.about),
            (t.goals, t.goals.c.owners),
            (t.practice_boards, t.practice_boards.c.group_members),
        ):
            q = select(table.c.board_id, col).where(or_(*(col.like(p) for p in quoted))).distinct()
            found.update(
                bid for bid, listed in conn.execute(q) if set(json.loads(listed or "[]")) & set(keys)
            )
    return sorted(found)


def counts(engine: Engine) -> dict[str, int]:
    """What the database holds, as the integer counts `trellosync status --json` prints."""
    with engine.connect() as conn:

        def n(table: Table, *where: Any) -> int:
            return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0)

        live = (t.cards.c.deleted_at.is_(None),)
        return {
            "boards": n(t.boards),
            "lists": n(t.lists),
            "cards": n(t.cards, *live),
            "archived_cards": n(t.cards, t.cards.c.closed.is_(True), *live),
            "deleted_cards": n(t.cards, t.cards.c.deleted_at.is_not(None)),
            "checklists": n(t.checklists, t.checklists.c.deleted_at.is_(None)),
            "check_items": n(t.check_items, t.check_items.c.deleted_at.is_(None)),
            "comments": n(t.comments, t.comments.c.deleted_at.is_(None)),
            "actions": n(t.actions),
            "labels": n(t.labels, t.labels.c.deleted_at.is_(None)),
            "members": n(t.members),
            "people": n(t.people),
            "meetings": n(t.lunches),  # the `lunches` table holds every kind of meeting
            "feedback": n(t.feedback),
            "goals": n(t.goals),
            "commitments": n(t.commitments),
        }


def people_names(engine: Engine) -> list[tuple[str, str]]:
    """(key, name) of every person, mapped ones first (for shell completion)."""
    with engine.connect() as conn:
        q = select(t.people.c.key, t.people.c.name).order_by(t.people.c.mapped.desc(), t.people.c.key)
        return [(r.key, r.name) for r in conn.execute(q)]


_FIGURE_TABLES = {
    "lists": t.lists,
    "cards": t.cards,
    "comments": t.comments,
    "actions": t.actions,
    "meetings": t.lunches,  # every kind: the `meetings` view names each board's
    "entries": t.feedback,
    "goals": t.goals,
    "commitments": t.commitments,
}


def _per_board_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """{board id: {figure name: live rows}} for every table of `_FIGURE_TABLES`."""
    live = {
        t.cards: t.cards.c.deleted_at.is_(None),
        t.comments: t.comments.c.deleted_at.is_(None),
        t.lists: t.lists.c.deleted_at.is_(None),
    }
    per: dict[str, dict[str, int]] = {}
    for name, table in _FIGURE_TABLES.items():
        q = select(table.c.board_id, func.count()).group_by(table.c.board_id)
        if table in live:
            q = q.where(live[table])
        for board_id, n in conn.execute(q):
            per.setdefault(board_id, {})[name] = int(n)
    return per


def board_figures(engine: Engine) -> list[dict[str, Any]]:
    """Per board: its row, live counts of what it holds, and its sync state (for `status --json`)."""
    with engine.connect() as conn:
        per = _per_board_counts(conn)
        # The kind of each board's meetings, as the `meetings` view (and the documents) name it.
        kinds: dict[str, str] = dict(conn.execute(text("SELECT DISTINCT board_id, kind FROM meetings")).all())
        states = {r.board_id: r._mapping for r in conn.execute(select(t.sync_state))}
        out = []
        for b in conn.execute(select(t.boards).order_by(t.boards.c.name)):
            st = states.get(b.id)
            out.append(
                {
                    "id": b.id,
                    "name": b.name,
                    "closed": bool(b.closed),
                    "url": b.url,
                    **{name: per.get(b.id, {}).get(name, 0) for name in _FIGURE_TABLES},
                    "meeting_kind": kinds.get(b.id),
                    "source": st["source"] if st else None,
                    "synced_at": _iso(st["synced_at"]) if st else None,
                    "last_full_sync": _iso(st["last_full_sync"]) if st else None,
                    "history_complete": bool(st["history_complete"]) if st else False,
                    "date_last_activity": st["date_last_activity"] if st else None,
                }
            )
    return out


def table_dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: for comparing two states of a database."""
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in t.metadata.sorted_tables:
            rows = [tuple("" if v is None else v for v in r) for r in conn.execute(select(table))]
            out[table.name] = sorted(rows, key=repr)
    return out


def _iso(v: datetime | None) -> str | None:
    """A stored naive-UTC time as ISO 8601 with its zone ('2026-11-22T10:00:00Z')."""
    return v.isoformat(timespec="seconds") + "Z" if v is not None else None
