"""Dates, defined once: a lunch's date, dates in card names, naive-UTC timestamps as local days, month ends."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.mirror.ids import aware_utc
from trellosync.mirror.validate import YEARS

UTC = ZoneInfo("UTC")
# The dates a lunch, an entry or a deadline can have. Outside them a date is no date: "1 Jan 0001 lunch" is a
# name, and a report's arithmetic (a day before the period, two years back) must never leave datetime's range.
EARLIEST = date(YEARS[0], 1, 1)  # the years a Trello date can have (mirror/validate.py)
LATEST = date(YEARS[1], 12, 31)

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY_TEXT = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MDY_TEXT = re.compile(r"^\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b")


def _month(name: str) -> int | None:
    return _MONTHS.get(name[:3].lower())


def plausible(day: date | None) -> date | None:
    """The date when it lies between EARLIEST and LATEST, else None."""
    return day if day is not None and EARLIEST <= day <= LATEST else None


def date_from_name(name: str, *, day_first: bool = True) -> date | None:
    """A date at the start of a card name: 2026-03-04, 4 Mar 2026, Mar 4 2026, 04/03/2026 (day_first)."""
    return plausible(_date_from_name(name, day_first=day_first))


def _date_from_name(name: str, *, day_first: bool = True) -> date | None:
    try:
        if m := _ISO.match(name):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _DMY_TEXT.match(name)) and (month := _month(m[2])):
            return date(int(m[3]), month, int(m[1]))
        if (m := _MDY_TEXT.match(name)) and (month := _month(m[1])):
            return date(int(m[3]), month, int(m[2]))
        if m := _NUMERIC.match(name):
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            y = y + 2000 if y < 100 else y
            d, mo = (a, b) if day_first else (b, a)
            return date(y, mo, d)
    except ValueError:
        return None
    return None


def local_date(dt: datetime | date | None, tz: ZoneInfo = UTC) -> date | None:
    """A naive-UTC timestamp's calendar date in the given timezone (a date is returned as is)."""
    if dt is None:
        return None
    if not isinstance(dt, datetime):
        return plausible(dt)
    try:
        return plausible(aware_utc(dt).astimezone(tz).date())
    except OverflowError:  # 0001-01-01T00:00Z is 31 Dec 0000 west of UTC
        return None


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def month_ends(start: date, end: date) -> list[date]:
    """Each month's last day from `start`'s month to `end`'s, the last one cut at `end`."""
    out: list[date] = []
    day = start.replace(day=1)
    while day <= end:
        out.append(min(month_end(day), end))
        day = month_end(day) + timedelta(days=1)
    return out


def lunch_date(
    card: dict[str, Any], tz: ZoneInfo = UTC, *, day_first: bool = True
) -> tuple[date | None, str]:
    """A lunch card's date and where it came from: its due date, else a date in its name, else its creation."""
    if card.get("due") and (due := local_date(card["due"], tz)):
        return due, "due"
    if nd := date_from_name(card["name"], day_first=day_first):
        return nd, "name"
    return local_date(card.get("created_at") or card.get("date_last_activity"), tz), "created"
