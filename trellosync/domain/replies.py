"""The right of reply: a comment by the person an entry is about, starting with the board's reply marker.

A reply sits beside the entry it answers in every document that quotes it; it is never an entry itself, so it
is never evidence and never counted. On a card holding several entries about the replier, the reply names the
one it answers by its first words (`reply: "Missed the deadline" I was on sick leave that week`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from trellosync.domain.model import FeedbackEntry, Reply

_QUOTED = re.compile(r'^\s*["“”«‘\'](?P<named>[^"“”»’\']{1,200})["”“»’\']\s*[:,\-–—]?\s*')
_WORD = re.compile(r"\w+", re.UNICODE)
MIN_NAMING_WORDS = 2  # a reply names an entry by at least this many of its first words (or all, when shorter)


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


def _named(body: str, entry: FeedbackEntry) -> int:
    """How many of the entry's first words the reply starts with (0 when fewer than it takes to name it)."""
    mine, theirs = _words(body), _words(entry.text)
    n = 0
    while n < min(len(mine), len(theirs)) and mine[n] == theirs[n]:
        n += 1
    return n if n >= min(MIN_NAMING_WORDS, len(theirs)) and n > 0 else 0


def answered_entry(body: str, candidates: Sequence[FeedbackEntry]) -> tuple[FeedbackEntry | None, str]:
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
    comment_id: str, board_id: str, author: str, when: date, body: str, entries: Sequence[FeedbackEntry]
) -> Reply | None:
    """The Reply of one reply comment on a card, given the card's entries (None when it answers none)."""
    candidates = [e for e in entries if e.about == author and e.id != comment_id]
    entry, words = answered_entry(body, candidates)
    if entry is None or not words:
        return None
    return Reply(id=comment_id, entry_id=entry.id, board_id=board_id, by=author, date=when, text=words)
