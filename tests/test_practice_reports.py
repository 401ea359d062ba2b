"""The advocate brief and the team showcase of the example workspace, read back from their PDFs.

The showcase's privacy property is proved on the whole example: no text of an entry that the visibility
rules do not call shareable reaches the PDF (nor its HTML), while the shareable ones do.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from conftest import example_workspace

from trellosync.cli.commands import cli
from trellosync.cli.demo import example_dir
from trellosync.domain import rules
from trellosync.domain.model import Domain
from trellosync.domain.practices import Practices
from trellosync.domain.promises import grade_promise, promise_completed_at
from trellosync.domain.visibility import entry_marked, feedback_shareable, without_marker
from trellosync.errors import ConfigError
from trellosync.report.documents import (
    ReportOptions,
    build_context,
    context_as_json,
    render_report,
    render_report_html,
    render_team,
)
from trellosync.report.kinds.showcase import person_showcase

AS_OF = date(2026, 11, 15)
TEAM = ["will", "jessica", "amara", "diego"]
START = date(2026, 1, 1)


def norm(text: str) -> str:
    """Compare texts as a reader sees them: one space for any run of whitespace, straight quotes."""
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"').replace("\u00ad", "")
    return " ".join(text.split()).casefold()


def pdf_text(path: Path) -> str:
    return norm("\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, example_database: Path) -> tuple[Domain, str]:
    tmp = tmp_path_factory.mktemp("example")
    _config, store = example_workspace(example_database, tmp / "example.db")
    url = store.url
    try:
        return store.load_domain(), url
    finally:
        store.close()


@pytest.fixture(scope="module")
def options(example: tuple[Domain, str]) -> ReportOptions:
    return ReportOptions(report_date=AS_OF, timezone="Europe/London", people=tuple(TEAM))


@pytest.fixture(scope="module")
def showcase_pdf(
    example: tuple[Domain, str], options: ReportOptions, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    domain, _ = example
    out = tmp_path_factory.mktemp("showcase")
    return render_team("showcase", TEAM, domain, out_dir=out, options=options, period_from=START)


def _texts_by_shareability(domain: Domain) -> tuple[set[str], set[str]]:
    """(shareable texts, texts of every entry that is not shareable) in the example workspace."""
    p: Practices = domain.practices
    yes: set[str] = set()
    no: set[str] = set()

    def put(shareable: bool, text: str) -> None:
        (yes if shareable else no).add(norm(text))

    for f in domain.feedback:
        put(feedback_shareable(f, p), without_marker(f.text, p.markers.get(f.board_id)))
    for g in domain.goals:
        put(g.status == "achieved" and entry_marked(p, g.board_id, g.id), g.title)
        for kr in g.key_results:
            put(False, kr.name)
    for c in domain.commitments:
        put(False, c.text)
    for r in p.self_reviews:
        for text in r.accomplishments + r.goals + r.improve:
            put(False, text)
    for s in p.stakeholder_feedback:
        put(s.polarity == "praise" and entry_marked(p, s.board_id, s.id), s.text)
    for i in p.group_issues:
        put(False, i.text)
    for pr in p.promises:
        kept = grade_promise(pr, AS_OF).status in ("kept", "late") and promise_completed_at(pr) is not None
        put(kept and entry_marked(p, pr.board_id, pr.id), pr.title)
        for c in pr.criteria:
            put(False, c.name)
    no -= yes  # the same words recorded twice, once shareably
    return yes, {t for t in no if len(t) >= 12}


def test_the_example_holds_both_shareable_and_private_entries_of_every_kind(example):
    domain, _ = example
    yes, no = _texts_by_shareability(domain)
    p = domain.practices
    assert len(yes) >= 8 and len(no) >= 100
    assert p.visibility and set(p.visibility.values()) == {"private", "team"}
    assert p.marked, "some entries on private boards are marked shareable"
    worst_on_team_board = [
        f for f in domain.feedback if f.kind == "worst" and p.visibility[f.board_id] == "team"
    ]
    assert worst_on_team_board and all(norm(f.text) in no for f in worst_on_team_board)


@pytest.mark.slow  # renders a PDF
def test_showcase_pdf_holds_no_text_of_an_entry_that_is_not_shareable(example, showcase_pdf):
    domain, _ = example
    _yes, no = _texts_by_shareability(domain)
    text = pdf_text(showcase_pdf)
    leaked = sorted(t for t in no if t in text)
    assert leaked == []


def test_showcase_html_holds_no_text_of_an_entry_that_is_not_shareable(example, options):
    domain, _ = example
    _yes, no = _texts_by_shareability(domain)
    ctx = build_context("showcase", TEAM[0], domain, period_from=START, options=options)
    page, _meta = render_report_html(ctx, options, for_pdf=False)
    body = norm(html.unescape(re.sub(r"<[^>]+>", " ", page.split("<body", 1)[1])))
    assert sorted(t for t in no if t in body) == []


@pytest.mark.slow  # renders a PDF
def test_showcase_pdf_holds_the_shareable_entries(example, showcase_pdf):
    text = pdf_text(showcase_pdf)
    for expected in [
        "The payments incident write-up was the clearest one I have read this year.",  # labelled, private board
        "The onboarding guide saved our two new hires most of a week.",  # marker in the text, removed
        "Relevance v2 shipped",  # goal on the team board
        "Speak less than a third of the time in design reviews",  # promise labelled shareable
        "canary step caught a bad deploy before any customer saw it",  # best moment on the team board
        "the on-call handbook is what new joiners read first now",  # praise on the team board
        "Team showcase",
        "Holds:",
        "Leaves out:",
    ]:
        assert norm(expected) in text, expected
    assert "#share" not in text
    assert norm("1 of 2 criteria by the due date (50%), the rest 9 days late") in text  # Amara's late promise


def test_showcase_lists_only_kept_promises_with_their_grade(example, options):
    domain, _ = example
    ctx = build_context("showcase", TEAM[0], domain, period_from=START, options=options)
    by_person = {p.person_key: p for p in ctx.people}
    assert [(x.title, x.status, x.score) for x in by_person["amara"].promises] == [
        ("Fix every critical accessibility issue on checkout", "late", 0.5),
        ("Cut search p95 below 400 ms", "kept", 1.0),
    ]
    assert [x.title for x in by_person["will"].promises] == [
        "Speak less than a third of the time in design reviews"
    ]
    assert all(x.status in ("kept", "late") for p in ctx.people for x in p.promises)


def test_how_and_why_puts_a_named_peers_words_first(example, options):
    domain, _ = example
    ctx = build_context("showcase", TEAM[0], domain, period_from=START, options=options)
    will = next(p for p in ctx.people if p.person_key == "will")
    assert will.how_and_why[0].said_by == "Diego Ramírez"
    assert all(e.said_by or e.meeting_date for p in ctx.people for e in p.how_and_why)


@pytest.mark.slow  # renders a PDF
def test_showcase_at_a_glance_says_it_counts_shared_items_only(example, showcase_pdf):
    domain, _ = example
    p = domain.practices
    will_private = [
        g
        for g in domain.goals
        if "will" in g.owners and g.status == "achieved" and not entry_marked(p, g.board_id, g.id)
    ]
    assert will_private, "the example gives Will achieved goals that are not shareable"
    text = pdf_text(showcase_pdf)
    glance = text[
        text.index("each count is of shareable items only") - 60 :
    ]  # the showcase hides its contents
    glance = glance[: glance.index("how and why")]
    assert "shared goals achieved shared promises kept shared strengths shared praise" in glance
    assert (
        "each count is of shareable items only" in glance
        and "a 0 does not mean nothing was achieved" in glance
    )
    assert re.search(r"will smith 0 \d+ \d+ \d+", glance), glance  # his 0 is of shared goals, and says so
    for title in (norm(g.title) for g in will_private):
        assert title not in text  # the count never brings a private goal's text along


def test_showcase_counts_are_taken_before_sections_are_cut(example, options, monkeypatch):
    from trellosync.report.kinds import showcase

    domain, _ = example
    full = {
        p.person_key: p
        for p in build_context("showcase", TEAM[0], domain, period_from=START, options=options).people
    }
    monkeypatch.setattr(showcase, "MAX_PER_SECTION", 1)
    ctx = build_context("showcase", TEAM[0], domain, period_from=START, options=options)
    will = next(p for p in ctx.people if p.person_key == "will")
    assert will.counts == full["will"].counts and will.counts.praise == len(full["will"].praise) >= 2
    assert len(will.praise) == 1
    page, _meta = render_report_html(ctx, options, for_pdf=False)
    assert f"1 of {will.counts.praise} shared strengths and praise are shown, the newest." in page


def test_a_private_board_without_marks_contributes_nothing(example, options):
    domain, _ = example
    empty = Practices(visibility=dict.fromkeys(domain.practices.visibility, "private"))
    from trellosync.report.selection import Scope, Selection
    from trellosync.report.views import Period

    for key in TEAM:
        sel = Selection(domain, Scope(key, rules.UTC, AS_OF, domain.synced_at))
        assert person_showcase(sel, empty, Period(START, AS_OF)).empty


# ------------------------------------------------------------------ advocate brief


@pytest.mark.slow  # renders a PDF
def test_advocate_brief_of_the_example(example, tmp_path):
    domain, _ = example
    opts = ReportOptions(report_date=AS_OF, timezone="Europe/London")
    ctx = build_context("advocate", "will", domain, period_from=START, options=opts)
    assert ctx.advocate == "Amara Okafor"
    assert ctx.last_check_in == date(
        2026, 10, 28
    )  # the last one-on-one with Amara; the 4 Nov group meeting is no check-in
    assert ctx.self_review is not None and ctx.self_review.title.endswith("Self-review: autumn")
    assert {(s.said_by, s.said_by_source) for s in ctx.other} == {
        ("Pete Novak", "from_line"),
        ("Jessica Jones", "comment_author"),
        (None, None),
    }
    assert [s.said_by for s in ctx.praise] == ["Diego Ramírez", "Amara Okafor"]
    assert ctx.earlier_count == 1  # the onboarding guide (June), before the last check-in
    unanswered = {s.text for s in ctx.unanswered}
    assert "Somebody in sales said the pricing demo ran long" in unanswered
    assert all(s.polarity != "praise" for s in ctx.unanswered)
    path = render_report("advocate", "will", domain, period_from=START, options=opts, out=tmp_path / "a.pdf")
    text = pdf_text(path)
    for expected in [
        "Advocate brief",
        "In their own words",
        "Stakeholders since 28 Oct 2026",
        "Not answered yet",
        "Pete Novak",
        "Design reviews: ask before I answer",
        "Holds:",
        "Leaves out:",
    ]:
        assert norm(expected) in text, expected
    best = [
        f for f in domain.feedback if f.kind in ("best", "worst") and f.about == "will" and len(f.text) > 20
    ]
    assert best and not any(norm(f.text) in text for f in best)


def test_a_recurring_group_issue_is_flagged_in_the_group_brief_and_stays_in_the_group(example):
    domain, _ = example
    opts = ReportOptions(report_date=AS_OF, timezone="Europe/London")
    group = build_context(
        "brief", "diego", domain, options=replace(opts, board="Peer learning group: Platform leads")
    )
    [r] = next(b for b in group.blocks if b.person_key == "diego").recurring
    assert r.dates == [date(2026, 7, 1), date(2026, 8, 5), date(2026, 9, 2), date(2026, 10, 7)]
    for kind in ("advocate", "goals", "dossier"):  # what is said in a group stays in the group
        text = context_as_json(build_context(kind, "diego", domain, period_from=START, options=opts))
        assert (
            r.text not in text
            and "recurring" not in json.loads(text).get("practices", {})
            or not json.loads(text)["practices"]["recurring"]
        ), kind


# ------------------------------------------------------------------ command line


@pytest.mark.slow
def test_cli_report_showcase_all_writes_one_document(example, tmp_path):
    _, url = example
    out = tmp_path / "team.pdf"
    config = str(example_dir() / "config.yaml")
    result = CliRunner().invoke(
        cli,
        [
            "-c",
            config,
            "--database",
            url,
            "report",
            "showcase",
            "--all",
            "--from",
            "2026-01-01",
            "--to",
            "2026-11-15",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert "amara okafor" in text and "diego ramírez" in text
    two = CliRunner().invoke(
        cli,
        [
            "-c",
            config,
            "--database",
            url,
            "report",
            "showcase",
            "will",
            "amara",
            "--to",
            "2026-11-15",
            "--format",
            "json",
        ],
    )
    assert two.exit_code == 0, two.output
    assert '"person_key": "amara"' in two.output and '"person_key": "diego"' not in two.output
    adv = CliRunner().invoke(
        cli,
        [
            "-c",
            config,
            "--database",
            url,
            "report",
            "advocate",
            "will",
            "--to",
            "2026-11-15",
            "-o",
            str(tmp_path / "adv.pdf"),
        ],
    )
    assert adv.exit_code == 0, adv.output
    assert "advocate amara okafor" in pdf_text(tmp_path / "adv.pdf")
    bad = CliRunner().invoke(cli, ["-c", config, "--database", url, "report", "goals", "will", "amara"])
    assert bad.exit_code != 0 and "several people are for the showcase" in bad.output


# ------------------------------------------------------------------ peer learning group brief


@pytest.mark.slow  # renders a PDF
def test_group_brief_asks_each_member_hows_it_go_and_flags_the_recurring_issue(example, tmp_path):
    domain, _ = example
    opts = ReportOptions(
        report_date=AS_OF, timezone="Europe/London", board="Peer learning group: Platform leads"
    )
    ctx = build_context("brief", "diego", domain, options=opts)
    assert ctx.group and ctx.board == "Peer learning group: Platform leads"
    blocks = {b.person_key: b for b in ctx.blocks}
    assert set(blocks) == set(TEAM)
    assert [(q.kind, q.text) for q in blocks["will"].questions if q.kind == "hows_it_go"] == [
        ("hows_it_go", "Answer side requests in writing only")
    ]
    assert blocks["will"].issues == ["How to say no to side requests"]
    [r] = blocks["diego"].recurring
    assert r.dates == [date(2026, 7, 1), date(2026, 8, 5), date(2026, 9, 2), date(2026, 10, 7)]
    assert not blocks["amara"].recurring
    text = pdf_text(render_report("brief", "diego", domain, options=opts, out=tmp_path / "g.pdf"))
    assert (
        norm("You said you would answer side requests in writing only by this meeting: well, how'd it go?")
        in text
    )
    assert norm("raised at 4 meetings (1 Jul 2026, 5 Aug 2026, 2 Sep 2026, 7 Oct 2026)") in text


def test_goal_report_shows_graded_promises_and_reliability_and_no_group_issue(example):
    domain, _ = example
    opts = ReportOptions(report_date=AS_OF, timezone="Europe/London")
    ctx = build_context("goals", "diego", domain, period_from=START, options=opts)
    assert [c.kind for c in ctx.charts][-1] == "reliability"
    assert {(p.title, p.status) for p in ctx.practices.promises} == {
        ("Canary step in the deploy tooling", "kept"),
        ("Data-retention policy approved", "broken"),
    }
    assert (
        ctx.practices.self_review is None and ctx.practices.praise == []
    )  # the advocate brief's, not this report's
    dossier = build_context("dossier", "will", domain, period_from=START, options=opts)
    assert dossier.practices.self_review.title.endswith("autumn")
    assert [s.said_by for s in dossier.practices.praise] == ["Pete Novak", "Diego Ramírez", "Amara Okafor"]
    assert dossier.charts and dossier.charts[0].kind == "reliability"


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["goals", "dossier", "brief"])
def test_every_report_states_what_it_holds_and_leaves_out(example, kind, tmp_path):
    from trellosync.report import get_kind

    domain, _ = example
    spec = get_kind(kind)
    assert spec is not None and spec.includes and spec.leaves_out
    path = render_report(
        kind,
        "will",
        domain,
        options=ReportOptions(report_date=AS_OF, timezone="Europe/London"),
        out=tmp_path / f"{kind}.pdf",
    )
    first = norm(pypdf.PdfReader(path).pages[0].extract_text())
    assert "holds:" in first and "leaves out:" in first
    assert norm(spec.includes[0]) in first and norm(spec.leaves_out[-1]) in first


def test_showcase_period_defaults_to_the_teams_first_data(example, options):
    domain, _ = example
    team = build_context("showcase", "will", domain, options=options)
    alone = [
        build_context("goals", p, domain, options=ReportOptions(report_date=AS_OF, timezone="Europe/London"))
        for p in TEAM
    ]
    assert team.cover.period.start == min(c.cover.period.start for c in alone)


@pytest.mark.slow  # renders a PDF
def test_brief_board_option_selects_the_group_over_a_pair(example, tmp_path):
    domain, url = example
    pair = build_context("brief", "will", domain, options=ReportOptions(report_date=AS_OF, peer="jessica"))
    assert pair.board == "Peer lunch: Will & Jessica" and not pair.group
    group = build_context(
        "brief",
        "will",
        domain,
        options=ReportOptions(report_date=AS_OF, board="peer learning group: platform leads"),
    )
    assert group.group and len(group.blocks) == 4
    config = str(example_dir() / "config.yaml")
    result = CliRunner().invoke(
        cli,
        [
            "-c",
            config,
            "--database",
            url,
            "report",
            "brief",
            "will",
            "--board",
            "Peer learning group: Platform leads",
            "--to",
            "2026-11-15",
            "-o",
            str(tmp_path / "g.pdf"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "how'd it go?" in pdf_text(tmp_path / "g.pdf")
    bad = CliRunner().invoke(
        cli,
        [
            "-c",
            config,
            "--database",
            url,
            "report",
            "brief",
            "amara",
            "--board",
            "Peer lunch: Will & Jessica",
        ],
    )
    assert bad.exit_code != 0 and "no lunches or meetings on the board" in str(bad.exception)


@pytest.mark.slow
def test_practice_reports_use_the_one_status_vocabulary_and_agree_numbers_with_nouns(
    example, showcase_pdf, tmp_path
):
    domain, _ = example
    opts = ReportOptions(report_date=AS_OF, timezone="Europe/London")
    paths = [showcase_pdf] + [
        render_report("advocate", p, domain, options=opts, out=tmp_path / f"a-{p}.pdf") for p in TEAM
    ]
    for path in paths:
        flat = " ".join("\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages).split())
        assert not re.search(r"(?<![\d.,])1 (days|meetings|criteria|pieces|items|promises)\b", flat), (
            path.name
        )
        assert not re.search(r"\b(BROKEN|OVERDUE|Unattributed|None)\b|commitments? overdue", flat), path.name
        assert "said_by" not in flat and "from_line" not in flat  # no field names


def test_reliability_chart_has_no_legend_entry_for_a_line_without_points() -> None:
    from trellosync.domain.promises import ReliabilityPoint
    from trellosync.report.charts import render_chart
    from trellosync.report.practice_parts import reliability_chart

    points = [ReliabilityPoint(date(2026, m, 1), 4, 3, 0.75, 0, None) for m in (5, 6)]
    chart = reliability_chart(points)
    assert [code for code, _ in chart.series] == ["keep_rate"]
    svg = render_chart(chart, names={"keep_rate": "Keep rate", "grade": "Promise grade"})
    assert "Keep rate" in svg and "Promise grade" not in svg
    graded = [ReliabilityPoint(date(2026, 5, 1), 4, 3, 0.75, 2, 0.5)]
    assert [code for code, _ in reliability_chart(graded).series] == ["keep_rate", "grade"]


def test_a_brief_with_a_peer_who_shares_no_pair_board_is_refused_naming_the_boards_they_share(example):
    domain, _ = example
    opts = ReportOptions(report_date=AS_OF, timezone="Europe/London", peer="diego")
    with pytest.raises(ConfigError) as err:
        build_context("brief", "will", domain, options=opts)
    said = str(err.value)
    assert "Will Smith has no pair board with 'Diego Ramírez'" in said
    assert "'Peer learning group: Platform leads'" in said and "--board" in said
    group = build_context(
        "brief", "will", domain, options=replace(opts, board="Peer learning group: Platform leads")
    )
    assert group.group and group.board == "Peer learning group: Platform leads"


def test_default_brief_names_carry_the_peer_or_the_board() -> None:
    from trellosync.report.documents import default_filename

    day = date(2026, 11, 22)
    assert (
        default_filename("brief", "will", "pdf", day, peer="amara") == "brief-will-with-amara-2026-11-22.pdf"
    )
    assert default_filename("brief", "will", "pdf", day, peer="diego") != default_filename(
        "brief", "will", "pdf", day, peer="amara"
    )
    assert (
        default_filename("brief", "will", "pdf", day, board="Peer learning group: Platform leads")
        == "brief-will-peer-learning-group-platform-leads-2026-11-22.pdf"
    )
