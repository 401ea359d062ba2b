"""What `trellosync prepare` would write: the next lunch card of each pair or group board, and its checklist.

Pure: from a board's mapping, its stored mirror, the stored domain and the record of earlier writes to a
`Prepared` plan (or the reason there is nothing to do). Every status comes from `domain.rules` and
`domain.promises`; the writes themselves are in `sync/prepare_run.py` and `trello/write.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.config.settings import BoardMapping
from trellosync.domain.judge import Judgement
from trellosync.domain.matching import match_lists
from trellosync.domain.model import Domain, Lunch
from trellosync.domain.next_lunch import next_lunch_due
from trellosync.domain.prepared import ASKED_CHECKLIST, is_asked_checklist, marked_day, marker_line
from trellosync.mirror.normalize import BoardRows

MAX_ITEM_CHARS = 500  # Trello allows 16384; an item is a reminder, not the entry
UNDONE = ("open", "broken")


@dataclass(frozen=True)
class Item:
    """One "How did it go?" item and what it asks about."""

    text: str
    ref_kind: str  # commitment | promise | focus
    ref_id: str


@dataclass
class Prepared:
    """The next lunch of one board as it should be on Trello: the card (new or found) and its checklist."""

    board_id: str
    board_name: str
    day: date
    noun: str  # lunch | meeting
    card_id: str | None  # the card found on the board (made by hand or earlier); None: create it
    card_name: str
    list_id: str | None = None
    member_ids: list[str] = field(default_factory=list)
    due: datetime | None = None  # UTC
    desc: str = ""
    items: list[Item] = field(default_factory=list)

    @property
    def checklist(self) -> bool:
        """True when a checklist is to be added (there is something to ask)."""
        return bool(self.items)

    @property
    def writes(self) -> int:
        """The requests applying this plan takes: one per card and checklist, one per item."""
        return (self.card_id is None) + self.checklist + len(self.items)


@dataclass
class Plan:
    """Everything `prepare` would write, and per board why nothing is (said at -v)."""

    lunches: list[Prepared] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_ITEM_CHARS else text[: MAX_ITEM_CHARS - 1] + "…"


def _date_forms(d: date, day_first: bool) -> list[str]:
    """How a date may be written at the start of a card name (the forms the lunch date parser reads)."""
    slash = f"{d.day:02d}/{d.month:02d}/{d.year}" if day_first else f"{d.month:02d}/{d.day:02d}/{d.year}"
    return [d.isoformat(), slash, f"{d.day} {d:%b %Y}", f"{d.day} {d:%B %Y}", f"{d.day:02d} {d:%b %Y}"]


def card_name(previous: Lunch | None, day: date, noun: str, day_first: bool) -> str:
    """The new card's name in the board's own convention: the latest card's name with its date replaced."""
    if previous is not None:
        for old, new in zip(_date_forms(previous.date, day_first), _date_forms(day, day_first), strict=True):
            if old in previous.title:
                return previous.title.replace(old, new, 1)
    return f"{noun.capitalize()} {day.isoformat()}"


def due_at(day: date, tz: ZoneInfo) -> datetime:
    """Noon of the lunch day in the config's timezone, as naive UTC (what Trello's `due` takes)."""
    return datetime.combine(day, time(12, 0), tz).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _items(
    domain: Domain,
    board_id: str,
    subjects: list[str],
    day: date,
    last_held: date | None,
    today: date,
    tz: ZoneInfo,
) -> list[Item]:
    """An item per commitment and promise due by `day` and not done, and per open focus point."""
    names = {k: (domain.people[k].name if k in domain.people else k) for k in subjects}
    judged = Judgement(domain, tz, today)  # what is due and done, as every report judges it
    out: list[Item] = []
    for person in subjects:
        for c in domain.commitments:
            if c.board_id != board_id or c.person != person:
                continue
            since_last = (
                last_held is None
                or c.made >= last_held
                or (c.deadline is not None and c.deadline > last_held)
            )
            due = c.deadline is None or c.deadline <= day  # no deadline: "by the next lunch", this one
            if since_last and due and judged.commitment_status(c) in UNDONE:
                out.append(Item(_one_line(f"{names[person]}: {c.text}"), "commitment", c.id))
        for p in domain.practices.promises if domain.practices else []:
            if p.person != person or p.archived or p.due is None or p.due > day:
                continue
            if last_held is not None and p.due <= last_held:
                continue
            if judged.promise(p).status in UNDONE:
                out.append(
                    Item(
                        _one_line(f"{names[person]}'s promise: {p.title} (due {p.due:%d %b})"),
                        "promise",
                        p.id,
                    )
                )
        board_feedback = [f for f in domain.feedback if f.board_id == board_id]
        for f in judged.open_focus(board_feedback, person):
            out.append(Item(_one_line(f"{names[person]}'s focus: {f.text}"), "focus", f.id))
    return out


