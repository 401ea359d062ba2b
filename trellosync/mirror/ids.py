"""Trello ids and timestamps, and keys made from names: each rule once.

A Trello id is a MongoDB ObjectId: its first 8 hex digits are the creation time in Unix seconds, so ids of one
kind sort by creation time. Trello's timestamps are ISO 8601 in UTC ('2019-04-04T23:43:41.662Z'); trellosync
keeps them as naive UTC datetimes.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any


def parse_time(value: Any) -> datetime | None:
    """Trello's ISO 8601 timestamp ('2019-04-04T23:43:41.662Z') as a naive UTC datetime."""
    if not value or not isinstance(value, str):
        return None
    if value[-1] == "Z" and "+" not in value:  # the common case, already UTC: no time zone arithmetic
        try:
            return datetime.fromisoformat(value[:-1])
        except ValueError:
            pass
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


def id_time(trello_id: str | None) -> datetime | None:
    """Creation time of a Trello object: its id is a MongoDB ObjectId whose first 8 hex digits are Unix seconds."""
    if not trello_id or len(trello_id) != 24:
        return None
    try:
        return datetime.fromtimestamp(int(trello_id[:8], 16), tz=timezone.utc).replace(tzinfo=None)
    except ValueError:
        return None


def slug(text: str) -> str:
    """A lower-case key made of letters, digits and dashes (for a name without any: 'unnamed')."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"
