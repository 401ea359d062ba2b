"""Pure functions: which feedback kind a title names, and the entries of a card description in sections.

The parser fails closed. People write a heading in many ways (`## Worst moment`, `**Worst moment**`,
`Worst moment (Will):`, `Worst moment – Will:`, a setext heading, `- Worst moment:`, `😬 Worst moment:`,
`> Worst moment:`, `1. Worst moment:`, with non-breaking spaces); all are recognised. A line that looks like
a heading the mapping does not name ends the current section instead of extending it, so a private kind
written in an unusual way is dropped rather than quoted as praise.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(?:\[[ xX]\]\s*)?")
_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_BREAK = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_LEAD = re.compile(r"^(?:\s*(?:>|[-+•·]\s|\*\s|\d{1,3}[.)]\s))+")  # quotes, bullets and numbers before a title
_LABEL = re.compile(r"^([*_]*)([^\W\d_][^:]{0,60}?)[*_\s]*:(?:[*_]*)(?:\s+(.*))?$")
_BOLD_LINE = re.compile(r"^(\*\*|__)(.+?)\1\s*:?\s*$")
_NAME_SUFFIX = re.compile(r"^\s*(?:[-–—:/,]\s*)?\(?\s*@?[\w.' -]{1,40}\)?\s*:?\s*$")
_BARE_SUFFIX = re.compile(r"^\s*(?:[-–—/,]\s*\(?|\()\s*@?[\w.' -]{1,40}\)?\s*$")  # "Best moment – Will"
_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t]")
_MULTI_SPACE = re.compile(r" +")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\ufe0e\ufe0f]")
MAX_LABEL_WORDS = 4


class PeopleLookup(Protocol):
    """What the section parser needs to know about a board's people."""

    def prefix(self, text: str) -> tuple[str | None, str]: ...

    def in_title(self, title: str) -> str | None: ...


def _plain(text: str) -> str:
    """Non-breaking and other Unicode spaces as plain spaces, zero-width characters removed."""
    return _INVISIBLE.sub("", _SPACES.sub(" ", text))


@functools.lru_cache(maxsize=4096)
def _title_form(text: str) -> str:
    """A title with Unicode spaces made plain and runs of spaces collapsed (titles repeat: cached)."""
    return _MULTI_SPACE.sub(" ", _plain(text)).strip()


def _kind_of(name: str, names: dict[str, list[str]]) -> tuple[str | None, str]:
    """Which feedback kind a checklist or section title names, and the rest of the title."""
    name = _title_form(name)
    low = name.lower()
    best: tuple[str | None, str, int] = (None, "", 0)
    for kind, options in names.items():
        for opt in options:
            o = _title_form(opt).lower()
            if low == o or (low.startswith(o) and not low[len(o)].isalnum()):
                if len(o) > best[2]:
                    best = (kind, name[len(o):], len(o))
    return best[0], best[1]


@dataclass(frozen=True)
class HeadingLike:
    """A line read as a possible heading: its title, text after the colon, and how sure the form is."""

    title: str
    inline: str
    strong: bool  # written as a heading (#, setext, bold line, "Title:"), not merely starting with a title
    bulleted: bool


def _strip_symbols(text: str) -> str:
    """Leading emoji and other symbols (😬, ★, ➤) removed."""
    i = 0
    while i < len(text) and (unicodedata.category(text[i]).startswith("S") or text[i] == " "):
        i += 1
    return text[i:]


def read_heading(line: str, *, setext: bool = False) -> HeadingLike | None:
    """How a line could be a heading, or None when it cannot be one."""
    text = _plain(line).rstrip()
    if not text.strip():
        return None
    if m := _ATX.match(text):
        return HeadingLike(_strip_symbols((m[1] or "").strip("*_ :")), "", True, False)
    lead = _LEAD.match(text)
    body = _strip_symbols(text[lead.end():] if lead else text.lstrip())
    bulleted = bool(lead and re.search(r"[-+•·*]|\d", lead.group()))
    if setext:
        return HeadingLike(body.strip("*_ :"), "", True, False)
    if m := _BOLD_LINE.match(body):
        return HeadingLike(m[2].strip("*_ :"), "", True, bulleted)
    if (m := _LABEL.match(body)) and not m[2].strip().startswith(("http", "www")):
        return HeadingLike(m[2].strip("*_ "), (m[3] or "").strip("*_ ").strip(), True, bulleted)
    return HeadingLike(body.strip("*_ "), "", False, bulleted)


def _unknown_heading(h: HeadingLike, line: str, people: PeopleLookup) -> bool:
    """True when a line the mapping does not name still looks like a heading (so it ends a section)."""
    if not h.strong:
        return False
    if h.title == "" or len(h.title.split()) > MAX_LABEL_WORDS:
        return h.title == "" and not h.inline  # a lone "#" or "**" is a heading; a long label is a sentence
    if people.prefix(_plain(line).strip().lstrip(">-*+•· ").strip())[0] is not None:
        return False  # "Will: demoed search" is an entry about Will
    return not (h.bulleted and h.inline)  # "- Context: the demo" is an entry; "Notes:" and "## Notes" are not


def _known_heading(h: HeadingLike, kinds: dict[str, list[str]], people: PeopleLookup) \
        -> tuple[str, str | None] | None:
    kind, rest = _kind_of(h.title, kinds)
    if kind is None:
        return None
    if rest.strip() and not (_NAME_SUFFIX if h.strong else _BARE_SUFFIX).match(rest):
        return None  # "Best moments were rare" is a sentence, not a heading
    return kind, (people.in_title(rest) if rest.strip() else None)


def _lines(desc: str) -> list[tuple[str, bool]]:
    """The description's lines, each with whether a setext underline follows it (the underline dropped)."""
    raw = desc.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(raw):
        line = raw[i].rstrip()
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if line.strip() and not _BULLET.match(line) and _SETEXT.match(_plain(nxt)) and not _BREAK.match(line):
            out.append((line, True))
            i += 2
            continue
        out.append((line, False))
        i += 1
    return out


def description_sections(desc: str, kinds: dict[str, list[str]], people: PeopleLookup) -> list[tuple[str, str | None, str]]:
    """Entries of a card description organised in sections ('## Best moment', 'Worst moment (Will):', ...)."""
    out: list[tuple[str, str | None, str]] = []
    current: tuple[str, str | None] | None = None
    para: list[str] = []

    def flush() -> None:
        if current and para:
            text = " ".join(s.strip() for s in para).strip()
            if text:
                out.append((current[0], current[1], text))
        para.clear()

    for line, setext in _lines(desc):
        if not line.strip():
            flush()
            continue
        if _BREAK.match(_plain(line)):
            flush()
            current = None  # a thematic break ends the section
            continue
        h = read_heading(line, setext=setext)
        assert h is not None
        known = _known_heading(h, kinds, people)
        if known is not None or _unknown_heading(h, line, people):
            flush()
            current = known
            if current and h.inline:
                para.append(h.inline)
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
