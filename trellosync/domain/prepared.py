"""What `trellosync prepare` writes on a board, recognised so that its own words are never evidence.

trellosync marks everything it writes in two ways a later sync can read from the mirror alone:
- the checklist it adds is named `ASKED_CHECKLIST` ("How did it go?"); that name is reserved: its items are
  questions for a lunch, never entries, commitments, key results or criteria, whoever ticks them;
- a card it creates ends its description with the line `marker_line(day)`, which is removed before the
  description is read for sections.
The database also records the id of every card, checklist and item written (`store/prepared.py`), so a
renamed checklist or a card moved out of the lunches list is still recognised.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import replace
from datetime import date

from trellosync.mirror.normalize import BoardRows

ASKED_CHECKLIST = "How did it go?"
_MARKER = re.compile(
    r"^[ \t]*trellosync: prepared for the (?:lunch|meeting) of (\d{4}-\d{2}-\d{2})\b[^\n]*$", re.MULTILINE
)


def marker_line(day: date, noun: str = "lunch") -> str:
    """The last line of the description of a card trellosync creates (`noun`: lunch or meeting)."""
    return (
        f"trellosync: prepared for the {noun} of {day.isoformat()}; tick an item of "
        f'"{ASKED_CHECKLIST}" once it was asked'
    )


def marked_day(description: str | None) -> date | None:
    """The lunch date of a card trellosync created (from its description's marker line), else None."""
    m = _MARKER.search(description or "")
    if m is None:
        return None
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        return None


def without_marker(description: str) -> str:
    """The description without trellosync's marker line (what the section parser reads)."""
    return _MARKER.sub("", description).rstrip()


def is_asked_checklist(name: str | None) -> bool:
    """True for the reserved checklist name, in any case and spacing."""
    return " ".join((name or "").lower().split()) == ASKED_CHECKLIST.lower()


def without_own_writes(rows: BoardRows, own_ids: Collection[str] = ()) -> BoardRows:
    """The mirror rows a derivation reads: trellosync's checklists and items left out, markers removed.

    The mirror itself keeps everything; only what the domain is derived from is filtered.
    """
    ours = {cl["id"] for cl in rows.checklists if cl["id"] in own_ids or is_asked_checklist(cl.get("name"))}
    marked = any(marked_day(c.get("description")) for c in rows.cards)
    if not ours and not marked:
        return rows
    untouched = _untouched_cards(rows, ours)
    cards = [
        {**c, "description": without_marker(c.get("description") or "")}
        if marked_day(c.get("description"))
        else c
        for c in rows.cards
        if c["id"] not in untouched
    ]
    return replace(
        rows,
        cards=cards,
        checklists=[cl for cl in rows.checklists if cl["id"] not in ours],
        check_items=[it for it in rows.check_items if it["checklist_id"] not in ours],
    )


def _untouched_cards(rows: BoardRows, ours: set[str]) -> set[str]:
    """Cards trellosync made on which nobody has recorded anything yet: no text of their own, no checklist but
    ours, no comment, no tick of a "How did it go?" item. Such a card is no lunch held (a pair who skipped
    that lunch would otherwise have it counted); the first thing recorded on it makes it one."""
    made = {c["id"] for c in rows.cards if marked_day(c.get("description"))}
    if not made:
        return set()
    touched = {
        c["id"] for c in rows.cards if c["id"] in made and without_marker(c.get("description") or "").strip()
    }
    touched |= {cl.get("card_id") for cl in rows.checklists if cl["id"] not in ours}
    touched |= {cm.get("card_id") for cm in rows.comments}
    ticked = {
        it["checklist_id"]
        for it in rows.check_items
        if it["checklist_id"] in ours and it.get("state") == "complete"
    }
    touched |= {cl.get("card_id") for cl in rows.checklists if cl["id"] in ticked}
    return made - touched
