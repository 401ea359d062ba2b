"""What a report keeps between runs (compiled templates, the fonts' character maps), and re-running into a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from clihelp import run_cli
from conftest import copy_sqlite


def _fresh_caches(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    from trellosync.report import markdown, render

    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    render._bytecode_cache.cache_clear()
    render.make_environment.cache_clear()
    markdown._packaged_codepoints.cache_clear()


def test_compiled_templates_are_kept_per_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trellosync.report import render

    _fresh_caches(monkeypatch, tmp_path / "cache")
    html = render.render_html(
        "excerpt_note.html", {"full_length": 900, "limit": 400, "url": None, "inline": True}
    )
    pdf = render.render_html(
        "excerpt_note.html", {"full_length": 900, "limit": 400, "url": None, "inline": True}, for_pdf=True
    )
    assert html == pdf
    folders = sorted(p.name for p in (tmp_path / "cache" / "trellosync").iterdir())
    assert {"templates-html", "templates-pdf"} <= set(folders)
    for name in ("templates-html", "templates-pdf"):
        folder = tmp_path / "cache" / "trellosync" / name
        assert folder.stat().st_mode & 0o777 == 0o700 and len(list(folder.iterdir())) == 1
    # A second process (a fresh environment) renders from the cache, the PDF one with its finalize.
    render.make_environment.cache_clear()
    again = render.render_html(
        "excerpt_note.html", {"full_length": 900, "limit": 400, "url": None, "inline": True}, for_pdf=True
    )
    assert again == pdf


def test_an_unwritable_cache_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trellosync.report import markdown, render

    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    _fresh_caches(monkeypatch, blocked)
    out = render.render_html(
        "excerpt_note.html", {"full_length": 900, "limit": 400, "url": None, "inline": True}
    )
    assert "900" in out.replace(",", "")
    assert 0x263A in markdown._packaged_codepoints()  # ☺ in DejaVu: read from the fonts themselves


def test_fonts_character_map_is_cached_and_read_again_when_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trellosync.report import markdown

    _fresh_caches(monkeypatch, tmp_path)
    first = markdown._packaged_codepoints()
    (cached,) = (tmp_path / "trellosync" / "fonts").iterdir()
    assert cached.stat().st_mode & 0o777 == 0o600
    markdown._packaged_codepoints.cache_clear()
    assert markdown._packaged_codepoints() == first  # from the file
    cached.write_text("[[65, 65]]")  # a cache that lies is believed: it is keyed by the fonts' stamps...
    markdown._packaged_codepoints.cache_clear()
    assert markdown._packaged_codepoints() == frozenset({65})
    cached.write_text("not json")  # ...and a broken one is read past
    markdown._packaged_codepoints.cache_clear()
    assert markdown._packaged_codepoints() == first


@pytest.mark.slow  # renders a dossier twice
def test_a_tagged_dossier_is_replaced_by_the_next_run(
    example_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The dossier's document information sits in an object stream far from both ends of the file."""
    db = copy_sqlite(example_database, tmp_path / "x.db")
    out = tmp_path / "d.pdf"
    for _ in range(2):
        code, _, err = run_cli(capsys, "report", "dossier", "will", "--database", str(db), "-o", str(out))
        assert code == 0, err


def test_a_cache_folder_others_may_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiled templates are code: a shared, group- or world-writable cache folder is never read."""
    from trellosync.files import cache_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = cache_dir("templates-pdf")
    assert folder is not None
    folder.chmod(0o777)
    assert cache_dir("templates-pdf") is None
    folder.chmod(0o700)
    (tmp_path / "trellosync").chmod(0o757)
    assert cache_dir("templates-pdf") is None
    (tmp_path / "trellosync").chmod(0o700)
    assert cache_dir("templates-pdf") == folder
