"""Description text that is no evidence: lines before the first heading or under a heading the mapping does not
name, on the cards whose descriptions are read in sections (lunch cards; self-review cards).

The parser (`domain/sections.py`) leaves such text out; this counts it, by heading, so `sync -v`, `status` and
`check --online` can say how much was left out and which headings a team could map.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trellosync.config.settings import BoardMapping, PersonConfig
from trellosync.domain.matching import match_lists
from trellosync.domain.people import People
from trellosync.domain.prepared import without_marker
from trellosync.domain.sections import NO_HEADING, read_description
from trellosync.mirror.normalize import BoardRows

MAX_HEADINGS_NAMED = 8


@dataclass
class UnreadText:
    """How many description lines were left out, on how many cards, and under which headings."""

    lines: int = 0
    cards: int = 0
    headings: Counter[str] = field(default_factory=Counter)  # heading as written ("" = none) -> lines

    def __bool__(self) -> bool:
        return self.lines > 0

    def headings_named(self) -> str:
        """The headings met, most lines first: "'Notes' (3), no heading (1)"."""
        items = sorted(self.headings.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
        shown = [
            (repr(h) if h != NO_HEADING else "no heading") + f" ({n})" for h, n in items[:MAX_HEADINGS_NAMED]
        ]
        more = len(items) - MAX_HEADINGS_NAMED
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    def __str__(self) -> str:
        lines = f"{self.lines} line{'s' if self.lines != 1 else ''}"
        cards = f"{self.cards} card{'s' if self.cards != 1 else ''}"
        return (
            f"{lines} under headings the mapping does not know (or none), on {cards}, are not evidence: "
            f"{self.headings_named()}"
        )

    def as_json(self) -> dict[str, Any]:
        """For `status --json`."""
        return {
            "lines": self.lines,
            "cards": self.cards,
            "headings": dict(sorted(self.headings.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def unread_text(
    mapping: BoardMapping | None,
    config_people: dict[str, PersonConfig],
    lists: list[dict[str, Any]],
    cards: Iterable[dict[str, Any]],
    members: list[dict[str, Any]],
    board_id: str = "",
) -> UnreadText:
    """The lines of lunch-card (and self-review) descriptions that the section parser leaves out.

    `cards` hold id, list_id and description (live cards); `members` the board's members (id, username,
    full_name), which resolve a person named in a heading ("Worst moment (Will)") as the domain does.
    """
    mapping = mapping or BoardMapping(board=board_id or "-")
    people = People.build(config_people, BoardRows(board={"id": board_id}, members=members), mapping.members)
    fb = mapping.feedback
    read: list[tuple[set[str], dict[str, list[str]]]] = [
        (
            match_lists(mapping.lunches.lists, lists),
            {"best": fb.best, "worst": fb.worst, "focus": fb.focus, "commitments": fb.commitments},
        )
    ]
    if (sr := mapping.self_reviews) is not None:
        read.append(
            (
                match_lists(sr.lists, lists),
                {"accomplishments": sr.accomplishments, "goals": sr.goals, "improve": sr.improve},
            )
        )
    out = UnreadText()
    for card in cards:
        desc = without_marker(card.get("description") or "")  # trellosync's own line on cards it created
        if not desc.strip():
            continue
        kinds = next((k for ids, k in read if card.get("list_id") in ids), None)
        if kinds is None:
            continue
        left = read_description(desc, kinds, people).left_out
        if left:
            out.cards += 1
            out.lines += sum(left.values())
            out.headings.update(left)
    return out
