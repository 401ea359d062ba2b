"""Pure functions that keep a forgotten person out of a board's mirror rows: at erasure, and at every later ingest.

Two things happen to rows: the Trello objects about the person (cards, check items, comments, description
lines) are dropped, and what remains is pseudonymised (their member id, name, username and first name in every
text replaced), so the other people's record stays readable ("Former colleague said ...").
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from trellosync.mirror.normalize import BoardRows

LINE_PREFIX = "line:"  # an erased description line is remembered by the hash of its text, never the text


def line_id(line: str) -> str:
    """The erased-object id of a description line: a hash of its whitespace-normalised text."""
    return LINE_PREFIX + hashlib.sha256(" ".join(line.split()).casefold().encode()).hexdigest()[:40]


@dataclass
class Needles:
    """How a forgotten person appears in Trello's data, and what replaces each appearance."""

    member_ids: set[str] = field(default_factory=set)
    member_pseudonym: str = ""
    pseudonym_name: str = "Former colleague"
    pseudonym_username: str = "former-colleague"
    names: set[str] = field(default_factory=set)  # full names and aliases: replaced in any case
    usernames: set[str] = field(default_factory=set)
    first_names: set[str] = field(default_factory=set)  # whole words, as written (capitalised)

    def pattern(self) -> re.Pattern[str] | None:
        """One regular expression matching every appearance (longest first), or None when nothing is known.

        Ids, full names and usernames match in any case; first names only as whole, capitalised words ("Will",
        never the verb "will").
        """
        parts = [
            re.escape(x)
            for x in sorted(self.member_ids | self.names | self.usernames, key=len, reverse=True)
            if x
        ]
        alts = [rf"(?i:@?(?:{p}))" for p in parts]
        alts += [rf"\b{re.escape(n)}\b" for n in sorted(self.first_names, key=len, reverse=True) if n]
        return re.compile("|".join(alts)) if alts else None

    def replacement(self, found: str) -> str:
        """What replaces one appearance."""
        bare = found.lstrip("@").casefold()
        if bare in {m.casefold() for m in self.member_ids}:
            return self.member_pseudonym
        if bare in {u.casefold() for u in self.usernames}:
            return ("@" if found.startswith("@") else "") + self.pseudonym_username
        return self.pseudonym_name


