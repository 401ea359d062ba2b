"""Visibility, defined once: what may leave a private board for the team showcase.

A board's mapping sets its visibility (`private`, the default, or `team`); on a private board only entries
whose own text, or whose card, carries the shareable marker (or label) may be shown to the team, and then only
strengths, praise, achieved goals, kept promises and stakeholder praise. The marks themselves are read from the
mirror by `domain/derive_practices.py` (`shareable_marks`).
"""

from __future__ import annotations

import re

from trellosync.domain.model import FeedbackEntry
from trellosync.domain.practices import Practices


def without_marker(text: str, marker: str | None) -> str:
    """The text without the shareable marker (case-insensitive), for display."""
    if not marker:
        return text
    return " ".join(re.sub(re.escape(marker), " ", text, flags=re.IGNORECASE).split())


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
    """A strength or praise on a team board, or marked shareable on a private one; nothing else."""
    return feedback_showcase_kind(f) is not None and entry_marked(practices, f.board_id, f.id, f.lunch_id)
