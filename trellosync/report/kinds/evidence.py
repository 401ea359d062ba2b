"""The dossier's evidence: positive entries filed once each under their criterion (by competency), strongest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from trellosync.config.ladder import Ladder, criterion_matcher, ladder_keywords
from trellosync.domain.classify import CompetencyIndex, competency_of
from trellosync.mirror.ids import slug
from trellosync.report.citations import Citations
from trellosync.report.selection import Selection
from trellosync.report.text import month_key, spread
from trellosync.report.views import Evidence

MAX_BODY_ITEMS = 3
MAX_APPENDIX_ITEMS = 12  # per criterion, spread over the period
UNCLASSIFIED = "unclassified"


@dataclass
class Bucket:
    """A criterion (or competency) and the evidence filed under it."""

    key: str
    name: str
    description: str
    items: list[Evidence] = field(default_factory=list)


@dataclass
class EvidenceSection:
    """Evidence for one criterion: the strongest few in the body, the rest in the appendix."""

    key: str
    name: str
    description: str
    body: list[Evidence]
    more: list[Evidence]
    total: int
    peers: int
    meetings: int  # distinct meetings (of any kind) its items were recorded at
    months: int
    first: date | None
    last: date | None
    month_marks: list[bool]
    meeting_kind: str | None = None  # the one kind of those meetings (domain/meetings.py), None when mixed
    not_listed: int = 0  # appendix items left out to keep the document bounded
    more_quoted: list[Evidence] = field(
        default_factory=list
    )  # appendix items already quoted above, by reference

    @property
    def anchor(self) -> str:
        """HTML id of the section."""
        return f"crit-{slug(self.key)}"

    @property
    def recurring(self) -> bool:
        """Seen at three or more meetings across at least two months."""
        return self.meetings >= 3 and self.months >= 2


def strength_order(e: Evidence) -> tuple[bool, bool, bool, date]:
    """Peer-observed first, then outcome-bearing, then newest (sort ascending on the negated flags)."""
    return (e.voice != "peer", not e.outcome, e.kind != "goal", date.max - (e.date - date.min))


def buckets_by_ladder(items: list[Evidence], ladder: Ladder, sel: Selection) -> list[Bucket]:
    """Each item under the first criterion its one competency supports, as the domain classified it.

    An entry's competency is the stored one: the pipeline derived it with this ladder's keywords
    (configured_ladder), so the dossier and a SQL query of `feedback.competency` agree. An achieved goal has no
    stored competency beyond its single label, so the same rule (competency_of) reads its title here.
    """
    names = {k: c.name for k, c in sel.domain.competencies.items()}
    matchers = [criterion_matcher(c, names) for c in ladder.criteria]
    buckets = [Bucket(m.criterion.key, m.criterion.name, m.criterion.description) for m in matchers]
    rest = Bucket(UNCLASSIFIED, "", "")
    titles = CompetencyIndex.build({}, {}, ladder_keywords(ladder))
    for e in items:
        key = goal_competency(e, titles) if e.kind == "goal" else e.competency_key
        target = next((i for i, m in enumerate(matchers) if m.matches(key)), None)
        (rest if target is None else buckets[target]).items.append(e)
    return buckets + [rest]


def goal_competency(goal: Evidence, titles: CompetencyIndex) -> str | None:
    """An achieved goal's competency: the ladder keywords its title holds, else its card's single label."""
    return competency_of(goal.text, [goal.competency_key] if goal.competency_key else [], titles)[0]


def buckets_by_competency(items: list[Evidence]) -> list[Bucket]:
    """Each item under its own competency; items with none go to the unclassified bucket."""
    found: dict[str, Bucket] = {}
    rest = Bucket(UNCLASSIFIED, "", "")
    for e in items:
        if e.competency_key is None:
            rest.items.append(e)
            continue
        found.setdefault(
            e.competency_key, Bucket(e.competency_key, e.competency or e.competency_key, "")
        ).items.append(e)
    ordered = sorted(found.values(), key=lambda b: (-len(b.items), b.name))
    return ordered + [rest]


def section(bucket: Bucket, months: list[str], cites: Citations) -> EvidenceSection:
    """The bucket's strongest items quoted in the body, the rest kept for the appendix."""
    ranked = sorted(bucket.items, key=strength_order)
    cut = 0 if bucket.key == UNCLASSIFIED else MAX_BODY_ITEMS  # unclassified items go to the appendix only
    body = [cites.quote(e) for e in ranked[:cut]]
    keys = {month_key(e.date) for e in bucket.items}
    dates = [e.date for e in bucket.items]
    return EvidenceSection(
        key=bucket.key,
        name=bucket.name,
        description=bucket.description,
        body=body,
        more=sorted(ranked[cut:], key=lambda e: (e.date, e.id)),
        total=len(bucket.items),
        peers=len({e.said_by for e in bucket.items if e.voice == "peer"}),
        meetings=len({(e.pair, e.meeting_date) for e in bucket.items if e.meeting_date}),
        months=len(keys),
        first=min(dates) if dates else None,
        last=max(dates) if dates else None,
        month_marks=[m in keys for m in months],
        meeting_kind=_one_kind({e.meeting_kind for e in bucket.items if e.meeting_date}),
    )


def _one_kind(kinds: set[str | None]) -> str | None:
    """The kind shared by every meeting, else None (the templates then say "meetings")."""
    return next(iter(kinds)) if len(kinds) == 1 else None


def quote_appendix(sections: list[EvidenceSection], cites: Citations) -> None:
    """Number and quote the appendix items after the body, so references follow reading order."""
    for s in sections:
        s.more_quoted = sorted((cites.cite(e) for e in s.more if cites.is_quoted(e)), key=lambda e: e.ref)
        fresh = [e for e in s.more if not cites.is_quoted(e)]
        kept = spread(fresh, MAX_APPENDIX_ITEMS)
        s.not_listed = len(fresh) - len(kept)
        s.more = [cites.quote(e) for e in kept]
