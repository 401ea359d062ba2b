"""The right of reply: a comment by the person an entry is about, starting with the board's reply marker.

A reply sits beside the entry it answers in every document that quotes it; it is never an entry itself, so it
is never evidence and never counted. On a card holding several entries about the replier, the reply names the
one it answers by its first words (`reply: "Missed the deadline" I was on sick leave that week`).

One rule for every card that holds quoted entries: a lunch card (its checklist items, description sections and
comments) and a stakeholder-feedback card (its description and its comments). A comment starting with the
marker by anyone else answers nothing and is no entry either: it is left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from trellosync.domain.model import Reply

_QUOTED = re.compile(r'^\s*["“”«‘\'](?P<named>[^"“”»’\']{1,200})["”“»’\']\s*[:,\-–—]?\s*')
_WORD = re.compile(r"\w+", re.UNICODE)
MIN_NAMING_WORDS = 2  # a reply names an entry by at least this many of its first words (or all, when shorter)


class Answerable(Protocol):
    """What a reply can answer: a quoted entry (a lunch entry, a piece of stakeholder feedback)."""

    @property
    def id(self) -> str:
        """The entry's id."""
        ...

    @property
    def about(self) -> str | None:
        """Person key of whom the entry is about."""
        ...

    @property
    def text(self) -> str:
        """The entry's words, as quoted."""
        ...


E = TypeVar("E", bound=Answerable)


def reply_body(text: str, markers: Iterable[str]) -> str | None:
    """The text after a reply marker at the start of `text` (None when the comment is not a reply)."""
    start = text.lstrip()
    for marker in markers:
        m = marker.strip()
        if m and start.lower().startswith(m.lower()):
            return start[len(m) :].strip()
    return None


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _named(body: str, entry: Answerable) -> int:
    """How many of the entry's first words the reply starts with (0 when fewer than it takes to name it)."""
    mine, theirs = _words(body), _words(entry.text)
    n = 0
    while n < min(len(mine), len(theirs)) and mine[n] == theirs[n]:
        n += 1
    return n if n >= min(MIN_NAMING_WORDS, len(theirs)) and n > 0 else 0


def answered_entry(body: str, candidates: Sequence[E]) -> tuple[E | None, str]:
    """The entry a reply answers among the card's entries about its author, and the reply's own words.

    One candidate: that one. Several: the one whose first words the reply starts with (a quoted naming is
    dropped from the reply's words); none or a tie: None, and the reply is shown nowhere.
    """
    quoted = _QUOTED.match(body)
    naming, rest = (quoted["named"], body[quoted.end() :]) if quoted else (body, body)
    if len(candidates) == 1:
        return candidates[0], (rest if quoted and _named(naming, candidates[0]) else body).strip()
    scored = sorted(((_named(naming, e), e) for e in candidates), key=lambda x: -x[0])
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None, body
    return scored[0][1], rest.strip()


def make_reply(
    comment_id: str, board_id: str, author: str, when: date, body: str, entries: Sequence[Answerable]
) -> Reply | None:
    """The Reply of one reply comment on a card, given the card's entries (None when it answers none)."""
    candidates = [e for e in entries if e.about == author and e.id != comment_id]
    entry, words = answered_entry(body, candidates)
    if entry is None or not words:
        return None
    return Reply(id=comment_id, entry_id=entry.id, board_id=board_id, by=author, date=when, text=words)


def card_replies(
    board_id: str,
    comments: Iterable[Mapping[str, Any]],
    entries_by_card: Mapping[str, Sequence[Answerable]],
    markers: Iterable[str],
    author_of: Callable[[str | None], str | None],
    day_of: Callable[[datetime], date | None],
) -> list[Reply]:
    """The replies among a board's comments to the entries quoted from its cards (`entries_by_card`: card id ->
    the entries that card holds).

    A reply is a live comment on such a card, by a mapped person (`author_of` a Trello member id), starting with
    a reply marker, that answers one of the card's entries about its author (`make_reply`); `day_of` dates it.
    """
    markers = list(markers)
    out = []
    for cm in comments:
        card = cm.get("card_id") or ""
        if card not in entries_by_card or cm.get("deleted_at"):
            continue
        body = reply_body(cm["text"], markers)
        author = author_of(cm.get("member_id"))
        if body is None or author is None:
            continue
        reply = make_reply(
            cm["id"], board_id, author, day_of(cm["date"]) or date.min, body, entries_by_card[card]
        )
        if reply is not None:
            out.append(reply)
    return out
