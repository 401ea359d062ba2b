"""The database side of the people's rights: the report log, retention trimming, one person's whole record
(subject access), and the people Trello no longer shows (left every mapped board, or deleted their account)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, delete, select, text

from trellosync.store import schema as t

# ------------------------------------------------------------------ the report log


def log_report(engine: Engine, record: Any) -> None:
    """Append one report written to the log (`record`: a report.documents.ReportRecord)."""
    with engine.begin() as conn:
        conn.execute(
            t.report_log.insert().values(
                written_at=record.written_at,
                os_user=record.os_user,
                kind=record.kind,
                person=record.person,
                period_start=record.period_start,
                period_end=record.period_end,
                format=record.fmt,
                path=record.path,
                sha256=record.sha256,
            )
        )


def report_logger(store: Any) -> Callable[[Any], None]:
    """The recorder the CLI hands the report layer: each report written goes into this database's log."""
    return lambda record: log_report(store.engine, record)


def report_log(engine: Engine, person: str | None = None) -> list[dict[str, Any]]:
    """The log of reports written, oldest first; with `person`, only those about them (a team's included)."""
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(t.report_log).order_by(t.report_log.c.id))]
    return [r for r in rows if person is None or person in r["person"].split(",")]


# ------------------------------------------------------------------ retention


def cutoff_of(days: int | None, today: date) -> date | None:
    """The first day kept under a retention of `days` (None: everything is kept)."""
    return today - timedelta(days=days) if days else None


def mark_retention(conn: Connection, kind: str, cutoff: date | None, days: int | None, now: datetime) -> None:
    """Remember where `kind` was last trimmed (reports read the entries' mark); no policy clears the mark."""
    conn.execute(delete(t.retention_marks).where(t.retention_marks.c.kind == kind))
    if cutoff is not None and days:
        conn.execute(t.retention_marks.insert().values(kind=kind, cutoff=cutoff, days=days, applied_at=now))


def trim_history(conn: Connection, board_id: str, before: datetime) -> int:
    """Delete a board's comments and actions dated before `before` (the mirror's retention); returns how many."""
    n = 0
    for table in (t.comments, t.actions):
        n += (
            conn.execute(delete(table).where(table.c.board_id == board_id, table.c.date < before)).rowcount
            or 0
        )
    return n


def trim_report_log(conn: Connection, before: datetime) -> int:
    """Delete report log rows written before `before`; returns how many."""
    return conn.execute(delete(t.report_log).where(t.report_log.c.written_at < before)).rowcount or 0


# ------------------------------------------------------------------ subject access


def _plain(row: Any, *json_cols: str) -> dict[str, Any]:
    d = dict(row._mapping)
    for c in json_cols:
        if isinstance(d.get(c), str):
            d[c] = json.loads(d[c])
    for k, v in d.items():
        if isinstance(v, (date, datetime)):
            d[k] = v.isoformat()
    return d


