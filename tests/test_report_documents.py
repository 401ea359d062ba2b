"""The example workspace's reports read back as a reader would: sources, quotes, one-page briefs, full pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import pypdf
import pytest
from conftest import example_workspace
from pagelayout import TableOnPages, headings_left_behind, page_fill, stranded, tables_on_pages, underfilled

from trellosync.report.documents import (
    build_context,
    context_as_json,
    options_from_config,
    render_report,
    render_report_html,
)
from trellosync.report.kinds import get_kind, kind_names
from trellosync.report.render import SafeURLFetcher, write_pdf

PEOPLE = ("will", "jessica", "amara", "diego")
GROUP = "Peer learning group: Platform leads"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, example_database: Path):
    tmp = tmp_path_factory.mktemp("example")
    config, store = example_workspace(example_database, tmp / "demo.db")
    domain = store.load_domain()
    options = options_from_config(config, report_date=domain.synced_at.date())
    yield config, domain, options, tmp
    store.close()


@dataclass
class Laid:
    """One rendered document: its PDF, and what WeasyPrint's layout says of it (pagelayout)."""

    reader: pypdf.PdfReader
    tables: list[TableOnPages]
    fills: list[float]  # how full each page is
    left_behind: list[str]  # headings and keep-with-next blocks printed last on their page


def _lay_out(example, kind: str, person: str, tmp: Path, **changes: object) -> Laid:
    _, domain, options, _ = example
    opts = replace(options, people=PEOPLE) if get_kind(kind).team else options
    opts = replace(opts, **changes)
    html, meta = render_report_html(build_context(kind, person, domain, options=opts), opts)
    found: list[tuple[list[TableOnPages], list[float], list[str]]] = []

    def read(document) -> None:  # noqa: ANN001
        found.append((tables_on_pages(document), page_fill(document), headings_left_behind(document)))

    path = write_pdf(html, tmp, meta, SafeURLFetcher(overrides=opts.templates_dir), on_document=read)
    return Laid(pypdf.PdfReader(path), *found[0])


@pytest.fixture(scope="module")
def rendered(example) -> dict[tuple[str, str], Laid]:
    """Every report kind of the example (each person's, and the team showcase), as laid out."""
    tmp = example[3]
    jobs = [(kind, person) for kind in kind_names() if not get_kind(kind).team for person in PEOPLE]
    jobs += [(kind, PEOPLE[0]) for kind in kind_names() if get_kind(kind).team]
    return {
        (kind, person): _lay_out(example, kind, person, tmp / f"{kind}-{person}.pdf") for kind, person in jobs
    }


@pytest.fixture(scope="module")
def group_briefs(example) -> dict[str, Laid]:
    """Each member's brief of the example's peer learning group."""
    tmp = example[3]
    return {p: _lay_out(example, "brief", p, tmp / f"group-brief-{p}.pdf", board=GROUP) for p in PEOPLE}


@pytest.fixture(scope="module")
def pdfs(rendered) -> dict[tuple[str, str], pypdf.PdfReader]:
    return {key: laid.reader for key, laid in rendered.items() if key[0] in ("dossier", "goals", "brief")}


def _text(reader: pypdf.PdfReader) -> str:
    return "\n".join(p.extract_text() for p in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.slow
@pytest.mark.parametrize("person", PEOPLE)
def test_dossier_summary_cites_only_items_the_appendix_holds(pdfs, person: str) -> None:
    reader = pdfs[("dossier", person)]
    # Each page's running head (document, then chapter: "Sources ...") comes last in its extracted text.
    head = "\n" + reader.metadata.title.replace(": ", " · ", 1) + "\n"
    text = "\n".join(p.extract_text().split(head)[0] for p in reader.pages)
    summary = reader.pages[0].extract_text()  # the committee's first page: the case and its strongest items
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", summary)}
    sources = text[text.rindex("\nSources") :]
    listed = {int(n) for n in re.findall(r"^(\d+) \d{1,2} [A-Z][a-z]{2} \d{4}", sources, re.MULTILINE)}
    assert cited, "the case summary cites no evidence"
    assert cited <= listed, f"summary cites {sorted(cited - listed)} that the sources appendix lacks"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["dossier", "goals", "brief"])
def test_no_quote_appears_twice_in_one_report(pdfs, example, kind: str) -> None:
    _, domain, _, _ = example
    # A quote is printed in full once; a reference to it shows its first sentence, so only entries of more than
    # one sentence can be told apart from their references by their text.
    texts = {
        _flat(f.text)
        for f in domain.feedback
        if len(f.text) >= 30 and re.search(r"[.!?;] \S", f.text.strip())
    }
    for person in PEOPLE:
        flat = _flat(_text(pdfs[(kind, person)]))
        twice = [t for t in texts if flat.count(t) > 1]
        assert not twice, f"{kind} of {person} quotes twice: {twice[:2]}"


