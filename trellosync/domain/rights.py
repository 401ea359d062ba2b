"""What the people in the record may ask of a derived domain: retention (nothing older than a day) and erasure
(nothing about a forgotten person; what they said about others stays, under a pseudonym)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from trellosync.domain.model import Domain
from trellosync.domain.practices import Practices

FORMER_COLLEAGUE = "Former colleague"  # the display name every forgotten person's pseudonym carries


@dataclass
class Dropped:
    """How many derived records a rule removed, by kind (for tests and `-v`)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        """Count n records of a kind."""
        if n:
            self.counts[kind] = self.counts.get(kind, 0) + n


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _answerable(domain: Domain, practices: Practices) -> set[str]:
    """Ids of the entries a reply can answer: lunch entries and stakeholder feedback."""
    return {f.id for f in domain.feedback} | {s.id for s in practices.stakeholder_feedback}


def retain_since(domain: Domain, practices: Practices, cutoff: date) -> Dropped:
    """Remove every derived record dated before `cutoff` (the entries' retention period), in place.

    A goal is kept while anything about it (created, achieved, dropped, due) falls on or after the cutoff.
    """
    out = Dropped()

    def keep(items: list[Any], when: Callable[[Any], date | None]) -> list[Any]:
        kept = [x for x in items if (d := when(x)) is None or d >= cutoff]
        out.add(type(items[0]).__name__ if items else "", len(items) - len(kept))
        return kept

    domain.lunches = keep(domain.lunches, lambda x: x.date)
    domain.feedback = keep(domain.feedback, lambda x: x.date)
    domain.commitments = keep(domain.commitments, lambda x: x.made)
    domain.replies = keep(domain.replies, lambda x: x.date)
    domain.goals = keep(
        domain.goals,
        lambda g: max(
            d for d in (g.created, _day(g.achieved_at), _day(g.dropped_at), g.due) if d is not None
        ),
    )
    practices.self_reviews = keep(practices.self_reviews, lambda x: x.date)
    practices.stakeholder_feedback = keep(practices.stakeholder_feedback, lambda x: x.date)
    practices.group_issues = keep(practices.group_issues, lambda x: x.date)
    practices.promises = keep(practices.promises, lambda x: max(d for d in (x.made, x.due) if d is not None))
    live = _answerable(domain, practices)
    domain.replies = [r for r in domain.replies if r.entry_id in live]
    domain.data_from = cutoff
    return out


def without_people(domain: Domain, practices: Practices, keys: Collection[str]) -> Dropped:
    """Remove every derived record about the forgotten `keys`, in place; what they said about others stays.

    Entries about them, their commitments, goals only they own, their self-reviews, promises and group issues,
    stakeholder feedback about them and replies by them go; lunches stay (they are their partners' lunches
    too), naming them only by their pseudonym key.
    """
    out = Dropped()
    gone = set(keys)
    if not gone:
        return out

    def drop(items: list[Any], about: Callable[[Any], bool]) -> list[Any]:
        kept = [x for x in items if not about(x)]
        out.add(type(items[0]).__name__ if items else "", len(items) - len(kept))
        return kept

    domain.feedback = drop(domain.feedback, lambda f: f.about in gone)
    domain.commitments = drop(domain.commitments, lambda c: c.person in gone)
    domain.goals = drop(domain.goals, lambda g: bool(g.owners) and set(g.owners) <= gone)
    for g in domain.goals:
        g.owners = [k for k in g.owners if k not in gone]
    practices.self_reviews = drop(practices.self_reviews, lambda x: x.person in gone)
    practices.stakeholder_feedback = drop(practices.stakeholder_feedback, lambda x: x.about in gone)
    live = _answerable(domain, practices)
    domain.replies = drop(domain.replies, lambda r: r.by in gone or r.entry_id not in live)
    practices.group_issues = drop(practices.group_issues, lambda x: x.person in gone)
    practices.promises = drop(practices.promises, lambda x: x.person in gone)
    practices.advocates = {k: v for k, v in practices.advocates.items() if k not in gone and v not in gone}
    for k in gone:
        if k in domain.people:
            domain.people[k].mapped = False  # a pseudonym is nobody to report on
    return out
