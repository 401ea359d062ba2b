"""Build small Trello board exports (real export shapes) for rule-by-rule domain tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timezone
from typing import Any

_counter = itertools.count(1)


def oid(when: str | datetime = "2026-01-01T12:00:00") -> str:
    """A 24-hex ObjectId whose timestamp is `when` (UTC)."""
    dt = datetime.fromisoformat(when) if isinstance(when, str) else when
    ts = int(dt.replace(tzinfo=timezone.utc).timestamp())
    return f"{ts:08x}{next(_counter):016x}"


def iso(when: str) -> str:
    """'2026-03-04' or '2026-03-04T10:00' as Trello writes it."""
    if "T" not in when:
        when += "T12:00:00"
    return datetime.fromisoformat(when).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class Board:
    """A mutable board export."""

    def __init__(
        self,
        name: str = "Peer lunch: Will & Jessica",
        members: tuple[tuple[str, str], ...] = (("willsmith", "Will Smith"), ("jessjones", "Jessica Jones")),
    ):
        self.data: dict[str, Any] = {
            "id": oid("2025-12-01"),
            "name": name,
            "shortLink": "AbCd1234",
            "closed": False,
            "url": "https://trello.com/b/AbCd1234/x",
            "dateLastActivity": iso("2026-06-01"),
            "lists": [],
            "cards": [],
            "checklists": [],
            "labels": [],
            "members": [],
            "actions": [],
        }
        self.member_ids: dict[str, str] = {}
        for username, full in members:
            mid = oid("2020-01-01")
            self.member_ids[username] = mid
            self.data["members"].append({"id": mid, "username": username, "fullName": full})
        self.lists: dict[str, str] = {}

    def list(self, name: str) -> str:
        if name not in self.lists:
            lid = oid("2025-12-01")
            self.lists[name] = lid
            self.data["lists"].append(
                {"id": lid, "name": name, "closed": False, "pos": 16384.0 * len(self.lists)}
            )
        return self.lists[name]

    def label(self, name: str) -> str:
        lid = oid("2025-12-01")
        self.data["labels"].append({"id": lid, "name": name, "color": "green", "idBoard": self.data["id"]})
        return lid

    def card(
        self,
        list_name: str,
        name: str,
        *,
        created: str = "2026-01-01",
        due: str | None = None,
        desc: str = "",
        members: tuple[str, ...] = (),
        labels: tuple[str, ...] = (),
        closed: bool = False,
        due_complete: bool = False,
    ) -> str:
        cid = oid(created if "T" in created else created + "T09:00:00")
        self.data["cards"].append(
            {
                "id": cid,
                "name": name,
                "desc": desc,
                "idList": self.list(list_name),
                "closed": closed,
                "due": iso(due) if due else None,
                "dueComplete": due_complete,
                "idBoard": self.data["id"],
                "idMembers": [self.member_ids[m] for m in members],
                "idLabels": list(labels),
                "pos": 1.0,
                "shortUrl": f"https://trello.com/c/{cid[-8:]}",
                "idChecklists": [],
            }
        )
        return cid

    def checklist(self, card_id: str, name: str, items: list[str | dict[str, Any]]) -> list[str]:
        clid = oid()
        rows = []
        for it in items:
            it = {"name": it} if isinstance(it, str) else dict(it)
            if "member" in it:
                it["idMember"] = self.member_ids[it.pop("member")]
            if "due" in it and it["due"]:
                it["due"] = iso(it["due"])
            rows.append(
                {
                    "id": oid(),
                    "state": "incomplete",
                    "idMember": None,
                    "due": None,
                    "pos": 1.0,
                    "idChecklist": clid,
                    **it,
                }
            )
        self.data["checklists"].append(
            {
                "id": clid,
                "name": name,
                "idCard": card_id,
                "idBoard": self.data["id"],
                "pos": 1.0,
                "checkItems": rows,
            }
        )
        return [r["id"] for r in rows]

    def action(self, kind: str, when: str, data: dict[str, Any], by: str | None = "willsmith") -> str:
        aid = oid(when if "T" in when else when + "T12:00:00")
        a: dict[str, Any] = {
            "id": aid,
            "type": kind,
            "date": iso(when),
            "data": data,
            "idMemberCreator": self.member_ids.get(by or "", "5f00000000000000000000ff"),
        }
        if by:
            a["memberCreator"] = {"id": self.member_ids[by], "username": by, "fullName": by}
        self.data["actions"].insert(0, a)
        return aid

    def tick(self, card_id: str, item_id: str, when: str) -> None:
        for cl in self.data["checklists"]:
            for it in cl["checkItems"]:
                if it["id"] == item_id:
                    it["state"] = "complete"
        self.action(
            "updateCheckItemStateOnCard",
            when,
            {"checkItem": {"id": item_id, "state": "complete"}, "card": {"id": card_id}},
        )

    def comment(self, card_id: str, text: str, when: str, by: str = "jessjones") -> str:
        return self.action("commentCard", when, {"text": text, "card": {"id": card_id}}, by=by)
