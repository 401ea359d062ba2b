"""Pure functions: which feedback kind a title names, and the entries of a card description in sections.

The parser fails closed: text is an entry only under a heading the mapping names, and of that heading's kind.
Text before the first heading, under a heading the mapping does not name, or after a thematic break is not
evidence; it is counted (`ParsedDescription.left_out`, by heading) so a team can map the headings it uses.

Every way people write a heading is read as one, known or not: `## Title`, a setext heading, `**Title**`,
`Title:` / `Title;` / `Title -` / `Title ->` / `Title =` / `Title...` (a fullwidth colon too), HTML `<h3>`,
a Markdown table row (its first cell), with bullets, quotes, numbers, emoji and odd spaces around. A heading is
known only when its words are exactly a name of the mapping (case, width and punctuation aside), optionally
followed by one person ("Worst moment (Will)"); "Worst moment of the sprint, honestly" is not "Worst moment".
A line that starts with a name of another kind ("Worst moment was the outage" under Best moment) ends the
section too, so a private kind written in an unusual way is dropped rather than quoted as praise.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Protocol

_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+(?:\[[ xX]\]\s*)?")
_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+(.*?))?\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_BREAK = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)")
_LEAD = re.compile(
    r"^(?:\s*(?:>|[-+•·]\s|\*\s|\d{1,3}[.)]\s))+"
)  # quotes, bullets and numbers before a title
_BOLD = re.compile(r"^(\*\*|__|\*|_)(?=\S)(.+?)\1(?!\w)\s*(.*)$")  # **Title** [: text]
_HTML_TAG = re.compile(r"<\s*/?\s*([A-Za-z][A-Za-z0-9]*)\b[^<>]{0,200}>")
_HTML_HEADING = re.compile(r"<\s*(?:h[1-6]|b|strong|th|dt|summary|caption)\b", re.IGNORECASE)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)*\|?\s*$")
# The separators people type after a heading's words: "Title:", "Title;", "Title -", "Title ->", "Title =",
# "Title...". A label starts with a letter.
_SEP = re.compile(
    r"\s*(?::+(?!//|\d)|\?+(?=\s*$)|;|->|=>|→|⇒|⟶|=+|\.{2,}|\s[-–—]+(?=\s|$)|(?<=\S)[-–—]+$)\s*"
)
_LABEL_START = re.compile(r"^[^\W\d_]")
MAX_LABEL_CHARS = 120
MAX_EMOJI_WORDS = 6
_SEP_CHARS = ":;=-–—>→⇒.…?"  # "**Lowlights –** the outage": a bold label ending in a separator is a heading
_SENTENCE = re.compile(r"[.!?]\s")  # a label holding the end of a sentence is no heading


@dataclass(frozen=True)
class _Split:
    label: str
    sep: str
    inline: str


def _split(text: str, names: _Names | None = None, people: PeopleLookup | None = None) -> _Split | None:
    """A label and the text after its separator: at the last separator that leaves a known label, else the first."""
    if not _LABEL_START.match(text):
        return None
    found = [
        _Split(text[: m.start()], m.group().strip(), text[m.end() :])
        for m in _SEP.finditer(text)
        if 0 < m.start() <= MAX_LABEL_CHARS
    ]
    if names is not None and people is not None:
        for sp in reversed(found):
            if names.exact(_strip_markup(sp.label), people):
                return sp
    return found[0] if found else None


_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t]")
_MULTI_SPACE = re.compile(r" +")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\ufe0e\ufe0f\u00ad]")
_WORD_JUNK = re.compile(r"[^\w.'’@]+")
NO_HEADING = ""  # the heading of text before the first heading (or after a thematic break)


class PeopleLookup(Protocol):
    """What the section parser needs to know about a board's people."""

    def prefix(self, text: str) -> tuple[str | None, str]: ...

    def in_title(self, title: str) -> str | None: ...

    def name(self, token: str) -> str | None: ...


def _plain(text: str) -> str:
    """Non-breaking and other Unicode spaces as plain spaces, zero-width characters removed."""
    return _INVISIBLE.sub("", _SPACES.sub(" ", text))


@functools.lru_cache(maxsize=4096)
def _title_form(text: str) -> str:
    """A title with Unicode spaces made plain and runs of spaces collapsed (titles repeat: cached)."""
    return _MULTI_SPACE.sub(" ", _plain(text)).strip()


