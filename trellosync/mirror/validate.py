"""Untrusted board JSON (an export file or an API answer) checked and cleaned before it is normalized.

Every refusal is a DataError naming the field (`cards[3].due`), never quoting its value: values are card
text. Text is cleaned rather than refused: NUL bytes (PostgreSQL cannot store them) are removed and lone
surrogates (not encodable as UTF-8) replaced by U+FFFD, and the count is logged at -v.
"""

from __future__ import annotations

import json
import logging
import math
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from trellosync.errors import DataError
from trellosync.mirror.ids import parse_time

log = logging.getLogger(__name__)

MAX_EXPORT_BYTES = 100 * 1024 * 1024  # a 5,000-card board with 7,500 actions is 11 MiB
MAX_DEPTH = 40  # a Trello export nests about 8 levels deep
MAX_TEXT = 1_000_000  # characters in one string; Trello itself stops card text at 16,384
MAX_INT = 2**63 - 1
MAX_INT32 = 2**31 - 1
YEARS = (1970, 2200)  # Trello began in 2011; anything outside this range is not a date Trello wrote


# ---------------------------------------------------------------- reading a file


def read_limited(path: str | Path, limit: int = MAX_EXPORT_BYTES) -> bytes:
    """The bytes of a regular file no larger than `limit`; a FIFO, device or folder is refused, never opened for long."""
    p = Path(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOCTTY: a terminal device stays ours.
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise DataError(f"{p}: cannot read: {exc.strerror or exc.__class__.__name__}") from None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DataError(
                f"{p}: not a regular file (a pipe, device or folder); export the board to a file first"
            )
        if st.st_size > limit:
            raise DataError(f"{p}: {st.st_size:,} bytes is more than the {limit:,} an export may have")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise DataError(f"{p}: more than the {limit:,} bytes an export may have (the file grew while read)")
    return data


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(raw: bytes, where: str) -> Any:
    """JSON text to Python values; deep nesting, NaN/Infinity and oversized integers are a DataError."""
    try:
        return json.loads(raw.decode("utf-8-sig"), parse_constant=_refuse_constant)
    except RecursionError:
        raise DataError(f"{where}: nested too deeply to be a Trello export; nothing was imported") from None
    except UnicodeDecodeError:
        raise DataError(f"{where}: not UTF-8 text, so not a Trello JSON export") from None
    except json.JSONDecodeError:
        raise  # the caller explains where the text is malformed
    except ValueError as exc:  # Infinity, NaN, integers beyond Python's digit limit
        reason = "a number too large" if "digit" in str(exc) else "NaN or Infinity, which JSON does not have"
        raise DataError(f"{where}: contains {reason}; nothing was imported") from None


# ---------------------------------------------------------------- cleaning every value


@dataclass
class Cleaning:
    """What cleaning changed in one board's JSON (counts only: the text itself is never logged)."""

    nul_bytes: int = 0
    surrogates: int = 0
    fields: set[str] = field(default_factory=set)

    def clean(self, text: str, where: Callable[[], str]) -> str:
        """The text without NUL bytes and with lone surrogates replaced."""
        if len(text) > MAX_TEXT:
            raise DataError(f"{where()}: {len(text):,} characters, more than the {MAX_TEXT:,} allowed")
        if "\x00" in text:
            self.nul_bytes += text.count("\x00")
            self.fields.add(_generic(where()))
            text = text.replace("\x00", "")
        if not text.isascii():
            try:
                text.encode("utf-8")
            except UnicodeEncodeError:
                fixed = "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)
                self.surrogates += sum(1 for ch in text if 0xD800 <= ord(ch) <= 0xDFFF)
                self.fields.add(_generic(where()))
                text = fixed
        return text


def _generic(path: str) -> str:
    """`cards[3].desc` -> `cards[].desc` (for a log line that does not single out a card)."""
    out, skip = [], False
    for ch in path:
        if ch == "[":
            out.append("[]")
            skip = True
        elif ch == "]":
            skip = False
        elif not skip:
            out.append(ch)
    return "".join(out)


def _fmt(path: tuple) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _utf8_ok(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_clean(value: Any, depth: int) -> bool:
    """A fast pass (no paths, no copies): True when `_clean` would change nothing and refuse nothing."""
    kind = type(value)
    if kind is str:
        return len(value) <= MAX_TEXT and "\x00" not in value and (value.isascii() or _utf8_ok(value))
    if kind is dict:
        if depth >= MAX_DEPTH:
            return False
        for k, v in value.items():
            if not (k.isascii() and "\x00" not in k or _is_clean(k, depth)) or not _is_clean(v, depth + 1):
                return False
        return True
    if kind is list:
        if depth >= MAX_DEPTH:
            return False
        for v in value:
            if not _is_clean(v, depth + 1):
                return False
        return True
    if kind is int:
        return -MAX_INT <= value <= MAX_INT
    if kind is float:
        return math.isfinite(value)
    return value is None or kind is bool


def _clean(value: Any, path: tuple, depth: int, cleaning: Cleaning) -> Any:
    """Check depth and numbers, clean every string (keys too), in place where possible."""
    if isinstance(value, str):
        return cleaning.clean(value, lambda: _fmt(path))
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise DataError(f"{_fmt(path)}: a number too large to be Trello's")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DataError(f"{_fmt(path)}: not a finite number")
        return value
    if depth >= MAX_DEPTH:
        raise DataError(f"{_fmt(path)}: nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, list):
        for i, v in enumerate(value):
            value[i] = _clean(v, path + (i,), depth + 1, cleaning)
        return value
    if isinstance(value, dict):
        if any(not k.isascii() or "\x00" in k for k in value):
            value = {cleaning.clean(k, lambda: _fmt(path)): v for k, v in value.items()}
        for k, v in value.items():
            value[k] = _clean(v, path + (k,), depth + 1, cleaning)
        return value
    raise DataError(f"{_fmt(path)}: unexpected value type {type(value).__name__}")


# ---------------------------------------------------------------- the shape normalize.py reads

STR, BOOL, DATE, NUM, INT32, IDS, OBJ = (
    "text",
    "true or false",
    "a date",
    "a number",
    "an integer",
    "ids",
    "object",
)

SHAPES: dict[str, dict[str, str]] = {
    "board": {
        "name": STR,
        "desc": STR,
        "closed": BOOL,
        "dateLastActivity": DATE,
        "shortLink": STR,
        "url": STR,
        "shortUrl": STR,
    },
    "list": {"name": STR, "closed": BOOL, "pos": NUM, "idBoard": STR},
    "label": {"name": STR, "color": STR},
    "member": {"username": STR, "fullName": STR, "memberType": STR},
    "card": {
        "idList": STR,
        "idBoard": STR,
        "name": STR,
        "desc": STR,
        "closed": BOOL,
        "due": DATE,
        "dueComplete": BOOL,
        "start": DATE,
        "dateLastActivity": DATE,
        "dateClosed": DATE,
        "dateCompleted": DATE,
        "pos": NUM,
        "shortLink": STR,
        "shortUrl": STR,
        "url": STR,
        "idShort": INT32,
        "idLabels": IDS,
        "idMembers": IDS,
    },
    "checklist": {"idCard": STR, "name": STR, "pos": NUM},
    "checkItem": {"name": STR, "state": STR, "due": DATE, "idMember": STR, "pos": NUM},
    "action": {"type": STR, "date": DATE, "idMemberCreator": STR, "memberCreator": OBJ, "data": OBJ},
    "memberCreator": {"id": STR, "username": STR, "fullName": STR},
    "data": {"card": OBJ, "text": STR, "dateLastEdited": DATE},
    "data.card": {"id": STR},
}
COLLECTIONS = {
    "lists": "list",
    "labels": "label",
    "members": "member",
    "cards": "card",
    "checklists": "checklist",
    "actions": "action",
}


def _date_ok(value: str) -> bool:
    dt = parse_time(value)
    return dt is not None and YEARS[0] <= dt.year <= YEARS[1]


_CHECKS: dict[str, Callable[[Any], bool]] = {
    STR: lambda v: isinstance(v, str),
    BOOL: lambda v: isinstance(v, bool),
    DATE: lambda v: isinstance(v, str) and _date_ok(v),
    NUM: lambda v: (isinstance(v, (int, float)) and not isinstance(v, bool)) or isinstance(v, str),
    INT32: lambda v: isinstance(v, int) and not isinstance(v, bool) and abs(v) <= MAX_INT32,
    IDS: lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v),
    OBJ: lambda v: isinstance(v, dict),
}


# Types that pass a kind's check without calling it (most values): dates, int32 and id lists always need it.
_PLAIN: dict[str, tuple[type, ...]] = {STR: (str,), BOOL: (bool,), NUM: (int, float, str), OBJ: (dict,)}
_FAST: dict[str, list[tuple[str, str, tuple[type, ...]]]] = {
    shape: [(key, kind, _PLAIN.get(kind, ())) for key, kind in fields.items()]
    for shape, fields in SHAPES.items()
}


def _check_value(kind: str, value: Any, where: Callable[[], str]) -> None:
    if value is None or _CHECKS[kind](value):
        return
    got = "a date Trello cannot have" if kind == DATE and isinstance(value, str) else _type_name(value)
    raise DataError(f"{where()}: expected {kind if kind != IDS else 'a list of ids'}, got {got}")


def _type_name(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _check_object(obj: Any, shape: str, path: tuple, *, need_id: bool = True) -> None:
    if not isinstance(obj, dict):
        raise DataError(f"{_fmt(path)}: expected an object, got {_type_name(obj)}")
    if need_id:
        oid = obj.get("id")
        if not isinstance(oid, str) or not oid.strip() or len(oid) > 128:
            raise DataError(f"{_fmt(path + ('id',))}: expected an id (text of at most 128 characters)")
    for key, kind, plain in _FAST[shape]:
        value = obj.get(key)
        if value is not None and type(value) not in plain and not _CHECKS[kind](value):
            _check_value(kind, value, partial(_fmt, path + (key,)))


def _check_list(items: Any, shape: str, path: tuple, *, unique: bool = True) -> None:
    if items is None:
        return
    if not isinstance(items, list):
        raise DataError(f"{_fmt(path)}: expected a list, got {_type_name(items)}")
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        _check_object(item, shape, path + (i,))
        if unique:
            if item["id"] in seen:
                raise DataError(
                    f"{_fmt(path + (i, 'id'))}: duplicate id (also {_fmt(path + (seen[item['id']],))})"
                )
            seen[item["id"]] = i


def _check_action(a: dict[str, Any], path: tuple) -> None:
    if isinstance(a.get("memberCreator"), dict):
        _check_object(a["memberCreator"], "memberCreator", path + ("memberCreator",), need_id=False)
    data = a.get("data")
    if isinstance(data, dict):
        _check_object(data, "data", path + ("data",), need_id=False)
        if isinstance(data.get("card"), dict):
            _check_object(data["card"], "data.card", path + ("data", "card"), need_id=False)
        for key, value in data.items():  # data.list, data.listAfter, data.checkItem, ...: their ids are keys
            if isinstance(value, dict) and value.get("id") is not None and not isinstance(value["id"], str):
                raise DataError(
                    f"{_fmt(path + ('data', key, 'id'))}: expected an id, got {_type_name(value['id'])}"
                )


def check_shape(data: Any) -> None:
    """Refuse a board (or single-card) JSON whose fields normalize.py reads have the wrong type or duplicates."""
    if not isinstance(data, dict):
        raise DataError(f"expected a JSON object (a Trello board export), got {_type_name(data)}")
    single_card = "cards" not in data and "lists" not in data and "idBoard" in data and "idList" in data
    _check_object(data, "card" if single_card else "board", ())
    for key, shape in COLLECTIONS.items():
        _check_list(data.get(key), shape, (key,), unique=key != "actions")
    for i, card in enumerate(data.get("cards") or []):
        if card.get("labels") is not None and not isinstance(card["labels"], list):
            raise DataError(
                f"{_fmt(('cards', i, 'labels'))}: expected a list, got {_type_name(card['labels'])}"
            )
        for j, label in enumerate(card.get("labels") or []):
            if isinstance(label, dict):
                _check_object(label, "label", ("cards", i, "labels", j), need_id=False)
    items: dict[str, tuple] = {}
    for i, cl in enumerate(data.get("checklists") or []):
        path = ("checklists", i, "checkItems")
        _check_list(cl.get("checkItems"), "checkItem", path)
        for j, it in enumerate(cl.get("checkItems") or []):
            if it["id"] in items:
                raise DataError(f"{_fmt(path + (j, 'id'))}: duplicate id (also {_fmt(items[it['id']])})")
            items[it["id"]] = path + (j,)
    for i, a in enumerate(data.get("actions") or []):
        _check_action(a, ("actions", i))


def check_board_json(data: Any) -> Any:
    """The board JSON checked (types, duplicates, dates, depth, numbers) and its text cleaned; else DataError."""
    cleaning = Cleaning()
    if not _is_clean(data, 0):  # the exact walk (with paths for the message) only when something is wrong
        data = _clean(data, (), 0, cleaning)
    check_shape(data)
    if cleaning.nul_bytes or cleaning.surrogates:
        log.info(
            "board %s: removed %d NUL byte(s) and replaced %d lone surrogate(s) in %s",
            data["id"],
            cleaning.nul_bytes,
            cleaning.surrogates,
            ", ".join(sorted(cleaning.fields)),
        )
    return data


# ---------------------------------------------------------------- API answers (before the client merges pages)


def check_board_answer(board: dict[str, Any], what: str) -> None:
    """A nested board answer's collections are lists of objects with ids (else DataError naming the field)."""
    for key in ("lists", "labels", "members", "cards", "checklists", "actions"):
        items = board.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise DataError(f"{what}: {key}: expected a list, got {_type_name(items)}")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise DataError(f"{what}: {key}[{i}]: expected an object with an id")


def check_listing(boards: list[Any], what: str) -> None:
    """The member's board list: objects with a text id, a name and a last-activity date (or none)."""
    for i, b in enumerate(boards):
        if not isinstance(b, dict):
            raise DataError(f"{what}: [{i}]: expected an object, got {_type_name(b)}")
        if not isinstance(b.get("id"), str) or not b["id"].strip():
            raise DataError(f"{what}: [{i}].id: expected an id")
        for key, kind in (
            ("name", STR),
            ("closed", BOOL),
            ("dateLastActivity", DATE),
            ("shortLink", STR),
            ("url", STR),
        ):
            if key in b:
                _check_value(kind, b[key], partial("{}: [{}].{}".format, what, i, key))
        _clean(b, (), 0, Cleaning())
