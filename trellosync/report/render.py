"""Turning contexts into HTML and PDF: the Jinja environment, WeasyPrint with a locked-down fetcher.

Card text is untrusted. It goes through `report.markdown` (Markdown with raw HTML disabled, then nh3
sanitization), and only then into a template (autoescaped everywhere else). WeasyPrint may fetch nothing but
files inside the packaged templates folder (fonts, CSS): every other URL raises.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gc
import io
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from trellosync.domain.meetings import MEETING_WORDS
from trellosync.errors import ConfigError, TrellosyncError
from trellosync.files import atomic_write, cache_dir
from trellosync.report.assets import packaged_templates_dir
from trellosync.report.markdown import (
    MAX_QUOTE_CHARS,
    ExcerptNote,
    first_sentence,
    markdown_inline,
    markdown_to_html,
    safe_link,
    safe_url,
    spell_out_missing_glyphs,
)
from trellosync.report.pdf_variants import (
    ARCHIVAL,
    DEFAULT_PDF_VARIANT,
    NONE,
    Archive,
    add_xmp,
    attachments,
    keep_own_links,
    margins_as_artifacts,
    print_links_and_scope_headers,
    weasyprint_options,
)
from trellosync.report.text import format_date


def _fmt_date(value: date | datetime | None) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _finalize_for_pdf(value: Any) -> Any:
    if isinstance(value, Markup):
        return Markup(spell_out_missing_glyphs(str(value)))
    if isinstance(value, str):
        return spell_out_missing_glyphs(value)
    return value


def _excerpt_note(env: jinja2.Environment, url: str | None) -> ExcerptNote:
    """The note under an excerpted card entry, in the words of the excerpt_note.html template."""

    def note(full_length: int, inline: bool) -> str:
        return env.get_template("excerpt_note.html").render(
            full_length=full_length, limit=MAX_QUOTE_CHARS, url=safe_url(url), inline=inline
        )

    return note


@jinja2.pass_environment
def _md(env: jinja2.Environment, text: str | None, url: str | None = None) -> Markup:
    """The |md filter: card text as safe HTML; `url` (the card) is where the note sends a reader of an excerpt."""
    return markdown_to_html(text, _excerpt_note(env, url))


@jinja2.pass_environment
def _md_inline(env: jinja2.Environment, text: str | None, url: str | None = None) -> Markup:
    """The |md_inline filter: like |md, without the paragraph around a single paragraph."""
    return markdown_inline(text, _excerpt_note(env, url))


class ConfinedLoader(jinja2.FileSystemLoader):
    """A folder's templates, and only files that really lie inside it: `../x`, `/etc/x` and a symbolic link
    leading out of the folder are not found."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.root = Path(os.path.realpath(folder))

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """The template's source, when its real path is inside the folder."""
        source, filename, uptodate = super().get_source(environment, template)
        if not Path(os.path.realpath(filename)).is_relative_to(self.root):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs (keyed by each template's source checksum); a cache that cannot be
    written is skipped, never an error."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Store a compiled template, or do nothing when the folder cannot be written."""
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


@functools.lru_cache(maxsize=2)
def _bytecode_cache(for_pdf: bool) -> jinja2.BytecodeCache | None:
    # Jinja compiles `finalize` into the template's code but keys its cache by name and source only: the PDF
    # environment (which has one) and the HTML one need folders of their own.
    folder = cache_dir("templates-pdf" if for_pdf else "templates-html")
    return _QuietBytecodeCache(str(folder)) if folder is not None else None


@functools.lru_cache(maxsize=8)
def make_environment(templates_dir: Path | None = None, for_pdf: bool = False) -> jinja2.Environment:
    """Jinja environment: user's templates first, then the packaged ones; autoescape on, undefined is an error.

    For PDFs every printed value has characters the embedded fonts lack spelled out by name.
    """
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        loaders.append(ConfinedLoader(templates_dir))
    loaders.append(ConfinedLoader(packaged_templates_dir()))
    # Sandboxed: an override folder is code someone else may have written; it reads the context, nothing more.
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize_for_pdf if for_pdf else None,
        bytecode_cache=_bytecode_cache(for_pdf),  # compiling the templates is a fifth of a brief's time
    )
    env.filters["md"] = _md
    env.filters["md_inline"] = _md_inline
    env.filters["d"] = _fmt_date
    env.filters["pct"] = _percent
    env.filters["num"] = _number
    env.filters["safe_url"] = safe_url
    env.filters["sentence"] = first_sentence
    env.globals["MEETING_WORDS"] = (
        MEETING_WORDS  # the glossary's words, from the domain (macros.meeting_word)
    )
    return env


def render_html(
    template: str, context: dict[str, Any], templates_dir: Path | None = None, *, for_pdf: bool = False
) -> str:
    """Render a report template to an HTML string."""
    try:
        return make_environment(templates_dir, for_pdf).get_template(template).render(**context)
    except jinja2.TemplateError as exc:
        if templates_dir is None:
            raise  # our own templates failing is a bug: the crash log gets it
        line = getattr(exc, "lineno", None)
        where = f"{getattr(exc, 'name', None) or template}" + (f", line {line}" if line else "")
        reason = (
            "not found inside the folder"
            if isinstance(exc, jinja2.TemplateNotFound)
            else f"{type(exc).__name__}: {exc.message or ''}"[:300]
        )
        raise ConfigError(f"reports.templates ({templates_dir}): {where}: {reason}") from None


