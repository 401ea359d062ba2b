"""Mapping diagnostics: does each name in a board's mapping still find what the board holds?

A typo (`Lunchs`), a list renamed in place in Trello (same id, new name), an archived list, or two lists of
one name silently change what the domain is built from. Every such problem is found here, by the same rule
the domain uses (`matching.match_lists`), and reported by `check --online`, `sync` and `rebuild`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trellosync.config.settings import BoardMapping, PersonConfig
from trellosync.domain.matching import match_lists, name_key
from trellosync.domain.unread import UnreadText, unread_text

LIST_KEYS = (("lunches", "lists"), ("goals", "lists"), ("goals", "done_lists"))
FEEDBACK_KINDS = ("best", "worst", "focus", "commitments")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a board's mapping, as one line for a person."""

    board: str
    key: str  # the mapping key, e.g. lunches.lists
    name: str  # the name (or id) the mapping gives
    detail: str

    def __str__(self) -> str:
        return f"board {self.board!r}: {self.key}: {self.name!r} {self.detail}"


@dataclass
class BoardOutline:
    """What a board holds that a mapping can name: lists (open and archived), checklists, labels, card texts."""

    name: str
    lists: list[dict[str, Any]]  # id, name, closed
    checklists: set[str] = field(default_factory=set)
    labels: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)
    short_link: str = ""
    cards: list[dict[str, Any]] = field(default_factory=list)  # live cards: id, list_id, description
    members: list[dict[str, Any]] = field(default_factory=list)  # id, username, full_name
    cards_read: bool = True  # False when the board was too large to read its cards with the outline

    @classmethod
    def from_mirror(cls, rows: Any) -> BoardOutline:
        """From a board's stored mirror (normalize.BoardRows); deleted things do not count."""
        live = [x for x in rows.lists if not x.get("deleted_at")]
        return cls(
            name=rows.board.get("name") or rows.board_id,
            lists=[
                {"id": x["id"], "name": x.get("name") or "", "closed": bool(x.get("closed"))} for x in live
            ],
            checklists={c.get("name") or "" for c in rows.checklists if not c.get("deleted_at")},
            labels={lb.get("name") or "" for lb in rows.labels if not lb.get("deleted_at")},
            texts=[c.get("description") or "" for c in rows.cards if not c.get("deleted_at")],
            short_link=rows.board.get("short_link") or "",
            cards=[
                {"id": c["id"], "list_id": c.get("list_id"), "description": c.get("description")}
                for c in rows.cards
                if not c.get("deleted_at")
            ],
            members=list(rows.members),
        )

    @classmethod
    def from_trello(cls, board: dict[str, Any]) -> BoardOutline:
        """From a nested board answer (lists=all, checklists, labels, cards with desc)."""
        return cls(
            name=board.get("name") or board.get("id", ""),
            lists=[
                {"id": x["id"], "name": x.get("name") or "", "closed": bool(x.get("closed"))}
                for x in board.get("lists") or []
            ],
            checklists={c.get("name") or "" for c in board.get("checklists") or []},
            labels={lb.get("name") or "" for lb in board.get("labels") or []},
            texts=[c.get("desc") or "" for c in board.get("cards") or []],
            short_link=board.get("shortLink") or "",
            cards=[
                {
                    "id": c.get("id"),
                    "list_id": c.get("idList"),
                    "description": c.get("desc"),
                    "dateLastActivity": c.get("dateLastActivity"),
                }
                for c in board.get("cards") or []
                if isinstance(c, dict)
            ],
            cards_read="cards" in board,
            members=[
                {"id": m.get("id") or "", "username": m.get("username"), "full_name": m.get("fullName")}
                for m in board.get("members") or []
                if isinstance(m, dict) and m.get("id")
            ],
        )


def _default_names(section: str, attr: str) -> set[str]:
    """The names a mapping key has by default (alternatives such as "Achieved", "Done")."""
    model = type(getattr(BoardMapping(board="x"), section))
    return {name_key(n) for n in model.model_fields[attr].default}


def _spare_default(section: str, attr: str, name: str, siblings_found: bool) -> bool:
    """A default alternative that finds nothing is no problem while another name of the key finds something."""
    return siblings_found and name_key(name) in _default_names(section, attr)


def explicit_list_names(mapping: BoardMapping) -> list[tuple[str, str]]:
    """(key, name) of every list name the mapping sets itself (defaults that find nothing are no problem)."""
    out: list[tuple[str, str]] = []
    for section, attr in LIST_KEYS:
        sub = getattr(mapping, section)
        if section in mapping.model_fields_set and attr in sub.model_fields_set:
            out += [(f"{section}.{attr}", n) for n in getattr(sub, attr)]
    return out


def list_matches(mapping: BoardMapping | None, lists: Iterable[dict[str, Any]]) -> dict[str, list[str]]:
    """{name: ids of the lists it matches} for every list name of the mapping (stored for the next time)."""
    if mapping is None:
        return {}
    lists = list(lists)
    names = [n for section, attr in LIST_KEYS for n in getattr(getattr(mapping, section), attr)]
    return {n: sorted(match_lists([n], lists)) for n in dict.fromkeys(names)}


