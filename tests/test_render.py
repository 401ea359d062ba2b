"""Safe Markdown, the Jinja environment, the URL fetcher and the charts, without laying out PDFs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jinja2
import pytest
from report_fixtures import example_domain

from trellosync.report.assets import packaged_templates_dir
from trellosync.report.charts import render_chart
from trellosync.report.documents import ReportOptions, render_report
from trellosync.report.markdown import markdown_inline, markdown_to_html
from trellosync.report.render import RefusedURLError, SafeURLFetcher, make_environment, render_html
from trellosync.report.views import Chart


@pytest.mark.parametrize(
    "text",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/passwd">',
        "<style>body{background:url(http://169.254.169.254/)}</style>",
        "<script>alert(1)</script>",
        '<iframe src="http://169.254.169.254/latest/meta-data/"></iframe>',
        "![x](http://169.254.169.254/latest/meta-data/)",
    ],
)
def test_markdown_never_emits_raw_html(text: str) -> None:
    html = str(markdown_to_html(text))
    for tag in ("<img", "<link", "<style", "<script", "<iframe", "<object", "<embed", "<svg"):
        assert tag not in html.lower()


def test_markdown_links_only_http_https_mailto_and_never_attachment() -> None:
    html = str(
        markdown_to_html(
            "[a](javascript:alert(1)) [b](https://example.org) [c](mailto:x@example.org) [d](file:///etc/passwd)"
        )
    )
    assert 'href="javascript' not in html and 'href="file' not in html  # left as literal text
    assert 'href="https://example.org"' in html and 'href="mailto:x@example.org"' in html
    assert "attachment" not in html and 'rel="noopener noreferrer nofollow"' in html


def test_markdown_keeps_emphasis_and_demotes_headings() -> None:
    assert str(markdown_inline("**bold** and *it*")) == "<strong>bold</strong> and <em>it</em>"
    html = str(markdown_to_html("# Title\n\ntext"))
    assert "<h1>" not in html and "<h4>Title</h4>" in html


def test_environment_autoescapes_and_rejects_undefined() -> None:
    env = make_environment(None)
    assert env.from_string("{{ x }}").render(x="<b>{{ 7*7 }}</b>") == "&lt;b&gt;{{ 7*7 }}&lt;/b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


@pytest.mark.slow  # renders two reports as HTML with subset fonts
def test_user_templates_override_packaged_ones(tmp_path: Path) -> None:
    (tmp_path / "brief.html").write_text("CUSTOM BRIEF for {{ ctx.cover.person }}", encoding="utf-8")
    out = render_report(
        "brief",
        "ada",
        example_domain(4),
        options=ReportOptions(report_date=date(2026, 6, 30), templates_dir=tmp_path),
        fmt="html",
        out=tmp_path / "b.html",
    )
    assert out.read_text(encoding="utf-8") == "CUSTOM BRIEF for Ada Lovelace"
    # Templates not overridden still come from the package.
    goals = render_report(
        "goals",
        "ada",
        example_domain(4),
        options=ReportOptions(report_date=date(2026, 6, 30), templates_dir=tmp_path),
        fmt="html",
        out=tmp_path / "g.html",
    )
    assert "Goal-achievement report" in goals.read_text(encoding="utf-8")
    assert (packaged_templates_dir() / "base.html").is_file()
    assert render_html("macros.html", {}, tmp_path) == ""


@pytest.mark.slow  # renders HTML with subset fonts (test_cli_output's HTML test stays in the inner loop)
def test_html_output_is_a_complete_page(tmp_path: Path) -> None:
    out = render_report(
        "goals",
        "ada",
        example_domain(6),
        options=ReportOptions(report_date=date(2026, 6, 30)),
        fmt="html",
        out=tmp_path / "g.html",
    )
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "<svg" in html and "Ada Lovelace" in html and "<script" not in html


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.org/font.ttf",
        "data:text/css,body{}",
        "ftp://example.org/x",
        "file://evil.example/share/x.css",
    ],
)
def test_fetcher_refuses_everything_outside_the_templates_folder(url: str) -> None:
    fetcher = SafeURLFetcher()
    with pytest.raises(RefusedURLError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_path_traversal_and_serves_fonts() -> None:
    fetcher = SafeURLFetcher()
    base = fetcher.root.as_uri()
    with pytest.raises(RefusedURLError):
        fetcher.fetch(base + "/fonts/../../../../../../etc/passwd")
    with pytest.raises(RefusedURLError):
        fetcher.fetch(base + "/fonts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd")
    response = fetcher.fetch(base + "/fonts/DejaVuSans.ttf")
    assert response.read(4) == b"\x00\x01\x00\x00"
    response.close()


def test_chart_svg_has_no_script_declaration_or_remote_reference() -> None:
    svg = str(
        render_chart(
            Chart(
                "cadence",
                "Lunches per month",
                ["Jan 2026", "Feb 2026"],
                [("Lunches held", [2.0, 1.0]), ("Target", [2.2, 2.2])],
            )
        )
    )
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert "<script" not in svg and "http://" not in svg.replace("http://www.w3.org/", "")
    assert "Lunches per month" in svg
    line = str(render_chart(Chart("goal_progress", "Goal progress", ["Jan 2026"], [("Goals set", [1.0])])))
    assert "<path" in line or "<polyline" in line or "<circle" in line


def test_fetcher_serves_user_assets_first_then_packaged_ones(tmp_path: Path) -> None:
    (tmp_path / "report.css").write_text("body { color: #123456 }")
    fetcher = SafeURLFetcher(overrides=tmp_path)
    assert fetcher.resolve((tmp_path / "report.css").as_uri()) == (tmp_path / "report.css").resolve()
    font = next((packaged_templates_dir() / "fonts").glob("*.ttf"))
    # a relative URL resolved against the user's folder falls back to the packaged file
    assert fetcher.resolve((tmp_path / "fonts" / font.name).as_uri()) == font.resolve()
    with pytest.raises(RefusedURLError):
        fetcher.resolve("file:///etc/passwd")
    with pytest.raises(RefusedURLError):
        fetcher.resolve((tmp_path / ".." / "elsewhere.css").as_uri())


LONG_ENTRY = ("The handover went well because " * 40).strip() + " TAIL"


def test_an_excerpt_note_is_a_template_sentence(tmp_path: Path) -> None:
    """The code cuts a long entry and gives the note its data; excerpt_note.html words it (an override rewords it)."""
    assert "excerpt" not in str(markdown_to_html(LONG_ENTRY)) + str(
        markdown_inline(LONG_ENTRY)
    )  # no words in Python
    env = make_environment(None, False)
    html = env.from_string("{{ t|md(u) }}").render(t=LONG_ENTRY, u="https://trello.com/c/AbCd1234")
    assert "TAIL" not in html
    assert (
        f'<p class="excerpt-note">(excerpt of a {len(LONG_ENTRY):,}-character entry: the full text is on '
        '<a href="https://trello.com/c/AbCd1234">the Trello card</a>)</p>'
    ) in html
    unsafe = env.from_string("{{ t|md(u) }}").render(t=LONG_ENTRY, u="javascript:alert(1)")
    assert "javascript" not in unsafe and "on the Trello card)" in unsafe
    (tmp_path / "excerpt_note.html").write_text(
        '<p class="excerpt-note">Auszug: {{ full_length }} Zeichen</p>', encoding="utf-8"
    )
    own = make_environment(tmp_path, False).from_string("{{ t|md }}").render(t=LONG_ENTRY)
    assert f"Auszug: {len(LONG_ENTRY)} Zeichen" in own and "excerpt of" not in own


def test_an_inline_excerpt_keeps_its_html_whole() -> None:
    """In a sentence or table cell the excerpt stays unwrapped and its note is a span, not a second paragraph."""
    env = make_environment(None, False)
    html = env.from_string("<td>{{ t|md_inline }}</td>").render(t=LONG_ENTRY)
    assert html.startswith("<td>The handover") and html.count("<p") == html.count("</p>") == 0
    assert html.endswith(
        ' <span class="excerpt-note">(excerpt of a '
        f"{len(LONG_ENTRY):,}-character entry: the full text is on the Trello card)</span></td>"
    )


@pytest.mark.slow
def test_a_long_entry_reads_as_an_excerpt_with_a_link_to_its_card(tmp_path: Path) -> None:
    import pypdf

    domain = example_domain(4)
    entry = next(f for f in domain.feedback if f.about == "ada" and f.kind == "best")
    entry.text = LONG_ENTRY
    out = render_report(
        "goals", "ada", domain, options=ReportOptions(report_date=date(2026, 6, 30)), out=tmp_path / "g.pdf"
    )
    reader = pypdf.PdfReader(out)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "TAIL" not in text
    assert f"(excerpt of a {len(LONG_ENTRY):,}-character entry: the full text is on the Trello card)" in text
    html = render_report(
        "goals",
        "ada",
        domain,
        options=ReportOptions(report_date=date(2026, 6, 30)),
        fmt="html",
        out=tmp_path / "g.html",
    ).read_text(encoding="utf-8")
    assert entry.card_url and f'the full text is on <a href="{entry.card_url}">the Trello card</a>)' in html
