"""The action history, indexed: Trello stores no completion, achievement or authorship, only actions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from trellosync.mirror.normalize import BoardRows

# Actions that put a card on a list at birth (data.list is the list it starts in).
_CARD_BIRTHS = ("createCard", "copyCard", "convertToCardFromCheckItem", "moveCardToBoard")


@dataclass
class DescEdit:
    """One description edit: who made it, the text before and (as far as the history says) after."""

    member_id: str | None
    date: datetime
    old: str
    new: str


@dataclass
class History:
    """What the action history says about check items and cards."""

    item_done: dict[str, datetime] = field(default_factory=dict)  # check item -> last tick
    card_done: dict[str, datetime] = field(default_factory=dict)  # card -> last entry into done (list or due)
    card_closed: dict[str, datetime] = field(default_factory=dict)  # card -> last archive
    desc_edits: dict[str, list[DescEdit]] = field(default_factory=dict)  # card -> edits, oldest first
    card_changes: dict[str, list[tuple[datetime, str, Any]]] = field(
        default_factory=dict
    )  # card -> (when, what, value)

    def change(self, card_id: str, when: datetime, what: str, value: Any) -> None:
        """Note that a card's list, dueComplete or closed changed (what: list | due_complete | closed)."""
        self.card_changes.setdefault(card_id, []).append((when, what, value))


def action_data(action: dict[str, Any]) -> dict[str, Any]:
    """An action row's data as a dict (the mirror stores it as JSON text)."""
    d = action.get("data")
    if isinstance(d, str):
        try:
            d = json.loads(d)
        except ValueError:
            return {}
    return d if isinstance(d, dict) else {}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _card_update(h: History, a: dict[str, Any], data: dict[str, Any], done_lists: set[str]) -> None:
    card, old = _dict(data.get("card")), _dict(data.get("old"))
    cid = card.get("id")
    if not cid:
        return
    if _dict(data.get("listAfter")).get("id"):
        h.change(cid, a["date"], "list", data["listAfter"]["id"])
        if data["listAfter"]["id"] in done_lists:
            h.card_done[cid] = a["date"]
    if isinstance(old.get("dueComplete"), bool) and isinstance(card.get("dueComplete"), bool):
        h.change(cid, a["date"], "due_complete", card["dueComplete"])
        if card["dueComplete"] and not old["dueComplete"]:
            h.card_done[cid] = a["date"]
    if isinstance(old.get("closed"), bool) and isinstance(card.get("closed"), bool):
        h.change(cid, a["date"], "closed", card["closed"])
        if card["closed"] and not old["closed"]:
            h.card_closed[cid] = a["date"]
    if isinstance(old.get("desc"), str):
        # Trello truncates data.card.desc in actions; the full new text is the next edit's old.desc
        # (seen in data/trello-exports/clone-board-2025.json). fix_desc_edits() repairs it.
        new = v if isinstance(v := card.get("desc"), str) else ""
        h.desc_edits.setdefault(cid, []).append(DescEdit(a.get("member_id"), a["date"], old["desc"], new))


def index_history(rows: BoardRows, done_lists: set[str]) -> History:
    """Ticks, entries into done lists, archives and description edits, in date order."""
    h = History()
    for a in sorted(rows.actions, key=lambda a: (a["date"], a["id"])):
        data = action_data(a)
        if a["type"] == "updateCheckItemStateOnCard":
            item = _dict(data.get("checkItem"))
            if item.get("id") and item.get("state") == "complete":
                h.item_done[item["id"]] = a["date"]
        elif a["type"] == "updateCard":
            _card_update(h, a, data, done_lists)
        elif a["type"] in _CARD_BIRTHS:
            cid = _dict(data.get("card")).get("id")
            list_id = _dict(data.get("list")).get("id")
            if cid and list_id:
                h.change(cid, a["date"], "list", list_id)
            if cid and list_id in done_lists:
                h.card_done.setdefault(cid, a["date"])  # created straight in a done list
    return h


def fix_desc_edits(h: History, current: dict[str, str]) -> None:
    """Each edit's full new text: the next edit's old text, or the card's current description for the last."""
    for cid, edits in h.desc_edits.items():
        for edit, nxt in zip(edits, edits[1:], strict=False):
            edit.new = nxt.old
        if edits and cid in current:
            edits[-1].new = current[cid]
