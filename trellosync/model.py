"""The domain model: plain dataclasses derived from the Trello mirror through a board mapping.

These are the nouns the reports speak. They hold no database handles: the store loads them, the
report builders read them, and tests construct them directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

FEEDBACK_KINDS = ("best", "worst", "focus", "observation")
GOAL_STATUSES = ("open", "achieved", "dropped")
COMMITMENT_STATUSES = ("kept", "late", "broken", "open")


@dataclass
class Person:
    """Someone the mapping names (or a board member nobody mapped, keyed by Trello username)."""

    key: str
    name: str
    trello_username: str | None = None
    member_id: str | None = None
    mapped: bool = True


@dataclass
class Lunch:
    """One feedback lunch: one card of a lunches list."""

    id: str  # Trello card id
    board_id: str
    board_name: str
    date: date
    title: str
    url: str | None
    participants: list[str] = field(default_factory=list)  # person keys
    archived: bool = False
    date_source: str = "due"  # due | name | created


@dataclass
class FeedbackEntry:
    """One best/worst/focus entry or one observation (comment) about a person."""

    id: str  # check item id, comment action id, or card id + section index
    board_id: str
    kind: str  # best | worst | focus | observation
    about: str | None  # person key
    by: str | None  # person key of the author, when known
    date: date
    text: str
    lunch_id: str | None
    card_url: str | None
    source: str  # checklist | description | comment
    labels: list[str] = field(default_factory=list)  # competency keys


@dataclass
class KeyResult:
    """One check item of a goal card."""

    id: str
    name: str
    done: bool
    completed_at: datetime | None
    due: datetime | None


@dataclass
class Goal:
    """A goal card: owned by its members (or the board subject)."""

    id: str  # card id
    board_id: str
    owners: list[str]
    title: str
    description: str
    status: str  # open | achieved | dropped
    created: date
    due: date | None
    achieved_at: datetime | None
    dropped_at: datetime | None
    url: str | None
    labels: list[str] = field(default_factory=list)  # competency keys
    key_results: list[KeyResult] = field(default_factory=list)


@dataclass
class Commitment:
    """A promise: a check item on a commitments checklist of a lunch card."""

    id: str  # check item id
    board_id: str
    lunch_id: str
    person: str | None  # who promised
    text: str
    made: date
    deadline: date | None  # item due, else the next lunch on the board
    completed_at: datetime | None
    url: str | None
    done: bool = False  # ticked; completed_at is None when the history no longer holds the tick

    def status(self, as_of: date) -> str:
        """kept | late | broken | open as seen on `as_of` (PRODUCT.md's commitment rule)."""
        if self.done and (self.completed_at is None or self.completed_at.date() <= as_of):
            if self.completed_at is None or self.deadline is None or self.completed_at.date() <= self.deadline:
                return "kept"
            return "late"
        if self.deadline is not None and as_of > self.deadline:
            return "broken"
        return "open"


@dataclass
class Competency:
    """A theme or ladder competency that labels map to."""

    key: str
    name: str


@dataclass
class Domain:
    """Everything derived from the mirror, for one or more boards."""

    people: dict[str, Person] = field(default_factory=dict)
    lunches: list[Lunch] = field(default_factory=list)
    feedback: list[FeedbackEntry] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)
    competencies: dict[str, Competency] = field(default_factory=dict)
    boards: dict[str, str] = field(default_factory=dict)  # board id -> name
    synced_at: datetime | None = None  # data as of (last sync of these boards)
    history_gaps: list[str] = field(default_factory=list)  # e.g. "board X: export holds only the last 1000 actions"

    def extend(self, other: Domain) -> None:
        """Merge another board's domain into this one."""
        self.people.update({k: v for k, v in other.people.items() if k not in self.people})
        self.lunches += other.lunches
        self.feedback += other.feedback
        self.goals += other.goals
        self.commitments += other.commitments
        self.competencies.update(other.competencies)
        self.boards.update(other.boards)
        self.history_gaps += other.history_gaps
        if other.synced_at and (self.synced_at is None or other.synced_at > self.synced_at):
            self.synced_at = other.synced_at
