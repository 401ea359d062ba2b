"""The fake Trello's mutations: change a served board the way a user would, and record the matching action."""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from trellosync.testing.synthetic import _iso

_counter = itertools.count(random.randrange(1 << 20))
_counter_lock = threading.Lock()
_PROCESS_TAG = os.urandom(5).hex()

Card = dict[str, Any]


def new_object_id(when: float | None = None) -> str:
    """A MongoDB-style ObjectId: 8 hex digits of Unix time, 5 random bytes, a 3-byte counter."""
    with _counter_lock:
        n = next(_counter) & 0xFFFFFF
    return f"{int(when if when is not None else time.time()):08x}{_PROCESS_TAG}{n:06x}"


def find_card(b: dict[str, Any], ref: str | None) -> Card:
    """A board's card by id, short link or name; without `ref`, its first open card."""
    cards = b["cards"]
    if ref is None:
        open_cards = [c for c in cards if not c.get("closed")]
        if not open_cards:
            raise KeyError("no open card")
        return open_cards[0]
    for c in cards:
        if c["id"] == ref or c.get("shortLink") == ref or c.get("name") == ref:
            return c
    raise KeyError(f"no card {ref}")


def find_check_item(b: dict[str, Any], ref: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(checklist, check item) of a board's check item by id or name; without `ref`, the first one."""
    for cl in b["checklists"]:
        for item in cl.get("checkItems") or []:
            if ref is None or item["id"] == ref or item.get("name") == ref:
                return cl, item
    raise KeyError(f"no check item {ref}")


def _check_item(
    b: dict[str, Any], action: dict[str, Any], card: Card | None, cref: Any, kw: dict[str, Any]
) -> None:
    cl, item = find_check_item(b, kw.get("check_item"))
    item["state"] = kw.get("state", "complete" if item.get("state") != "complete" else "incomplete")
    ccard = find_card(b, cl.get("idCard"))
    cref = {"id": ccard["id"], "name": ccard.get("name"), "shortLink": ccard.get("shortLink")}
    action.update(type="updateCheckItemStateOnCard")
    action["data"].update(
        card=cref,
        checklist={"id": cl["id"], "name": cl.get("name")},
        checkItem={"id": item["id"], "name": item.get("name"), "state": item["state"]},
    )
    ccard["dateLastActivity"] = action["date"]


def _comment(b: dict[str, Any], action: dict[str, Any], card: Any, cref: Any, kw: dict[str, Any]) -> None:
    action.update(type="commentCard")
    action["data"].update(card=cref, text=kw.get("text", "A new comment"), list={"id": card.get("idList")})
    card.setdefault("badges", {})["comments"] = card.get("badges", {}).get("comments", 0) + 1
    card["dateLastActivity"] = action["date"]


def _archive_card(
    b: dict[str, Any], action: dict[str, Any], card: Any, cref: Any, kw: dict[str, Any]
) -> None:
    card["closed"] = True
    card["dateLastActivity"] = action["date"]
    action.update(type="updateCard")
    action["data"].update(
        card={**cref, "closed": True}, old={"closed": False}, list={"id": card.get("idList")}
    )


def _rename_card(b: dict[str, Any], action: dict[str, Any], card: Any, cref: Any, kw: dict[str, Any]) -> None:
    old = card.get("name")
    card["name"] = kw.get("name", f"{old} (renamed)")
    card["dateLastActivity"] = action["date"]
    action.update(type="updateCard")
    action["data"].update(card={**cref, "name": card["name"]}, old={"name": old})


def _delete_card(b: dict[str, Any], action: dict[str, Any], card: Any, cref: Any, kw: dict[str, Any]) -> None:
    b["cards"] = [c for c in b["cards"] if c["id"] != card["id"]]
    b["checklists"] = [cl for cl in b["checklists"] if cl.get("idCard") != card["id"]]
    action.update(type="deleteCard")
    action["data"].update(
        card={"id": card["id"], "idShort": card.get("idShort"), "shortLink": card.get("shortLink")},
        list={"id": card.get("idList")},
    )


def _create_card(b: dict[str, Any], action: dict[str, Any], card: Any, cref: Any, kw: dict[str, Any]) -> None:
    lst = next((x for x in b["lists"] if not x.get("closed")), None) or {"id": new_object_id()}
    new = {
        "id": action["id"],
        "name": kw.get("name", "New card"),
        "idList": lst["id"],
        "idBoard": b["id"],
        "closed": False,
        "desc": "",
        "idChecklists": [],
        "idLabels": [],
        "idMembers": [],
        "pos": 1e9,
        "due": None,
        "dateLastActivity": action["date"],
        "shortLink": action["id"][-8:],
        "idShort": len(b["cards"]) + 1,
        "badges": {"comments": 0},
    }
    b["cards"].append(new)
    action.update(type="createCard")
    action["data"].update(card={"id": new["id"], "name": new["name"]}, list={"id": lst["id"]})


MUTATIONS: dict[str, Callable[[dict[str, Any], dict[str, Any], Any, Any, dict[str, Any]], None]] = {
    "check_item": _check_item,
    "comment": _comment,
    "archive_card": _archive_card,
    "rename_card": _rename_card,
    "delete_card": _delete_card,
    "create_card": _create_card,
}


def _new_action(b: dict[str, Any]) -> dict[str, Any]:
    """An action by the board's first member (or a made-up one), dated now, naming the board."""
    now = time.time()
    bref = {"id": b["id"], "name": b.get("name"), "shortLink": b.get("shortLink")}
    member = (b.get("members") or [{"id": new_object_id(0), "username": "fake", "fullName": "Fake"}])[0]
    return {
        "id": new_object_id(now),
        "idMemberCreator": member["id"],
        "date": _iso(now),
        "data": {"board": bref},
        "memberCreator": {k: member.get(k) for k in ("id", "username", "fullName")},
    }


def mutate_board(b: dict[str, Any], op: str, kw: dict[str, Any]) -> dict[str, Any]:
    """Apply one mutation (a key of MUTATIONS) to a served board; returns the new action, newest first."""
    action = _new_action(b)
    card = find_card(b, kw.get("card")) if op != "create_card" else None
    cref = (
        {
            "id": card["id"],
            "name": card.get("name"),
            "idShort": card.get("idShort"),
            "shortLink": card.get("shortLink"),
        }
        if card
        else None
    )
    if op not in MUTATIONS:
        raise ValueError(f"unknown mutation {op!r}")
    MUTATIONS[op](b, action, card, cref, kw)
    b["actions"].insert(0, action)
    b["dateLastActivity"] = action["date"]
    return action