def diagnose(
    mapping: BoardMapping | None, outline: BoardOutline, previous: dict[str, list[str]] | None = None
) -> list[Problem]:
    """Every problem of `mapping` against what the board holds; `previous` is the last derive's list_matches."""
    if mapping is None:
        return []
    problems = _list_problems(mapping, outline) + _lunch_problems(mapping, outline)
    problems += _lost_matches(mapping, outline, previous or {})
    problems += _checklist_problems(mapping, outline)
    problems += _label_problems(mapping, outline)
    return problems


def _list_problems(mapping: BoardMapping, outline: BoardOutline) -> list[Problem]:
    problems: list[Problem] = []
    by_id = {x["id"]: x for x in outline.lists}
    open_names = sorted({x["name"] for x in outline.lists if not x["closed"]}, key=str.casefold)
    for key, name in explicit_list_names(mapping):
        found = [by_id[i] for i in sorted(match_lists([name], outline.lists))]
        section, attr = key.split(".")
        siblings = match_lists(getattr(getattr(mapping, section), attr), outline.lists)
        if not found and _spare_default(section, attr, name, bool(siblings)):
            continue
        if not found:
            problems.append(
                Problem(
                    outline.name,
                    key,
                    name,
                    "matches no list on the board (open lists: "
                    + (", ".join(repr(n) for n in open_names) or "none")
                    + ")",
                )
            )
        elif all(x["closed"] for x in found):
            problems.append(
                Problem(
                    outline.name,
                    key,
                    name,
                    "matches only an archived list" + ("s" if len(found) > 1 else "") + f" ({_ids(found)})",
                )
            )
        elif len(found) > 1:
            archived = sum(1 for x in found if x["closed"])
            what = f", {archived} of them archived" if archived else ""
            problems.append(
                Problem(
                    outline.name,
                    key,
                    name,
                    f"matches {len(found)} lists of one name{what} "
                    f"({_ids(found)}): the cards of all of them are used; name one by its id",
                )
            )
    return problems


def _lunch_problems(mapping: BoardMapping, outline: BoardOutline) -> list[Problem]:
    """A mapping whose lunch lists hold no card: every report would say "no lunches" without a word why. A board
    mapped for a practice only (self-reviews, stakeholder feedback, promises) and no lunch list is none."""
    practices = (mapping.self_reviews, mapping.stakeholder_feedback, mapping.promises)
    explicit = "lunches" in mapping.model_fields_set and "lists" in mapping.lunches.model_fields_set
    if not explicit and any(x is not None for x in practices):
        return []
    names = mapping.lunches.lists
    found = match_lists(names, outline.lists)
    open_names = sorted({x["name"] for x in outline.lists if not x["closed"]}, key=str.casefold)
    if not found:
        if explicit:
            return []  # _list_problems names each name that matches no list
        return [
            Problem(
                outline.name,
                "lunches.lists",
                ", ".join(names),
                "(the default) matches no list on the board (open lists: "
                + (", ".join(repr(n) for n in open_names) or "none")
                + "): name the list that holds the lunch cards",
            )
        ]
    if not outline.cards_read or any(c.get("list_id") in found for c in outline.cards):
        return []
    where = "the list" if len(found) == 1 else f"the {len(found)} lists"
    return [
        Problem(
            outline.name,
            "lunches.lists",
            ", ".join(names),
            f"matches {where} but finds no lunch: no card is on it (open lists: "
            + (", ".join(repr(n) for n in open_names) or "none")
            + "): name the list that holds the lunch cards",
        )
    ]


def quick_goal_warnings(mapping: BoardMapping | None, outline: BoardOutline) -> list[str]:
    """A goal done list whose cards were all completed within a day of being created: tasks, not goals."""
    from trellosync.sync.shape import quick_goals

    if mapping is None or not outline.cards_read:
        return []
    out = []
    for name in mapping.goals.done_lists:
        ids = match_lists([name], outline.lists)
        n = quick_goals([c for c in outline.cards if c.get("list_id") in ids])
        if n:
            out.append(
                f"board {outline.name!r}: goals.done_lists: {n} goals on {name!r} were all completed within a "
                "day of being created: is this a task board?"
            )
    return out


def _lost_matches(
    mapping: BoardMapping, outline: BoardOutline, previous: dict[str, list[str]]
) -> list[Problem]:
    problems: list[Problem] = []
    by_id = {x["id"]: x for x in outline.lists}
    now = list_matches(mapping, outline.lists)
    for key, name in explicit_list_names(mapping):
        for lid in previous.get(name, []):
            if lid in now.get(name, []):
                continue
            lst = by_id.get(lid)
            where = (
                f"it is now named {lst['name']!r}" + (" (archived)" if lst["closed"] else "")
                if lst
                else "it is gone from the board"
            )
            problems.append(
                Problem(
                    outline.name,
                    key,
                    name,
                    f"matched list {lid} at the last sync and no longer "
                    f"does: {where}; map it by id ({lid}) to keep its cards",
                )
            )
    return problems


