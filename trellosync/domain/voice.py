"""Who said an entry: only what Trello records or what the board mapping declares. Nothing is guessed."""

from __future__ import annotations

from dataclasses import dataclass

from trellosync.config.settings import FeedbackMapping
from trellosync.domain.history import DescEdit
from trellosync.domain.people import People
from trellosync.domain.sections import description_sections

SectionEntry = tuple[str, str | None, str]  # (kind, person named in the heading, text)


@dataclass(frozen=True)
class Voice:
    """An author and how it is known: trello | mapping | unknown."""

    said_by: str | None
    source: str = "unknown"


UNKNOWN = Voice(None, "unknown")


def declared_voice(
    feedback: FeedbackMapping,
    kind: str,
    checklist: str | None,
    about: str | None,
    subjects: list[str],
    people: People,
) -> Voice:
    """The author the mapping declares for this kind (or checklist name), resolved for the entry's subject."""
    rule = feedback.said_by
    if isinstance(rule, dict):
        by_name = {k.strip().lower(): v for k, v in rule.items()}
        rule = (by_name.get(checklist.strip().lower()) if checklist else None) or by_name.get(kind)
    if not rule:
        return UNKNOWN
    if rule == "subject":
        return Voice(about, "mapping") if about else UNKNOWN
    if rule == "partner":
        others = [s for s in subjects if s != about]
        return Voice(others[0], "mapping") if about in subjects and len(others) == 1 else UNKNOWN
    return Voice(rule, "mapping") if rule in people.persons else UNKNOWN


def description_entries(desc: str, kinds: dict[str, list[str]], people: People) -> list[SectionEntry]:
    """The entries of a description, as the section parser reads them."""
    return description_sections(desc or "", kinds, people)


def description_authors(
    edits: list[DescEdit], kinds: dict[str, list[str]], people: People
) -> dict[SectionEntry, str]:
    """Entry of a description -> member id of the edit that added it (the latest edit whose old text lacked it)."""
    authors: dict[SectionEntry, str] = {}
    for edit in edits:
        before = set(description_entries(edit.old, kinds, people))
        for entry in description_entries(edit.new, kinds, people):
            if entry not in before and edit.member_id:
                authors[entry] = edit.member_id
    return authors


def trello_voice(member_id: str | None, people: People) -> Voice:
    """The author Trello recorded (a comment's, a description edit's), as a person key."""
    key = people.member(member_id)
    return Voice(key, "trello") if key else UNKNOWN
