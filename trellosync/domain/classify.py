"""Polarity and competency of one feedback entry, from its kind, its own text and its card's labels."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from trellosync.config.settings import PolarityMapping

KIND_POLARITY = {"best": "strength", "worst": "concern", "focus": "development"}
_TAG = re.compile(r"(?<![\w&])#([A-Za-z][\w-]*)")


def polarity_of(
    kind: str, text: str, card_label_names: Iterable[str], marking: PolarityMapping
) -> tuple[str, str]:
    """(polarity, text without its marker): best/worst/focus by kind, observations by marker or card label.

    An observation marked both ways (or on a card labelled both ways) is neutral: praise and criticism
    are never mixed.
    """
    if kind in KIND_POLARITY:
        return KIND_POLARITY[kind], text
    found: set[str] = set()
    for polarity in ("praise", "concern"):
        for marker in getattr(marking, polarity):
            hit, text = _strip_marker(text, marker)
            if hit:
                found.add(polarity)
    if not found:
        by_label = {k.strip().lower(): v for k, v in marking.labels.items()}
        found = {by_label[n.strip().lower()] for n in card_label_names if n.strip().lower() in by_label}
    return (found.pop() if len(found) == 1 else "neutral"), text


def _strip_marker(text: str, marker: str) -> tuple[bool, str]:
    """A `prefix:` marker only at the start; any other marker (an emoji) anywhere. Returns (found, text)."""
    m = marker.strip()
    if m.endswith(":"):
        if text.lstrip().lower().startswith(m.lower()):
            return True, text.lstrip()[len(m) :].strip()
        return False, text
    if m in text:
        return True, " ".join(text.replace(m, " ").split())
    return False, text


@dataclass
class CompetencyIndex:
    """What makes an entry's own text evidence for a competency: tags, aliases (YAML), ladder keywords.

    An alias matches a whole word; a ladder keyword matches at a word start ("mentor" in "mentoring"), as the
    ladder file documents (templates/ladder.example.yaml).
    """

    tags: dict[str, str] = field(default_factory=dict)  # normalised tag -> competency key
    aliases: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)  # key -> word patterns
    keywords: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        competencies: dict[str, str],
        aliases: dict[str, list[str]],
        keywords: dict[str, list[str]] | None,
    ) -> CompetencyIndex:
        """From competency key -> name, the board's aliases and an optional ladder keyword map."""
        tags: dict[str, str] = {}
        for key, name in competencies.items():
            tags.setdefault(_tag_norm(key), key)
            tags.setdefault(_tag_norm(name), key)
        for key, words in aliases.items():
            tags.setdefault(_tag_norm(key), key)
            for w in words:
                tags.setdefault(_tag_norm(w), key)
        return cls(tags, _patterns(aliases), _patterns(keywords or {}, word_start=True))


def _tag_norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _patterns(words: dict[str, list[str]], *, word_start: bool = False) -> dict[str, list[re.Pattern[str]]]:
    end = "" if word_start else r"(?!\w)"
    return {
        key: [re.compile(rf"(?<!\w){re.escape(w.strip())}{end}", re.IGNORECASE) for w in ws if w.strip()]
        for key, ws in words.items()
    }


def competency_of(
    text: str, card_competencies: list[str], index: CompetencyIndex
) -> tuple[str | None, str | None]:
    """(competency key, how found): explicit #tag, else best alias/keyword match, else the card's single label.

    Ties between text matches go to a competency among the card's labels, then to the first key in
    alphabetical order. No match and not exactly one card label: (None, None), unclassified.
    """
    for tag in _TAG.findall(text):
        if key := index.tags.get(_tag_norm(tag)):
            return key, "tag"
    scores: dict[str, tuple[int, str]] = {}
    for source, table in (("alias", index.aliases), ("keyword", index.keywords)):
        for key, patterns in table.items():
            n = sum(1 for p in patterns if p.search(text))
            if n and n > scores.get(key, (0, ""))[0]:
                scores[key] = (n, source)
    if scores:
        best = max(scores.values())[0]
        tied = sorted(k for k, (n, _) in scores.items() if n == best)
        key = next((k for k in tied if k in card_competencies), tied[0])
        return key, scores[key][1]
    if len(card_competencies) == 1:
        return card_competencies[0], "label"
    return None, None


def without_tags(text: str, competencies: Iterable[str]) -> str:
    """The text without the `#tags` that name a competency (markup meant for trellosync, not for the reader);
    any other `#word` (a channel, an issue number) stays."""
    known = {_tag_norm(c) for c in competencies}
    out = _TAG.sub(lambda m: "" if _tag_norm(m.group(1)) in known else m.group(0), text)
    if out == text:
        return text
    return "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in out.split("\n")).strip()