class Scrubber:
    """Replaces every appearance of a person in texts and nested JSON values."""

    def __init__(self, needles: Needles) -> None:
        self.needles = needles
        self.regex = needles.pattern()

    def text(self, value: str | None) -> str | None:
        """A text with every appearance replaced."""
        if not value or self.regex is None:
            return value
        return self.regex.sub(lambda m: self.needles.replacement(m.group(0)), value)

    def deep(self, value: Any) -> Any:
        """A JSON value (dicts, lists, strings) with every appearance replaced, keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.deep(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.deep(v) for k, v in value.items()}
        return value


def _data(action: dict[str, Any]) -> dict[str, Any]:
    data = action.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            data = {}
    return data if isinstance(data, dict) else {}


def strip_lines(text: str | None, erased: set[str]) -> str | None:
    """A description without the lines erased (matched by their hash)."""
    if not text or not erased:
        return text
    lines = text.split("\n")
    kept = [ln for ln in lines if not ln.strip() or line_id(ln) not in erased]
    return "\n".join(kept) if len(kept) != len(lines) else text


def _strip_deep(value: Any, erased: set[str]) -> Any:
    if isinstance(value, str):
        return strip_lines(value, erased) if "\n" in value or line_id(value) in erased else value
    if isinstance(value, list):
        return [_strip_deep(v, erased) for v in value]
    if isinstance(value, dict):
        return {k: _strip_deep(v, erased) for k, v in value.items()}
    return value


def drop_erased(rows: BoardRows, erased: Iterable[str]) -> BoardRows:
    """The rows without the erased objects: cards (with everything on them), check items, comments, and
    description lines; actions about any of them go too."""
    ids = set(erased)
    if not ids:
        return rows
    lines = {i for i in ids if i.startswith(LINE_PREFIX)}
    cards = {c["id"] for c in rows.cards if c["id"] in ids}
    checklists = {cl["id"] for cl in rows.checklists if cl.get("card_id") in cards}
    items = {it["id"] for it in rows.check_items if it["id"] in ids or it["checklist_id"] in checklists}

    def gone_action(a: dict[str, Any]) -> bool:
        data = _data(a)
        item = data.get("checkItem")
        item_id = item.get("id") if isinstance(item, dict) else None
        return a["id"] in ids or a.get("card_id") in cards or item_id in items

    actions = []
    for a in rows.actions:
        if gone_action(a):
            continue
        actions.append({**a, "data": _strip_deep(_data(a), lines)} if lines else a)
    return replace(
        rows,
        cards=[
            {**c, "description": strip_lines(c.get("description"), lines)} if lines else c
            for c in rows.cards
            if c["id"] not in cards
        ],
        card_labels=[x for x in rows.card_labels if x["card_id"] not in cards],
        card_members=[x for x in rows.card_members if x["card_id"] not in cards],
        checklists=[x for x in rows.checklists if x["id"] not in checklists],
        check_items=[x for x in rows.check_items if x["id"] not in items],
        comments=[x for x in rows.comments if x["id"] not in ids and x.get("card_id") not in cards],
        actions=actions,
    )


_TEXT_COLUMNS = {
    "board": ("name", "description"),
    "lists": ("name",),
    "labels": ("name",),
    "cards": ("name", "description"),
    "checklists": ("name",),
    "check_items": ("name",),
    "comments": ("text",),
}


def pseudonymise(rows: BoardRows, needles: Needles) -> BoardRows:
    """The rows with the person's member id replaced by their pseudonym and every text scrubbed of them."""
    scrub = Scrubber(needles)
    # Board, list and label names are what a config maps boards by: a first name stays there ("Will & Jessica"),
    # a full name, username or id does not.
    names = Scrubber(replace(needles, first_names=set()))
    ids = needles.member_ids

    def member(v: str | None) -> str | None:
        return needles.member_pseudonym if v in ids else v

    def texts(row: dict[str, Any], cols: tuple[str, ...]) -> dict[str, Any]:
        return {**row, **{c: scrub.text(row.get(c)) for c in cols if c in row}}

    def action(a: dict[str, Any]) -> dict[str, Any]:
        mine = a.get("member_id") in ids
        return {
            **a,
            "member_id": member(a.get("member_id")),
            "member_username": None if mine else scrub.text(a.get("member_username")),
            "member_name": needles.pseudonym_name if mine else scrub.text(a.get("member_name")),
            "data": scrub.deep(_data(a)),
        }

    def comment(c: dict[str, Any]) -> dict[str, Any]:
        mine = c.get("member_id") in ids
        return {
            **texts(c, _TEXT_COLUMNS["comments"]),
            "member_id": member(c.get("member_id")),
            "member_name": needles.pseudonym_name if mine else scrub.text(c.get("member_name")),
        }

    members = [m for m in rows.members if m["id"] not in ids]
    if len(members) != len(rows.members) or any(a.get("member_id") in ids for a in rows.actions):
        members.append(
            {"id": needles.member_pseudonym, "username": None, "full_name": needles.pseudonym_name}
        )
    return replace(
        rows,
        board={
            **rows.board,
            "name": names.text(rows.board.get("name")),
            "description": scrub.text(rows.board.get("description")),
        },
        lists=[{**x, "name": names.text(x.get("name"))} for x in rows.lists],
        labels=[{**x, "name": names.text(x.get("name"))} for x in rows.labels],
        members=[
            {**m, "username": scrub.text(m.get("username")), "full_name": scrub.text(m.get("full_name"))}
            for m in members
        ],
        board_members=_unique(
            [{**x, "member_id": member(x["member_id"])} for x in rows.board_members],
            ("board_id", "member_id"),
        ),
        cards=[texts(x, _TEXT_COLUMNS["cards"]) for x in rows.cards],
        card_members=_unique(
            [{**x, "member_id": member(x["member_id"])} for x in rows.card_members], ("card_id", "member_id")
        ),
        checklists=[texts(x, _TEXT_COLUMNS["checklists"]) for x in rows.checklists],
        check_items=[
            {**texts(x, _TEXT_COLUMNS["check_items"]), "member_id": member(x.get("member_id"))}
            for x in rows.check_items
        ],
        comments=[comment(c) for c in rows.comments],
        actions=[action(a) for a in rows.actions],
    )


def _unique(rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    seen: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(tuple(r[k] for k in key), r)
    return list(seen.values())
