"""The rights of the people in the record: subject access, reply, erasure, retention, the report log, departures."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from boardbuilder import Board, iso, oid
from clihelp import run_cli
from conftest import example_workspace
from sqlalchemy import text

from trellosync.cli.demo import example_dir
from trellosync.config.settings import parse_config
from trellosync.report.documents import ReportOptions, build_context, context_as_json, render_report_html
from trellosync.store.rights import departed_people, report_log, subject_record
from trellosync.sync.pipeline import import_export, ingest_board, rebuild_domain

PEOPLE = """
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: 'Peer lunch: Will & Jessica'
    subjects: [will, jessica]
"""


def _config(extra: str = "") -> object:
    return parse_config(PEOPLE + extra)


# ------------------------------------------------------------------ right of reply


def reply_board() -> tuple[Board, str]:
    b = Board()
    c = b.card("Lunches", "2026-03-04 tacos", due="2026-03-04")
    b.checklist(
        c, "Worst moment - Will", ["Missed the deadline for the migration plan", "Interrupted Jessica twice"]
    )
    b.checklist(c, "Best moment - Jessica", ["Shipped the importer"])
    b.comment(
        c,
        'reply: "Missed the deadline" I was on sick leave that week; the plan landed the Monday after',
        "2026-03-06",
        by="willsmith",
    )
    b.comment(
        c, "reply: not my view", "2026-03-06", by="jessjones"
    )  # Jessica's entries: one, so no naming needed
    b.comment(
        c, "reply: this names nothing on the card", "2026-03-07", by="willsmith"
    )  # two candidates: none named
    return b, c


def test_a_reply_sits_beside_its_entry_and_is_never_evidence(sqlite_store) -> None:
    b, _ = reply_board()
    ingest_board(sqlite_store, b.data, _config())
    d = sqlite_store.load_domain()
    assert sorted((r.by, r.text) for r in d.replies) == [
        ("jessica", "not my view"),
        ("will", "I was on sick leave that week; the plan landed the Monday after"),
    ]
    will_reply = next(r for r in d.replies if r.by == "will")
    assert next(f for f in d.feedback if f.id == will_reply.entry_id).text.startswith("Missed the deadline")
    # never an entry: no observation carries a reply's text, and the counts are the three checklist items
    assert [f.kind for f in d.feedback if f.kind == "observation"] == []
    assert len(d.feedback) == 3
    options = ReportOptions(report_date=date(2026, 3, 31), include_worst_moments=True)
    ctx = build_context("goals", "will", d, options=options)
    data = json.loads(context_as_json(ctx))
    assert "I was on sick leave that week" in json.dumps(data)
    html, _ = render_report_html(ctx, options, for_pdf=False)
    assert "Will Smith replied, " in html and "I was on sick leave that week" in html
    # a reply dated after the report's as-of date is not shown
    early = build_context("goals", "will", d, options=ReportOptions(report_date=date(2026, 3, 5)))
    assert "sick leave" not in context_as_json(early)


def test_the_reply_marker_is_configurable_per_board(sqlite_store) -> None:
    b, c = reply_board()
    # with 'reply:' no longer a marker, Will's 'reply:' comments are observations about Jessica: hers must name its entry
    b.comment(c, "antwort: “Shipped the importer” – it was a team effort", "2026-03-08", by="jessjones")
    ingest_board(sqlite_store, b.data, _config("    polarity: {reply: ['antwort:']}\n"))
    d = sqlite_store.load_domain()
    assert [r.text for r in d.replies] == ["it was a team effort"]
    # with another marker, a 'reply:' comment is an ordinary observation again
    assert any(f.kind == "observation" and "not my view" in f.text for f in d.feedback)


# ------------------------------------------------------------------ subject access


@pytest.mark.parametrize("pdf", [pytest.param("laid out", marks=pytest.mark.slow), "not laid out"])
def test_subject_access_export_matches_the_database(
    tmp_path, example_database, capsys, monkeypatch, pdf
) -> None:
    if pdf == "not laid out":  # WeasyPrint's 18 pages take 6 s of CPU; the JSON is compared below either way
        import trellosync.report.subject_access as subject_access

        def write_pdf(html: str, out: Path, *_a, **_k) -> Path:
            assert "Will Smith" in html
            out.write_bytes(b"%PDF-1.7 (not laid out)")
            return out

        monkeypatch.setattr(subject_access, "write_pdf", write_pdf)
    config, store = example_workspace(example_database, tmp_path / "x.db")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        (example_dir() / "config.yaml").read_text() + f"\ndatabase: sqlite:///{tmp_path / 'x.db'}\n"
    )
    code, out, err = run_cli(capsys, "person", "export", "will", "-c", str(cfg), "-o", str(tmp_path / "sar"))
    assert code == 0, err
    json_path, pdf_path = (Path(p) for p in out.split())
    assert pdf_path.read_bytes().startswith(b"%PDF") and json_path.stat().st_mode & 0o077 == 0
    got = json.loads(json_path.read_text())
    with store.engine.connect() as conn:

        def ids(sql: str) -> list[str]:
            return sorted(conn.execute(text(sql)).scalars())

        assert sorted(e["id"] for e in got["entries_about"]) == ids(
            "SELECT id FROM feedback WHERE about = 'will'"
        )
        assert sorted(e["id"] for e in got["entries_by"]) == ids(
            "SELECT id FROM feedback WHERE said_by = 'will' AND about <> 'will'"
        )
        assert sorted(g["id"] for g in got["goals"]) == ids(
            "SELECT goal_id FROM goal_owners WHERE person = 'will'"
        )
        assert sorted(c["id"] for c in got["commitments"]) == ids(
            "SELECT id FROM commitments WHERE person = 'will'"
        )
        assert sorted(p["id"] for p in got["promises"]) == ids(
            "SELECT id FROM promises WHERE person = 'will'"
        )
        assert sorted(s["id"] for s in got["self_reviews"]) == ids(
            "SELECT id FROM self_reviews WHERE person = 'will'"
        )
        assert sorted(s["id"] for s in got["stakeholder_feedback_about"]) == ids(
            "SELECT id FROM stakeholder_feedback WHERE about = 'will'"
        )
        # other people's words about third parties are not in it
        third = set(
            ids("SELECT id FROM feedback WHERE about <> 'will' AND (said_by IS NULL OR said_by <> 'will')")
        )
        assert third and not third & {e["id"] for e in got["entries_about"] + got["entries_by"]}
    assert got["entries_about"] and all(e["board"] and e["source"] for e in got["entries_about"])
    # each entry's meeting is named by its kind, as the reports and the `meetings` view name it
    kinds = {e["meeting_kind"] for e in got["entries_about"] if e["meeting_date"]}
    assert {"lunch", "check_in"} <= kinds and not any("lunch_date" in e for e in got["entries_about"])
    # the export is itself logged, and the log is part of the next export
    assert [r["kind"] for r in report_log(store.engine, "will")] == ["subject-access", "subject-access"]
    assert len(subject_record(store.engine, "will")["report_log"]) == 2


# ------------------------------------------------------------------ the report log


def test_every_report_written_is_logged_with_its_hash(tmp_path, example_database, capsys) -> None:
    config, store = example_workspace(example_database, tmp_path / "x.db")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        (example_dir() / "config.yaml").read_text() + f"\ndatabase: sqlite:///{tmp_path / 'x.db'}\n"
    )
    out = tmp_path / "b.html"
    assert run_cli(capsys, "report", "brief", "jessica", "-c", str(cfg), "-o", str(out))[0] == 0
    assert run_cli(capsys, "report", "goals", "will", "-c", str(cfg), "--format", "json")[0] == 0
    rows = report_log(store.engine)
    assert [(r["kind"], r["person"], r["format"]) for r in rows] == [
        ("brief", "jessica", "html"),
        ("goals", "will", "json"),
    ]
    assert rows[0]["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert rows[0]["os_user"] and rows[0]["path"] == str(out.resolve())
    code, printed, _ = run_cli(capsys, "log", "-c", str(cfg), "--person", "Will Smith", "--json")
    assert code == 0 and [r["kind"] for r in json.loads(printed)] == ["goals"]


# ------------------------------------------------------------------ erasure


def _dump_text(store) -> str:
    return json.dumps(store.table_dump(), default=str, ensure_ascii=False).casefold()


def test_forget_removes_the_person_everywhere_and_a_later_sync_keeps_them_out(
    tmp_path, example_database, capsys
) -> None:
    config, store = example_workspace(example_database, tmp_path / "x.db")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        (example_dir() / "config.yaml").read_text() + f"\ndatabase: sqlite:///{tmp_path / 'x.db'}\n"
    )
    member_id = store.load_domain().people["will"].member_id
    needles = ["will smith", "willsmith", member_id.casefold()]
    assert all(n in _dump_text(store) for n in needles)
    before = store.table_dump()
    code, out, _ = run_cli(capsys, "person", "forget", "will", "-c", str(cfg))
    assert code == 0 and "would remove" in out and store.table_dump() == before  # a dry run changes nothing
    said_about_jessica = {
        f.id for f in store.load_domain().feedback if f.said_by == "will" and f.about == "jessica"
    }
    assert said_about_jessica
    code, _, err = run_cli(capsys, "person", "forget", "will", "--yes", "-c", str(cfg))
    assert code == 0, err
    dump = _dump_text(store)
    assert [n for n in needles if n in dump] == []
    d = store.load_domain()
    assert "will" not in d.people and not [f for f in d.feedback if f.about and f.about.startswith("former-")]
    # what Will said about Jessica stays, as a former colleague's words
    kept = [f for f in d.feedback if f.id in said_about_jessica]
    assert kept and {d.people[f.said_by].name for f in kept} == {"Former colleague"}
    # a later sync (every example export again, and a rebuild) does not bring them back
    for export in sorted(example_dir().glob("*.json")):
        import_export(store, export, config)
    rebuild_domain(store, config)
    dump = _dump_text(store)
    assert [n for n in needles if n in dump] == []
    assert {f.id for f in store.load_domain().feedback} == {f.id for f in d.feedback}
    # and no regenerated report names them
    for kind in ("goals", "dossier", "brief"):
        ctx = build_context(
            kind, "jessica", store.load_domain(), options=ReportOptions(report_date=date(2026, 12, 1))
        )
        html, _ = render_report_html(ctx, ReportOptions(), for_pdf=False)
        assert not [n for n in needles if n in html.casefold()], kind
    code, out, _ = run_cli(capsys, "check", "-c", str(cfg))
    assert "people.will was forgotten" in out
    erasure = store.table_dump()["erasures"]
    assert len(erasure) == 1 and member_id not in json.dumps(erasure, default=str)


# ------------------------------------------------------------------ retention


def old_and_new_board() -> Board:
    b = Board()
    today = date.today()
    for when in (today - timedelta(days=400), today - timedelta(days=10)):
        c = b.card("Lunches", f"{when.isoformat()} lunch", due=when.isoformat(), created=when.isoformat())
        b.checklist(c, "Best moment - Will", [f"best of {when.isoformat()}"])
        b.comment(c, f"praise: seen on {when.isoformat()}", when.isoformat(), by="jessjones")
    b.data["dateLastActivity"] = iso(today.isoformat())
    return b


def test_retention_applies_on_every_sync_and_rebuild_and_reports_say_where_data_starts(
    sqlite_store, capsys, tmp_path
) -> None:
    b = old_and_new_board()
    ingest_board(sqlite_store, b.data, _config())
    assert len(sqlite_store.load_domain().feedback) == 4 and sqlite_store.load_domain().data_from is None
    config = _config("retention: {entries_days: 365, actions_days: 365}\n")
    rebuild_domain(sqlite_store, config)
    d = sqlite_store.load_domain()
    cutoff = date.today() - timedelta(days=365)
    assert d.data_from == cutoff
    assert d.feedback and all(f.date >= cutoff for f in d.feedback) and len(d.feedback) == 2
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM comments")).scalar() == 1
        assert (
            conn.execute(text("SELECT count(*) FROM actions WHERE date < :c"), {"c": str(cutoff)}).scalar()
            == 0
        )
    # a sync brings the old export data in again: the same sync trims it
    ingest_board(sqlite_store, b.data, config)
    assert len(sqlite_store.load_domain().feedback) == 2
    options = ReportOptions(report_date=date.today())
    ctx = build_context("goals", "will", d, period_from=date.today() - timedelta(days=500), options=options)
    html, _ = render_report_html(ctx, options, for_pdf=False)
    assert "Data held from" in html and "nothing before it is counted" in html
    assert config.retention.describe().startswith("keeps entries 365 days, comments and actions 365 days")
    assert _config().retention.describe().startswith("keeps everything")


# ------------------------------------------------------------------ Trello's signals


def test_departed_people_left_every_board_or_deleted_account(sqlite_store) -> None:
    b = Board(
        members=(("willsmith", "Will Smith"), ("jessjones", "Jessica Jones"), ("amara", "Amara Okafor"))
    )
    c = b.card("Lunches", "2026-03-04 tacos", due="2026-03-04")
    b.comment(c, "hello", "2026-03-04", by="amara")
    ingest_board(sqlite_store, b.data, None, seen_at=datetime(2026, 3, 5))
    now = datetime(2026, 9, 1)
    assert departed_people(sqlite_store.engine, 30, now) == []
    # Will leaves the board; Amara deletes her account: Trello then sends her actions without memberCreator
    gone = b.member_ids["amara"]
    b.data["members"] = [m for m in b.data["members"] if m["username"] == "jessjones"]
    b.data["actions"].insert(
        0,
        {
            "id": oid("2026-03-06T12:00:00"),
            "type": "commentCard",
            "date": iso("2026-03-06"),
            "idMemberCreator": gone,
            "data": {"text": "bye", "card": {"id": c}},
        },
    )
    ingest_board(sqlite_store, b.data, None, seen_at=datetime(2026, 3, 7))
    found = {(d.key, d.reason) for d in departed_people(sqlite_store.engine, 30, now)}
    assert found == {("willsmith", "left"), ("amara", "deleted_account")}
    assert {d.key for d in departed_people(sqlite_store.engine, 365, now)} == {"amara"}


def test_departed_forget_policy_forgets_them(sqlite_store) -> None:
    from trellosync.sync.forget import forget_departed

    b = Board()
    c = b.card("Lunches", "2026-03-04 tacos", due="2026-03-04")
    b.checklist(c, "Best moment - Will", ["Shipped the importer"])
    ingest_board(sqlite_store, b.data, _config(), seen_at=datetime(2026, 3, 5))
    b.data["members"] = [m for m in b.data["members"] if m["username"] == "jessjones"]
    ingest_board(sqlite_store, b.data, _config(), seen_at=datetime(2026, 3, 6))
    assert (
        forget_departed(sqlite_store, _config("retention: {left_after_days: 1}\n")) == []
    )  # keep by default
    config = _config("retention: {left_after_days: 1, departed: forget}\n")
    assert forget_departed(sqlite_store, config) == ["will"]
    assert "willsmith" not in _dump_text(sqlite_store)
    assert sqlite_store.load_domain().feedback == []


@pytest.mark.parametrize(
    "key", ["entries_days", "actions_days", "report_log_days", "left_after_days", "departed", "reply"]
)
def test_new_config_keys_are_documented(key: str) -> None:
    assert f"{key}:" in (Path(__file__).resolve().parents[1] / "config.example.yaml").read_text()
