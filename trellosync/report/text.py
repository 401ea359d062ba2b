"""Small, pure helpers for dates and ids shared by the report builders (no wording: that is in templates)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo


def format_datetime(value: datetime | None, tz: ZoneInfo) -> str:
    """`22 Nov 2026, 09:14 CET` in `tz`, or an em dash when unknown."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone(tz)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname() or ''}".strip()


def format_date(value: date | None) -> str:
    """`4 Mar 2026` (no leading zero), or an em dash when unknown."""
    if value is None:
        return "—"
    return f"{value.day} {value:%b %Y}"


def month_key(d: date) -> str:
    """`2026-03` for any day of March 2026."""
    return f"{d.year:04d}-{d.month:02d}"


def month_label(key: str) -> str:
    """`Mar 2026` for `2026-03`."""
    year, month = key.split("-")
    return f"{date(int(year), int(month), 1):%b %Y}"


def months_between(start: date, end: date) -> list[str]:
    """Month keys from `start`'s month to `end`'s, both included."""
    keys: list[str] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys


def spread(items: Sequence[Any], limit: int) -> list[Any]:
    """At most `limit` items evenly spread over `items` (keeps the first and the last)."""
    if len(items) <= limit:
        return list(items)
    if limit <= 1:
        return [items[-1]]
    step = (len(items) - 1) / (limit - 1)
    return [items[round(i * step)] for i in range(limit)]