def _checklist_problems(mapping: BoardMapping, outline: BoardOutline) -> list[Problem]:
    if "feedback" not in mapping.model_fields_set:
        return []
    problems: list[Problem] = []
    checklists = {name_key(c) for c in outline.checklists}
    texts = name_key("\n".join(outline.texts))
    for kind in FEEDBACK_KINDS:
        if kind not in mapping.feedback.model_fields_set:
            continue
        names = getattr(mapping.feedback, kind)
        found = {n for n in names if _feedback_found(name_key(n), checklists, texts)}
        for name in names:
            if name in found or _spare_default("feedback", kind, name, bool(found)):
                continue
            problems.append(
                Problem(
                    outline.name,
                    f"feedback.{kind}",
                    name,
                    "matches no checklist and no card-description section on the board",
                )
            )
    return problems


def _feedback_found(k: str, checklists: set[str], texts: str) -> bool:
    # "Best moment - Will" is a checklist of kind "Best moment" about Will (the domain's rule).
    return any(c == k or c.startswith(k + " ") for c in checklists) or k in texts


def _label_problems(mapping: BoardMapping, outline: BoardOutline) -> list[Problem]:
    labels = {name_key(x) for x in outline.labels if x.strip()}
    return [
        Problem(outline.name, "labels", name, "matches no label on the board")
        for name in mapping.labels
        if name_key(name) not in labels
    ]


def _ids(lists: list[dict[str, Any]]) -> str:
    return ", ".join(x["id"] + (" archived" if x["closed"] else "") for x in lists)


def outline_from_store(store: Any, board_id: str) -> BoardOutline | None:
    """A stored board's outline, read with four light queries (no cards' other fields, no actions)."""
    from sqlalchemy import select

    from trellosync.store import schema as t

    with store.engine.connect() as conn:
        board = conn.execute(
            select(t.boards.c.name, t.boards.c.short_link).where(t.boards.c.id == board_id)
        ).first()
        if board is None:
            return None

        def live(table: Any, *cols: Any) -> list[Any]:
            return list(
                conn.execute(select(*cols).where(table.c.board_id == board_id, table.c.deleted_at.is_(None)))
            )

        lists = [
            {"id": r.id, "name": r.name or "", "closed": bool(r.closed)}
            for r in live(t.lists, t.lists.c.id, t.lists.c.name, t.lists.c.closed)
        ]
        cards = [
            {"id": r.id, "list_id": r.list_id, "description": r.description}
            for r in live(t.cards, t.cards.c.id, t.cards.c.list_id, t.cards.c.description)
        ]
        members = [
            dict(r._mapping)
            for r in conn.execute(
                select(t.members.c.id, t.members.c.username, t.members.c.full_name)
                .join(t.board_members, t.board_members.c.member_id == t.members.c.id)
                .where(t.board_members.c.board_id == board_id)
            )
        ]
        return BoardOutline(
            name=board.name or board_id,
            lists=lists,
            checklists={r.name or "" for r in live(t.checklists, t.checklists.c.name)},
            labels={r.name or "" for r in live(t.labels, t.labels.c.name)},
            texts=[c["description"] or "" for c in cards],
            short_link=board.short_link or "",
            cards=cards,
            members=members,
        )


def dump_matches(matches: dict[str, list[str]]) -> str:
    """list_matches as stored in sync_state.list_matches."""
    return json.dumps(matches, sort_keys=True)


def load_matches(text: str | None) -> dict[str, list[str]]:
    """Stored list_matches (an empty dict when none or unreadable)."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return (
        {k: [str(i) for i in v] for k, v in data.items() if isinstance(v, list)}
        if isinstance(data, dict)
        else {}
    )


def outline_unread(
    mapping: BoardMapping | None, config_people: dict[str, PersonConfig], outline: BoardOutline, board_id: str
) -> UnreadText:
    """The description lines of the board that are no evidence (no heading, or one the mapping does not know)."""
    return unread_text(mapping, config_people, outline.lists, outline.cards, outline.members, board_id)


def stored_unread(store: Any, config: Any, board_id: str) -> UnreadText | None:
    """The unread description text of a stored board, from its mirror (no download, no write)."""
    outline = outline_from_store(store, board_id)
    if outline is None:
        return None
    mapping = (
        config.mapping_for({"id": board_id, "name": outline.name, "shortLink": outline.short_link})
        if config is not None
        else None
    )
    return outline_unread(mapping, config.people if config is not None else {}, outline, board_id)


def stored_problems(store: Any, config: Any, board_id: str) -> list[Problem]:
    """The mapping problems of a stored board, from its mirror (no download, no write)."""
    if config is None:
        return []
    outline = outline_from_store(store, board_id)
    if outline is None:
        return []
    mapping = config.mapping_for({"id": board_id, "name": outline.name, "shortLink": outline.short_link})
    state = store.sync_states().get(board_id)
    return diagnose(mapping, outline, load_matches(state.list_matches if state else None))
