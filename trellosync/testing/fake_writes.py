"""The fake Trello's writes, as the OpenAPI description and real answers show them.

POST /1/cards, /1/checklists, /1/cards/{id}/checklists and /1/checklists/{id}/checkItems take their
parameters from the query or a JSON body, answer 200 with the created object (24-hex id, positions in steps
of 16384 as real exports hold them), and record the action Trello records (createCard, addChecklistToCard;
Trello has no action type for adding a check item) by the token's owner, so a later sync sees them. Unknown
ids: 404 text/plain; a missing required parameter: 400 text/plain.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from trellosync.testing.fake_mutations import new_object_id
from trellosync.testing.synthetic import _iso

POS_STEP = 16384.0
_HEX24 = re.compile(r"^[0-9a-f]{24}$")
NOT_FOUND = "The requested resource was not found."


def _params(q: dict[str, str], body: bytes) -> dict[str, Any]:
    """The request's parameters: the query, overridden by a JSON object body."""
    out: dict[str, Any] = dict(q)
    if body:
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            out.update(data)
    return out


def _position(existing: list[float], pos: Any) -> float:
    """Trello's position for `top`, `bottom` (the default) or a positive number."""
    if pos == "top":
        return min(existing, default=2 * POS_STEP) / 2
    if pos in (None, "", "bottom"):
        return max(existing, default=0.0) + POS_STEP
    return float(pos)


def _ids(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [v for v in str(value or "").split(",") if v]


class TrelloWrites:
    """The write side of FakeTrello (a mixin): routes a POST to the object it creates."""

    boards: dict[str, dict[str, Any]]
    me: dict[str, Any]

    def _write_route(self, method: str, path: str, q: dict[str, str], body: bytes) -> tuple[int, Any]:
        seg = path.split("/")[2:]  # after /1
        p = _params(q, body)
        if method != "POST":
            return 404, f"Cannot {method} {path}"
        if seg == ["cards"]:
            return self._create_card(p)
        if seg == ["checklists"]:
            return self._create_checklist(str(p.get("idCard") or ""), p)
        if len(seg) == 3 and seg[0] == "cards" and seg[2] == "checklists":
            return self._create_checklist(seg[1], p)
        if len(seg) == 3 and seg[0] == "checklists" and seg[2] == "checkItems":
            return self._create_check_item(seg[1], p)
        return 404, f"Cannot {method} {path}"

    def _find(self, kind: str, ref: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        for b in self.boards.values():
            for x in b[kind]:
                if x["id"] == ref:
                    return b, x
        return None

    def _action(self, b: dict[str, Any], kind: str, data: dict[str, Any]) -> None:
        now = time.time()
        action = {
            "id": new_object_id(now),
            "idMemberCreator": self.me["id"],
            "type": kind,
            "date": _iso(now),
            "data": {
                **data,
                "board": {"id": b["id"], "name": b.get("name"), "shortLink": b.get("shortLink")},
            },
            "memberCreator": dict(self.me),
        }
        b["actions"].insert(0, action)
        b["dateLastActivity"] = action["date"]

    def _create_card(self, p: dict[str, Any]) -> tuple[int, Any]:
        list_id = str(p.get("idList") or "")
        if not _HEX24.match(list_id):
            return 400, "invalid value for idList"
        found = self._find("lists", list_id)
        if found is None:
            return 404, NOT_FOUND
        b, lst = found
        cid = new_object_id()
        card = {
            "id": cid,
            "name": str(p.get("name") or ""),
            "desc": str(p.get("desc") or ""),
            "idList": lst["id"],
            "idBoard": b["id"],
            "closed": False,
            "due": p.get("due") or None,
            "dueComplete": False,
            "idMembers": _ids(p.get("idMembers")),
            "idLabels": _ids(p.get("idLabels")),
            "idChecklists": [],
            "pos": _position(
                [c.get("pos") or 0.0 for c in b["cards"] if c.get("idList") == lst["id"]], p.get("pos")
            ),
            "shortLink": cid[-8:],
            "idShort": len(b["cards"]) + 1,
            "url": f"https://trello.com/c/{cid[-8:]}",
            "shortUrl": f"https://trello.com/c/{cid[-8:]}",
            "dateLastActivity": _iso(),
            "labels": [],
            "attachments": [],
            "badges": {
                "attachments": 0,
                "checkItems": 0,
                "checkItemsChecked": 0,
                "comments": 0,
                "description": bool(p.get("desc")),
                "due": p.get("due") or None,
                "dueComplete": False,
                "votes": 0,
            },
        }
        b["cards"].append(card)
        self._action(
            b,
            "createCard",
            {
                "card": {
                    "id": cid,
                    "name": card["name"],
                    "idShort": card["idShort"],
                    "shortLink": card["shortLink"],
                },
                "list": {"id": lst["id"], "name": lst.get("name")},
            },
        )
        return 200, card

    def _create_checklist(self, card_id: str, p: dict[str, Any]) -> tuple[int, Any]:
        if not _HEX24.match(card_id):
            return 400, "invalid value for idCard"
        found = self._find("cards", card_id)
        if found is None:
            return 404, NOT_FOUND
        b, card = found
        cl = {
            "id": new_object_id(),
            "name": str(p.get("name") or "Checklist"),
            "idCard": card["id"],
            "idBoard": b["id"],
            "checkItems": [],
            "pos": _position(
                [x.get("pos") or 0.0 for x in b["checklists"] if x.get("idCard") == card["id"]], p.get("pos")
            ),
        }
        b["checklists"].append(cl)
        card.setdefault("idChecklists", []).append(cl["id"])
        card["dateLastActivity"] = _iso()
        self._action(
            b,
            "addChecklistToCard",
            {
                "card": {
                    "id": card["id"],
                    "name": card.get("name"),
                    "idShort": card.get("idShort"),
                    "shortLink": card.get("shortLink"),
                },
                "checklist": {"id": cl["id"], "name": cl["name"]},
            },
        )
        return 200, cl

    def _create_check_item(self, checklist_id: str, p: dict[str, Any]) -> tuple[int, Any]:
        if not _HEX24.match(checklist_id):
            return 400, "invalid value for id"
        found = self._find("checklists", checklist_id)
        if found is None:
            return 404, NOT_FOUND
        b, cl = found
        name = str(p.get("name") or "")
        if not name:
            return 400, "invalid value for name"
        checked = str(p.get("checked")).lower() == "true"
        item = {
            "id": new_object_id(),
            "name": name,
            "nameData": None,
            "idChecklist": cl["id"],
            "state": "complete" if checked else "incomplete",
            "due": None,
            "dueReminder": None,
            "idMember": None,
            "pos": _position([x.get("pos") or 0.0 for x in cl["checkItems"]], p.get("pos")),
        }
        cl["checkItems"].append(item)
        b["dateLastActivity"] = _iso()  # no action is recorded, but the board's activity moves on
        return 200, item
