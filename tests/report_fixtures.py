"""A small builder of `Domain` objects for report tests (no store, no Trello)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from trellosync.domain.model import (
    Commitment,
    Competency,
    Domain,
    FeedbackEntry,
    Goal,
    KeyResult,
    Lunch,
    Person,
)

_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}{next(_ids):06x}"


@dataclass
class DomainBuilder:
    """Fluent helper: people, a board, lunches with entries, goals and commitments."""

    board_id: str = "b0000001"
    board_name: str = "Peer lunch: Ada & Grace"
    domain: Domain = field(default_factory=Domain)

    def __post_init__(self) -> None:
        self.domain.boards[self.board_id] = self.board_name
        self.domain.synced_at = datetime(2026, 6, 30, 22, 0, tzinfo=timezone.utc)

    def person(self, key: str, name: str) -> DomainBuilder:
        self.domain.people[key] = Person(key=key, name=name, trello_username=key)
        return self

    def competency(self, key: str, name: str) -> DomainBuilder:
        self.domain.competencies[key] = Competency(key=key, name=name)
        return self

    def lunch(self, day: date, participants: list[str], title: str | None = None) -> Lunch:
        card = _id("c")
        lunch = Lunch(
            id=card,
            board_id=self.board_id,
            board_name=self.board_name,
            date=day,
            title=title or f"{day.isoformat()} lunch",
            url=f"https://trello.com/c/{card}",
            participants=list(participants),
            about=list(participants),
        )
        self.domain.lunches.append(lunch)
        return lunch

    def entry(
        self,
        lunch: Lunch | None,
        kind: str,
        about: str,
        by: str | None,
        text: str,
        day: date | None = None,
        labels: list[str] | None = None,
    ) -> FeedbackEntry:
        entry = FeedbackEntry(
            id=_id("e"),
            board_id=self.board_id,
            kind=kind,
            about=about,
            said_by=by,
            said_by_source="trello" if by else "unknown",
            polarity={"best": "strength", "worst": "concern", "focus": "development"}.get(kind, "praise"),
            date=day or (lunch.date if lunch else date(2026, 1, 1)),
            text=text,
            lunch_id=lunch.id if lunch else None,
            card_url=lunch.url if lunch else None,
            source="comment" if kind == "observation" else "checklist",
            competency=(labels or [None])[0],
            card_labels=list(labels or []),
        )
        self.domain.feedback.append(entry)
        return entry

    def goal(
        self,
        owner: str,
        title: str,
        created: date,
        due: date | None = None,
        status: str = "open",
        achieved_at: datetime | None = None,
        dropped_at: datetime | None = None,
        key_results: list[tuple[str, datetime | None]] | None = None,
        labels: list[str] | None = None,
        description: str = "",
    ) -> Goal:
        card = _id("g")
        goal = Goal(
            id=card,
            board_id=self.board_id,
            owners=[owner],
            title=title,
            description=description,
            status=status,
            created=created,
            due=due,
            achieved_at=achieved_at,
            dropped_at=dropped_at,
            url=f"https://trello.com/c/{card}",
            labels=list(labels or []),
            key_results=[
                KeyResult(id=_id("k"), name=name, done=done_at is not None, completed_at=done_at, due=None)
                for name, done_at in (key_results or [])
            ],
        )
        self.domain.goals.append(goal)
        return goal

    def commitment(
        self,
        lunch: Lunch,
        person: str,
        text: str,
        deadline: date | None,
        completed_at: datetime | None = None,
    ) -> Commitment:
        c = Commitment(
            id=_id("m"),
            board_id=self.board_id,
            lunch_id=lunch.id,
            person=person,
            text=text,
            made=lunch.date,
            deadline=deadline,
            completed_at=completed_at,
            url=lunch.url,
            done=completed_at is not None,
        )
        self.domain.commitments.append(c)
        return c


def utc(y: int, m: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    """A UTC datetime."""
    return datetime(y, m, d, h, mi, tzinfo=timezone.utc)


BEST = [
    "Ran the incident review calmly and got two teams to agree on the fix.",
    "Wrote the **RFC** for the billing migration; three teams commented and it was approved in a week.",
    "Paired with the new joiner on the deploy pipeline until they shipped on their own.",
    "Presented the quarterly roadmap to the leadership group with clear trade-offs.",
    "Turned a tense planning meeting around by summarising each side's concern fairly.",
]
WORST = [
    "Missed the design review because the calendar invite got lost.",
    "Took on too much in the sprint and had to drop the docs work.",
    "Interrupted colleagues twice in the architecture discussion.",
]
FOCUS = [
    "Delegate more: hand the release checklist to someone else.",
    "Speak up earlier in planning when estimates look wrong.",
    "Write shorter status updates that lead with the decision needed.",
]
OBS = [
    "Handed the release checklist to Grace this week; it went fine.",
    "Raised the estimate concern on day one of planning; the team adjusted.",
    "Status update on Friday led with the decision: much easier to read.",
    "Still doing the on-call handover alone; could delegate.",
]


def example_domain(lunches: int = 12, start: date = date(2026, 1, 6)) -> Domain:
    """A two-person peer-lunch board with `lunches` fortnightly lunches, goals and commitments."""
    b = DomainBuilder()
    b.person("ada", "Ada Lovelace").person("grace", "Grace Hopper")
    b.competency("influence", "Influence").competency("delivery", "Delivery").competency(
        "mentoring", "Mentoring"
    )
    labels = [["influence"], ["delivery"], ["mentoring"], ["influence", "delivery"], []]
    made: list[Lunch] = []
    for i in range(lunches):
        day = start + timedelta(days=14 * i + (7 if i % 7 == 6 else 0))
        lu = b.lunch(day, ["ada", "grace"])
        made.append(lu)
        for about, by in (("ada", "grace"), ("grace", "ada")):
            b.entry(lu, "best", about, by, BEST[i % len(BEST)], labels=labels[i % len(labels)])
            b.entry(lu, "worst", about, by, WORST[i % len(WORST)])
            if i % 4 == 0:
                b.entry(lu, "focus", about, by, FOCUS[(i // 4) % len(FOCUS)])
            b.entry(
                lu,
                "observation",
                about,
                by,
                OBS[i % len(OBS)],
                day=day + timedelta(days=3),
                labels=labels[(i + 1) % len(labels)],
            )
    for i, lu in enumerate(made):
        nxt = made[i + 1].date if i + 1 < len(made) else lu.date + timedelta(days=14)
        done = None
        if i % 3 == 0:
            done = utc(nxt.year, nxt.month, nxt.day) - timedelta(days=2)
        elif i % 3 == 1:
            done = utc(nxt.year, nxt.month, nxt.day) + timedelta(days=3)
        b.commitment(lu, "ada", f"Share the draft of item {i + 1} with the team", nxt, done)
    g1 = start + timedelta(days=3)
    b.goal(
        "ada",
        "Lead the billing migration RFC to approval",
        g1,
        due=g1 + timedelta(days=60),
        status="achieved",
        achieved_at=utc(g1.year, g1.month, g1.day) + timedelta(days=55),
        key_results=[("Draft RFC", utc(2026, 1, 20)), ("Review with three teams", utc(2026, 2, 10))],
        labels=["influence"],
        description="Get **billing** and payments teams aligned.",
    )
    b.goal(
        "ada",
        "Mentor the new joiner to their first on-call shift",
        g1 + timedelta(days=20),
        due=g1 + timedelta(days=200),
        key_results=[("Shadow two shifts", utc(2026, 3, 1)), ("Lead one shift with backup", None)],
        labels=["mentoring"],
    )
    b.goal("ada", "Cut build time to under ten minutes", g1 + timedelta(days=30), due=g1 + timedelta(days=90))
    b.goal(
        "ada",
        "Write the onboarding guide",
        g1 + timedelta(days=10),
        status="dropped",
        dropped_at=utc(2026, 3, 15),
    )
    return b.domain