@pytest.mark.slow
def test_brief_fits_one_page_for_every_example_pair(pdfs, example, tmp_path: Path) -> None:
    _, domain, options, _ = example
    assert all(len(pdfs[("brief", p)].pages) == 1 for p in PEOPLE)
    from dataclasses import replace

    pairs = {
        ("will", "jessica"),
        ("will", "amara"),
        ("amara", "diego"),
        ("diego", "amara"),
        ("jessica", "will"),
    }
    for person, peer in sorted(pairs):
        path = render_report(
            "brief",
            person,
            domain,
            options=replace(options, peer=peer),
            out=tmp_path / f"brief-{person}-{peer}.pdf",
        )
        reader = pypdf.PdfReader(path)
        assert len(reader.pages) == 1, f"brief of {person} with {peer} runs to {len(reader.pages)} pages"
        assert domain.people[peer].name in reader.pages[0].extract_text()


@pytest.mark.slow
def test_no_page_but_the_last_is_under_a_third_full_and_headings_keep_with_their_blocks(
    rendered, group_briefs
) -> None:
    """Issue 18: every document of every kind (the group's brief too), measured on WeasyPrint's page boxes: each
    page but a document's last is at least a third full, and no heading (or block that asks to stay with what
    follows) ends a page whose next page starts what it leads into."""
    laid = {
        **{f"{k} of {p}": v for (k, p), v in rendered.items()},
        **{f"group brief of {p}": v for p, v in group_briefs.items()},
    }
    assert {name: underfilled(v.fills) for name, v in laid.items() if underfilled(v.fills)} == {}
    assert {name: v.left_behind for name, v in laid.items() if v.left_behind} == {}
    assert all(len(v.fills) == len(v.reader.pages) for v in laid.values())
    assert sum(len(v.fills) > 1 for v in laid.values()) >= 10  # documents with pages to measure


def test_period_with_no_data_gives_one_page_that_says_so(example, tmp_path: Path) -> None:
    from datetime import date

    _, domain, options, _ = example
    ctx = build_context(
        "goals", "will", domain, period_from=date(2020, 1, 1), period_to=date(2020, 1, 31), options=options
    )
    assert ctx.empty
    path = render_report(
        "goals",
        "will",
        domain,
        period_from=date(2020, 1, 1),
        period_to=date(2020, 1, 31),
        options=options,
        out=tmp_path / "empty.pdf",
    )
    reader = pypdf.PdfReader(path)
    assert len(reader.pages) == 1  # the cover says so; no empty sections follow
    assert "Nothing to report" in _text(reader)
    assert "Figures as of 31 Jan 2020" in _flat(_text(reader))  # the cover states the as-of date


def test_json_is_the_context_without_prose(example) -> None:
    import json

    _, domain, options, _ = example
    data = json.loads(context_as_json(build_context("dossier", "will", domain, options=options)))
    assert data["kind"] == "dossier" and data["cover"]["person"] == "Will Smith"
    assert {"sections", "sources", "figures", "peers", "own_words", "growth"} <= set(data)
    assert all(isinstance(s["ref"], int) and s["ref"] > 0 for s in data["sources"])


@pytest.fixture
def example_db(example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example_database: Path) -> Path:
    from trellosync.cli.demo import example_dir

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    config = tmp_path / "trellosync.yaml"
    config.write_text(
        (example_dir() / "config.yaml").read_text(encoding="utf-8") + "\ndatabase: sqlite:///ex.db\n",
        encoding="utf-8",
    )
    _, store = example_workspace(example_database, tmp_path / "ex.db")
    store.close()
    return config


def test_cli_from_after_to_is_a_usage_error(example_db, capsys) -> None:
    from clihelp import run_cli

    code, _, err = run_cli(capsys, "report", "goals", "will", "--from", "2026-09-08", "--to", "2026-09-01")
    assert code == 2 and "--from 2026-09-08 is after --to 2026-09-01" in err


def test_cli_warns_when_the_period_holds_no_data(example_db, capsys, tmp_path: Path) -> None:
    from clihelp import run_cli

    code, out, err = run_cli(
        capsys,
        "report",
        "goals",
        "will",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "-o",
        str(tmp_path / "e.pdf"),
    )
    assert code == 0 and "warning: no data for will in that period" in err
    assert (tmp_path / "e.pdf").is_file()