def _card_state(rows: BoardRows, records: list[dict[str, Any]], day: date) -> tuple[str | None, str | None]:
    """(card id trellosync made for `day`, or None; why it must not be made again, or None)."""
    cards = {c["id"]: c for c in rows.cards}
    made = [r["card_id"] for r in records if r["kind"] == "card" and r["lunch_date"] == day]
    made += [c["id"] for c in rows.cards if marked_day(c.get("description")) == day]
    for cid in made:
        c = cards.get(cid)
        if c is not None and c.get("deleted_at"):
            return None, f"the card prepared for {day} was deleted on the board: not made again"
        if c is not None and c.get("closed"):
            return None, f"the card prepared for {day} was archived on the board: not made again"
    return (made[0] if made else None), None


def _has_checklist(rows: BoardRows, records: list[dict[str, Any]], card_id: str) -> bool:
    """True when the card holds (or held: trellosync wrote one) a "How did it go?" checklist."""
    if any(r["kind"] == "checklist" and r["card_id"] == card_id for r in records):
        return True
    return any(
        cl.get("card_id") == card_id and not cl.get("deleted_at") and is_asked_checklist(cl.get("name"))
        for cl in rows.checklists
    )


def plan_board(
    mapping: BoardMapping,
    rows: BoardRows,
    domain: Domain,
    records: list[dict[str, Any]],
    *,
    today: date,
    days_ahead: int,
    tz: ZoneInfo,
) -> Prepared | str:
    """The next lunch of one board to prepare, or the reason there is nothing to write."""
    board_id, board_name = rows.board_id, rows.board.get("name") or rows.board_id
    subjects = list(domain.board_subjects.get(board_id) or mapping.subjects)
    group = bool(domain.practices and board_id in domain.practices.group_boards)
    if len(subjects) != 2 and not group:
        return f"{board_name}: not a pair or group board"
    noun = "meeting" if group else "lunch"
    open_lists = [x for x in rows.lists if not x.get("closed") and not x.get("deleted_at")]
    lists = match_lists(mapping.lunches.lists, open_lists)
    lunches = [lu for lu in domain.lunches if lu.board_id == board_id and not lu.archived]
    horizon = today + timedelta(days=days_ahead)
    upcoming = [lu for lu in lunches if today <= lu.date <= horizon]
    later = [lu for lu in lunches if lu.date > horizon]
    held = [lu for lu in lunches if lu.date < today]
    existing: str | None = upcoming[0].id if upcoming else None
    if upcoming:
        day = upcoming[0].date
    else:
        if later:
            return f"{board_name}: the next {noun} is already on the board for {later[0].date}"
        found = next_lunch_due(lunches, board_id, today - timedelta(days=1), mapping.lunches.every_days)
        if found is None:
            return f"{board_name}: no {noun} held yet, so no cadence to follow"
        if found < today:
            return f"{board_name}: the next {noun} was due {found} (overdue); nothing prepared"
        if found > horizon:
            return f"{board_name}: the next {noun} is due {found}, more than {days_ahead} days ahead"
        day = found
        existing, refused = _card_state(rows, records, day)
        if refused:
            return f"{board_name}: {refused}"
        if existing is None and not lists:
            return f"{board_name}: no open lunches list to put the card in"
    if existing is not None and _has_checklist(rows, records, existing):
        return f"{board_name}: the {noun} of {day} is prepared"
    last_held = held[-1].date if held else None
    items = _items(domain, board_id, subjects, day, last_held, today, tz)
    if existing is not None and not items:
        return f"{board_name}: the {noun} of {day} is on the board; nothing is due by then to ask about"
    previous = held[-1] if held else None
    plan = Prepared(
        board_id,
        board_name,
        day,
        noun,
        existing,
        card_name(previous, day, noun, mapping.lunches.day_first),
        items=items,
    )
    if existing is None:
        in_list = previous.id if previous else None
        prev_list = next((c.get("list_id") for c in rows.cards if c["id"] == in_list), None)
        plan.list_id = (
            prev_list if prev_list in lists else sorted(lists, key=lambda i: _list_pos(open_lists, i))[0]
        )
        people = domain.people
        plan.member_ids = [m for k in subjects if k in people and (m := people[k].member_id)]
        plan.due = due_at(day, tz)
        plan.desc = marker_line(day, noun)
    elif existing != (upcoming[0].id if upcoming else None):
        plan.card_name = next(
            (c.get("name") or "" for c in rows.cards if c["id"] == existing), plan.card_name
        )
    else:
        plan.card_name = upcoming[0].title
    return plan


def _list_pos(lists: Iterable[dict[str, Any]], list_id: str) -> float:
    return next((x.get("pos") or 0.0 for x in lists if x["id"] == list_id), 0.0)


def plan_prepare(
    boards: Iterable[tuple[BoardMapping, BoardRows, list[dict[str, Any]]]],
    domain: Domain,
    *,
    today: date,
    days_ahead: int,
    tz: ZoneInfo,
) -> Plan:
    """The plan for every mapped board: (mapping, stored mirror, recorded writes) per board."""
    plan = Plan()
    for mapping, rows, records in boards:
        got = plan_board(mapping, rows, domain, records, today=today, days_ahead=days_ahead, tz=tz)
        if isinstance(got, str):
            plan.notes.append(got)
        else:
            plan.lunches.append(got)
    return plan


__all__ = ["ASKED_CHECKLIST", "Item", "Plan", "Prepared", "plan_board", "plan_prepare"]
