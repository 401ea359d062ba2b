"""Save and load the practices: one board's rows replaced inside the board's transaction; all loaded at once."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Table, select

from trellosync.domain.practices import (
    Criterion,
    GroupIssue,
    Practices,
    Promise,
    SelfReview,
    StakeholderFeedback,
)
from trellosync.store import schema as t


def save_practices(conn: Connection, board_id: str, p: Practices) -> None:
    """Replace one board's practice rows (and the advocates, which come from the config)."""
    for table in t.PER_BOARD:
        conn.execute(table.delete().where(table.c.board_id == board_id))
    conn.execute(t.advocates.delete())
    group = p.group_boards.get(board_id)
    rows: list[tuple[Table, list[dict[str, Any]]]] = [
        (
            t.practice_boards,
            [
                {
                    "board_id": board_id,
                    "visibility": p.visibility.get(board_id, "private"),
                    "group_members": json.dumps(group) if group else None,
                    "marker": p.markers.get(board_id),
                }
            ],
        ),
        (t.practice_marks, [{"board_id": board_id, "entry_id": m} for m in sorted(p.marked)]),
        (t.advocates, [{"person": k, "advocate": v} for k, v in sorted(p.advocates.items())]),
        (
            t.self_reviews,
            [
                {
                    "id": r.id,
                    "board_id": r.board_id,
                    "person": r.person,
                    "date": r.date,
                    "title": r.title,
                    "accomplishments": json.dumps(r.accomplishments),
                    "goals": json.dumps(r.goals),
                    "improve": json.dumps(r.improve),
                    "url": r.url,
                }
                for r in p.self_reviews
            ],
        ),
        (
            t.stakeholder_feedback,
            [{k: getattr(f, k) for k in t.stakeholder_feedback.c.keys()} for f in p.stakeholder_feedback],
        ),
        (t.group_issues, [{k: getattr(i, k) for k in t.group_issues.c.keys()} for i in p.group_issues]),
        (t.promises, [{k: getattr(x, k) for k in t.promises.c.keys()} for x in p.promises]),
        (
            t.promise_criteria,
            [
                {
                    "id": c.id,
                    "promise_id": x.id,
                    "board_id": x.board_id,
                    "name": c.name,
                    "done": c.done,
                    "completed_at": c.completed_at,
                    "pos": float(i),
                }
                for x in p.promises
                for i, c in enumerate(x.criteria)
            ],
        ),
    ]
    for table, values in rows:
        if values:
            conn.execute(table.insert(), values)


def load_practices(conn: Connection, board_ids: Iterable[str] | None = None) -> Practices:
    """The practices of the given boards (default: all)."""
    ids = list(board_ids) if board_ids is not None else None

    def rows_of(table: Table) -> list[Any]:
        q = select(table)
        if ids is not None:
            q = q.where(table.c.board_id.in_(ids))
        return list(conn.execute(q))

    p = Practices()
    for r in rows_of(t.practice_boards):
        p.visibility[r.board_id] = r.visibility
        if r.marker:
            p.markers[r.board_id] = r.marker
        if r.group_members:
            p.group_boards[r.board_id] = json.loads(r.group_members)
    p.marked = {r.entry_id for r in rows_of(t.practice_marks)}
    p.advocates = {r.person: r.advocate for r in conn.execute(select(t.advocates))}
    p.self_reviews = sorted(
        (
            SelfReview(
                id=r.id,
                board_id=r.board_id,
                person=r.person,
                date=r.date,
                title=r.title,
                accomplishments=json.loads(r.accomplishments),
                goals=json.loads(r.goals),
                improve=json.loads(r.improve),
                url=r.url,
            )
            for r in rows_of(t.self_reviews)
        ),
        key=lambda x: (x.date, x.id),
    )
    p.stakeholder_feedback = sorted(
        (StakeholderFeedback(**r._asdict()) for r in rows_of(t.stakeholder_feedback)),
        key=lambda x: (x.date, x.id),
    )
    p.group_issues = sorted(
        (GroupIssue(**r._asdict()) for r in rows_of(t.group_issues)), key=lambda x: (x.date, x.id)
    )
    criteria: dict[str, list[Criterion]] = {}
    for r in sorted(rows_of(t.promise_criteria), key=lambda r: (r.pos or 0, r.id)):
        criteria.setdefault(r.promise_id, []).append(Criterion(r.id, r.name, r.done, r.completed_at))
    p.promises = sorted(
        (Promise(**r._asdict(), criteria=criteria.get(r.id, [])) for r in rows_of(t.promises)),
        key=lambda x: (x.due or x.made, x.id),
    )
    return p
