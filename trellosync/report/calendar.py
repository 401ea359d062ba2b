"""`trellosync calendar`: a person's next lunch per pair (and meeting per group) as an RFC 5545 calendar.

One all-day VEVENT per board, on the next lunch (the next card on the board, else the board's cadence:
the last lunch plus `lunches.every_days`), repeating at that interval (RRULE), so a peer can put the rhythm
in their own calendar. Pure: the domain in, the text of the .ics file out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from trellosync.domain.dates import UTC
from trellosync.domain.judge import Judgement
from trellosync.domain.model import Domain

PRODID = "-//trellosync//next lunches//EN"
MAX_OCTETS = 75  # RFC 5545 3.1: lines longer than this are folded


@dataclass
class NextLunch:
    """The next lunch (or meeting) of one pair or group, and its rhythm."""

    board_id: str
    board_name: str
    day: date
    every_days: int
    with_names: list[str]
    group: bool
    last_lunch: date | None


def next_lunches(domain: Domain, person: str, today: date) -> list[NextLunch]:
    """The person's pairs and groups, each with its next lunch on or after `today`, by board name."""
    out = []
    judged = Judgement(domain, UTC, today)
    for board_id, subjects in domain.board_subjects.items():
        group = bool(domain.practices and board_id in domain.practices.group_boards)
        if person not in subjects or (len(subjects) != 2 and not group):
            continue
        lunches = sorted(
            (lu for lu in domain.lunches if lu.board_id == board_id and not lu.archived),
            key=lambda lu: (lu.date, lu.id),
        )
        if not lunches:
            continue
        every = domain.board_every_days.get(board_id) or lunches[-1].every_days
        coming = [lu.date for lu in lunches if lu.date >= today]
        day = coming[0] if coming else judged.next_lunch_due(board_id, today - timedelta(days=1))
        if day is None:
            continue
        while day < today:  # an overdue lunch: the rhythm's next date
            day += timedelta(days=every)
        held = [lu.date for lu in lunches if lu.date < today]
        names = [domain.people[k].name if k in domain.people else k for k in subjects if k != person]
        out.append(
            NextLunch(
                board_id,
                domain.boards.get(board_id, board_id),
                day,
                every,
                names,
                group,
                held[-1] if held else None,
            )
        )
    return sorted(out, key=lambda n: (n.board_name.lower(), n.board_id))


def escape_text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded at 75 octets (CRLF and a space), never inside a UTF-8 character."""
    out, chunk, size, limit = [], "", 0, MAX_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append(chunk)
            chunk, size, limit = "", 0, MAX_OCTETS - 1  # continuation lines start with one space
        chunk += ch
        size += n
    out.append(chunk)
    return "\r\n ".join(out)


def _rrule(every_days: int) -> str:
    if every_days % 7 == 0:
        return f"FREQ=WEEKLY;INTERVAL={every_days // 7}"
    return f"FREQ=DAILY;INTERVAL={every_days}"


def vevent(n: NextLunch, stamp: datetime) -> list[str]:
    """The content lines of one lunch's VEVENT."""
    noun = "Meeting" if n.group else "Lunch"
    title = f"{noun}: {n.board_name}" if n.group else f"Lunch with {' and '.join(n.with_names)}"
    last = f" (last {noun.lower()}: {n.last_lunch.isoformat()})" if n.last_lunch else ""
    desc = f'Every {n.every_days} days on the Trello board "{n.board_name}"{last}.\nMade by trellosync.'
    return [
        "BEGIN:VEVENT",
        f"UID:{n.board_id}-next-{noun.lower()}@trellosync",
        f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{n.day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{n.day + timedelta(days=1):%Y%m%d}",
        f"RRULE:{_rrule(n.every_days)}",
        f"SUMMARY:{escape_text(title)}",
        f"DESCRIPTION:{escape_text(desc)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def to_ics(lunches: list[NextLunch], stamp: datetime) -> str:
    """The whole calendar (`stamp`: now, in UTC), CRLF line endings, folded lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for n in lunches:
        lines += vevent(n, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