def test_cli_json_prints_the_context_and_with_picks_the_pair(example_db, capsys) -> None:
    import json

    from clihelp import run_cli

    code, out, err = run_cli(capsys, "report", "brief", "will", "--with", "amara", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["kind"] == "brief" and data["with_names"] == ["Amara Okafor"]
    assert data["board"].startswith("Will")  # the advocate board, not the most active pair
    code, out, _ = run_cli(capsys, "report", "brief", "will", "--format", "json")
    assert json.loads(out)["with_names"] == ["Jessica Jones"]
    code, _, err = run_cli(capsys, "report", "goals", "will", "--with", "amara")
    assert code == 2


@pytest.mark.slow  # renders a dossier
def test_a_template_override_rewords_the_questions(example, tmp_path: Path) -> None:
    from dataclasses import replace

    from trellosync.report.assets import packaged_templates_dir

    _, domain, options, _ = example
    own = tmp_path / "templates"
    own.mkdir()
    text = (packaged_templates_dir() / "brief.html").read_text(encoding="utf-8")
    assert "what have you tried" in text
    (own / "brief.html").write_text(
        text.replace("what have you tried, and what got in the way?", "was hast du versucht?"),
        encoding="utf-8",
    )
    path = render_report(
        "brief",
        "jessica",
        domain,
        options=replace(options, templates_dir=own),
        fmt="html",
        out=tmp_path / "b.html",
    )
    html = path.read_text(encoding="utf-8")
    assert "was hast du versucht?" in html and "what have you tried" not in html


@pytest.mark.slow
def test_numbers_agree_with_their_nouns_and_one_status_vocabulary(pdfs, example) -> None:
    _, domain, _, _ = example
    card_texts = [
        _flat(t)
        for t in [f.text for f in domain.feedback]
        + [c.text for c in domain.commitments]
        + [g.title for g in domain.goals]
    ]
    for (kind, person), reader in pdfs.items():
        flat = _flat(_text(reader))
        for t in card_texts:
            flat = flat.replace(t, "")  # the card's own words may say anything
        assert not re.search(
            r"(?<![\d.,])1 (days|lunches|items|months|peers|entries|promises|comments|goals)\b", flat
        ), f"{kind} of {person}: a singular number with a plural noun"
        assert not re.search(
            r"\b(BROKEN|OVERDUE|Unattributed)\b|commitments? overdue|promises? overdue", flat
        ), f"{kind} of {person}: status outside the vocabulary"
        assert "include_worst_moments" not in flat and "reports.dossier" not in flat  # no config keys


@pytest.mark.slow
def test_no_table_leaves_two_rows_or_fewer_alone_on_a_page(rendered) -> None:
    """Every table of every report kind: split across pages only with three body rows or more on each page,
    and on the same page as the heading or note that leads into it (report.css, "Tables")."""
    problems = {key: stranded(laid.tables) for key, laid in rendered.items()}
    assert {k: p for k, p in problems.items() if p} == {}
    split = [t for laid in rendered.values() for t in laid.tables if len(t.rows_per_page) > 1]
    assert len(split) >= 10 and any(t.lead for t in split)  # the example holds split tables to check
    assert {kind for kind, _ in rendered} == set(kind_names())


@pytest.mark.slow
@pytest.mark.parametrize("person", PEOPLE)
def test_dossier_case_summary_takes_at_most_two_pages(pdfs, person: str) -> None:
    reader = pdfs[("dossier", person)]
    starts = {
        item.title: reader.get_destination_page_number(item)
        for item in reader.outline
        if not isinstance(item, list)
    }
    body = [title for title in starts if title.startswith("Appendix")]
    assert (
        starts["Evidence by competency"] == 2
    )  # the case summary is the first page, its contents the second
    assert (
        min(starts[t] for t in body) - starts["Evidence by competency"] <= 4
    )  # the body: at most four pages


def test_report_contexts_match_plain_sql_on_the_store(tmp_path: Path, example_database: Path) -> None:
    """Issue 7's 'held to the data': will's three reports state what plain SQL on the store says."""
    from collections import Counter

    from sqlalchemy import text

    config, store = example_workspace(example_database, tmp_path / "sql.db")
    try:
        domain = store.load_domain()
        options = options_from_config(config, report_date=domain.synced_at.date())
        goals = build_context("goals", "will", domain, options=options)
        dossier = build_context("dossier", "will", domain, options=options)
        brief = build_context("brief", "will", domain, options=options)
        as_of = goals.cover.as_of
        with store.engine.connect() as conn:

            def sql(q: str, **kw):  # noqa: ANN202
                return conn.execute(text(q), {"p": "will", "as_of": as_of, **kw}).all()

            status = dict(
                sql("""
                SELECT CASE WHEN g.status = 'achieved' THEN 'achieved' WHEN g.status = 'dropped' THEN 'dropped'
                            WHEN g.due < :as_of THEN 'overdue' ELSE 'open' END, COUNT(*)
                FROM goals g JOIN goal_owners o ON o.goal_id = g.id
                WHERE o.person = :p AND g.created <= :as_of GROUP BY 1""")
            )
            kept, late, broken = sql(
                """
                SELECT SUM(CASE WHEN done AND DATE(completed_at) <= deadline THEN 1 ELSE 0 END),
                       SUM(CASE WHEN done AND DATE(completed_at) > deadline THEN 1 ELSE 0 END),
                       SUM(CASE WHEN NOT done AND deadline < :as_of THEN 1 ELSE 0 END)
                FROM commitments WHERE person = :p AND deadline IS NOT NULL AND deadline >= :start""",
                start=goals.cover.period.start,
            )[0]
            pairs = dict(
                sql("""
                SELECT l.board_id, COUNT(DISTINCT l.date) FROM lunches l JOIN lunch_people lp ON lp.lunch_id = l.id
                WHERE lp.person = :p AND l.date <= :as_of GROUP BY l.board_id""")
            )
            positive = dict(
                sql("""
                SELECT COALESCE(competency, '-'), COUNT(*) FROM feedback
                WHERE about = :p AND polarity IN ('strength', 'praise') AND date <= :as_of GROUP BY 1""")
            )
    finally:
        store.close()
    f = goals.figures
    assert status.get("achieved", 0) == f.goals_achieved and status.get("dropped", 0) == f.goals_dropped
    assert (
        status.get("overdue", 0) == f.goals_overdue
        and status.get("open", 0) + f.goals_overdue == f.goals_open
    )
    assert (kept, late, broken) == (f.commitments_kept, f.commitments_late, f.commitments_broken)
    assert (
        pairs == {p.board_id: p.held for p in f.pairs} == {p.board_id: p.held for p in dossier.figures.pairs}
    )
    goal_ids = {g.id for g in domain.goals}
    filed = Counter(
        e.competency_key or "-"
        for s in dossier.sections + [dossier.unclassified]
        for e in s.body + s.more + s.more_quoted
        if e.id not in goal_ids
    )
    listed = sum(filed.values()) + sum(s.not_listed for s in dossier.sections + [dossier.unclassified])
    assert listed == sum(positive.values())
    assert {k: n for k, n in filed.items()} == positive or any(s.not_listed for s in dossier.sections)
    assert brief.cadence is not None and brief.cadence.board_id in pairs


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["dossier", "goals"])
def test_sources_are_numbered_in_reading_order(pdfs, kind: str) -> None:
    for person in PEOPLE:
        reader = pdfs[(kind, person)]
        text = "\n".join(p.extract_text() for p in reader.pages[1:])
        body = text[: text.rindex("\nSources" if kind == "dossier" else "\nProvenance")]
        first_seen = list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", body)))
        assert first_seen == sorted(first_seen), f"{kind} of {person}: {first_seen}"


