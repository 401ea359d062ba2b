"""The domain as plain rows (dicts keyed by column) and back: what the store writes and reads.

Statuses are stored as of the board's last sync, computed by the one rule in `rules`, so a SQL user
reading `goals.status_at_sync`, `commitments.status_at_sync` or the views sees what a report as of
that date shows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.config.settings import DEFAULT_EVERY_DAYS
from trellosync.domain import rules
from trellosync.domain.dates import local_date
from trellosync.domain.model import Commitment, Domain, FeedbackEntry, Goal, KeyResult, Lunch, Reply
from trellosync.mirror.ids import parse_time

Row = dict[str, Any]


def lunch_rows(d: Domain) -> tuple[list[Row], list[Row]]:
    """Rows of `lunches` and of `lunch_people` (one per person the lunch is about)."""
    lunches = [
        {
            "id": x.id,
            "board_id": x.board_id,
            "date": x.date,
            "title": x.title,
            "url": x.url,
            "participants": json.dumps(x.participants),
            "archived": x.archived,
            "date_source": x.date_source,
            "about": json.dumps(x.about),
            "every_days": x.every_days,
        }
        for x in d.lunches
    ]
    people = [
        {"lunch_id": x.id, "person": p, "board_id": x.board_id}
        for x in d.lunches
        for p in dict.fromkeys(x.about)
    ]
    return lunches, people


def feedback_rows(d: Domain) -> list[Row]:
    """Rows of `feedback`, with the entry's voice (peer | self | conversation)."""
    return [
        {
            "id": x.id,
            "board_id": x.board_id,
            "kind": x.kind,
            "about": x.about,
            "said_by": x.said_by,
            "said_by_source": x.said_by_source,
            "voice": rules.voice(x),
            "polarity": x.polarity,
            "competency": x.competency,
            "competency_source": x.competency_source,
            "date": x.date,
            "text": x.text,
            "lunch_id": x.lunch_id,
            "card_url": x.card_url,
            "source": x.source,
            "card_labels": json.dumps(x.card_labels),
        }
        for x in d.feedback
    ]


def goal_rows(d: Domain, as_of: date | None, tz: ZoneInfo) -> tuple[list[Row], list[Row], list[Row]]:
    """Rows of `goals` (with status_at_sync), `goal_owners` and `key_results`."""
    goals = [
        {
            "id": g.id,
            "board_id": g.board_id,
            "owners": json.dumps(g.owners),
            "title": g.title,
            "description": g.description,
            "status": g.status,
            "created": g.created,
            "due": g.due,
            "achieved_at": g.achieved_at,
            "dropped_at": g.dropped_at,
            "url": g.url,
            "labels": json.dumps(g.labels),
            "status_at_sync": rules.goal_status(g, as_of, tz) if as_of else None,
            "events": json.dumps([[w.isoformat(), st] for w, st in g.events]),
        }
        for g in d.goals
    ]
    owners = [
        {"goal_id": g.id, "person": p, "board_id": g.board_id}
        for g in d.goals
        for p in dict.fromkeys(g.owners)
    ]
    krs = [
        {
            "id": k.id,
            "goal_id": g.id,
            "board_id": g.board_id,
            "name": k.name,
            "done": k.done,
            "completed_at": k.completed_at,
            "due": k.due,
            "pos": float(i),
        }
        for g in d.goals
        for i, k in enumerate(g.key_results)
    ]
    return goals, owners, krs


def commitment_rows(d: Domain, as_of: date | None, tz: ZoneInfo) -> list[Row]:
    """Rows of `commitments`, with status_at_sync."""
    return [
        {
            "id": c.id,
            "board_id": c.board_id,
            "lunch_id": c.lunch_id,
            "person": c.person,
            "text": c.text,
            "made": c.made,
            "deadline": c.deadline,
            "done": c.done,
            "completed_at": c.completed_at,
            "url": c.url,
            "status_at_sync": rules.commitment_status(c, as_of, tz=tz) if as_of else None,
            "renews": c.renews,
            "renewed_by": c.renewed_by,
            "renewed_on": c.renewed_on,
            "first_deadline": c.first_deadline,
        }
        for c in d.commitments
    ]


