"""Issues, defined once: when two texts say the same, when they raise the same issue, which issues recur.

Peer learning groups "will not tolerate a member continuing to share the same issue" (PRODUCT.md): an issue
raised at `RECURRING_MIN_MEETINGS` or more meetings is recurring. The same rule links a focus point to the
observations and best moments that answer it (a focus point's growth arc).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from trellosync.domain.model import FeedbackEntry
from trellosync.domain.practices import Practices

RECURRING_MIN_MEETINGS = 3  # "will not tolerate a member continuing to share the same issue"
SAME_ISSUE_OVERLAP = 0.5  # shared content words / content words of the shorter text

_STOP = frozenset(
    "about after again being could every first from have into more much other should their there "
    "these they this those through under very what when where which while will with would your "
    "still same keep keeps kept issue problem".split()
)


def wording(text: str) -> str:
    """A text's words, case-folded, without punctuation or spacing (a text without words: its trimmed self)."""
    folded = text.casefold()
    return " ".join(re.findall(r"\w+", folded)) or " ".join(folded.split())


def same_wording(a: str, b: str) -> bool:
    """Two texts say the same when they differ only in case, punctuation and spacing."""
    return wording(a) == wording(b)


def issue_words(text: str) -> set[str]:
    """Content-word stems (first five letters of words of four letters or more) of an issue's text."""
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


def same_issue(a: str, b: str) -> bool:
    """Two texts raise the same issue when half the content words of the shorter one recur in the other."""
    wa, wb = issue_words(a), issue_words(b)
    if not wa or not wb:
        return same_wording(a, b)
    return len(wa & wb) / min(len(wa), len(wb)) >= SAME_ISSUE_OVERLAP


@dataclass
class Raised:
    """One time a person raised an issue or focus point (a group issue or a lunch's focus point)."""

    person: str
    date: date
    text: str
    id: str
    source: str  # group | focus


@dataclass
class Recurring:
    """An issue a person raised at `RECURRING_MIN_MEETINGS` or more meetings."""

    person: str
    text: str  # the latest wording
    dates: list[date]
    ids: list[str] = field(default_factory=list)


def recurring_issues(
    raised: Iterable[Raised], *, min_meetings: int = RECURRING_MIN_MEETINGS
) -> list[Recurring]:
    """Issues each person raised on `min_meetings` or more distinct days, with those days."""
    clusters: list[list[Raised]] = []
    for r in sorted(raised, key=lambda r: (r.person, r.date, r.id)):
        home = next(
            (c for c in clusters if c[0].person == r.person and any(same_issue(r.text, x.text) for x in c)),
            None,
        )
        if home is None:
            clusters.append([r])
        else:
            home.append(r)
    out = []
    for c in clusters:
        dates = sorted({x.date for x in c})
        if len(dates) >= min_meetings:
            out.append(Recurring(person=c[0].person, text=c[-1].text, dates=dates, ids=[x.id for x in c]))
    return sorted(out, key=lambda r: (r.person, r.dates[0]))


def raised_by(
    person: str, practices: Practices, feedback: Iterable[FeedbackEntry], as_of: date
) -> list[Raised]:
    """What a person raised at group meetings up to `as_of`: their issues and focus points on group boards.

    A pair's focus point carried from lunch to lunch is tracked by design and is not a recurring issue.
    """
    out = [
        Raised(i.person, i.date, i.text, i.id, "group")
        for i in practices.group_issues
        if i.person == person and i.date <= as_of
    ]
    out += [
        Raised(person, f.date, f.text, f.id, "focus")
        for f in feedback
        if f.kind == "focus"
        and f.about == person
        and f.date <= as_of
        and f.board_id in practices.group_boards
    ]
    return out
