"""The fake Trello's GET answers: which board, card, list or action page a path and query ask for."""

from __future__ import annotations

from collections import Counter
from typing import Any

from trellosync.testing.synthetic import NESTED_KEYS, _id_key


class TrelloRoutes:
    """The read side of FakeTrello (a mixin): routes a GET to its answer, paging and truncating like Trello."""

    boards: dict[str, dict[str, Any]]
    by_board: Counter[str]
    page_threshold: int
    too_many_status: int

    def _board(self, ref: str) -> dict[str, Any] | None:
        b = self.boards.get(ref)
        if b is None:
            b = next((x for x in self.boards.values() if x.get("shortLink") == ref), None)
        return b

    def _route(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        seg = path.split("/")[1:]
        if not seg or seg[0] != "1":
            return 404, "not found"
        seg = seg[1:]
        if seg[:3] == ["members", "me", "boards"]:
            return 200, [self._fields(b, q.get("fields", "all")) for b in self.boards.values()]
        if seg and seg[0] == "boards" and len(seg) >= 2:
            return self._board_route(seg[1], seg[2:], q)
        if seg and seg[0] == "cards" and len(seg) >= 2:
            return self._card_route(seg, q)
        return 404, "not found"

    def _board_route(self, ref: str, rest: list[str], q: dict[str, str]) -> tuple[int, Any]:
        b = self._board(ref)
        if b is None:
            return 404, "The requested resource was not found."
        if not rest:
            self.by_board[b["id"]] += 1
        if b.get("_forbidden"):
            return 403, "unauthorized permission requested"
        if b.get("_status"):
            return int(b["_status"]), {"message": "injected failure"}
        if not rest:
            return self._nested_board(b, q)
        if rest[0] == "cards":
            return self._cards(b, q, rest[1] if len(rest) > 1 else q.get("filter", "visible"))
        if rest == ["actions"]:
            return 200, self._actions(
                b["actions"], q.get("limit", "50"), q.get("before"), q.get("since"), q.get("filter", "all")
            )
        if rest == ["checklists"]:
            return 200, b["checklists"]
        if rest == ["lists"]:
            return 200, self._filter_closed(b["lists"], q.get("filter", "open"))
        if rest == ["labels"]:
            return 200, b["labels"][: int(q.get("limit", "50"))]
        if rest == ["members"]:
            return 200, b["members"]
        return 404, "not found"

    def _card_route(self, seg: list[str], q: dict[str, str]) -> tuple[int, Any]:
        for b in self.boards.values():
            for c in b["cards"]:
                if c["id"] == seg[1] or c.get("shortLink") == seg[1]:
                    if len(seg) == 2:
                        return 200, c
                    if seg[2] == "checklists":
                        return 200, [cl for cl in b["checklists"] if cl.get("idCard") == c["id"]]
                    if seg[2] == "actions":
                        acts = [
                            a
                            for a in b["actions"]
                            if (a.get("data", {}).get("card") or {}).get("id") == c["id"]
                        ]
                        return 200, self._actions(
                            acts, q.get("limit", "50"), None, None, q.get("filter", "commentCard")
                        )
        return 404, "The requested resource was not found."

    @staticmethod
    def _fields(obj: dict[str, Any], fields: str) -> dict[str, Any]:
        if fields == "all":
            return {k: v for k, v in obj.items() if k not in NESTED_KEYS and not k.startswith("_")}
        wanted = {f.strip() for f in fields.split(",")} | {"id"}
        return {k: v for k, v in obj.items() if k in wanted}

    @staticmethod
    def _filter_closed(items: list[dict[str, Any]], flt: str) -> list[dict[str, Any]]:
        if flt in ("open", "visible"):
            return [x for x in items if not x.get("closed")]
        if flt == "closed":
            return [x for x in items if x.get("closed")]
        if flt == "none":
            return []
        return list(items)

    @staticmethod
    def _actions(
        actions: list[dict[str, Any]], limit: str, before: str | None, since: str | None, flt: str
    ) -> list[dict[str, Any]]:
        n = min(int(float(limit)), 1000)
        types = None if flt in ("all", "") else set(flt.split(","))
        out = []
        for a in actions:  # newest first
            if types is not None and a.get("type") not in types:
                continue
            if before and _id_key(a["id"]) >= _id_key(before):
                continue
            if since and _id_key(a["id"]) <= _id_key(since):
                break
            out.append(a)
            if len(out) >= n:
                break
        return out

    def _too_many(self) -> tuple[int, Any]:
        return self.too_many_status, {
            "message": "Requested too many cards, please use paging",
            "error": "API_TOO_MANY_CARDS_REQUESTED",
        }

    def _cards(self, b: dict[str, Any], q: dict[str, str], flt: str) -> tuple[int, Any]:
        cards = self._filter_closed(b["cards"], flt)
        if "limit" not in q:
            if len(cards) > self.page_threshold:
                return self._too_many()
            return 200, cards
        limit = min(int(q["limit"]), 1000)
        cards = sorted(cards, key=lambda c: _id_key(c["id"]), reverse=True)
        if q.get("before"):
            cards = [c for c in cards if _id_key(c["id"]) < _id_key(q["before"])]
        if q.get("since"):
            cards = [c for c in cards if _id_key(c["id"]) > _id_key(q["since"])]
        return 200, cards[:limit]

    def _nested_board(self, b: dict[str, Any], q: dict[str, str]) -> tuple[int, Any]:
        out = self._fields(b, q.get("fields", "all"))
        cards_f = q.get("cards", "none")
        if cards_f != "none":
            cards = self._filter_closed(b["cards"], cards_f)
            if len(cards) > self.page_threshold:
                return self._too_many()
            out["cards"] = cards
        if q.get("checklists", "none") != "none":
            out["checklists"] = b["checklists"]
        if q.get("lists", "none") != "none":
            out["lists"] = self._filter_closed(b["lists"], q.get("lists", "open"))
        if q.get("labels", "none") != "none":
            out["labels"] = b["labels"][: int(q.get("labels_limit", "50"))]
        if q.get("members", "none") != "none":
            out["members"] = b["members"]
        if q.get("customFields") == "true":
            out["customFields"] = b.get("customFields", [])
        if q.get("actions", "all") != "none" and "actions" in q:
            # Like Trello: nested actions_before is ignored; actions_since is honoured.
            out["actions"] = self._actions(
                b["actions"],
                q.get("actions_limit", "50"),
                None,
                q.get("actions_since"),
                q.get("actions", "all"),
            )
        return 200, out
