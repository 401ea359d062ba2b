"""The Datasette metadata shipped with trellosync: it describes real tables and its canned queries agree with
the reports' rules on the example data."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import example_workspace

from trellosync.datasette import METADATA
from trellosync.domain.model import Domain
from trellosync.store import schema as t


@pytest.fixture(scope="module")
def metadata() -> dict:
    return yaml.safe_load(METADATA.read_text(encoding="utf-8"))["databases"]["trellosync"]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory,
            example_database: Path) -> tuple[sqlite3.Connection, Domain, str]:
    db = tmp_path_factory.mktemp("datasette") / "trellosync.db"
    _, store = example_workspace(example_database, db)
    domain = store.load_domain()
    store.close()
    assert domain.synced_at is not None
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn, domain, domain.synced_at.date().isoformat()


def test_described_tables_and_columns_exist(metadata: dict) -> None:
    tables = {table.name: table for table in t.metadata.sorted_tables}
    views = {"evidence", "goal_status", "commitment_status", "keep_rate", "pair_lunches", "competency_evidence"}
    for name, info in metadata["tables"].items():
        assert name in tables or name in views, name
        assert info["description"]
        for column in info.get("columns") or {}:
            assert column in tables[name].c, (name, column)
    assert set(tables) - {"alembic_version"} <= set(metadata["tables"]), "every table is described"


def _query(conn: sqlite3.Connection, metadata: dict, name: str) -> list[sqlite3.Row]:
    return conn.execute(metadata["queries"][name]["sql"]).fetchall()


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
        assert (row["kept"], row["late"], row["broken"], row["not_due_yet"]) == \
            (counts["kept"], counts["late"], counts["broken"], counts["open"]), person
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
    broken = [c for c in domain.commitments
              if rules.commitment_status(c, as_of, last_sync=domain.synced_at) == "broken"]
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


def test_metadata_ships_in_the_package() -> None:
    assert METADATA.is_file() and METADATA.parent == Path(t.__file__).parent.parent
