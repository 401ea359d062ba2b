"""Pure functions: which feedback kind a title names, and the entries of a card description in sections."""

from __future__ import annotations

import re
from typing import Protocol

_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(.+?)\s*#*\s*$")
_LABEL_LINE = re.compile(r"^\s*\**([A-Za-z][A-Za-z \-]{1,40}?)\**\s*:\s*\**\s*(.*)$")


class PeopleLookup(Protocol):
    """What the section parser needs to know about a board's people."""

    def prefix(self, text: str) -> tuple[str | None, str]: ...

    def in_title(self, title: str) -> str | None: ...


def _kind_of(name: str, names: dict[str, list[str]]) -> tuple[str | None, str]:
    """Which feedback kind a checklist or section title names, and the rest of the title."""
    low = name.strip().lower()
    best: tuple[str | None, str, int] = (None, "", 0)
    for kind, options in names.items():
        for opt in options:
            o = opt.strip().lower()
            if low == o or (low.startswith(o) and not low[len(o)].isalnum()):
                if len(o) > best[2]:
                    best = (kind, name.strip()[len(o):], len(o))
    return best[0], best[1]


def description_sections(desc: str, kinds: dict[str, list[str]], people: PeopleLookup) -> list[tuple[str, str | None, str]]:
    """Entries of a card description organised as '## Best moment' or 'Best moment:' sections."""
    out: list[tuple[str, str | None, str]] = []
    current: tuple[str, str | None] | None = None
    para: list[str] = []

    def flush() -> None:
        if current and para:
            text = " ".join(s.strip() for s in para).strip()
            if text:
                out.append((current[0], current[1], text))
        para.clear()

    for raw in desc.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        heading = _HEADING.match(line)
        title, inline = (heading[1], "") if heading else (None, "")
        if not heading and (lm := _LABEL_LINE.match(line)):
            kind, _ = _kind_of(lm[1], kinds)
            if kind:
                title, inline = lm[1], lm[2]
        if title is not None:
            kind, rest = _kind_of(title.strip("*_ "), kinds)
            flush()
            current = (kind, people.in_title(rest) if rest.strip() else None) if kind else None
            if current and inline.strip():
                para.append(inline)
                flush()
            continue
        if not line.strip():
            flush()
            continue
        if _BULLET.match(line):
            flush()
            para.append(_BULLET.sub("", line, count=1))
            continue
        if people.prefix(line)[0] is not None:
            flush()  # Trello shows each line on its own: "@jess …" / "Will: …" lines are separate entries
        para.append(line)
    flush()
    return out
