"""The whole chain: Trello (a fake server, or an export) -> sync -> database -> report PDF."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pypdf
import pytest
import yaml
from boardbuilder import Board
from clihelp import run_cli

from trellosync.cli.demo import example_dir
from trellosync.config.settings import parse_config
from trellosync.report.documents import ReportOptions, render_report
from trellosync.report.render import SafeURLFetcher
from trellosync.sync.pipeline import ingest_board
from trellosync.testing.fake_trello import FakeTrello

pytestmark = pytest.mark.slow  # every test here renders reports

KEY, TOKEN = "c3" * 16, "TOKEN-e2e-" + "d4" * 27

HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "<style>body { display: none }</style>",
    "<script>alert(1)</script>",
    '<iframe src="http://169.254.169.254/latest/meta-data/"></iframe>',
    "[click](javascript:alert(1))",
    "![x](http://169.254.169.254/latest/meta-data/)",
    "{{ 7*7 }} {% for x in range(3) %}loop{% endfor %}",
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def real_tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Elements the browser would build (escaped card text is not an element)."""
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages)


def attachments(path: Path) -> list[str]:
    reader = pypdf.PdfReader(path)
    found = list(reader.attachments)
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/Subtype") == "/FileAttachment":
                found.append("annotation")
    return found


def test_hostile_card_text_from_a_board_to_every_report(sqlite_store, tmp_path):
    config = parse_config("""
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
reports:
  dossier: {include_worst_moments: true}
""")
    b = Board()
    lunch = b.card("Lunches", "2026-03-03 " + HOSTILE[0], desc="## Best moment\n- Will: " + HOSTILE[2])
    b.card("Lunches", "2026-03-17 lunch")
    for kind in ("Best moment", "Worst moment", "Focus", "Commitments"):
        b.checklist(lunch, kind, [{"name": text, "member": "willsmith"} for text in HOSTILE])
    for text in HOSTILE:
        b.comment(lunch, text, "2026-03-05T10:00")
    goal = b.card("Goals", "Goal " + HOSTILE[4], members=("willsmith",), desc=HOSTILE[1], due="2026-05-01")
    b.checklist(goal, "Key results", [HOSTILE[3]])
    ingest_board(sqlite_store, b.data, config)
    domain = sqlite_store.load_domain()
    assert sum(1 for e in domain.feedback if e.about == "will") >= 3 * len(HOSTILE)
    options = ReportOptions(include_worst_moments=True, report_date=domain.lunches[-1].date)
    for kind in ("goals", "dossier", "brief"):
        fetcher = SafeURLFetcher()
        out = render_report(
            kind, "will", domain, options=options, out=tmp_path / f"{kind}.pdf", fetcher=fetcher
        )
        assert fetcher.refused == [], kind
        assert all(u.startswith("file://") and str(fetcher.root) in u for u in fetcher.calls), fetcher.calls
        assert attachments(out) == [], kind
        text = pdf_text(out)
        assert "{{ 7*7 }}" in text, kind  # literally, not evaluated
        html = render_report(kind, "will", domain, options=options, fmt="html", out=tmp_path / f"{kind}.html")
        tags = real_tags(html.read_text())
        assert not {"script", "iframe", "img", "object", "embed"} & {tag for tag, _ in tags}, kind
        for tag, attrs in tags:
            for name, value in attrs:
                assert not (value or "").lower().startswith(("javascript:", "file:")), (tag, name, value)
            if tag == "link":
                assert dict(attrs).get("rel") != "attachment"


def _without_sync_times(status: dict) -> dict:
    """`status --json` without what depends on how and when a board arrived (API or export)."""
    drop = {"source", "synced_at", "last_full_sync", "date_last_activity"}
    return {**status, "by_board": [{k: v for k, v in b.items() if k not in drop} for b in status["by_board"]]}


@pytest.fixture
def example_server():
    exports = sorted(example_dir().glob("*.json"))
    with FakeTrello(exports, key=KEY, token=TOKEN) as fake:
        yield fake


