"""Visibility, defined once: what may leave a private board for the team showcase.

A board's mapping sets its visibility (`private`, the default, or `team`); on a private board only entries
whose own text carries the shareable marker (a whole tag: `#share`, not `#shareholder`), or whose card carries
the shareable label, may be shown to the team, and then only
strengths, praise, achieved goals, kept promises and stakeholder praise. The marks themselves are read from the
mirror by `domain/derive_practices.py` (`shareable_marks`).
"""

from __future__ import annotations

import functools
import re

from trellosync.domain.model import FeedbackEntry
from trellosync.domain.practices import Practices


@functools.lru_cache(maxsize=64)
def marker_pattern(marker: str) -> re.Pattern[str]:
    """The shareable marker as a whole word or tag, case-insensitive: `#share` is not in `#shareholder`,
    `#SharePoint`, `#share-worthy` or `foo#share`."""
    m = marker.strip()
    before = r"(?<![\w#&])" if re.match(r"[\w#]", m) else ""
    after = r"(?![\w-])" if re.search(r"\w$", m) else ""
    return re.compile(before + re.escape(m) + after, re.IGNORECASE)


def holds_marker(text: str | None, marker: str | None) -> bool:
    """True when the text carries the shareable marker as a whole word or tag."""
    return bool(marker and marker.strip() and text and marker_pattern(marker).search(text))


def without_marker(text: str, marker: str | None) -> str:
    """The text without the shareable marker (the whole tag, case-insensitive), for display."""
    if not marker or not marker.strip():
        return text
    return " ".join(marker_pattern(marker).sub(" ", text).split())


def entry_marked(practices: Practices, board_id: str, *ids: str | None) -> bool:
    """True when the board is `team` or the entry (or its card) is marked shareable."""
    if practices.visibility.get(board_id, "private") == "team":
        return True
    return any(i in practices.marked for i in ids if i)


def feedback_showcase_kind(f: FeedbackEntry) -> str | None:
    """strength (a best moment) | praise (an observation marked as praise) | None: never in a showcase."""
    if f.kind == "best":
        return "strength"
    if f.kind == "observation" and f.polarity == "praise":
        return "praise"
    return None


def feedback_shareable(f: FeedbackEntry, practices: Practices) -> bool:
    """A strength or praise on a team board, or marked shareable on a private one (the entry itself: a label
    on its card marks only the entries about the card's subject, `derive_practices.label_marks`); nothing else."""
    return feedback_showcase_kind(f) is not None and entry_marked(practices, f.board_id, f.id)
