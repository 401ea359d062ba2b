"""Every kind of the example workspace holds what its cover says, in the JSON, the HTML and the PDF alike.

For each report kind and person: no quote is about someone other than the report's person (the showcase: its
team), no chapter holds an entry of a kind its heading excludes, nothing said in a peer learning group reaches a
dossier, a goal report (but the member's own commitments), an advocate brief or the showcase, no markup meant for
trellosync survives, and the entries the JSON holds are the entries the HTML and the PDF show (and no others).
"""

from __future__ import annotations

import html
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import example_workspace

from trellosync.domain.model import Domain
from trellosync.report.documents import ReportOptions, build_context, context_as_json, render_report_html

AS_OF = date(2026, 11, 13)
PEOPLE = ("will", "jessica", "amara", "diego")
KINDS = ("goals", "dossier", "brief", "advocate", "showcase")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, example_database: Path) -> Domain:
    tmp = tmp_path_factory.mktemp("held")
    _config, store = example_workspace(example_database, tmp / "example.db")
    try:
        return store.load_domain()
    finally:
        store.close()


def _options(kind: str) -> ReportOptions:
    return ReportOptions(
        report_date=AS_OF, timezone="Europe/London", people=PEOPLE if kind == "showcase" else ()
    )


def _walk(tree: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every dict of the JSON with the path of keys that leads to it."""
    out: list[tuple[str, dict[str, Any]]] = []
    if isinstance(tree, dict):
        out.append((path, tree))
        for k, v in tree.items():
            out += _walk(v, f"{path}/{k}")
    elif isinstance(tree, list):
        for v in tree:
            out += _walk(v, path)
    return out


def _plain(text: str) -> str:
    """Letters and digits only, lower-cased: text compared across JSON, HTML and PDF."""
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _html_text(page: str) -> str:
    return _plain(html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", " ", page, flags=re.S))))


def _entries(domain: Domain) -> dict[str, Any]:
    return {f.id: f for f in domain.feedback}


@pytest.mark.parametrize("kind", KINDS)
def test_quotes_are_about_the_reports_person_and_chapters_hold_their_kinds(
    example: Domain, kind: str
) -> None:
    entries = _entries(example)
    groups = set(example.practices.group_boards)
    for person in PEOPLE if kind != "showcase" else ("will",):
        data = json.loads(context_as_json(build_context(kind, person, example, options=_options(kind))))
        about = {example.people[p].name for p in (PEOPLE if kind == "showcase" else (person,))}
        for path, item in _walk(data):
            entry = entries.get(item.get("id", ""))
            if entry is None or "text" not in item:
                continue
            assert item.get("about") in about, (kind, person, path, item.get("about"))
            if kind == "brief" and data.get("group"):
                continue
            assert entry.board_id not in groups, (kind, person, path, "a group's words left the group")
            chapters_of_concern = ("/focus", "open_focus", "growth", "worst", "concerns_done", "/sources")
            if kind in ("dossier", "showcase") and not any(c in path for c in chapters_of_concern):
                assert entry.polarity in ("strength", "praise"), (
                    kind,
                    person,
                    path,
                    entry.kind,
                    entry.polarity,
                )
            if "/peers" in path:
                assert entry.peer_said and entry.polarity in ("strength", "praise"), (kind, person, path)
            if "/own_words" in path:
                assert entry.own_words and entry.polarity in ("strength", "praise"), (kind, person, path)


@pytest.mark.parametrize("kind", KINDS)
def test_no_markup_meant_for_trellosync_survives(example: Domain, kind: str) -> None:
    tags = [f"#{c}" for c in example.competencies] + [
        f"#{c.name.replace(' ', '')}" for c in example.competencies.values()
    ]
    markers = {m for m in example.practices.markers.values() if m}
    for person in PEOPLE if kind != "showcase" else ("will",):
        data = json.loads(context_as_json(build_context(kind, person, example, options=_options(kind))))
        for path, item in _walk(data):
            for key in ("text", "title"):
                value = item.get(key)
                if not isinstance(value, str):
                    continue
                low = value.lower()
                assert not any(re.search(re.escape(t.lower()) + r"\b", low) for t in tags), (
                    kind,
                    path,
                    value,
                )
                assert not any(m.lower() in low for m in markers), (kind, path, value)
                assert not low.startswith(("praise:", "concern:", "reply:")), (kind, path, value)


@pytest.mark.parametrize("kind", KINDS)
def test_the_json_and_the_html_hold_the_same_entries(example: Domain, kind: str) -> None:
    """An entry of the record is in the JSON exactly when the HTML shows it (the cover's leaving-out holds in
    both); self-reviews and stakeholder feedback included."""
    texts = {f.id: f.text for f in example.feedback}
    texts |= {s.id: s.text for s in example.practices.stakeholder_feedback}
    texts |= {r.id: r.title for r in example.practices.self_reviews}
    for person in PEOPLE if kind != "showcase" else ("will",):
        opts = _options(kind)
        ctx = build_context(kind, person, example, options=opts)
        data = context_as_json(ctx)
        page = _html_text(render_report_html(ctx, opts, for_pdf=False)[0])
        in_json = {i for i in texts if f'"{i}"' in data}
        for entry_id in in_json:
            probe = _plain(texts[entry_id])[:40]
            assert probe and probe in page, (kind, person, entry_id, texts[entry_id][:60])
        # Conversely: an entry the HTML quotes is in the JSON (a long, distinctive text only: short ones recur).
        for entry_id, text in texts.items():
            probe = _plain(text)
            if len(probe) >= 60 and probe[:60] in page:
                assert entry_id in in_json, (kind, person, entry_id, text[:60])


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_holds_what_the_html_holds(example: Domain, kind: str, tmp_path: Path) -> None:
    from pypdf import PdfReader

    from trellosync.report.documents import render_report

    person = "will"
    opts = _options(kind)
    ctx = build_context(kind, person, example, options=opts)
    data = context_as_json(ctx)
    out = render_report(kind, person, example, options=opts, out=tmp_path / f"{kind}.pdf")
    pdf = _plain(" ".join(p.extract_text() or "" for p in PdfReader(out).pages))
    texts = {f.id: f.text for f in example.feedback} | {
        s.id: s.text for s in example.practices.stakeholder_feedback
    }
    quoted = [t for i, t in texts.items() if f'"{i}"' in data]
    assert quoted, "every kind of Will's quotes something"
    missing = [t for t in quoted if _plain(t)[:25] not in pdf]
    assert not missing, missing[:3]
