"""A career ladder (target level and criteria) and how an entry is matched to a criterion."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trellosync.report.text import slug


@dataclass
class Criterion:
    """One criterion of a career ladder: evidence matches by competency key/name or keyword."""

    key: str
    name: str
    description: str = ""
    competencies: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)


@dataclass
class Ladder:
    """A career ladder: the target level and its criteria."""

    name: str
    level: str
    criteria: list[Criterion]


def _criterion(i: int, item: Any) -> Criterion:
    if not isinstance(item, dict) or not item.get("name"):
        raise ValueError(f"criteria[{i}] must be a mapping with at least a 'name'")
    comps = item.get("competencies") or []
    kws = item.get("keywords") or []
    if not isinstance(comps, list) or not isinstance(kws, list):
        raise ValueError(f"criteria[{i}]: 'competencies' and 'keywords' must be lists")
    return Criterion(
        key=str(item.get("key") or slug(str(item["name"]))),
        name=str(item["name"]),
        description=str(item.get("description") or ""),
        competencies=[str(c) for c in comps],
        keywords=[str(k) for k in kws],
    )


def ladder_from_dict(data: Any) -> Ladder:
    """Parse a ladder's YAML mapping (see templates/ladder.example.yaml); raises ValueError when malformed."""
    if not isinstance(data, dict):
        raise ValueError("a ladder file must hold a mapping with 'name', 'level' and 'criteria'")
    raw = data.get("criteria")
    if not isinstance(raw, list) or not raw:
        raise ValueError("'criteria' must be a non-empty list")
    criteria = [_criterion(i, item) for i, item in enumerate(raw)]
    return Ladder(name=str(data.get("name") or "Career ladder"), level=str(data.get("level") or ""), criteria=criteria)


@dataclass
class CriterionMatcher:
    """Which competency keys and which keywords make an entry evidence for one criterion."""

    criterion: Criterion
    keys: set[str]
    pattern: re.Pattern[str] | None

    def matches(self, competency_key: str | None, text: str) -> bool:
        """True when the entry's own competency or its text supports this criterion."""
        if competency_key is not None and competency_key.lower() in self.keys:
            return True
        return self.pattern is not None and self.pattern.search(text) is not None


def criterion_matcher(crit: Criterion, competency_names: dict[str, str]) -> CriterionMatcher:
    """The matcher of a criterion; `competency_names` maps competency keys to display names."""
    wanted = {c.lower() for c in crit.competencies}
    keys = {k.lower() for k, name in competency_names.items() if k.lower() in wanted or name.lower() in wanted}
    keys |= wanted  # labels nobody mapped still match by key
    pattern = None
    if crit.keywords:
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in crit.keywords) + r")", re.IGNORECASE)
    return CriterionMatcher(crit, keys, pattern)
