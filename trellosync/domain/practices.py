"""Records of the practices around the lunch, derived from the mirror through the mapping (facts only;
the rules that judge them are in `promises.py`, `issues.py` and `visibility.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# How a stakeholder's authorship is known: the comment's author (Trello records it), the card's single
# member, or a `From: Name` line the mapping's convention declares. Nothing else names a stakeholder.
STAKEHOLDER_SOURCES = ("comment_author", "card_member", "from_line")


@dataclass
class SelfReview:
    """One self-review card: the person's own words in three sections."""

    id: str  # card id
    board_id: str
    person: str
    date: date
    title: str
    accomplishments: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    improve: list[str] = field(default_factory=list)
    url: str | None = None


@dataclass
class StakeholderFeedback:
    """One piece of stakeholder feedback (a card or a comment) about a person."""

    id: str  # card id or comment action id
    board_id: str
    about: str
    said_by: str | None  # person key when the stakeholder is a mapped person
    said_by_name: str | None  # display name (a `From:` name nobody maps keeps its written form)
    said_by_source: str | None  # one of STAKEHOLDER_SOURCES, None when nobody is recorded
    date: date
    text: str
    polarity: str = "neutral"  # praise | neutral | concern (a `praise:`/`concern:` prefix or a label)
    url: str | None = None


@dataclass
class GroupIssue:
    """An issue a member brought to a peer learning group meeting."""

    id: str  # check item id
    board_id: str
    meeting_id: str  # card id of the meeting
    person: str
    date: date
    text: str
    url: str | None = None


@dataclass
class Criterion:
    """One success criterion of a promise (a check item of the promise card)."""

    id: str
    name: str
    done: bool
    completed_at: datetime | None  # from the action history; None when ticked on an unknown date


@dataclass
class Promise:
    """A promise card: made on its creation day, due on its due date, kept when its criteria are met."""

    id: str  # card id
    board_id: str
    person: str | None
    title: str
    made: date
    due: date | None
    criteria: list[Criterion] = field(default_factory=list)
    met_at: datetime | None = (
        None  # card moved to a done list / due marked complete (promises without criteria)
    )
    done_flag: bool = False  # the card says done (due complete or in a done list)
    archived: bool = False
    url: str | None = None


@dataclass
class Practices:
    """Everything the practices derive, for one or more boards."""

    self_reviews: list[SelfReview] = field(default_factory=list)
    stakeholder_feedback: list[StakeholderFeedback] = field(default_factory=list)
    group_issues: list[GroupIssue] = field(default_factory=list)
    promises: list[Promise] = field(default_factory=list)
    group_boards: dict[str, list[str]] = field(default_factory=dict)  # board id -> member keys (3+ subjects)
    visibility: dict[str, str] = field(default_factory=dict)  # board id -> private | team
    marked: set[str] = field(default_factory=set)  # ids of entries marked shareable (cards, items, comments)
    markers: dict[str, str] = field(
        default_factory=dict
    )  # board id -> its shareable marker (removed for display)
    advocates: dict[str, str] = field(default_factory=dict)  # person key -> advocate's person key

    def extend(self, other: Practices) -> None:
        """Merge another board's practices into these."""
        self.self_reviews += other.self_reviews
        self.stakeholder_feedback += other.stakeholder_feedback
        self.group_issues += other.group_issues
        self.promises += other.promises
        self.group_boards.update(other.group_boards)
        self.visibility.update(other.visibility)
        self.marked |= other.marked
        self.markers.update(other.markers)
        self.advocates.update(other.advocates)
