"""Read the PDFs back: text, outline, metadata, table of contents, page numbers, footer, fonts, lang."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pypdf
import pytest
from report_fixtures import example_domain

from trellosync.report.documents import ReportOptions, UnknownPersonError, render_all, render_report

pytestmark = pytest.mark.slow  # every test here renders PDFs

AS_OF = date(2026, 6, 30)
OPTIONS = ReportOptions(
    report_date=AS_OF,
    timezone="Europe/Berlin",
    confidentiality="Confidential test footer: peers only.",
    generated_by="Test Suite",
    generated_at=datetime(2026, 6, 30, 8, 0, tzinfo=timezone.utc),
)
TITLES = {"goals": "Goal-achievement report", "dossier": "Promotion dossier", "brief": "Conversation brief"}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pypdf.PdfReader]:
    out = tmp_path_factory.mktemp("pdf")
    domain = example_domain(14)
    readers = {}
    for kind in TITLES:
        path = render_report(kind, "ada", domain, options=OPTIONS, fmt="pdf", out=out / f"{kind}.pdf")
        readers[kind] = pypdf.PdfReader(path)
    return readers


def _outline(
    reader: pypdf.PdfReader, items: list[Any] | None = None, depth: int = 0
) -> list[tuple[int, str, int]]:
    rows: list[tuple[int, str, int]] = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            rows += _outline(reader, item, depth + 1)
        else:
            rows.append((depth, item.title, reader.get_destination_page_number(item) + 1))
    return rows


@pytest.mark.parametrize("kind", list(TITLES))
def test_text_metadata_and_lang(pdfs: dict[str, pypdf.PdfReader], kind: str) -> None:
    reader = pdfs[kind]
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Ada Lovelace" in text and TITLES[kind] in text
    meta = reader.metadata
    assert meta is not None
    assert meta.title == f"{TITLES[kind]}: Ada Lovelace"
    assert meta.author == "Test Suite"
    assert meta.subject is not None and "Ada Lovelace" in meta.subject and TITLES[kind] in meta.subject
    assert meta.creation_date is not None and meta.creation_date.date() == date(2026, 6, 30)
    assert reader.trailer["/Root"]["/Lang"] == "en"
    first = reader.pages[0].mediabox
    assert (round(float(first.width)), round(float(first.height))) == (595, 842)  # A4 in points


@pytest.mark.parametrize("kind", list(TITLES))
def test_every_page_has_page_number_and_confidentiality_footer(
    pdfs: dict[str, pypdf.PdfReader], kind: str
) -> None:
    reader = pdfs[kind]
    total = len(reader.pages)
    for n, page in enumerate(reader.pages, 1):
        text = page.extract_text()
        assert f"page {n} / {total}" in text
        assert "Confidential test footer: peers only." in text
    if total > 1:
        assert f"{TITLES[kind]} · Ada Lovelace" in reader.pages[1].extract_text()  # running header


@pytest.mark.parametrize("kind", ["goals", "dossier"])  # the one-page brief has no contents
def test_outline_and_table_of_contents_agree(pdfs: dict[str, pypdf.PdfReader], kind: str) -> None:
    reader = pdfs[kind]
    outline = _outline(reader)
    top = {title: page for depth, title, page in outline if depth == 0}
    assert len(top) >= 5
    assert any(depth == 1 for depth, _, _ in outline)
    toc_text = next(p.extract_text() for p in reader.pages if "Contents" in p.extract_text())
    found = 0
    for title, page in top.items():
        m = re.search(re.escape(title) + r"\s+(\d+)\s*$", toc_text, re.MULTILINE)
        assert m, f"{title!r} missing from the table of contents"
        number = int(m.group(1))
        assert number > 0
        assert number == page, f"TOC says {title!r} is on page {number}, the outline says {page}"
        assert title in reader.pages[number - 1].extract_text()
        found += 1
    assert found == len(top)
    contents = toc_text[toc_text.index("Contents") :].split("Confidential test footer")[0]
    entries = [
        line for line in contents.splitlines()[1:] if re.search(r"\s\d+$", line)
    ]  # not the running header
    assert [re.sub(r"\s*\d+$", "", e) for e in entries] == list(top)  # each title printed once, in order


@pytest.mark.parametrize("kind", ["goals", "dossier"])
def test_html_contents_carry_the_headings_text(tmp_path: Path, kind: str) -> None:
    """Browsers lack target-text: the HTML's table of contents holds each chapter's title, as its heading does."""
    html = render_report(
        kind, "ada", example_domain(14), options=OPTIONS, fmt="html", out=tmp_path / f"{kind}.html"
    ).read_text(encoding="utf-8")
    nav = re.search(r'<nav class="toc">(.*?)</nav>', html, re.S)
    assert nav is not None
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', nav.group(1))
    assert len(links) >= 5
    for anchor, title in links:
        assert re.search(rf'<h1 id="{re.escape(anchor)}">{re.escape(title)}</h1>', html), (anchor, title)
    css = html[html.index("<style>") : html.index("</style>")]
    assert "target-text" not in css.split("@media print", 1)[0]  # outside print, nothing needs it
    assert not re.search(r"@media screen\s*{\s*\.toc\s*{\s*display:\s*none", css)


def test_an_empty_contents_link_still_takes_its_headings_text_in_the_pdf(tmp_path: Path) -> None:
    """A template override from before the titles were written into the links still gets a readable PDF."""
    from trellosync.report.render import make_environment, write_pdf

    css = make_environment(None, True).get_template("report.css").render(asset_base="")
    html = (
        f"<html><head><style>{css}</style></head><body><nav class='toc'><ol><li><a href='#x'></a></li>"
        "<li><a href='#y'>Second chapter</a></li></ol></nav><h1 id='x' style='break-before: page'>First chapter</h1>"
        "<h1 id='y' style='break-before: page'>Second chapter</h1></body></html>"
    )
    first = pypdf.PdfReader(write_pdf(html, tmp_path / "toc.pdf")).pages[0].extract_text()
    lines = [" ".join(line.split()) for line in first.splitlines() if line.strip()]
    assert lines[:2] == ["First chapter 2", "Second chapter 3"]


@pytest.mark.parametrize("kind", list(TITLES))
def test_fonts_are_embedded_and_text_is_selectable(pdfs: dict[str, pypdf.PdfReader], kind: str) -> None:
    reader = pdfs[kind]
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            names.add(str(font["/BaseFont"]))
            descriptor = (
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                if "/DescendantFonts" in font
                else font["/FontDescriptor"]
            )
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
    assert any("Report-Serif" in n for n in names) and any("Report-Sans" in n for n in names)


def test_no_attachments_in_normal_reports(pdfs: dict[str, pypdf.PdfReader]) -> None:
    for reader in pdfs.values():
        names = reader.trailer["/Root"].get("/Names", {})
        assert "/EmbeddedFiles" not in names


def test_render_all_in_parallel_one_pdf_each(tmp_path: Path) -> None:
    domain = example_domain(6)
    paths = render_all("brief", ["ada", "grace"], domain, out_dir=tmp_path, options=OPTIONS, jobs=2)
    assert [p.name for p in paths] == ["brief-ada-2026-06-30.pdf", "brief-grace-2026-06-30.pdf"]
    assert "Grace Hopper" in pypdf.PdfReader(paths[1]).pages[0].extract_text()
    with pytest.raises(UnknownPersonError, match="known people: ada, grace"):
        render_all("brief", ["ada", "nobody"], domain, out_dir=tmp_path, options=OPTIONS, jobs=2)


def test_workers_are_not_forked_from_a_process_that_laid_out_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from trellosync.report import documents, render

    monkeypatch.setattr(multiprocessing, "get_context", _fork_by_default(multiprocessing.get_context))
    monkeypatch.setattr(render, "_laid_out_text", False)
    assert documents._pool_context(True).get_start_method() == "fork"
    render_report("brief", "ada", domain=example_domain(6), out=tmp_path / "b.pdf", options=OPTIONS)
    assert render.has_laid_out_text()
    assert documents._pool_context(True).get_start_method() == "forkserver"


def _fork_by_default(get_context: Any) -> Any:
    return lambda method=None: get_context(method or "fork")


def test_empty_period_renders_a_report_that_says_so(tmp_path: Path) -> None:
    path = render_report(
        "goals",
        "ada",
        example_domain(4),
        period_from=date(2030, 1, 1),
        period_to=date(2030, 1, 31),
        options=OPTIONS,
        fmt="pdf",
        out=tmp_path / "empty.pdf",
    )
    reader = pypdf.PdfReader(path)
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert (
        "Nothing to report: no lunches, feedback, goal activity or commitments for Ada Lovelace between 1 Jan 2030 – 31 Jan 2030"
        in text
    )
    assert len(reader.pages) == 1  # the cover says so: no empty sections


def test_thousand_lunch_dossier_renders(tmp_path: Path) -> None:
    domain = example_domain(1000, start=date(1990, 1, 1))
    opts = ReportOptions(report_date=date(2030, 1, 1))
    path = render_report("dossier", "ada", domain, options=opts, fmt="pdf", out=tmp_path / "big.pdf")
    reader = pypdf.PdfReader(path)
    assert 5 < len(reader.pages) < 60
