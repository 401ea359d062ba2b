"""The domain model: plain dataclasses derived from the Trello mirror through a board mapping.

These are the nouns the reports speak. They hold no database handles: the store loads them, the
report builders read them, and tests construct them directly. Every status rule lives in
`trellosync.domain.rules`; the records here only hold facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from trellosync.config.settings import DEFAULT_EVERY_DAYS, DEFAULT_TIMEZONE

FEEDBACK_KINDS = ("best", "worst", "focus", "observation")
# Current state of a goal card; the status *as of a date* is rules.goal_status (adds "overdue").
GOAL_STATUSES = ("open", "achieved", "dropped")
# rules.commitment_status vocabulary; "done_undated" = ticked, but the history no longer says when; "renewed" =
# made again at a later lunch while open: its renewal carries the chain's outcome (domain/renewal.py).
COMMITMENT_STATUSES = ("kept", "late", "broken", "open", "done_undated", "renewed")
# How said_by is known: Trello recorded the author, the board mapping declares it, or nobody knows.
SAID_BY_SOURCES = ("trello", "mapping", "unknown")
# best = strength, worst = concern, focus = development; observations neutral unless marked.
POLARITIES = ("strength", "praise", "neutral", "concern", "development")
POSITIVE_POLARITIES = ("strength", "praise")
# How an entry's competency was found (None when unclassified).
COMPETENCY_SOURCES = ("tag", "keyword", "alias", "label")


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
    """One feedback lunch: one card of a lunches list, belonging to its board's pair."""

    id: str  # Trello card id
    board_id: str
    board_name: str
    date: date
    title: str
    url: str | None
    participants: list[str] = field(default_factory=list)  # who attended: card members, else board members
    archived: bool = False
    date_source: str = "due"  # due | name | created
    about: list[str] = field(
        default_factory=list
    )  # whose lunch it is: the board's subjects (else card members)
    every_days: int = DEFAULT_EVERY_DAYS  # the board's cadence target (lunches.every_days)


@dataclass
class FeedbackEntry:
    """One best/worst/focus entry or one observation (comment) about a person."""

    id: str  # check item id, comment action id, or card id + section index
    board_id: str
    kind: str  # best | worst | focus | observation
    about: str | None  # person key
    said_by: str | None  # person key of the author, only when Trello records it or the mapping declares it
    date: date
    text: str
    lunch_id: str | None
    card_url: str | None
    source: str  # checklist | description | comment
    said_by_source: str = "unknown"  # trello | mapping | unknown
    polarity: str = "neutral"  # strength | praise | neutral | concern | development
    competency: str | None = None  # best match, None = unclassified
    competency_source: str | None = None  # tag | keyword | alias | label
    card_labels: list[str] = field(
        default_factory=list
    )  # competency keys of the card's labels (context only)

    @property
    def labels(self) -> list[str]:
        """The entry's competency as a list (empty when unclassified): never the card's other labels."""
        return [self.competency] if self.competency else []

    @property
    def positive(self) -> bool:
        """True for strengths and observations marked as praise."""
        return self.polarity in POSITIVE_POLARITIES

    @property
    def own_words(self) -> bool:
        """True when the known author is the person the entry is about."""
        return self.said_by is not None and self.said_by == self.about

    @property
    def peer_said(self) -> bool:
        """True when a known author other than the subject said it: a peer's evidence."""
        return self.said_by is not None and self.about is not None and self.said_by != self.about


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
    status: str  # current state: open | achieved | dropped (as of a date: rules.goal_status)
    created: date
    due: date | None
    achieved_at: datetime | None  # None with status achieved: achieved on a date the history no longer holds
    dropped_at: datetime | None
    url: str | None
    labels: list[str] = field(default_factory=list)  # competency keys
    key_results: list[KeyResult] = field(default_factory=list)
    # (when, status after) for each status change the action history holds; rules.goal_status replays them
    events: list[tuple[datetime, str]] = field(default_factory=list)


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
    # Renewal (domain/renewal.py): made again at a later lunch while still open, this commitment was renewed by
    # `renewed_by` on `renewed_on`; a renewal `renews` the one before it and is judged against `first_deadline`,
    # the deadline of its chain's first commitment.
    renews: str | None = None
    renewed_by: str | None = None
    renewed_on: date | None = None
    first_deadline: date | None = None
    marked_renewed: bool = False  # its text began with the `renewed:` marker (removed); not stored

    @property
    def chain_deadline(self) -> date | None:
        """The deadline its chain is judged and counted against: the first commitment's (its own when no renewal)."""
        return self.first_deadline or self.deadline


@dataclass
class Reply:
    """The subject's own statement kept beside an entry about them: shown with every quote, never evidence."""

    id: str  # the reply comment's action id
    entry_id: str  # the feedback entry it answers
    board_id: str
    by: str  # person key of the subject who replied
    date: date
    text: str


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
    board_links: dict[str, str] = field(default_factory=dict)  # board id -> shortLink (to match config refs)
    synced_at: datetime | None = None  # data as of (the latest sync of these boards)
    board_synced: dict[str, datetime] = field(default_factory=dict)  # board id -> that board's last sync
    history_gaps: list[str] = field(
        default_factory=list
    )  # e.g. "board X: export holds only the last 1000 actions"
    board_subjects: dict[str, list[str]] = field(default_factory=dict)  # board id -> person keys it is about
    board_every_days: dict[str, int] = field(default_factory=dict)  # board id -> lunches.every_days
    timezone: str = DEFAULT_TIMEZONE  # the config's timezone: which calendar day a timestamp falls on
    practices: Any = None  # trellosync.domain.practices.Practices of these boards (loaded with the domain)
    replies: list[Reply] = field(default_factory=list)  # subjects' replies to entries about them
    data_from: date | None = None  # the retention policy removed what is older than this day
    # commitment, promise or focus-point id -> the latest lunch at which its "How did it go?" item was ticked
    asked: dict[str, date] = field(default_factory=dict)

    @property
    def sync_times(self) -> dict[str, datetime] | datetime | None:
        """What the rules' `last_sync` takes: each board's own sync when known, else the one time."""
        return self.board_synced or self.synced_at

    def extend(self, other: Domain) -> None:
        """Merge another board's domain into this one."""
        self.people.update({k: v for k, v in other.people.items() if k not in self.people})
        self.lunches += other.lunches
        self.feedback += other.feedback
        self.goals += other.goals
        self.commitments += other.commitments
        self.competencies.update(other.competencies)
        self.boards.update(other.boards)
        self.board_links.update(other.board_links)
        self.board_subjects.update(other.board_subjects)
        self.board_every_days.update(other.board_every_days)
        self.board_synced.update(other.board_synced)
        self.history_gaps += other.history_gaps
        self.replies += other.replies
        self.asked.update(other.asked)
        if other.synced_at and (self.synced_at is None or other.synced_at > self.synced_at):
            self.synced_at = other.synced_at