PDF_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"  # Debian and Ubuntu names


def _import_weasyprint() -> Any:
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    # WeasyPrint loads Pango, HarfBuzz and fontconfig by trying up to six names each (weasyprint/text/ffi.py
    # `_dlopen`); for every name that does not load, cffi asks ctypes.util.find_library (cffi/api.py
    # `_load_backend_lib`), which on Linux runs ldconfig, then gcc, then ld: 22 lookups, about 0.4 s of a
    # brief. One read of ldconfig's cache answers them; if the libraries then do not load (installed where
    # only gcc or ld would find them), the import is tried again with the slow search.
    import ctypes.util

    slow = ctypes.util.find_library
    ctypes.util.find_library = _ldconfig_cache_finder(slow)  # type: ignore[assignment]
    try:
        import weasyprint
    except OSError:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = slow
        import weasyprint
    finally:
        ctypes.util.find_library = slow
    return weasyprint


def _ldconfig_cache_finder(slow: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """find_library answered from one `ldconfig -p` (the sonames it lists), else by `slow`."""
    if not sys.platform.startswith("linux") or os.environ.get("LD_LIBRARY_PATH"):
        return slow
    try:
        listing = subprocess.run(
            ["/sbin/ldconfig", "-p"],
            capture_output=True,
            env={"LC_ALL": "C", "LANG": "C"},
            timeout=10,
            check=False,
        ).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return slow
    sonames = {line.split()[0] for line in listing.splitlines()[1:] if line.startswith("\t")}
    if not sonames:
        return slow

    def find(name: str) -> str | None:
        found = sorted(s for s in sonames if s.startswith(f"lib{name}.so"))
        return found[0] if found else None

    return find


def load_weasyprint() -> Any:
    """The weasyprint module; a missing Pango (WeasyPrint loads it when imported) is one clear error."""
    try:
        return _import_weasyprint()
    except OSError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TrellosyncError(
            f"PDF output needs the Pango library, which WeasyPrint could not load ({detail}); "
            f"on Debian or Ubuntu: sudo apt-get install {PDF_PACKAGES} "
            "(or write HTML: --format html)"
        ) from None


def pdf_library_notes() -> list[str]:
    """What is missing but not fatal for PDF output (HarfBuzz subset: fonts are subset more slowly)."""
    ffi = load_weasyprint().text.ffi
    if getattr(ffi, "harfbuzz_subset", True) is None:
        return [
            "libharfbuzz-subset0 is not installed: WeasyPrint subsets fonts with fontTools instead, which is "
            "slower; on Debian or Ubuntu: sudo apt-get install libharfbuzz-subset0"
        ]
    return []


_laid_out_text = False  # see has_laid_out_text


def has_laid_out_text() -> bool:
    """Whether this process has laid out text with WeasyPrint (so Pango has started its font threads)."""
    return _laid_out_text


@functools.lru_cache(maxsize=1)
def shared_font_config() -> Any:
    """One WeasyPrint FontConfiguration per process, shared by every PDF it writes.

    WeasyPrint advises reusing it across documents: it loads each @font-face font once (keyed by the rule, so a
    user's template folder with other fonts gets its own entry) instead of once per document.
    """
    return load_weasyprint().text.fonts.FontConfiguration()


_MIME = {
    ".css": "text/css",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


class RefusedURLError(ValueError):
    """WeasyPrint asked for a URL outside the packaged templates folder."""


class SafeURLFetcher:
    """A WeasyPrint URL fetcher that serves files inside one folder and refuses everything else.

    `calls` records every URL WeasyPrint asked for (tests check nothing outside was requested).
    """

    def __init__(self, root: Path | None = None, overrides: Path | None = None) -> None:
        self.packaged = (root or packaged_templates_dir()).resolve()
        # With a user's template folder, relative URLs resolve there first, then fall back to the package.
        self.root = overrides.resolve() if overrides else self.packaged
        self.calls: list[str] = []
        self.refused: list[str] = []
        self._fail_on_errors = False  # read by weasyprint.urls.fetch

    def resolve(self, url: str) -> Path:
        """The file a URL points at, if it is inside the root folder; raises RefusedURLError otherwise."""
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURLError(f"refused to fetch {url!r}: only the report's own assets may be loaded")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        for root in (self.root, self.packaged):
            if path.is_relative_to(root):
                rel = path.relative_to(root)
                for base in (self.root, self.packaged):
                    if (base / rel).is_file():
                        return base / rel
        raise RefusedURLError(f"refused to fetch {url!r}: outside the report templates folder")

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """Serve a file from the templates folder (the WeasyPrint ≥ 68 fetcher interface)."""
        weasyprint = load_weasyprint()

        self.calls.append(url)
        try:
            path = self.resolve(url)
        except RefusedURLError:
            self.refused.append(url)
            raise
        return weasyprint.urls.URLFetcherResponse(
            path.as_uri(),
            path.read_bytes(),
            {"Content-Type": _MIME.get(path.suffix.lower(), "application/octet-stream")},
        )

    __call__ = fetch


# In HTML output, asset URLs start with this marker and are then replaced by data: URIs, so the file looks the
# same opened from disk, served or mailed.
ASSET_MARKER = "trellosync-asset:"
_ASSET_URL = re.compile(re.escape(ASSET_MARKER) + r"([A-Za-z0-9_./-]+)")


def self_contained_html(html: str, fetcher: SafeURLFetcher) -> str:
    """Inline every packaged asset the HTML refers to as a data: URI; fonts subset to the document's text."""
    text = set(html)

    def inline(m: re.Match[str]) -> str:
        path = fetcher.resolve((fetcher.root / m[1]).as_uri())
        data = path.read_bytes()
        if path.suffix.lower() in (".ttf", ".otf"):
            data = _subset_font(data, text)
        mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

    return _ASSET_URL.sub(inline, html)


def _subset_font(data: bytes, chars: set[str]) -> bytes:
    """The font reduced to the glyphs of `chars` (and ASCII), so an inlined font costs kilobytes, not 700 KB."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data))
    options = subset.Options(layout_features=["*"], notdef_outline=True)
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: fontTools would warn that it cannot subset them
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(c) for c in chars} | set(range(0x20, 0x7F)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@dataclass
class PdfMetadata:
    """What goes into the PDF's information dictionary (WeasyPrint reads it from the HTML head too)."""

    title: str
    author: str
    subject: str
    keywords: list[str]
    created: datetime
    lang: str = "en"


def write_pdf(
    html: str,
    out: Path,
    metadata: PdfMetadata | None = None,
    fetcher: SafeURLFetcher | None = None,
    on_document: Callable[[Any], None] | None = None,
    *,
    variant: str = DEFAULT_PDF_VARIANT,
    archive: Archive | None = None,
    identifier: uuid.UUID | None = None,
) -> Path:
    """Lay out `html` with WeasyPrint and write the PDF: only packaged assets, no forms, no attachments but the
    archive's (report.pdf_variants: tagged PDF/UA-1, archival PDF/A-3u, or untagged)."""
    options = weasyprint_options(variant)  # raises on an unknown variant before any layout
    with _no_cycle_collection():
        return _write_pdf(html, out, metadata, fetcher, on_document, options, variant, archive, identifier)


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: a layout makes millions of small objects that all live until the PDF
    is written, and the collector walking them again and again took a sixth of a report's time. Collection
    resumes once the PDF is written."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_pdf(
    html: str,
    out: Path,
    metadata: PdfMetadata | None,
    fetcher: SafeURLFetcher | None,
    on_document: Callable[[Any], None] | None,
    options: dict[str, Any],
    variant: str,
    archive: Archive | None,
    identifier: uuid.UUID | None,
) -> Path:
    weasyprint = load_weasyprint()
    fetcher = fetcher or SafeURLFetcher()
    base_url = fetcher.root.as_uri() + "/"
    global _laid_out_text
    _laid_out_text = True
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        attachments=[], pdf_forms=False, font_config=shared_font_config()
    )
    # WeasyPrint turns <link rel=attachment> in the head and <a rel=attachment> into embedded files;
    # sanitized card text cannot produce them, and we drop them here as a second line of defence.
    document.metadata.attachments = []
    for page in document.pages:
        # A relative href resolves against the file:// base URL: keep only web and mail links (issue 10).
        page.links[:] = [
            link
            for link in page.links
            if link[0] == "internal" or (link[0] == "external" and safe_link(link[1]) is not None)
        ]
    if metadata is not None:
        document.metadata.title = metadata.title
        document.metadata.authors = [metadata.author]
        document.metadata.description = metadata.subject
        document.metadata.keywords = list(metadata.keywords)
        document.metadata.created = metadata.created.isoformat(timespec="seconds")
        document.metadata.modified = metadata.created.isoformat(timespec="seconds")
        document.metadata.lang = metadata.lang
        document.metadata.generator = "trellosync"
    if on_document is not None:
        on_document(document)
    files = attachments(weasyprint, archive) if archive is not None and variant == ARCHIVAL else []
    finisher = None
    if variant != NONE:
        keep_own_links(document.pages)
        add_xmp(document.metadata, identifier, ua_claim=variant == ARCHIVAL)
        finisher = _artifacts_finisher
    if identifier is not None:
        options["pdf_identifier"] = identifier.hex.encode("ascii")
    return atomic_write(
        out, lambda f: document.write_pdf(f, finisher=finisher, attachments=files, pdf_forms=False, **options)
    )


def _artifacts_finisher(_document: Any, pdf: Any) -> None:
    margins_as_artifacts(pdf)
    print_links_and_scope_headers(pdf)
    if (
        "AF" in pdf.catalog
    ):  # WeasyPrint 70 lists each associated file twice (from the name tree and the filespecs)
        pdf.catalog["AF"][:] = list(dict.fromkeys(pdf.catalog["AF"]))