def cadence_rows(d: Domain, as_of: date | None) -> list[Row]:
    """One `board_cadence` row per board with meetings: rules.cadence from its first meeting to the last sync."""
    out = []
    for board_id in d.boards:
        dates = [
            lu.date for lu in d.lunches if lu.board_id == board_id and (as_of is None or lu.date <= as_of)
        ]
        if not dates:
            continue
        end = as_of or max(dates)
        c = rules.cadence(
            d.lunches, board_id, min(dates), end, d.board_every_days.get(board_id, DEFAULT_EVERY_DAYS)
        )
        out.append(
            {
                "board_id": board_id,
                "every_days": c.every_days,
                "first_meeting": min(dates),
                "last_meeting": c.last_lunch,
                "held": c.count,
                "expected": c.expected,
                "mean_interval_days": c.mean_interval_days,
                "longest_interval_days": c.longest_interval_days,
                "gaps": len(c.gaps),
                "as_of": as_of,
            }
        )
    return out


def domain_rows(d: Domain, board_id: str) -> dict[str, list[Row]]:
    """Every derived table's rows for one board, statuses as of the domain's synced_at."""
    tz = ZoneInfo(d.timezone)
    as_of = local_date(d.synced_at, tz)
    lunches, lunch_people = lunch_rows(d)
    goals, owners, krs = goal_rows(d, as_of, tz)
    return {
        "lunches": lunches,
        "lunch_people": lunch_people,
        "feedback": feedback_rows(d),
        "goals": goals,
        "goal_owners": owners,
        "key_results": krs,
        "commitments": commitment_rows(d, as_of, tz),
        "board_cadence": cadence_rows(d, as_of),
        "history_gaps": [{"board_id": board_id, "seq": i, "note": n} for i, n in enumerate(d.history_gaps)],
        "replies": [
            {
                "id": r.id,
                "board_id": r.board_id,
                "entry_id": r.entry_id,
                "by": r.by,
                "date": r.date,
                "text": r.text,
            }
            for r in d.replies
        ],
    }


def lunch_of(r: Any, board_name: str) -> Lunch:
    """A Lunch from its row."""
    return Lunch(
        id=r.id,
        board_id=r.board_id,
        board_name=board_name,
        date=r.date,
        title=r.title,
        url=r.url,
        participants=json.loads(r.participants),
        archived=r.archived,
        date_source=r.date_source,
        about=json.loads(r.about),
        every_days=r.every_days,
    )


def feedback_of(r: Any) -> FeedbackEntry:
    """A FeedbackEntry from its row."""
    return FeedbackEntry(
        id=r.id,
        board_id=r.board_id,
        kind=r.kind,
        about=r.about,
        said_by=r.said_by,
        date=r.date,
        text=r.text,
        lunch_id=r.lunch_id,
        card_url=r.card_url,
        source=r.source,
        said_by_source=r.said_by_source,
        polarity=r.polarity,
        competency=r.competency,
        competency_source=r.competency_source,
        card_labels=json.loads(r.card_labels),
    )


def _events(text: str) -> list[tuple[datetime, str]]:
    """A goal's history from its JSON column ([[iso time, status after], ...], written by `goal_rows`)."""
    return [(when, st) for w, st in json.loads(text) if (when := parse_time(w)) is not None]


def goals_of(goal_rows: Iterable[Any], kr_rows: Iterable[Any]) -> list[Goal]:
    """Goals (with their key results in order) from their rows."""
    krs: dict[str, list[KeyResult]] = {}
    for r in sorted(kr_rows, key=lambda r: (r.pos or 0, r.id)):
        krs.setdefault(r.goal_id, []).append(
            KeyResult(id=r.id, name=r.name, done=r.done, completed_at=r.completed_at, due=r.due)
        )
    return sorted(
        (
            Goal(
                id=r.id,
                board_id=r.board_id,
                owners=json.loads(r.owners),
                title=r.title,
                description=r.description,
                status=r.status,
                created=r.created,
                due=r.due,
                achieved_at=r.achieved_at,
                dropped_at=r.dropped_at,
                url=r.url,
                labels=json.loads(r.labels),
                key_results=krs.get(r.id, []),
                events=_events(r.events),
            )
            for r in goal_rows
        ),
        key=lambda g: (g.created, g.id),
    )


def commitment_of(r: Any) -> Commitment:
    """A Commitment from its row."""
    return Commitment(
        id=r.id,
        board_id=r.board_id,
        lunch_id=r.lunch_id,
        person=r.person,
        text=r.text,
        made=r.made,
        deadline=r.deadline,
        completed_at=r.completed_at,
        url=r.url,
        done=r.done,
        renews=r.renews,
        renewed_by=r.renewed_by,
        renewed_on=r.renewed_on,
        first_deadline=r.first_deadline,
    )


def reply_of(r: Any) -> Reply:
    """A Reply from its row."""
    return Reply(id=r.id, entry_id=r.entry_id, board_id=r.board_id, by=r.by, date=r.date, text=r.text)
