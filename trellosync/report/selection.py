"""A person's slice of the domain and the views built from it; every status is read from the one Judgement."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from trellosync.domain.classify import without_tags
from trellosync.domain.dates import local_date
from trellosync.domain.judge import Judgement
from trellosync.domain.model import Commitment, Domain, FeedbackEntry, Goal, Lunch, Reply
from trellosync.domain.visibility import without_marker
from trellosync.mirror.ids import slug
from trellosync.report.views import CommitmentView, Evidence, GoalView, KeyResultView, ReplyView

# Polarity of an entry as the report groups it (the model's finer words map onto these four).
_POLARITY = {
    "strength": "positive",
    "praise": "positive",
    "concern": "negative",
    "development": "development",
}
# Words that say an entry names a result, not just an effort: such items are shown first as evidence.
_OUTCOME = re.compile(
    r"\b(shipped|launched|released|delivered|merged|cut|reduced|saved|fixed|closed|adopted|agreed|"
    r"approved|signed off|went live|in production|led to|so that|result|\d+\s?%|\d+x)\b",
    re.IGNORECASE,
)


@dataclass
class Scope:
    """Who and when: the subject, the report timezone, the as-of date (min(report date, last sync)) and the last
    sync."""

    person: str
    tz: ZoneInfo
    as_of: date
    synced_at: datetime | None


# What a report may hold of a peer learning group's meetings (PRODUCT.md: nothing said or made in a group leaves
# it, but for the group's own brief and a member's view of their own group commitments). Meetings held are
# counted in every case: that a meeting took place is no one's words.
GROUP_NOTHING = "nothing"
GROUP_OWN_COMMITMENTS = "own_commitments"
GROUP_ALL = "all"


class Selection:
    """A person's slice of the domain (their pairs' lunches, entries about them, their goals and promises).

    `group` says what it holds of peer learning groups' boards: nothing (the default), the person's own
    commitments made there, or all (the group's brief).
    """

    def __init__(
        self, domain: Domain, scope: Scope, judged: Judgement | None = None, *, group: str = GROUP_NOTHING
    ) -> None:
        self.domain = domain
        self.scope = scope
        self.person = scope.person
        self.tz = scope.tz
        self.judged = judged or Judgement(domain, scope.tz, scope.as_of)
        self.as_of = self.judged.as_of
        groups = self.judged.group_boards()
        words_of = (
            (lambda board_id: True) if group == GROUP_ALL else (lambda board_id: board_id not in groups)
        )
        commitments_of = (lambda board_id: True) if group != GROUP_NOTHING else words_of
        self.lunches: list[Lunch] = self.judged.lunches_of(scope.person)
        self.lunch_by_id: dict[str, Lunch] = {lu.id: lu for lu in domain.lunches}
        self.feedback: list[FeedbackEntry] = sorted(
            (f for f in domain.feedback if f.about == scope.person and words_of(f.board_id)),
            key=lambda f: (f.date, f.id),
        )
        self.goals: list[Goal] = sorted(
            (g for g in domain.goals if scope.person in g.owners and words_of(g.board_id)),
            key=lambda g: (g.created, g.id),
        )
        self.commitments: list[Commitment] = sorted(
            (c for c in domain.commitments if c.person == scope.person and commitments_of(c.board_id)),
            key=lambda c: (c.made, c.id),
        )
        self.replies: dict[str, Reply] = {r.entry_id: r for r in domain.replies}  # the latest reply per entry
        self.group = group
        # What a `#tag` may name (removed as markup wherever text is shown): each competency's key and name.
        self._tag_names = [*domain.competencies, *(c.name for c in domain.competencies.values())]

    def name(self, key: str | None) -> str:
        """Display name of a person key."""
        if key is None:
            return ""
        p = self.domain.people.get(key)
        return p.name if p else key

    def board(self, board_id: str) -> str:
        """Display name of a board."""
        return self.domain.boards.get(board_id, board_id)

    def competency_name(self, key: str | None) -> str | None:
        """Display name of a competency key."""
        if key is None:
            return None
        comp = self.domain.competencies.get(key)
        return comp.name if comp else key

    def first_date(self) -> date | None:
        """The earliest date of anything about the person."""
        dates = [lu.date for lu in self.lunches] + [f.date for f in self.feedback]
        dates += [g.created for g in self.goals] + [c.made for c in self.commitments]
        return min(dates) if dates else None

    def pair_ids(self) -> list[str]:
        """The boards (pairs or groups) whose lunches are about the person, by first lunch."""
        return list(dict.fromkeys(lu.board_id for lu in self.lunches))

    def pair_people(self, board_id: str) -> list[str]:
        """Everyone the pair's lunches are about, or who attended them, the person first."""
        keys: list[str] = list(self.domain.board_subjects.get(board_id, []))
        for lu in self.domain.lunches:
            if lu.board_id == board_id:
                keys += lu.about + lu.participants
        keys = list(dict.fromkeys(keys))
        return [self.person] + [k for k in keys if k != self.person]

    # ---------------------------------------------------------------- views

    def evidence(self, f: FeedbackEntry) -> Evidence:
        """An entry as evidence: author only when known, else the meeting it was recorded at."""
        lunch = self.lunch_by_id.get(f.lunch_id) if f.lunch_id else None
        voice = self.judged.voice(f)
        return Evidence(
            id=f.id,
            kind=f.kind,
            polarity=_POLARITY.get(f.polarity, "neutral"),
            date=f.date,
            text=self.shown_text(f.text, f.board_id),
            said_by=self.name(f.said_by) if f.said_by else None,
            said_by_source=f.said_by_source,
            voice="unknown" if voice == "conversation" else voice,
            about=self.name(f.about),
            meeting_date=lunch.date if lunch else None,
            meeting_with=[self.name(p) for p in self._lunch_people(lunch) if p != f.about] if lunch else [],
            board=self.board(f.board_id),
            pair=f.board_id,
            url=f.card_url or (lunch.url if lunch else None),
            competency=self.competency_name(f.competency),
            competency_key=f.competency,
            outcome=bool(_OUTCOME.search(f.text)),
            reply=self.reply(f.id),
            meeting_kind=self.judged.meeting_kind(lunch.board_id) if lunch else None,
        )

    def reply(self, entry_id: str) -> ReplyView | None:
        """The subject's reply to an entry, dated on or before the report's as-of date."""
        r = self.replies.get(entry_id)
        if r is None or r.date > self.as_of:
            return None
        return ReplyView(text=r.text, date=r.date, by=self.name(r.by))

    def shown_text(self, text: str, board_id: str) -> str:
        """An entry's text as a reader sees it: without the markup meant for trellosync (competency tags, the
        board's shareable marker); polarity prefixes are already gone at derivation."""
        practices = self.domain.practices
        marker = practices.markers.get(board_id) if practices is not None else None
        return without_marker(without_tags(text, self._tag_names), marker)

    def _lunch_people(self, lunch: Lunch) -> list[str]:
        return list(dict.fromkeys(lunch.participants + lunch.about))

    def goal_evidence(self, g: Goal) -> Evidence:
        """An achieved goal as evidence (the person's own goal: their outcome, not a peer's words)."""
        judged = self.judged.goal(g)
        comp = judged.competencies[0] if judged.competencies else None
        return Evidence(
            id=g.id,
            kind="goal",
            polarity="positive",
            date=judged.achieved_on or g.created,
            text=self.shown_text(g.title, g.board_id),
            said_by=None,
            said_by_source="unknown",
            voice="self",
            about=self.name(self.person),
            meeting_date=None,
            meeting_with=[],
            board=self.board(g.board_id),
            pair=g.board_id,
            url=g.url,
            competency=self.competency_name(comp),
            competency_key=comp,
            outcome=True,
        )

    def goal_status(self, g: Goal, on: date | None = None) -> str | None:
        """The goal's status as of `on` (default: the report's as-of date), as the judgement has it."""
        return self.judged.goal_status(g, on)

    def goal_view(self, g: Goal) -> GoalView:
        """A goal as of the report's as-of date."""
        judged = self.judged.goal(g)
        status = judged.status or "open"
        krs = [
            KeyResultView(
                name=k.name,
                done=done,
                completed_on=local_date(k.completed_at, self.tz) if done else None,
                due_on=local_date(k.due, self.tz),
            )
            for k, done in zip(g.key_results, judged.key_results_done, strict=True)
        ]
        return GoalView(
            id=g.id,
            title=self.shown_text(g.title, g.board_id),
            description=g.description,
            status=status,
            created=g.created,
            due=g.due,
            achieved_on=judged.achieved_on,
            dropped_on=judged.dropped_on,
            slip=judged.slip,
            slip_days=judged.slip_days,
            key_results=krs,
            kr_done=judged.kr_done,
            kr_total=len(g.key_results),
            competencies=[self.competency_name(k) or k for k in judged.competencies],
            url=g.url,
            board=self.board(g.board_id),
            anchor=f"goal-{slug(g.id)}",
        )

    def commitment_status(self, c: Commitment, on: date | None = None) -> str:
        """The commitment's status as of `on` (default: the report's as-of date), as the judgement has it."""
        return self.judged.commitment_status(c, on)

    def commitment_view(self, c: Commitment) -> CommitmentView:
        """A commitment with its status as of the report's as-of date."""
        judged = self.judged.commitment(c)
        return CommitmentView(
            id=c.id,
            text=c.text,
            person=self.name(c.person),
            made=c.made,
            deadline=c.deadline,
            completed_on=judged.completed_on,
            status=judged.status,
            days_overdue=judged.days_overdue,
            url=c.url,
            board=self.board(c.board_id),
            pair=c.board_id,
            judged_against=judged.judged_against,
            renews=judged.renews,
            renewed_by=judged.renewed_by,
        )