@pytest.mark.slow  # renders reports
def test_cover_states_the_last_sync_when_the_period_runs_past_it(example, tmp_path: Path) -> None:
    from datetime import date

    _, domain, options, _ = example
    path = render_report(
        "goals",
        "will",
        domain,
        period_from=date(2026, 9, 1),
        period_to=date(2026, 12, 31),
        options=options,
        fmt="html",
        out=tmp_path / "g.html",
    )
    html = _flat(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))
    assert "Figures as of 13 Nov 2026: the last sync" in html


def test_cli_json_with_o_writes_the_file_and_o_json_implies_json(example_db, capsys, tmp_path: Path) -> None:
    # `--format json -o g.json` printed to standard output and wrote no file.
    import json
    import stat

    from clihelp import run_cli

    code, out, err = run_cli(capsys, "report", "goals", "will", "--format", "json", "-o", "g.json")
    assert code == 0, err
    assert out.strip() == "g.json" and "{" not in out
    written = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))
    assert written["cover"]["person_key"] == "will" and written["kind"] == "goals"
    assert stat.S_IMODE((tmp_path / "g.json").stat().st_mode) == 0o600
    # -o x.json alone means json; writing it again replaces our own file without --force.
    code, out, err = run_cli(capsys, "report", "brief", "will", "-o", "g.json")
    assert code == 0, err
    assert json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))["kind"] == "brief"
    # A file that is not ours is never replaced.
    (tmp_path / "notes.json").write_text('{"mine": true}')
    code, out, err = run_cli(capsys, "report", "goals", "will", "-o", "notes.json")
    assert code == 2 and "not a report trellosync wrote" in err
    assert (tmp_path / "notes.json").read_text() == '{"mine": true}'
    code, _, err = run_cli(capsys, "report", "goals", "will", "-o", "g.json", "--format", "pdf")
    assert code == 2 and "names a .json file but --format is pdf" in err
