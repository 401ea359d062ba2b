"""Card text in any script reaches the PDF as real glyphs: CJK, Korean, Hebrew and Arabic (right to left), emoji.

The fonts come from the system through fontconfig (Debian: fonts-noto-cjk, fonts-noto-core,
fonts-noto-color-emoji; `scripts/install-system-packages.sh` installs them). WeasyPrint logs a warning for every .notdef glyph it draws.
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path

import pypdf
import pytest
from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.report.documents import ReportOptions, render_report
from trellosync.report.markdown import spell_out_missing_glyphs
from trellosync.report.render import SafeURLFetcher
from trellosync.sync.pipeline import ingest_board

SCRIPTS = {
    "Japanese": "日本語のフィードバック：説明がとても分かりやすかった",
    "Chinese": "中文反馈：会议准备得很充分",
    "Korean": "한국어 피드백: 발표가 명확했습니다",
    "Hebrew": "משוב בעברית: ההסבר היה ברור",
    "Arabic": "ملاحظات بالعربية: كان الشرح واضحا",
}
EMOJI = "Great demo 🎉 and a smile 🙂"


def _letters(text: str) -> str:
    """The letters of a text (no spaces or punctuation, compatibility forms folded)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalpha())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[logging.LogRecord]]:
    from trellosync.store.db import Store

    tmp = tmp_path_factory.mktemp("scripts")
    config = parse_config("""
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
""")
    b = Board()
    lunch = b.card("Lunches", "2026-03-03 lunch")
    b.checklist(
        lunch,
        "Best moment",
        [{"name": f"{text}", "member": "willsmith"} for text in SCRIPTS.values()]
        + [{"name": EMOJI, "member": "willsmith"}],
    )
    store = Store(f"sqlite:///{tmp / 'scripts.db'}")
    ingest_board(store, b.data, config)
    domain = store.load_domain()
    store.close()
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler, wp = Keep(level=logging.WARNING), logging.getLogger("weasyprint")
    old_level = wp.level
    wp.addHandler(handler)
    wp.setLevel(logging.WARNING)  # a CLI test earlier in the run may have quietened it
    try:
        out = render_report(
            "dossier",
            "will",
            domain,
            options=ReportOptions(report_date=domain.lunches[-1].date),
            out=tmp / "dossier.pdf",
            fetcher=SafeURLFetcher(),
        )
    finally:
        wp.removeHandler(handler)
        wp.setLevel(old_level)
    return out, records


@pytest.mark.slow
@pytest.mark.parametrize("script", list(SCRIPTS))
def test_every_script_is_in_the_pdf_text(rendered: tuple[Path, list[logging.LogRecord]], script: str) -> None:
    pdf, _ = rendered
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    # Right-to-left lines come out with their phrases in visual order: compare words, not the whole line.
    words = {_letters(w) for w in text.split()}
    wanted = {_letters(w) for w in SCRIPTS[script].split()} - {""}
    assert wanted <= words or _letters(SCRIPTS[script]) in _letters(text), (script, wanted - words)


@pytest.mark.slow
def test_no_notdef_glyph_was_drawn(rendered: tuple[Path, list[logging.LogRecord]]) -> None:
    _, records = rendered
    notdef = [r.getMessage() for r in records if ".notdef" in r.getMessage()]
    assert notdef == []


@pytest.mark.slow
def test_emoji_are_drawn_as_glyphs_not_names(rendered: tuple[Path, list[logging.LogRecord]]) -> None:
    pdf, _ = rendered
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "[party popper]" not in text and "[slightly smiling face]" not in text
    fonts = {
        str(f["/BaseFont"])
        for page in pypdf.PdfReader(pdf).pages
        for f in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("Emoji" in f for f in fonts), fonts


def test_symbols_no_installed_font_has_are_spelled_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from trellosync.report import markdown as render

    monkeypatch.setattr(render, "has_glyph", lambda ch: ch != "\u23b8")  # pretend only U+23B8 has no font
    assert spell_out_missing_glyphs("a \u23b8 b 🎉 日本") == "a [left vertical box line] b 🎉 日本"


def test_glyph_coverage_comes_from_the_installed_fonts() -> None:
    from trellosync.report.markdown import has_glyph

    assert has_glyph("A") and has_glyph("日") and has_glyph("ש") and has_glyph("ع") and has_glyph("🎉")
    assert not has_glyph("\U0010fffd")  # a private-use code point no font maps
