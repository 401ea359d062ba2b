"""The Datasette metadata shipped with trellosync: it describes real tables and its canned queries agree with
the reports' rules on the example data."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import example_workspace

from trellosync.datasette import METADATA, main, metadata_for
from trellosync.domain.model import Domain
from trellosync.store import schema as t


@pytest.fixture(scope="module")
def metadata() -> dict:
    return metadata_for("trellosync.db")["databases"]["trellosync"]


@pytest.fixture(scope="module")
def example(
    tmp_path_factory: pytest.TempPathFactory, example_database: Path
) -> tuple[sqlite3.Connection, Domain, str]:
    db = tmp_path_factory.mktemp("datasette") / "trellosync.db"
    _, store = example_workspace(example_database, db)
    domain = store.load_domain()
    store.close()
    assert domain.synced_at is not None
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn, domain, domain.synced_at.date().isoformat()


def test_described_tables_and_columns_exist(metadata: dict, example) -> None:
    conn, _, _ = example
    tables = {table.name: table for table in t.metadata.sorted_tables}
    views = {
        name: [c[1] for c in conn.execute(f"PRAGMA table_info({name})")]
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")
    }
    assert set(views) == {
        "evidence",
        "goal_status",
        "commitment_status",
        "keep_rate",
        "meetings",
        "pair_lunches",
        "competency_evidence",
    }
    for name, info in metadata["tables"].items():
        assert name in tables or name in views, name
        assert info["description"]
        for column in info.get("columns") or {}:
            assert column in (tables[name].c if name in tables else views[name]), (name, column)
    assert set(tables) - {"alembic_version"} <= set(metadata["tables"]), "every table is described"
    assert set(views) <= set(metadata["tables"]), "every view is described"


def _query(conn: sqlite3.Connection, metadata: dict, name: str, as_of: str = "") -> list[sqlite3.Row]:
    """A canned query as Datasette runs it: an empty form field is an empty string."""
    return conn.execute(metadata["queries"][name]["sql"], {"as_of": as_of}).fetchall()


def test_keep_rate_per_person_follows_the_commitment_rule(example, metadata: dict) -> None:
    from zoneinfo import ZoneInfo

    from trellosync.domain import rules
    from trellosync.domain.dates import local_date

    conn, domain, _ = example
    tz = ZoneInfo(domain.timezone)
    rows = {r["person_key"]: r for r in _query(conn, metadata, "keep_rate_per_person")}
    expected: dict[str, Counter] = {}
    for c in domain.commitments:
        if c.chain_deadline is None:
            continue
        as_of = local_date(rules.sync_of(domain.sync_times, c.board_id), tz)  # that board's last sync
        status = rules.commitment_status(c, as_of, last_sync=domain.sync_times, tz=tz)
        # As the reports count: kept only once due (a commitment kept early is neither judged nor open yet).
        if status in ("kept", "done_undated") and c.chain_deadline > as_of:
            continue
        expected.setdefault(c.person, Counter())[status] += 1
    assert set(rows) == set(expected)
    for person, counts in expected.items():
        row = rows[person]
        assert (row["kept"], row["late"], row["broken"], row["not_due_yet"]) == (
            counts["kept"],
            counts["late"],
            counts["broken"],
            counts["open"],
        ), person
        assert row["renewed"] == counts["renewed"], person
        due = counts["kept"] + counts["late"] + counts["broken"]
        assert row["keep_rate_percent"] == (round(100 * counts["kept"] / due) if due else None)
    # her reports: "Share a ranges-not-dates proposal", missed and made again at the next meeting, then kept
    # after its first deadline, counts once, as late
    assert (rows["jessica"]["kept"], rows["jessica"]["late"], rows["jessica"]["broken"]) == (11, 2, 2)
    assert rows["jessica"]["renewed"] == 1


def test_overdue_commitments_are_the_broken_ones(example, metadata: dict) -> None:
    from trellosync.domain import rules

    conn, domain, _ = example
    rows = _query(conn, metadata, "overdue_commitments")
    as_of = domain.synced_at.date()
    broken = [
        c
        for c in domain.commitments
        if rules.commitment_status(c, as_of, last_sync=domain.synced_at) == "broken"
    ]
    assert len(rows) == len(broken) > 0
    assert all(r["days_overdue"] > 0 for r in rows)


def test_evidence_per_competency_counts_every_entry_once(example, metadata: dict) -> None:
    conn, domain, _ = example
    rows = _query(conn, metadata, "evidence_per_competency")
    assert sum(r["entries"] for r in rows) == len(domain.feedback) > 0
    classified = Counter(e.competency for e in domain.feedback if e.competency)
    by_name = {c.name: n for c, n in ((domain.competencies[k], n) for k, n in classified.items())}
    got: Counter = Counter()
    for r in rows:
        if r["competency"]:
            got[r["competency"]] += r["entries"]
    assert dict(got) == by_name


@pytest.mark.parametrize("as_of", ["", "2026-09-30", "2026-06-16"])
def test_meetings_per_person_are_the_reports_counts_kind_by_kind(example, metadata: dict, as_of: str) -> None:
    import json
    from datetime import date

    from trellosync.cli.demo import example_dir
    from trellosync.config.settings import load_config
    from trellosync.report.documents import build_context, context_as_json, options_from_config

    conn, domain, synced = example
    rows = _query(conn, metadata, "meetings_per_person", as_of)
    got = {(r["person_key"], r["kind"]): (r["meetings"], r["held"], r["expected"], r["boards"]) for r in rows}
    words = {
        "lunch": "lunches",
        "group_meeting": "group meetings",
        "check_in": "check-ins",
        "team_lunch": "team lunches",
    }
    options = options_from_config(
        load_config(example_dir() / "config.yaml"), report_date=domain.synced_at.date()
    )
    expected = {}
    for person in {p for p, _ in got}:
        ctx = build_context(
            "goals", person, domain, period_to=date.fromisoformat(as_of or synced), options=options
        )
        for m in json.loads(context_as_json(ctx))["figures"]["meetings"]:
            expected[(person, m["kind"])] = (words[m["kind"]], m["held"], m["expected"], m["boards"])
    assert got == expected
    assert {r["as_of"] for r in rows} == {as_of or "each board's last sync"}
    # the team board began in October: before, it owes nothing and no row counts it
    assert len({k for _, k in got}) == (3 if as_of else 4)


def test_metadata_ships_in_the_package() -> None:
    assert METADATA.is_file() and METADATA.parent == Path(t.__file__).parent.parent


# ------------------------------------------------------------------ any file name


@pytest.mark.parametrize(
    ("database", "name"),
    [
        ("demo.db", "demo"),
        ("/srv/feedback/team lunches.sqlite", "team lunches"),
        ("sqlite:///data/demo.db", "demo"),
        ("trellosync.db", "trellosync"),
    ],
)
def test_metadata_is_keyed_by_the_name_datasette_gives_the_file(database: str, name: str) -> None:
    # Datasette names a database after its file's stem; metadata for `trellosync` attached to nothing on demo.db.
    data = metadata_for(database)
    assert list(data["databases"]) == [name]
    assert data["databases"][name]["queries"].keys() == {
        "keep_rate_per_person",
        "overdue_commitments",
        "evidence_per_competency",
        "meetings_per_person",
    }


def test_the_command_prints_or_writes_the_metadata_and_never_overwrites_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import stat

    assert main(["demo.db"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert list(printed["databases"]) == ["demo"]
    out = tmp_path / "demo-metadata.yaml"
    assert main(["demo.db", "-o", str(out)]) == 0
    assert yaml.safe_load(out.read_text(encoding="utf-8")) == printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert main(["other.db", "-o", str(out)]) == 0  # its own file is replaced
    db = tmp_path / "demo.db"
    db.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(SystemExit) as exc:
        main(["demo.db", "-o", str(db)])
    assert exc.value.code == 2 and "refusing to overwrite" in capsys.readouterr().err
    assert db.read_bytes() == b"SQLite format 3\x00"
    with pytest.raises(SystemExit):
        main(["postgresql://db/trellosync"])
    assert "Datasette serves SQLite files" in capsys.readouterr().err


def test_the_metadata_says_it_is_the_whole_record() -> None:
    description = metadata_for("x.db")["description"]
    assert "whole record" in description and "worst moment" in description and "owner" in description


# ------------------------------------------------------------------ as of a date


def test_every_canned_query_takes_as_of(metadata: dict) -> None:
    for name, query in metadata["queries"].items():
        assert ":as_of" in query["sql"] and query["params"] == ["as_of"], name
        assert "day you give" in query["description"], name


def test_as_of_the_last_sync_is_what_an_empty_date_gives(example, metadata: dict) -> None:
    conn, domain, synced = example
    for name in metadata["queries"]:
        empty = [dict(r) for r in _query(conn, metadata, name)]
        later = [dict(r) for r in _query(conn, metadata, name, "2099-01-01")]
        for row in empty + later:
            row.pop("as_of")
        assert empty == later and empty, name


EARLIER = "2026-06-30"


@pytest.mark.parametrize("day", [EARLIER, "2026-09-01"])  # before and after the example's first renewal
def test_keep_rate_as_of_an_earlier_day_follows_the_commitment_rule(
    example, metadata: dict, day: str
) -> None:
    from datetime import date

    from trellosync.domain import rules

    conn, domain, synced = example
    assert day < synced
    as_of = date.fromisoformat(day)
    rows = {r["person_key"]: r for r in _query(conn, metadata, "keep_rate_per_person", day)}
    expected: dict[str, Counter] = {}
    for c in domain.commitments:  # a chain of renewals counts once, at its first deadline
        if c.chain_deadline is None or c.made > as_of:
            continue
        status = rules.commitment_status(c, as_of, last_sync=domain.sync_times)
        if status in ("kept", "done_undated") and c.chain_deadline > as_of:
            continue
        expected.setdefault(c.person, Counter())[status] += 1
    assert set(rows) == set(expected)
    for person, counts in expected.items():
        row = rows[person]
        assert (
            row["kept"],
            row["late"],
            row["broken"],
            row["not_due_yet"],
            row["renewed"],
            row["as_of"],
        ) == (counts["kept"], counts["late"], counts["broken"], counts["open"], counts["renewed"], day), (
            person
        )
    whole = {r["person_key"]: r for r in _query(conn, metadata, "keep_rate_per_person")}
    assert sum(r["due"] for r in rows.values()) < sum(r["due"] for r in whole.values())  # the date matters


def test_overdue_as_of_an_earlier_day_are_the_broken_ones_then(example, metadata: dict) -> None:
    from datetime import date

    from trellosync.domain import rules

    conn, domain, _ = example
    as_of = date.fromisoformat(EARLIER)
    rows = _query(conn, metadata, "overdue_commitments", EARLIER)
    broken = sorted(
        c.text
        for c in domain.commitments
        if c.made <= as_of and rules.commitment_status(c, as_of, last_sync=domain.sync_times) == "broken"
    )
    assert sorted(r["text"] for r in rows) == broken and broken
    assert all(
        r["as_of"] == EARLIER
        and type(r["days_overdue"]) is int
        and r["days_overdue"] == (as_of - date.fromisoformat(r["deadline"])).days
        for r in rows
    )
    assert len(broken) != len(_query(conn, metadata, "overdue_commitments"))


def test_evidence_per_competency_as_of_a_day_counts_the_entries_up_to_it(example, metadata: dict) -> None:
    from datetime import date

    conn, domain, _ = example
    rows = _query(conn, metadata, "evidence_per_competency", EARLIER)
    up_to = [e for e in domain.feedback if e.date <= date.fromisoformat(EARLIER)]
    assert sum(r["entries"] for r in rows) == len(up_to) > 0
    assert len(up_to) < len(domain.feedback)
