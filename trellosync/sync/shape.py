"""What a board's cards show about its shape, for `init` to propose and `check --online` to warn about.

Only what is observed is proposed: a cadence from the dates of the lunch cards, a group from per-member
checklists on them, logistics patterns from the comments on them. Everything returns data.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from statistics import median
from typing import Any

from trellosync.domain.dates import lunch_date
from trellosync.domain.matching import match_lists, name_key
from trellosync.mirror.ids import id_time, parse_time

CADENCES = (7, 14, 21, 28, 30)  # a week, a fortnight, three weeks, four weeks, a month
MIN_DATED = 3  # a cadence needs at least two intervals
MIN_GROUP = 3  # a peer learning group has three or more subjects
MIN_QUICK_GOALS = 3  # fewer goals done the day they were made say nothing about the board

# Comments that are logistics, not observations. Each is proposed only when a comment on a lunch card of
# the board matches it; the loose ones only match a comment of at most 80 characters (`(?![\s\S]{81})`), so an
# observation that happens to start with "sorry" or name a time is still read.
LOGISTICS: tuple[str, ...] = (
    r"^(moved|moving|rescheduled|postponed|pushed) (it )?(to|back|by)\b",
    r"^can we (move|push|reschedule|do it)\b",
    r"\brunning (late|behind)\b",
    r"^(?![\s\S]{81}).*\b([01]?\d|2[0-3])[:h][0-5]\d\b",
    r"^(?![\s\S]{81})(sorry|apologies)\b",
    r"^(?![\s\S]{81}).*\b(meeting )?room\s+\w*\d",
)


def cadence_days(dates: list[date]) -> int | None:
    """A board's cadence: the median interval between its distinct lunch dates, rounded to a usual cadence when
    one is near (within 15%), else to whole days; None with fewer than MIN_DATED dates."""
    days = sorted(set(dates))
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    if len(days) < MIN_DATED or not gaps:
        return None
    mid = float(median(gaps))
    near = min(CADENCES, key=lambda c: (abs(c - mid), c))
    if abs(near - mid) <= 0.15 * near:
        return near
    return max(1, min(366, round(mid)))


def lunch_cards(board: dict[str, Any], lunch_lists: list[str]) -> list[dict[str, Any]]:
    """The cards (open and archived) of the board's lists that the lunch list names match."""
    ids = match_lists(
        lunch_lists,
        [
            {"id": x.get("id"), "name": x.get("name") or "", "closed": bool(x.get("closed"))}
            for x in board.get("lists") or []
            if x.get("id")
        ],
    )
    return [c for c in board.get("cards") or [] if isinstance(c, dict) and c.get("idList") in ids]


def card_dates(cards: list[dict[str, Any]]) -> list[date]:
    """Each card's date by the domain's rule: its due date, else a date in its name, else its creation."""
    out = []
    for c in cards:
        day, _ = lunch_date(
            {"due": parse_time(c.get("due")), "name": c.get("name") or "", "created_at": id_time(c.get("id"))}
        )
        if day is not None:
            out.append(day)
    return out


def _member_names(member: dict[str, Any]) -> set[str]:
    full = (member.get("fullName") or "").strip()
    names = {full, full.split()[0] if full else "", member.get("username") or ""}
    return {name_key(n) for n in names if n}


def group_section(board: dict[str, Any], cards: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A `group:` section when the board has MIN_GROUP or more members and its lunch cards carry checklists named
    after at least MIN_GROUP of them; the item prefix (`Issue: ...`) when one recurs."""
    members = [m for m in board.get("members") or [] if isinstance(m, dict)]
    if len(members) < MIN_GROUP:
        return None
    card_ids = {c.get("id") for c in cards}
    named = [cl for cl in board.get("checklists") or [] if cl.get("idCard") in card_ids]
    owners = {
        i for cl in named for i, m in enumerate(members) if name_key(cl.get("name") or "") in _member_names(m)
    }
    if len(owners) < MIN_GROUP:
        return None
    per_member = [
        cl for cl in named if any(name_key(cl.get("name") or "") in _member_names(m) for m in members)
    ]
    prefixes = Counter(
        m[1]
        for cl in per_member
        for it in cl.get("checkItems") or []
        if (m := re.match(r"^\s*([A-Za-z]+)\s*:", it.get("name") or ""))
    )
    common = prefixes.most_common(1)
    return {"issue_prefix": common[0][0]} if common and common[0][1] >= 2 else {}


def logistics_patterns(board: dict[str, Any], cards: list[dict[str, Any]]) -> list[str]:
    """The LOGISTICS patterns that match a comment on one of `cards`, in LOGISTICS order."""
    card_ids = {c.get("id") for c in cards}
    texts = [
        (a.get("data") or {}).get("text") or ""
        for a in board.get("actions") or []
        if isinstance(a, dict)
        and a.get("type") == "commentCard"
        and ((a.get("data") or {}).get("card") or {}).get("id") in card_ids
    ]
    return [p for p in LOGISTICS if any(re.search(p, t, re.IGNORECASE) for t in texts)]


def quick_goals(cards: list[dict[str, Any]]) -> int:
    """How many of `cards` (goals on a done list) were completed within a day of being made: 0 unless every card
    was, and at least MIN_QUICK_GOALS. A card's last activity bounds when it was moved to the list, so a card last
    touched the day after its creation was completed by then."""
    for c in cards:
        made, last = id_time(c.get("id")), parse_time(c.get("dateLastActivity"))
        if made is None or last is None or (last.date() - made.date()).days > 1:
            return 0
    return len(cards) if len(cards) >= MIN_QUICK_GOALS else 0
