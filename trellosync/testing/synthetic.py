"""Synthetic export-shaped boards of any size, with the key sets of real exports."""

from __future__ import annotations

import itertools
import random
import time
from datetime import datetime, timezone
from typing import Any

NESTED_KEYS = (
    "actions",
    "cards",
    "checklists",
    "labels",
    "lists",
    "members",
    "memberships",
    "customFields",
    "pluginData",
)


def _iso(ts: float | None = None) -> str:
    dt = datetime.fromtimestamp(ts if ts is not None else time.time(), tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def _id_key(i: str) -> int:
    try:
        return int(i, 16)
    except (TypeError, ValueError):
        return 0


def synthesize_board(
    n_cards: int,
    *,
    template: dict[str, Any] | None = None,
    seed: int = 0,
    name: str | None = None,
    checklist_every: int = 1,
    comment_every: int = 2,
    start: float = 1_700_000_000.0,
) -> dict[str, Any]:
    """An export-shaped board of `n_cards` cards (each with a checklist of 3 items, every other one a comment),
    using the key sets of a real export's objects when `template` is given."""
    rng = random.Random(seed)
    t = start + seed * 1000
    tick = itertools.count()

    def oid() -> str:
        i = next(tick)
        return f"{int(t + i):08x}{seed & 0xFFFFFFFFFF:010x}{i & 0xFFFFFF:06x}"

    def shape(kind: str) -> dict[str, Any]:
        if template and template.get(kind):
            return {k: None for k in template[kind][0]}
        return {}

    board_id = oid()
    short = f"s{seed:07d}"[:8]
    member = {"id": oid(), "username": "synthetic", "fullName": "Synthetic Person", "initials": "SP"}
    board: dict[str, Any] = {
        **({k: v for k, v in template.items() if k not in NESTED_KEYS} if template else {}),
        "id": board_id,
        "name": name or f"Synthetic board {n_cards}",
        "desc": "",
        "closed": False,
        "shortLink": short,
        "url": f"https://trello.com/b/{short}/synthetic",
        "members": [member],
        "memberships": [],
        "customFields": [],
        "pluginData": [],
    }
    lists: list[dict[str, Any]] = []
    for i, lname in enumerate(["Lunches", "Goals", "Achieved", "Backlog"]):
        lists.append(
            {
                **shape("lists"),
                "id": oid(),
                "name": lname,
                "closed": False,
                "idBoard": board_id,
                "pos": 16384 * (i + 1),
            }
        )
    labels = [
        {**shape("labels"), "id": oid(), "idBoard": board_id, "name": n, "color": c}
        for n, c in [("Influence", "green"), ("Humility", "blue"), ("", "red")]
    ]
    cards: list[dict[str, Any]] = []
    checklists: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    for i in range(n_cards):
        cid = oid()
        created = _iso(int(cid[:8], 16))
        lst = lists[i % len(lists)]
        card = {
            **shape("cards"),
            "id": cid,
            "name": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d} card {i}",
            "desc": "## Best moment\nSomething went well " * rng.randint(0, 3),
            "closed": i % 50 == 49,
            "idBoard": board_id,
            "idList": lst["id"],
            "idLabels": [labels[i % 3]["id"]],
            "labels": [labels[i % 3]],
            "idMembers": [member["id"]],
            "idChecklists": [],
            "pos": 16384.0 * i,
            "due": None,
            "dueComplete": False,
            "dateLastActivity": created,
            "idShort": i + 1,
            "shortLink": cid[-8:],
            "url": f"https://trello.com/c/{cid[-8:]}",
            "checkItemStates": None,
            "shortUrl": f"https://trello.com/c/{cid[-8:]}",
            "start": None,
            "idMembersVoted": [],
            "badges": {"comments": 0, "checkItems": 0, "checkItemsChecked": 0},
        }
        actions.append(
            {
                "id": cid,
                "idMemberCreator": member["id"],
                "type": "createCard",
                "date": created,
                "data": {
                    "board": {"id": board_id, "name": board["name"], "shortLink": short},
                    "card": {"id": cid, "name": card["name"], "idShort": i + 1},
                    "list": {"id": lst["id"], "name": lst["name"]},
                },
                "memberCreator": member,
            }
        )
        if checklist_every and i % checklist_every == 0:
            clid = oid()
            items = [
                {
                    "id": oid(),
                    "name": f"Item {j} of card {i}",
                    "state": "complete" if j == 0 else "incomplete",
                    "pos": 16384 * (j + 1),
                    "due": None,
                    "idMember": None,
                    "idChecklist": clid,
                }
                for j in range(3)
            ]
            checklists.append(
                {
                    **shape("checklists"),
                    "id": clid,
                    "name": "Best moment",
                    "idBoard": board_id,
                    "idCard": cid,
                    "pos": 16384,
                    "checkItems": items,
                }
            )
            card["idChecklists"] = [clid]
            card["badges"].update(checkItems=3, checkItemsChecked=1)
        if comment_every and i % comment_every == 0:
            aid = oid()
            actions.append(
                {
                    "id": aid,
                    "idMemberCreator": member["id"],
                    "type": "commentCard",
                    "date": _iso(int(aid[:8], 16)),
                    "data": {
                        "board": {"id": board_id, "name": board["name"], "shortLink": short},
                        "card": {"id": cid, "name": card["name"], "idShort": i + 1},
                        "list": {"id": lst["id"]},
                        "text": f"Observation on card {i}",
                    },
                    "memberCreator": member,
                }
            )
            card["badges"]["comments"] = 1
        cards.append(card)
    actions.sort(key=lambda a: _id_key(a["id"]), reverse=True)
    board.update(
        lists=lists,
        labels=labels,
        cards=cards,
        checklists=checklists,
        actions=actions,
        dateLastActivity=actions[0]["date"] if actions else _iso(t),
    )
    return board