def _kind_of(name: str, names: dict[str, list[str]]) -> tuple[str | None, str]:
    """Which feedback kind a checklist title names, and the rest of the title ("Best moment - Will")."""
    name = _title_form(name)
    low = name.lower()
    best: tuple[str | None, str, int] = (None, "", 0)
    for kind, options in names.items():
        for opt in options:
            o = _title_form(opt).lower()
            if low == o or (low.startswith(o) and not low[len(o)].isalnum()):
                if len(o) > best[2]:
                    best = (kind, name[len(o) :], len(o))
    return best[0], best[1]


@functools.lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:
    """A title's words for comparing: width, case, punctuation, emoji and markup aside."""
    text = unicodedata.normalize("NFKC", _plain(text)).casefold()
    return tuple(w for w in (w.strip(".'’@_") for w in _WORD_JUNK.sub(" ", text).split()) if w)


def _strip_symbols(text: str) -> str:
    """Leading emoji and other symbols (😬, ★, ➤) removed."""
    i = 0
    while i < len(text) and (unicodedata.category(text[i]).startswith("S") or text[i] == " "):
        i += 1
    return text[i:]


@dataclass(frozen=True)
class _Names:
    """The mapping's names of each kind, as word tuples, longest first."""

    names: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, kinds: dict[str, list[str]]) -> _Names:
        """From kind -> names."""
        pairs = {(kind, _words(n)) for kind, opts in kinds.items() for n in opts if _words(n)}
        return cls(tuple(sorted(pairs, key=lambda p: (-len(p[1]), p))))

    def exact(self, title: str, people: PeopleLookup) -> tuple[str, str | None] | None:
        """(kind, person) when the title is exactly a name, or a name followed by exactly one person."""
        words = _words(title)
        for kind, key in self.names:
            if words == key:
                return kind, None
            if words[: len(key)] == key and (who := people.name(" ".join(words[len(key) :]))):
                return kind, who
        return None

    def starts(self, text: str) -> str | None:
        """The kind whose name the text starts with, word for word ("Worst moment was..." -> worst)."""
        words = _words(text)
        return next((kind for kind, key in self.names if words[: len(key)] == key), None)


@dataclass(frozen=True)
class _Line:
    """How one line reads: a known heading (kind, person), an unknown heading (title), or text."""

    what: str  # known | unknown | text
    kind: str | None = None
    person: str | None = None
    title: str = ""
    inline: str = ""


_TEXT = _Line("text")


def _strip_markup(text: str) -> str:
    return text.strip().strip("*_ ").strip()


def _heading(text: str, names: _Names, people: PeopleLookup) -> _Line:
    """A line written as a heading (#, setext, HTML, table row, bold): known or not, never text."""
    text = _strip_markup(_strip_symbols(text.strip()))
    if bold := _BOLD.match(text):
        text = (bold[2] + " " + bold[3]).strip()
    text = _strip_markup(text)
    if known := names.exact(text, people):
        return _Line("known", *known)
    sp = _split(text, names, people)
    if sp and (known := names.exact(_strip_markup(sp.label), people)):
        return _Line("known", *known, inline=_strip_markup(sp.inline))
    if sp:
        return _Line("unknown", title=_strip_markup(sp.label), inline=_strip_markup(sp.inline))
    return _Line("unknown", title=text)


def _table_row(text: str, names: _Names, people: PeopleLookup) -> _Line:
    """A Markdown table row: its first cell is the heading, the other cells its text."""
    cells = [c.strip() for c in text.strip().strip("|").split("|")]
    title, rest = (cells[0], cells[1:]) if cells else ("", [])
    inline = " ".join(c for c in rest if c)
    if known := names.exact(_strip_markup(title), people):
        return _Line("known", *known, inline=inline)
    return _Line("unknown", title=_strip_markup(title), inline=inline)


