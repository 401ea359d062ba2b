"""Trello ids and timestamps, and keys made from names: each rule once.

A Trello id is a MongoDB ObjectId: its first 8 hex digits are the creation time in Unix seconds, followed by
a counter, so ids of one kind sort by creation time. Trello's timestamps are ISO 8601 in UTC
('2019-04-04T23:43:41.662Z'); trellosync keeps them as naive UTC datetimes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any, TypeVar

_T = TypeVar("_T", bound=dict[str, Any])


def naive_utc(d: datetime) -> datetime:
    """`d` in UTC without tzinfo (the store's convention); a naive datetime is taken to be UTC already."""
    return d.astimezone(timezone.utc).replace(tzinfo=None) if d.tzinfo is not None else d


def aware_utc(d: datetime) -> datetime:
    """`d` with tzinfo: a naive datetime is taken to be UTC (for arithmetic with an aware clock or zone)."""
    return d.replace(tzinfo=timezone.utc) if d.tzinfo is None else d


def parse_time(value: Any) -> datetime | None:
    """Trello's ISO 8601 timestamp ('2019-04-04T23:43:41.662Z') as a naive UTC datetime; None if it is not one."""
    if not value or not isinstance(value, str):
        return None
    if value[-1] == "Z" and "+" not in value:  # the common case, already UTC: no time zone arithmetic
        try:
            return datetime.fromisoformat(value[:-1])
        except ValueError:
            pass
    try:
        return naive_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except (ValueError, OverflowError):  # OverflowError: an offset that moves year 1 or 9999 out of range
        return None


def id_time(trello_id: str | None) -> datetime | None:
    """Creation time of a Trello object: its id is a MongoDB ObjectId whose first 8 hex digits are Unix seconds."""
    if not trello_id or len(trello_id) != 24:
        return None
    try:
        return datetime.fromtimestamp(int(trello_id[:8], 16), tz=timezone.utc).replace(tzinfo=None)
    except ValueError:
        return None


def id_order(trello_id: str | None) -> int:
    """Sort key putting Trello ids in creation order (an id that is not hex sorts before every real one)."""
    try:
        return int(trello_id or "", 16)
    except ValueError:
        return -1


def newest(items: Iterable[_T]) -> _T | None:
    """The item Trello created last: the greatest id (ids are creation-ordered and, unlike dates, never tie)."""
    return max(items, key=lambda item: id_order(item.get("id")), default=None)


def bookmark(
    actions: Iterable[dict[str, Any]], old_id: str | None = None, old_date: datetime | None = None
) -> tuple[str | None, datetime | None]:
    """The sync bookmark once `actions` are stored: (id, date) of the newest action, or the old one if newer.

    Newest means the greatest id, not the latest date. The id is what the next sync hands Trello as `since`
    (which takes an object id or a date and answers the actions created after it), and ids are
    creation-ordered and unique, where two actions can share a date. The date travels with the id for
    `stale_export`, which compares an export's dates with the database's. Actions are Trello's (date a
    string) or normalized rows (date a datetime).
    """
    top = newest(actions)
    if top is None or id_order(top.get("id")) <= id_order(old_id):
        return old_id, old_date
    date = top.get("date")
    return top.get("id"), date if isinstance(date, datetime) else parse_time(date)


def slug(text: str) -> str:
    """A lower-case key made of letters, digits and dashes (for a name without any: 'unnamed')."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"
