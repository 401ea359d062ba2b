"""The YAML mapping of the practices around the lunch: advocates, self-reviews, stakeholder feedback,
peer learning groups, promises and the visibility of each board.

`BoardMapping` and `PersonConfig` in `trellosync.config.settings` inherit these fields, so a board's practices
sit beside its lunches in the same mapping entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SelfReviewMapping(_Strict):
    """A list whose cards are self-reviews; the description holds three sections."""

    lists: list[str] = ["Self-reviews", "Self-review"]
    accomplishments: list[str] = ["Accomplishments", "Recent accomplishments"]
    goals: list[str] = ["Goals", "Future goals"]
    improve: list[str] = ["Ways to improve", "To improve", "Improvements"]


class StakeholderMapping(_Strict):
    """A list of stakeholder feedback: a card or a comment per piece, from whom it came."""

    lists: list[str] = ["Stakeholder feedback"]
    from_prefix: str = "From"  # a `From: Name` line names the stakeholder when Trello does not


class GroupMapping(_Strict):
    """Checklist names on a peer learning group's meeting cards (meetings are its lunches lists)."""

    issues: list[str] = ["Issue", "Issues"]
    issue_prefix: str = "Issue"  # an item `Issue: ...` on a checklist named after a member
    commitments: list[str] = ["Commitments", "Commitment"]


class PromisesMapping(_Strict):
    """A list whose cards are promises: due date = deadline, checklist items = success criteria."""

    lists: list[str] = ["Promises"]
    done_lists: list[str] = []  # a promise moved here counts as met on the day it moved (no criteria needed)


class ShareableMapping(_Strict):
    """How an entry on a private board is marked shareable: a card label or a marker in its text."""

    labels: list[str] = ["Shareable"]
    marker: str | None = "#share"

    @field_validator("marker")
    @classmethod
    def _not_blank(cls, v: str | None) -> str | None:
        if v is not None and not v.strip():
            raise ValueError("marker must not be blank (use null for none)")
        return v


class BoardPractices(_Strict):
    """The practice sections of one board's mapping (mixed into `config.BoardMapping`)."""

    self_reviews: SelfReviewMapping | None = None
    stakeholder_feedback: StakeholderMapping | None = None
    group: GroupMapping | None = (
        None  # a peer learning group: 3 or more subjects, meetings on its lunches lists
    )
    promises: PromisesMapping | None = None
    visibility: Literal["private", "team"] = "private"
    shareable: ShareableMapping = ShareableMapping()


class PersonPractices(_Strict):
    """The practice keys of one person (mixed into `config.PersonConfig`)."""

    advocate: str | None = None  # person key of their advocate


def cross_check_practices(raw: dict[str, Any], where: Callable[..., str]) -> list[str]:
    """Problems that span keys: an unknown advocate, a person advocating for themself, a group of two.

    `where(*loc)` returns the `file:line` prefix of a key path.
    """
    problems: list[str] = []
    people = v if isinstance(v := raw.get("people"), dict) else {}
    for key, p in people.items():
        adv = p.get("advocate") if isinstance(p, dict) else None
        if not isinstance(adv, str):
            continue
        loc = ("people", key, "advocate")
        if adv not in people:
            problems.append(
                f"{where(*loc)}: people.{key}.advocate: unknown person {adv!r} "
                f"(expected one of: {', '.join(sorted(people))})"
            )
        elif adv == key:
            problems.append(f"{where(*loc)}: people.{key}.advocate: a person cannot be their own advocate")
    boards = v if isinstance(v := raw.get("boards"), list) else []
    for i, b in enumerate(boards):
        subjects = b.get("subjects") if isinstance(b, dict) else None
        if isinstance(b, dict) and "group" in b and isinstance(subjects, list) and 0 < len(subjects) < 3:
            problems.append(
                f"{where('boards', i, 'group')}: boards.{i}.group: a peer learning group needs 3 or "
                f"more subjects (got {len(subjects)})"
            )
    return problems