def subject_record(engine: Engine, key: str) -> dict[str, Any]:
    """Everything the database holds about or by one person, as plain data (the subject-access export).

    About them: entries about them (with their source), their goals and key results, commitments, promises,
    self-reviews, group issues, stakeholder feedback about them, the replies to entries and stakeholder feedback
    about them, and the reports written about them. By them: entries and stakeholder feedback they said about
    others (each with the subject's reply), their replies, and the Trello comments they wrote. Other people's
    words about third parties are not included.
    """
    with engine.connect() as conn:
        person = conn.execute(select(t.people).where(t.people.c.key == key)).first()
        if person is None:
            raise KeyError(key)
        boards = {r.id: r.name for r in conn.execute(select(t.boards.c.id, t.boards.c.name))}
        lunches = {r.id: r for r in conn.execute(select(t.lunches.c.id, t.lunches.c.date, t.lunches.c.title))}
        # The kind of meeting each board holds, as the `meetings` view (and the reports) name it.
        kinds: dict[str, str] = dict(conn.execute(text("SELECT DISTINCT board_id, kind FROM meetings")).all())
        names = {r.key: r.name for r in conn.execute(select(t.people.c.key, t.people.c.name))}
        replies = {r.entry_id: _plain(r) for r in conn.execute(select(t.replies).order_by(t.replies.c.date))}

        def entry(r: Any) -> dict[str, Any]:
            d = _plain(r, "card_labels")
            lunch = lunches.get(r.lunch_id) if r.lunch_id else None
            d.update(
                board=boards.get(r.board_id, r.board_id),
                about_name=names.get(r.about, r.about),
                said_by_name=names.get(r.said_by, r.said_by) if r.said_by else None,
                meeting_date=lunch.date.isoformat() if lunch else None,
                meeting_title=lunch.title if lunch else None,
                meeting_kind=kinds.get(r.board_id) if lunch else None,
                reply=replies.get(r.id),
            )
            return d

        def rows(table: Table, *where: Any, json_cols: tuple[str, ...] = ()) -> list[dict[str, Any]]:
            out = [_plain(r, *json_cols) for r in conn.execute(select(table).where(*where))]
            for d in out:
                if "board_id" in d:
                    d["board"] = boards.get(d["board_id"], d["board_id"])
            return sorted(
                out,
                key=lambda d: (
                    str(d.get("date") or d.get("made") or d.get("created") or ""),
                    str(d.get("id")),
                ),
            )

        def answered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            for d in items:
                d["reply"] = replies.get(d["id"])
            return items

        fb = t.feedback
        about = sorted(
            (entry(r) for r in conn.execute(select(fb).where(fb.c.about == key))),
            key=lambda d: (d["date"], d["id"]),
        )
        by = sorted(
            (entry(r) for r in conn.execute(select(fb).where(fb.c.said_by == key, fb.c.about != key))),
            key=lambda d: (d["date"], d["id"]),
        )
        goal_ids = list(
            conn.execute(select(t.goal_owners.c.goal_id).where(t.goal_owners.c.person == key)).scalars()
        )
        goals = rows(t.goals, t.goals.c.id.in_(goal_ids), json_cols=("owners", "labels", "events"))
        krs = rows(t.key_results, t.key_results.c.goal_id.in_(goal_ids))
        for g in goals:
            g["key_results"] = [k for k in krs if k["goal_id"] == g["id"]]
        promise_rows = rows(t.promises, t.promises.c.person == key)
        criteria = rows(
            t.promise_criteria, t.promise_criteria.c.promise_id.in_([p["id"] for p in promise_rows])
        )
        for p in promise_rows:
            p["criteria"] = [c for c in criteria if c["promise_id"] == p["id"]]
        member_ids = [person.member_id] if person.member_id else []
        comments = rows(t.comments, t.comments.c.member_id.in_(member_ids)) if member_ids else []
        sh = t.stakeholder_feedback
        mark = conn.execute(
            select(t.retention_marks.c.cutoff).where(t.retention_marks.c.kind == "entries")
        ).first()
        return {
            "data_from": mark.cutoff.isoformat() if mark else None,
            "person": {
                "key": person.key,
                "name": person.name,
                "trello_username": person.trello_username,
                "trello_member_id": person.member_id,
                "mapped": bool(person.mapped),
            },
            "entries_about": about,
            "entries_by": by,
            "goals": goals,
            "commitments": rows(t.commitments, t.commitments.c.person == key),
            "promises": promise_rows,
            "self_reviews": rows(
                t.self_reviews,
                t.self_reviews.c.person == key,
                json_cols=("accomplishments", "goals", "improve"),
            ),
            "stakeholder_feedback_about": answered(rows(sh, sh.c.about == key)),
            "stakeholder_feedback_by": answered(rows(sh, sh.c.said_by == key, sh.c.about != key)),
            "group_issues": rows(t.group_issues, t.group_issues.c.person == key),
            "replies_by": rows(t.replies, t.replies.c.by == key),
            "comments_written": comments,
            "advocate": conn.execute(
                select(t.advocates.c.advocate).where(t.advocates.c.person == key)
            ).scalar(),
            "advocate_for": sorted(
                conn.execute(select(t.advocates.c.person).where(t.advocates.c.advocate == key)).scalars()
            ),
            "report_log": [
                {k: (v.isoformat() if isinstance(v, (date, datetime)) else v) for k, v in r.items()}
                for r in report_log(engine, key)
            ],
        }


# ------------------------------------------------------------------ Trello's signals


@dataclass
class Departed:
    """A person Trello no longer shows: their account is deleted, or they left every board they were on."""

    key: str
    name: str
    reason: str  # deleted_account | left
    since: datetime | None  # when we noticed (the latest board departure); None for a deleted account

    def describe(self, today: datetime) -> str:
        """One line for `check`."""
        if self.reason == "deleted_account":
            return f"{self.key} ({self.name}): Trello shows their account as deleted"
        days = (today - self.since).days if self.since else 0
        return f"{self.key} ({self.name}): left every board they were on {days} days ago"


def departed_people(engine: Engine, left_after_days: int | None, now: datetime) -> list[Departed]:
    """People whose Trello account is deleted (their newest action arrived without a member, as Trello sends a
    deleted account's), or who left every board they were a member of more than `left_after_days` days ago."""
    out: list[Departed] = []
    with engine.connect() as conn:
        by_username = {(r.username or "").lower(): r.id for r in conn.execute(select(t.members))}
        memberships: dict[str, list[Any]] = {}
        for r in conn.execute(select(t.board_members)):
            memberships.setdefault(r.member_id, []).append(r)
        for p in conn.execute(select(t.people)):
            # a member who left is no longer linked by the last derive: find them by their username
            member_id = p.member_id or by_username.get((p.trello_username or "").lower().lstrip("@"))
            if member_id is None or p.key.startswith("former-"):
                continue
            newest = conn.execute(
                select(t.actions.c.member_name, t.actions.c.member_username)
                .where(t.actions.c.member_id == member_id)
                .order_by(t.actions.c.date.desc())
                .limit(1)
            ).first()
            held = memberships.get(member_id, [])
            if (
                newest is not None
                and newest.member_name is None
                and newest.member_username is None
                and all(m.deleted_at is not None for m in held)
            ):
                out.append(Departed(p.key, p.name, "deleted_account", None))
                continue
            if left_after_days is None or not held or any(m.deleted_at is None for m in held):
                continue
            since = max(m.deleted_at for m in held)
            if now - since > timedelta(days=left_after_days):
                out.append(Departed(p.key, p.name, "left", since))
    return out
