"""Card text is untrusted: nothing it contains may fetch, attach, script or template anything."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
from report_fixtures import DomainBuilder, utc

from trellosync.domain.model import Domain
from trellosync.report.documents import ReportOptions, render_report
from trellosync.report.render import SafeURLFetcher

RENDERS = pytest.mark.slow  # renders every report kind as PDF and HTML (the fetcher test below does not)


class _Tags(HTMLParser):
    """Every real element of an HTML page with its attributes (escaped text is not an element)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, dict[str, str | None]]] = []
        self.svg_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svg_depth += 1
        # Inside our own charts pygal sets style attributes; elsewhere nothing may carry inline CSS.
        self.seen.append((tag, {k: v for k, v in attrs if not (self.svg_depth and k == "style")}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self.svg_depth -= 1


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<a rel="attachment" href="file:///etc/passwd">passwd</a>',
    "<style>@import url(http://169.254.169.254/latest/meta-data/x.css); body { display: none }</style>",
    "<script>document.write('pwned')</script>",
    '<iframe src="http://169.254.169.254/latest/meta-data/"></iframe>',
    "[click me](javascript:alert(1))",
    "![metadata](http://169.254.169.254/latest/meta-data/)",
    '<div style="background: url(http://169.254.169.254/latest/meta-data/)">css</div>',
    "</style><style>* { background: url(file:///etc/passwd) }</style>",
    "Jinja {{ 7*7 }} and {% raw %}{{ config }}{% endraw %}",
    "<object data=file:///etc/passwd></object><embed src=file:///etc/passwd>",
    "<svg><image href=file:///etc/passwd /></svg>",
]
LITERALS = ["{{ 7*7 }}", "<script>", "javascript:alert(1)", "file:///etc/passwd"]


def hostile_domain() -> Domain:
    b = DomainBuilder(board_name="Peer lunch <b>{{ 7*7 }}</b>")
    b.person("ada", "Ada <img src=x> {{ 7*7 }}").person("grace", "Grace Hopper")
    b.competency("influence", "Influence <script>")
    lunches = [
        b.lunch(
            date(2026, 3, 2 + 14 * i // 14 * 14 if i else 2),
            ["ada", "grace"],
            title=f"Lunch {i} {HOSTILE[i % len(HOSTILE)]}",
        )
        for i in range(2)
    ]
    for i, text in enumerate(HOSTILE):
        lu = lunches[i % 2]
        for kind in ("best", "worst", "focus", "observation"):
            b.entry(lu, kind, "ada", "grace", text, labels=["influence"])
        b.commitment(lu, "ada", text, date(2026, 3, 30), utc(2026, 3, 20) if i % 2 else None)
    b.goal(
        "ada",
        HOSTILE[0] + " goal {{ 7*7 }}",
        date(2026, 2, 1),
        due=date(2026, 4, 1),
        status="achieved",
        achieved_at=utc(2026, 3, 25),
        key_results=[(t, utc(2026, 3, 1)) for t in HOSTILE[:4]],
        labels=["influence"],
        description="\n\n".join(HOSTILE),
    )
    b.domain.history_gaps.append("<script>gap</script> {{ 7*7 }}")
    for item in b.domain.feedback:
        item.card_url = "javascript:alert(1)" if item.kind == "best" else "file:///etc/passwd"
    return b.domain


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path, SafeURLFetcher]]:
    from trellosync.report.render import shared_font_config

    shared_font_config.cache_clear()  # a fresh font configuration: this module's first PDF loads the fonts
    out = tmp_path_factory.mktemp("safety")
    domain = hostile_domain()
    opts = ReportOptions(report_date=date(2026, 6, 30), include_worst_moments=True)
    result = {}
    for kind in ("goals", "dossier", "brief"):
        fetcher = SafeURLFetcher()
        pdf = render_report(
            kind, "ada", domain, options=opts, fmt="pdf", out=out / f"{kind}.pdf", fetcher=fetcher
        )
        html = render_report(kind, "ada", domain, options=opts, fmt="html", out=out / f"{kind}.html")
        result[kind] = (pdf, html, fetcher)
    return result


@RENDERS
@pytest.mark.parametrize("kind", ["goals", "dossier", "brief"])
def test_pdf_has_no_attachment(rendered: dict[str, tuple[Path, Path, SafeURLFetcher]], kind: str) -> None:
    pdf, _, _ = rendered[kind]
    raw = pdf.read_bytes()
    assert b"/EmbeddedFile" not in raw and b"/FileAttachment" not in raw
    reader = pypdf.PdfReader(pdf)
    assert "/EmbeddedFiles" not in reader.trailer["/Root"].get("/Names", {})
    for page in reader.pages:
        for annot in page.get("/Annots", []) or []:
            a = annot.get_object()
            assert a["/Subtype"] == "/Link"
            uri = a.get("/A", {}).get("/URI", "")
            assert not str(uri).startswith(("javascript:", "file:")), uri


@RENDERS
@pytest.mark.parametrize("kind", ["goals", "dossier", "brief"])
def test_no_fetch_outside_the_package(
    rendered: dict[str, tuple[Path, Path, SafeURLFetcher]], kind: str
) -> None:
    _, _, fetcher = rendered[kind]
    # One process keeps one font configuration for all its PDFs (WeasyPrint's advice): the fonts are fetched,
    # through our fetcher, by the first report it renders only.
    assert any(f.calls for _, _, f in rendered.values()), (
        "the fonts should have been fetched through our fetcher"
    )
    assert fetcher.refused == []
    for url in fetcher.calls:
        assert url.startswith(fetcher.root.as_uri() + "/fonts/"), url


@RENDERS
@pytest.mark.parametrize("kind", ["goals", "dossier", "brief"])
def test_hostile_text_appears_literally(
    rendered: dict[str, tuple[Path, Path, SafeURLFetcher]], kind: str
) -> None:
    pdf, html_path, _ = rendered[kind]
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(pdf).pages).split())
    assert "{{ 7*7 }}" in text
    assert "Ada <img src=x> {{ 7*7 }}" in text
    if kind != "brief":
        for literal in LITERALS:
            assert literal in text, literal
    html = html_path.read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(html)
    names = {t for t, _ in tags.seen}
    assert not names & {"img", "iframe", "object", "embed", "script", "link", "image", "input", "form"}, names
    for tag, attrs in tags.seen:
        assert "src" not in attrs and "style" not in attrs, (tag, attrs)
        assert "attachment" not in (attrs.get("rel") or ""), (tag, attrs)
        # A link may point anywhere on the web (WeasyPrint never fetches links), never at files or scripts.
        assert not (attrs.get("href") or "").lower().startswith(("javascript", "file", "data", "vbscript")), (
            attrs
        )
    assert "svg" in names if kind == "goals" else True
    assert sum(1 for t, _ in tags.seen if t == "style") == 1 + sum(1 for t, _ in tags.seen if t == "svg")
    assert "&lt;script&gt;" in html


def test_fetcher_would_have_refused_the_hostile_urls() -> None:
    fetcher = SafeURLFetcher()
    for url in ("file:///etc/passwd", "http://169.254.169.254/latest/meta-data/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