def test_sync_from_fake_trello_then_reports(example_server, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = yaml.safe_load((example_dir() / "config.yaml").read_text())
    cfg["trello"] = {"api_key": "${E2E_KEY}", "token": "${E2E_TOKEN}", "api_url": example_server.url}
    cfg["database"] = "sqlite:///e2e.db"
    cfg["reports"] = {"output": str(tmp_path / "out")}
    (tmp_path / "trellosync.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True))
    monkeypatch.setenv("E2E_KEY", KEY)
    monkeypatch.setenv("E2E_TOKEN", TOKEN)

    code, out, err = run_cli(capsys, "sync")
    assert code == 0, err
    assert out == "" and err == ""  # cron-quiet on success
    code, out, _ = run_cli(capsys, "status", "--json")
    import json

    status = json.loads(out)
    # The API path and the export path give the same database.
    exports = [str(p) for p in sorted(example_dir().glob("*.json"))]
    code, _, err = run_cli(
        capsys, "sync", "--database", "exports.db", *sum((["--from-export", e] for e in exports), [])
    )
    assert code == 0, err
    code, out, _ = run_cli(capsys, "status", "--json", "--database", "exports.db")
    assert _without_sync_times(json.loads(out)) == _without_sync_times(status)
    assert [b["source"] for b in status["by_board"]] == ["api"] * len(exports)
    assert all(b["synced_at"] for b in status["by_board"])
    assert status["boards"] == len(exports) and status["meetings"] >= 36 and status["commitments"] >= 60

    before = example_server.stats()["requests"]
    code, out, err = run_cli(capsys, "sync")
    assert code == 0, err
    # Nothing changed: one small request per mapped board, none under /1/members/ (100 per 900 s per token).
    assert example_server.stats()["requests"] - before == len(exports)

    code, out, err = run_cli(capsys, "report", "brief", "will", "-o", str(tmp_path / "brief.pdf"))
    assert code == 0, err
    text = pdf_text(tmp_path / "brief.pdf")
    assert "Will Smith" in text and "Conversation brief" in text
    code, out, err = run_cli(capsys, "report", "dossier", "--all", "--jobs", "2")
    assert code == 0, err
    pdfs = sorted((tmp_path / "out").glob("dossier-*.pdf"))
    assert [p.name.split("-")[1] for p in pdfs] == ["amara", "diego", "jessica", "will"]
    code, out, err = run_cli(capsys, "report", "goals", "nobody")
    assert code == 2 and "known people" in err and "will" in err

    for path in [tmp_path / "brief.pdf", *pdfs, tmp_path / "e2e.db"]:
        assert TOKEN.encode() not in path.read_bytes()
    shutil.rmtree(tmp_path / "out")


def test_reports_without_a_config_use_board_members(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    export = example_dir() / "peer-lunch-will-jessica.json"
    assert run_cli(capsys, "sync", "--from-export", str(export), "--database", "t.db")[0] == 0
    code, out, err = run_cli(
        capsys, "report", "brief", "--all", "--database", "t.db", "-o", "out", "--format", "html"
    )
    assert code == 0, err
    assert sorted(p.name.split("-")[1] for p in (tmp_path / "out").glob("*.html")) == [
        "jessjones",
        "willsmith",
    ]


def test_an_unchanged_board_holds_as_of_the_listing_and_its_statuses_move_on(example_server, tmp_path):
    """A quiet board is current as of each run: its sync time moves on and its deadlines get judged."""
    from datetime import datetime, timezone

    from sqlalchemy import text

    from trellosync.config.settings import load_config
    from trellosync.store.db import Store
    from trellosync.sync.run import sync_boards

    cfg = yaml.safe_load((example_dir() / "config.yaml").read_text())
    # No daily full refresh (full_refresh_hours: 0), which would otherwise re-download the boards anyway.
    cfg["trello"] = {"api_key": KEY, "token": TOKEN, "api_url": example_server.url, "full_refresh_hours": 0}
    cfg["database"] = f"sqlite:///{tmp_path / 'q.db'}"
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True))
    config = load_config(tmp_path / "c.yaml")
    first, later = (
        datetime(2026, 11, 14, 9, tzinfo=timezone.utc),
        datetime(2026, 12, 31, 9, tzinfo=timezone.utc),
    )
    with Store(config.database) as store:
        sync_boards(config, store, now=lambda: first)

        def open_due_before_later() -> dict[str, str]:
            with store.engine.connect() as conn:
                return dict(
                    conn.execute(
                        text(
                            "SELECT id, status_at_sync FROM commitments WHERE NOT done AND deadline > '2026-11-14' "
                            "AND deadline < '2026-12-31'"
                        )
                    ).all()
                )

        waiting = open_due_before_later()
        assert waiting and set(waiting.values()) == {"open"}
        before = example_server.stats()["requests"]
        report = sync_boards(config, store, now=lambda: later)
        assert {o.status for o in report.outcomes} == {"unchanged"}
        assert example_server.stats()["requests"] - before == len(
            list(example_dir().glob("*.json"))
        )  # no download
        assert {st.synced_at for st in store.sync_states().values()} == {later.replace(tzinfo=None)}
        assert set(open_due_before_later().values()) == {"broken"}  # judged as of this run, in SQL too
        same_day = later.replace(hour=18)
        sync_boards(config, store, now=lambda: same_day)
        assert {st.synced_at for st in store.sync_states().values()} == {same_day.replace(tzinfo=None)}
