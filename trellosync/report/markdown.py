"""Untrusted card text made safe to print: Markdown without raw HTML, an nh3 allow-list, safe links, excerpts of
very long entries, and characters no installed font can draw written out by name.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import json
import subprocess
import unicodedata
from collections.abc import Callable
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from trellosync.files import atomic_write, cache_dir
from trellosync.report.assets import packaged_templates_dir

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
    "s",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def safe_link(url: str | None) -> str | None:
    """The URL if it is absolute http(s) or mailto with a host or address; relative, protocol-relative and
    file: URLs give None (in a PDF they would resolve against the install folder as file:// actions)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    if parts.scheme.lower() == "mailto" and parts.path:
        return url
    return None


# A link markdown-it refuses is printed as the text the card holds: "[notes](/etc/passwd)".
# markdown-it-py's way to set the link policy is to replace this method (its docs do so).
_md.validateLink = lambda url: safe_link(url) is not None  # type: ignore[method-assign]


_IGNORABLE = {0x200D, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400)}  # ZWJ, variation selectors, skin tones


@functools.lru_cache(maxsize=1)
def _packaged_codepoints() -> frozenset[int]:
    fonts = sorted((packaged_templates_dir() / "fonts").glob("*.ttf"))
    # Reading the fonts' character maps takes a tenth of a second, a brief's longest single step: the set is
    # kept in the user's cache under the fonts' names, sizes and times, so a changed font is read again.
    stamp = json.dumps([[f.name, f.stat().st_size, f.stat().st_mtime_ns] for f in fonts])
    folder = cache_dir("fonts")
    cached = folder / f"codepoints-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}.json" if folder else None
    with contextlib.suppress(OSError, ValueError, TypeError):
        if cached is not None:
            return frozenset(cp for lo, hi in json.loads(cached.read_text()) for cp in range(lo, hi + 1))
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for path in fonts:
        font = TTFont(path, lazy=True)
        covered.update(font.getBestCmap() or {})
        font.close()
    if cached is not None:
        with contextlib.suppress(OSError):
            atomic_write(cached, lambda f: f.write(json.dumps(_as_ranges(covered)).encode()))
    return frozenset(covered)


def _as_ranges(codepoints: set[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for cp in sorted(codepoints):
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return ranges


@functools.lru_cache(maxsize=1)
def _system_ranges() -> tuple[tuple[int, int], ...]:
    """Code point ranges the fonts fontconfig knows cover (Pango falls back to them); () without fc-list."""
    try:
        listing = subprocess.run(
            ["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    ranges: list[tuple[int, int]] = []
    for token in listing.split():
        first, _, last = token.partition("-")
        try:
            ranges.append((int(first, 16), int(last or first, 16)))
        except ValueError:
            continue
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def has_glyph(ch: str) -> bool:
    """True when the shipped fonts or an installed font (through fontconfig) can draw the character."""
    cp = ord(ch)
    if cp in _packaged_codepoints():
        return True
    ranges = _system_ranges()
    i = bisect.bisect_right(ranges, (cp, 0x10FFFF)) - 1
    return i >= 0 and ranges[i][0] <= cp <= ranges[i][1]


def spell_out_missing_glyphs(text: str) -> str:
    """Replace symbols no installed font can draw by their name (a box says nothing): U+1FBC5 -> [stick figure].

    Emoji and every script are drawn with real glyphs when a font has them (e.g. Debian's fonts-noto-color-emoji
    and fonts-noto-cjk); letters are always left to the fallback fonts.
    """
    if text.isascii():
        return text
    symbols = {ch for ch in set(text) if unicodedata.category(ch).startswith("S")}
    missing = {ch for ch in symbols if not has_glyph(ch)}
    if not missing:
        return text
    out: list[str] = []
    for ch in text:
        if ch not in missing:
            out.append(ch)
        elif ord(ch) in _IGNORABLE:
            continue
        else:
            name = unicodedata.name(ch, "").lower()
            out.append(f"[{name}]" if name else "\N{REPLACEMENT CHARACTER}")
    return "".join(out)


MAX_QUOTE_CHARS = 500  # longer entries are quoted as an excerpt; the quote's attribution links the card


def excerpt(text: str, limit: int = MAX_QUOTE_CHARS) -> tuple[str, bool]:
    """The text cut at a word boundary near `limit` characters, and whether it was cut.

    Laying out a 16 KB entry (Trello's own limit) took WeasyPrint seconds; a report quotes, it does not copy.
    """
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > limit // 2 else cut).rstrip() + " …", True


def first_sentence(text: str, limit: int = 200) -> str:
    """The entry's first sentence (whole, up to about `limit` characters), for a reference to a quote printed
    elsewhere: enough to recognise it, never a few clipped words."""
    flat = " ".join(text.split())
    for mark in (". ", "! ", "? ", "; "):
        end = flat.find(mark)
        if 0 < end < limit:
            flat = flat[: end + 1]
    cut, was_cut = excerpt(flat, limit)
    return cut if was_cut else flat


ExcerptNote = Callable[[int, bool], str]
"""(full length, inline) -> the HTML of the note under an excerpt; the templates word it (excerpt_note.html)."""


def _sanitized(text: str) -> tuple[str, int | None]:
    """The entry as sanitized HTML (excerpted when long), and its full length when it was cut."""
    short, cut = excerpt(text)
    html = _md.render(short)
    # Headings inside a card would break the document outline; demote them below the report's h2.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h4>").replace(f"</h{level}>", "</h4>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",  # also replaces any rel=attachment
        strip_comments=True,
    )
    return clean, len(text) if cut else None


def markdown_to_html(text: str | None, excerpt_note: ExcerptNote | None = None) -> Markup:
    """Untrusted card text → sanitized HTML (Markdown without raw HTML, then an nh3 allow-list); long text
    excerpted, followed by `excerpt_note` (the report's own words, added after sanitizing)."""
    if not text:
        return Markup("")
    clean, full_length = _sanitized(text)
    note = excerpt_note(full_length, False) if full_length and excerpt_note else ""
    return Markup(clean + note)


def markdown_inline(text: str | None, excerpt_note: ExcerptNote | None = None) -> Markup:
    """Like markdown_to_html, without the wrapping paragraph when the text is a single paragraph."""
    if not text:
        return Markup("")
    clean, full_length = _sanitized(text)
    html = clean.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    note = excerpt_note(full_length, True) if full_length and excerpt_note else ""
    return Markup(html + note)


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (card links come from Trello, but still)."""
    if not url:
        return None
    scheme = urlsplit(url).scheme.lower()
    return url if scheme in ("http", "https") else None
