"""Pure functions: a board's raw JSON (an export, or the API's nested board answer) to table rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from trellosync.errors import DataError
from trellosync.mirror.ids import id_time, parse_time

ACTION_WINDOW = 1000  # an export, and one page of actions, holds at most this many


@dataclass
class BoardRows:
    """Rows for every mirror table, for one board."""

    board: dict[str, Any]
    lists: list[dict[str, Any]] = field(default_factory=list)
    labels: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    board_members: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    card_labels: list[dict[str, Any]] = field(default_factory=list)
    card_members: list[dict[str, Any]] = field(default_factory=list)
    checklists: list[dict[str, Any]] = field(default_factory=list)
    check_items: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    date_last_activity: str | None = None  # Trello's value verbatim

    @property
    def board_id(self) -> str:
        """The board's Trello id."""
        return self.board["id"]


def _float(v: Any) -> float | None:
    try:
        return float(v) if v is not None else None
    except (TypeError, ValueError):
        return None


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ("" if v is None else str(v))


def _require(obj: Any, what: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or not isinstance(obj.get("id"), str) or not obj["id"]:
        raise DataError(f"{what}: expected an object with an 'id'")
    return obj


def classify(data: Any) -> str:
    """'board' for a board export or nested board answer, 'card' for a single card's export."""
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        if "cards" in data or "lists" in data:
            return "board"
        if "idBoard" in data and "idList" in data:
            return "card"
    raise DataError(
        "this JSON is not a Trello board export (expected an object with 'id', 'cards' and 'lists')"
    )


def card_export_as_board(card: dict[str, Any]) -> dict[str, Any]:
    """Wrap a single card's export as a one-card board (the board's name is not in it)."""
    board_id = card["idBoard"]
    lists = [{"id": card["idList"], "name": "(list of exported card)", "closed": False, "idBoard": board_id}]
    board = {
        "id": board_id,
        "name": f"Card export: {_str(card.get('name'))[:80]}",
        "cards": [{k: v for k, v in card.items() if k not in ("actions", "checklists", "members")}],
        "lists": lists,
        "checklists": card.get("checklists") or [],
        "labels": card.get("labels") or [],
        "members": card.get("members") or [],
        "actions": card.get("actions") or [],
        "dateLastActivity": card.get("dateLastActivity"),
    }
    return board


def normalize_board(data: Any) -> BoardRows:
    """Turn a board export (or the API's nested board answer) into mirror rows; unknown keys are ignored."""
    if classify(data) == "card":
        data = card_export_as_board(data)
    b = _require(data, "board")
    bid = b["id"]
    rows = BoardRows(board=board_row(b), date_last_activity=_verbatim(b.get("dateLastActivity")))
    rows.lists = list_rows(b, bid)
    rows.labels = label_rows(b, bid)
    members, rows.board_members = member_rows(b, bid)
    rows.cards, rows.card_labels, rows.card_members = card_rows(b, bid)
    rows.checklists, rows.check_items = checklist_rows(b, bid)
    rows.actions, rows.comments = action_rows(b, bid, members)
    rows.members = list(members.values())
    return rows


def _verbatim(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def board_row(b: dict[str, Any]) -> dict[str, Any]:
    """The boards-table row."""
    bid = b["id"]
    return {
        "id": bid,
        "name": _str(b.get("name")) or bid,
        "short_link": b.get("shortLink"),
        "url": b.get("url") or b.get("shortUrl"),
        "description": _str(b.get("desc")),
        "closed": bool(b.get("closed")),
        "date_last_activity": parse_time(b.get("dateLastActivity")),
        "created_at": id_time(bid),
        "deleted_at": None,
    }


def list_rows(b: dict[str, Any], bid: str) -> list[dict[str, Any]]:
    """The lists-table rows."""
    out = []
    for lst in b.get("lists") or []:
        lst = _require(lst, "list")
        out.append(
            {
                "id": lst["id"],
                "board_id": bid,
                "name": _str(lst.get("name")),
                "closed": bool(lst.get("closed")),
                "pos": _float(lst.get("pos")),
                "deleted_at": None,
            }
        )
    return out


def _labels_anywhere(b: dict[str, Any]) -> Iterator[Any]:
    yield from b.get("labels") or []
    # 2015-era exports have no top-level labels: they only exist inside cards.
    for card in b.get("cards") or []:
        yield from (card.get("labels") or []) if isinstance(card, dict) else []


def label_rows(b: dict[str, Any], bid: str) -> list[dict[str, Any]]:
    """The labels-table rows: the board's labels, and those found only on cards; first one wins."""
    out: dict[str, dict[str, Any]] = {}
    for lab in _labels_anywhere(b):
        if isinstance(lab, dict) and isinstance(lab.get("id"), str) and lab["id"] not in out:
            out[lab["id"]] = {
                "id": lab["id"],
                "board_id": bid,
                "name": _str(lab.get("name")),
                "color": lab.get("color"),
                "deleted_at": None,
            }
    return list(out.values())


def _member_row(m: dict[str, Any]) -> dict[str, Any]:
    return {"id": m["id"], "username": m.get("username"), "full_name": m.get("fullName")}


def member_rows(b: dict[str, Any], bid: str) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The board's members: (members-table rows by id, board_members-table rows)."""
    members: dict[str, dict[str, Any]] = {}
    board_members = []
    for m in b.get("members") or []:
        if isinstance(m, dict) and isinstance(m.get("id"), str):
            members[m["id"]] = _member_row(m)
            board_members.append(
                {
                    "board_id": bid,
                    "member_id": m["id"],
                    "member_type": m.get("memberType"),
                    "deleted_at": None,
                }
            )
    return members, board_members


def card_rows(
    b: dict[str, Any], bid: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The cards-table rows and their links: (cards, card_labels, card_members)."""
    cards, card_labels, card_members = [], [], []
    for c in b.get("cards") or []:
        c = _require(c, "card")
        cid = c["id"]
        cards.append(
            {
                "id": cid,
                "board_id": bid,
                "list_id": c.get("idList"),
                "name": _str(c.get("name")),
                "description": _str(c.get("desc")),
                "closed": bool(c.get("closed")),
                "due": parse_time(c.get("due")),
                "due_complete": bool(c.get("dueComplete")),
                "start": parse_time(c.get("start")),
                "date_last_activity": parse_time(c.get("dateLastActivity")),
                "date_closed": parse_time(c.get("dateClosed")),
                "date_completed": parse_time(c.get("dateCompleted")),
                "created_at": id_time(cid),
                "pos": _float(c.get("pos")),
                "short_link": c.get("shortLink"),
                "url": c.get("shortUrl") or c.get("url"),
                "id_short": c.get("idShort") if isinstance(c.get("idShort"), int) else None,
                "deleted_action_at": None,
                "deleted_at": None,
            }
        )
        for lid in dict.fromkeys(c.get("idLabels") or []):
            if isinstance(lid, str):
                card_labels.append({"card_id": cid, "label_id": lid, "board_id": bid})
        for mid in dict.fromkeys(c.get("idMembers") or []):
            if isinstance(mid, str):
                card_members.append({"card_id": cid, "member_id": mid, "board_id": bid})
    return cards, card_labels, card_members


def checklist_rows(b: dict[str, Any], bid: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The checklists-table and check_items-table rows."""
    checklists, check_items = [], []
    for cl in b.get("checklists") or []:
        cl = _require(cl, "checklist")
        checklists.append(
            {
                "id": cl["id"],
                "board_id": bid,
                "card_id": cl.get("idCard"),
                "name": _str(cl.get("name")),
                "pos": _float(cl.get("pos")),
                "deleted_at": None,
            }
        )
        for it in cl.get("checkItems") or []:
            it = _require(it, "check item")
            check_items.append(
                {
                    "id": it["id"],
                    "board_id": bid,
                    "checklist_id": cl["id"],
                    "name": _str(it.get("name")),
                    "state": "complete" if it.get("state") == "complete" else "incomplete",
                    "due": parse_time(it.get("due")),
                    "member_id": it.get("idMember"),
                    "pos": _float(it.get("pos")),
                    "deleted_at": None,
                }
            )
    return checklists, check_items


def action_rows(
    b: dict[str, Any], bid: str, members: dict[str, dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The actions-table and comments-table rows; adds each action's author to `members` if new."""
    actions, comments = [], []
    seen: set[str] = set()
    for a in b.get("actions") or []:
        if not isinstance(a, dict) or not isinstance(a.get("id"), str) or a["id"] in seen:
            continue
        seen.add(a["id"])
        row = normalize_action(a, bid)
        if row is None:
            continue
        actions.append(row)
        mc = a.get("memberCreator")
        if isinstance(mc, dict) and isinstance(mc.get("id"), str) and mc["id"] not in members:
            members[mc["id"]] = _member_row(mc)
        if row["type"] == "commentCard":
            comments.append(comment_row(a, row))
    return actions, comments


def normalize_action(a: dict[str, Any], board_id: str) -> dict[str, Any] | None:
    """One action row; None when the action has no usable date."""
    date = parse_time(a.get("date")) or id_time(a.get("id"))
    if date is None:
        return None
    data = v if isinstance(v := a.get("data"), dict) else {}
    card = v if isinstance(v := data.get("card"), dict) else {}
    mc = v if isinstance(v := a.get("memberCreator"), dict) else {}
    return {
        "id": a["id"],
        "board_id": board_id,
        "type": _str(a.get("type")) or "unknown",
        "date": date,
        "member_id": a.get("idMemberCreator"),
        "member_username": mc.get("username"),
        "member_name": mc.get("fullName"),
        "card_id": card.get("id"),
        "data": data,  # stored as JSON by the store; kept parsed for the domain step of the same run
    }


def comment_row(a: dict[str, Any], action_row: dict[str, Any]) -> dict[str, Any]:
    """The comments-table row of a commentCard action (author may be a deleted account)."""
    data = v if isinstance(v := a.get("data"), dict) else {}
    return {
        "id": action_row["id"],
        "board_id": action_row["board_id"],
        "card_id": action_row["card_id"],
        "member_id": action_row["member_id"],
        "member_name": action_row["member_name"],
        "text": _str(data.get("text")),
        "date": action_row["date"],
        "edited_at": parse_time(data.get("dateLastEdited")),
        "deleted_at": None,
    }
