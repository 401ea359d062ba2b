"""A career ladder (target level and criteria): reading its file, its keywords for the domain, criterion matching."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trellosync.config.yaml_file import read_yaml
from trellosync.errors import ConfigError, DataError
from trellosync.mirror.ids import slug
from trellosync.mirror.validate import read_limited

MAX_LADDER_BYTES = 1_000_000


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


@dataclass(frozen=True)
class ConfiguredLadder:
    """The config's ladder file as read: the ladder and a digest of the file's bytes (what the domain depends on)."""

    path: Path
    digest: str
    ladder: Ladder

    @property
    def keywords(self) -> dict[str, list[str]]:
        """Competency key -> words, for build_domain (see ladder_keywords)."""
        return ladder_keywords(self.ladder)


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
    return Ladder(
        name=str(data.get("name") or "Career ladder"), level=str(data.get("level") or ""), criteria=criteria
    )


_PARSED: dict[str, Ladder] = {}  # file digest -> ladder: a sync reads the file per board but parses it once


def read_ladder(path: Path) -> ConfiguredLadder:
    """Read, hash and parse a career-ladder YAML file; problems raise ConfigError naming the file."""
    try:
        raw = read_limited(path, MAX_LADDER_BYTES)  # a regular file under the cap, never a FIFO or /dev/zero
    except DataError:
        reason = "no such file" if not Path(path).exists() else "not a regular file, unreadable or too large"
        raise ConfigError(f"cannot read ladder file {path} (reports.dossier.ladder): {reason}") from None
    digest = hashlib.sha256(raw).hexdigest()[:16]
    if digest not in _PARSED:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(f"ladder file {path} is not UTF-8 text") from None
        data, _lines = read_yaml(text, f"ladder file {path}", [])  # the config's YAML limits (alias bombs)
        if len(_PARSED) >= 8:  # a long-lived process whose ladder keeps changing keeps only the latest few
            _PARSED.clear()
        try:
            _PARSED[digest] = ladder_from_dict(data)
        except ValueError as exc:
            raise ConfigError(f"ladder file {path}: {exc}") from None
    return ConfiguredLadder(Path(path), digest, _PARSED[digest])


def load_ladder(path: Path) -> Ladder:
    """Read and parse a career-ladder YAML file; problems raise ConfigError naming the file."""
    return read_ladder(path).ladder


def configured_ladder(config: Any) -> ConfiguredLadder | None:
    """The ladder the config names (reports.dossier.ladder), read; None without a config or a ladder."""
    path = config.reports.dossier.ladder if config is not None else None
    return read_ladder(path) if path is not None else None


def criterion_competency(crit: Criterion) -> str:
    """The competency a criterion's keywords file an entry under: its first competency, else the criterion's key."""
    return crit.competencies[0] if crit.competencies else crit.key


def ladder_keywords(ladder: Ladder) -> dict[str, list[str]]:
    """Competency key -> the words that make an entry's text evidence for it, from every criterion's keywords."""
    out: dict[str, list[str]] = {}
    for crit in ladder.criteria:
        if crit.keywords:
            out.setdefault(criterion_competency(crit), []).extend(crit.keywords)
    return out


@dataclass
class CriterionMatcher:
    """Which competency keys make an entry evidence for one criterion."""

    criterion: Criterion
    keys: set[str]

    def matches(self, competency_key: str | None) -> bool:
        """True when the entry's one competency (as the domain classified it) supports this criterion."""
        return competency_key is not None and competency_key.lower() in self.keys


def criterion_matcher(crit: Criterion, competency_names: dict[str, str]) -> CriterionMatcher:
    """The matcher of a criterion; `competency_names` maps competency keys to display names."""
    wanted = {c.lower() for c in crit.competencies} | {criterion_competency(crit).lower()}
    keys = {
        k.lower() for k, name in competency_names.items() if k.lower() in wanted or name.lower() in wanted
    }
    keys |= wanted  # labels nobody mapped still match by key
    return CriterionMatcher(crit, keys)