def classify_line(
    line: str, names: _Names, people: PeopleLookup, current: str | None, *, setext: bool = False
) -> _Line | None:
    """How a description line reads (None: nothing to read, such as a table's rule line)."""
    text = unicodedata.normalize("NFKC", _plain(line)).rstrip()
    strong = setext
    if "<" in text and _HTML_TAG.search(text):
        strong = strong or bool(_HTML_HEADING.search(text))
        text = html.unescape(_HTML_TAG.sub(" ", text)).rstrip()
    if not text.strip():
        return None
    if m := _ATX.match(text):
        return _heading(m[1] or "", names, people)
    if text.lstrip().startswith("|") or text.count("|") >= 2:
        return None if _TABLE_RULE.match(text) else _table_row(text, names, people)
    lead = _LEAD.match(text)
    after_lead = (text[lead.end() :] if lead else text).strip()
    body = _strip_symbols(after_lead).strip()
    bulleted = bool(lead and re.search(r"[-+•·*]|\d", lead.group()))
    if not body:
        return _Line("unknown", title="")  # a lone bullet or quote mark
    if people.prefix(body)[0] is not None:
        return _TEXT  # "Will: demoed search", "@jess closed 40 tickets": an entry about someone
    bold = _BOLD.match(body)
    if strong or (
        bold and (not bold[3] or bold[3].lstrip()[:1] in _SEP_CHARS or bold[2].rstrip()[-1:] in _SEP_CHARS)
    ):
        if bold and people.name(_strip_markup(bold[2]).rstrip(":")):
            return _TEXT  # "**Will:** demoed search"
        return _heading(body, names, people)
    if known := names.exact(_strip_markup(body), people):
        return _Line("known", *known)
    sp = _split(_strip_markup(body), names, people)
    if sp and not sp.label.lower().startswith(("http", "www")):
        label, inline = _strip_markup(sp.label), _strip_markup(sp.inline)
        if people.name(label):
            return _TEXT  # "Will - demoed search"
        if known := names.exact(label, people):
            return _Line("known", *known, inline=inline)
        starts = names.starts(label)
        if _SENTENCE.search(label) and (starts is None or starts == current):
            pass  # "Experience shares, not advice. Each member: ..." is a sentence, not a heading
        elif not inline or (starts is not None and starts != current) or not bulleted:
            return _Line("unknown", title=label, inline=inline)
    starts = names.starts(body)
    if starts is not None and starts != current:
        return _Line("unknown", title=_strip_markup(body))
    if not bulleted and body != after_lead and len(body.split()) <= MAX_EMOJI_WORDS:
        return _Line("unknown", title=_strip_markup(body))  # "⚠️ Lowlights": a short line after an emoji
    return _TEXT


def _lines(desc: str) -> list[tuple[str, bool]]:
    """The description's lines, each with whether a setext underline follows it (the underline dropped)."""
    raw = desc.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    out: list[tuple[str, bool]] = []
    i = 0
    fenced = False
    while i < len(raw):
        line = raw[i].rstrip()
        if _FENCE.match(line):
            fenced = not fenced
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if (
            not fenced
            and line.strip()
            and not _BULLET.match(line)
            and _SETEXT.match(_plain(nxt))
            and not _BREAK.match(_plain(line))
            and not _FENCE.match(line)
        ):
            out.append((line, True))
            i += 2
            continue
        out.append((line, False))
        i += 1
    return out


@dataclass
class ParsedDescription:
    """A description's entries, and the lines that are no entry, by the heading they were under."""

    entries: list[tuple[str, str | None, str]] = field(
        default_factory=list
    )  # (kind, person in heading, text)
    left_out: dict[str, int] = field(default_factory=dict)  # heading as written ("" = none) -> lines


def read_description(desc: str, kinds: dict[str, list[str]], people: PeopleLookup) -> ParsedDescription:
    """Entries of a card description organised in sections ('## Best moment', 'Worst moment (Will):', ...)."""
    names = _Names.of(kinds)
    out = ParsedDescription()
    current: tuple[str, str | None] | None = None
    region = NO_HEADING
    para: list[str] = []
    fenced = False

    def flush() -> None:
        if current and para:
            text = " ".join(s.strip() for s in para).strip()
            if text:
                out.entries.append((current[0], current[1], text))
        para.clear()

    def leave_out(heading: str, n: int = 1) -> None:
        out.left_out[heading] = out.left_out.get(heading, 0) + n

    for line, setext in _lines(desc):
        if not line.strip():
            flush()
            continue
        if _FENCE.match(line) or fenced:
            fenced = fenced != bool(_FENCE.match(line))
            if current is None:
                leave_out(region, not _FENCE.match(line))
            else:
                para.append(line)
            continue
        if _BREAK.match(_plain(line)):
            flush()
            current, region = None, NO_HEADING  # a thematic break ends the section
            continue
        got = classify_line(line, names, people, current[0] if current else None, setext=setext)
        if got is None:
            continue
        if got.what != "text":
            flush()
            current = (got.kind, got.person) if got.what == "known" and got.kind else None
            region = got.title[:80] if got.what == "unknown" else region
            if got.inline and current:
                para.append(got.inline)
                flush()
            elif got.inline:
                leave_out(region)
            continue
        if current is None:
            leave_out(region)
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


def description_sections(
    desc: str, kinds: dict[str, list[str]], people: PeopleLookup
) -> list[tuple[str, str | None, str]]:
    """Entries of a card description organised in sections ('## Best moment', 'Worst moment (Will):', ...)."""
    return read_description(desc, kinds, people).entries
