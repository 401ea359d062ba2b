"""The example workspace's reports read back as a reader would: sources, quotes, one-page briefs, full pages."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from trellosync.demo import load_example
from trellosync.reports import build_context, context_as_json, options_from_config, render_report

# A4 in points, and the page box's content area (report.css: margins 24mm top, 22mm bottom).
PAGE_TOP, CONTENT_TOP, CONTENT_BOTTOM = 842.0, 842.0 - 24 * 72 / 25.4, 22 * 72 / 25.4
PEOPLE = ("will", "jessica", "amara", "diego")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("example")
    config, store = load_example(f"sqlite:///{tmp}/demo.db")
    domain = store.load_domain()
    options = options_from_config(config, as_of=domain.synced_at.date())
    yield config, domain, options, tmp
    store.close()


@pytest.fixture(scope="module")
def pdfs(example) -> dict[tuple[str, str], pypdf.PdfReader]:
    _, domain, options, tmp = example
    out = {}
    for kind in ("dossier", "goals", "brief"):
        for person in PEOPLE:
            path = render_report(kind, person, domain, options=options, out=tmp / f"{kind}-{person}.pdf")
            out[(kind, person)] = pypdf.PdfReader(path)
    return out


def _text(reader: pypdf.PdfReader) -> str:
    return "\n".join(p.extract_text() for p in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
@pytest.mark.parametrize("person", PEOPLE)
def test_dossier_summary_cites_only_items_the_appendix_holds(pdfs, person: str) -> None:
    reader = pdfs[("dossier", person)]
    text = "\n".join(p.extract_text() for p in reader.pages[1:])  # after the cover and its contents
    summary = text[text.index("Case summary"): text.index("Evidence by")]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", summary)}
    sources = text[text.rindex("\nSources"):]
    listed = {int(n) for n in re.findall(r"^(\d+) \d{1,2} [A-Z][a-z]{2} \d{4}", sources, re.MULTILINE)}
    assert cited, "the case summary cites no evidence"
    assert cited <= listed, f"summary cites {sorted(cited - listed)} that the sources appendix lacks"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["dossier", "goals", "brief"])
def test_no_quote_appears_twice_in_one_report(pdfs, example, kind: str) -> None:
    _, domain, _, _ = example
    texts = {_flat(f.text) for f in domain.feedback if len(f.text) >= 30}
    for person in PEOPLE:
        flat = _flat(_text(pdfs[(kind, person)]))
        twice = [t for t in texts if flat.count(t) > 1]
        assert not twice, f"{kind} of {person} quotes twice: {twice[:2]}"


@pytest.mark.slow
def test_brief_fits_one_page_for_every_example_pair(pdfs, example, tmp_path: Path) -> None:
    _, domain, options, _ = example
    assert all(len(pdfs[("brief", p)].pages) == 1 for p in PEOPLE)
    from dataclasses import replace

    pairs = {("will", "jessica"), ("will", "amara"), ("amara", "diego"), ("diego", "amara"), ("jessica", "will")}
    for person, peer in sorted(pairs):
        path = render_report("brief", person, domain, options=replace(options, peer=peer),
                             out=tmp_path / f"brief-{person}-{peer}.pdf")
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) == 1, f"brief of {person} with {peer} runs to {len(reader.pages)} pages"
        assert domain.people[peer].name in reader.pages[0].extract_text()


def _lowest_text(page: pypdf.PageObject) -> float:
    ys: list[float] = []

    def visit(text: str, cm, tm, font, size) -> None:  # noqa: ANN001
        y = tm[5] * cm[3] + cm[5] if cm else tm[5]
        if text.strip() and CONTENT_BOTTOM < y < CONTENT_TOP:
            ys.append(y)

    page.extract_text(visitor_text=visit)
    return min(ys) if ys else CONTENT_TOP


@pytest.mark.slow
def test_no_page_is_more_than_70_percent_blank_except_the_last(pdfs) -> None:
    height = CONTENT_TOP - CONTENT_BOTTOM
    for (kind, person), reader in pdfs.items():
        for number, page in enumerate(reader.pages[:-1], 1):
            filled = (CONTENT_TOP - _lowest_text(page)) / height
            assert filled >= 0.3, f"{kind} of {person}, page {number}: only {filled:.0%} used"


def test_period_with_no_data_gives_one_page_that_says_so(example, tmp_path: Path) -> None:
    from datetime import date

    _, domain, options, _ = example
    ctx = build_context("goals", "will", domain, period_from=date(2020, 1, 1), period_to=date(2020, 1, 31),
                        options=options)
    assert ctx.empty
    path = render_report("goals", "will", domain, period_from=date(2020, 1, 1), period_to=date(2020, 1, 31),
                         options=options, out=tmp_path / "empty.pdf")
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) <= 2  # cover, then the notice
    assert "Nothing to report" in _text(reader)


def test_json_is_the_context_without_prose(example) -> None:
    import json

    _, domain, options, _ = example
    data = json.loads(context_as_json(build_context("dossier", "will", domain, options=options)))
    assert data["kind"] == "dossier" and data["cover"]["person"] == "Will Smith"
    assert {"sections", "sources", "figures", "peers", "own_words", "growth"} <= set(data)
    assert all(isinstance(s["ref"], int) and s["ref"] > 0 for s in data["sources"])
