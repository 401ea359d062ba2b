"""The low-severity findings of issue 19's attack pass, one test (or a few) each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from boardbuilder import Board
from clihelp import run_cli

from trellosync.config.settings import parse_config
from trellosync.domain.dates import date_from_name, local_date
from trellosync.report.documents import ReportOptions, build_context, context_as_json
from trellosync.report.kinds import kind_names
from trellosync.store.db import Store
from trellosync.sync.pipeline import ingest_board

CONFIG = parse_config("""
timezone: Pacific/Honolulu
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
""")


# ------------------------------------------------------------------ dates at the ends of datetime's range

def test_dates_outside_the_plausible_range_are_no_dates() -> None:
    from datetime import datetime

    assert date_from_name("1 Jan 0001 lunch") is None and date_from_name("9999-12-31 lunch") is None
    assert date_from_name("4 Mar 2026 lunch") == date(2026, 3, 4)
    assert local_date(datetime(1, 1, 1)) is None  # and no OverflowError west of UTC
    from zoneinfo import ZoneInfo
    assert local_date(datetime(1, 1, 1, 5), ZoneInfo("Pacific/Honolulu")) is None


def test_a_lunch_named_1_jan_0001_breaks_no_report_and_not_status(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    b = Board()
    for name in ("1 Jan 0001 lunch", "31 Dec 9999 lunch", "01/01/0001 lunch", "2026-03-02 lunch"):
        c = b.card("Lunches", name, members=("willsmith", "jessjones"), desc="## Best moment\n- Will: x\n")
        b.checklist(c, "Commitments", ["Will: write it up"])
    b.card("Goals", "Will: 1 Jan 0001 goal")  # (a due of year 1 is refused on import: mirror/validate.py)
    db = tmp_path / "db.sqlite"
    store = Store(f"sqlite:///{db}")
    try:
        ingest_board(store, b.data, CONFIG)
        domain = store.load_domain()
    finally:
        store.close()
    assert len(domain.lunches) == 4 and all(date(1970, 1, 1) <= lu.date <= date(2200, 12, 31) for lu in domain.lunches)
    options = ReportOptions(report_date=date(2026, 6, 1), people=("will", "jessica"), timezone="Pacific/Honolulu")
    for kind in kind_names():
        assert context_as_json(build_context(kind, "will", domain, options=options))
    code, out, err = run_cli(capsys, "status", "--database", str(db))
    assert code == 0 and "Peer lunch" in out, err
    code, out, err = run_cli(capsys, "report", "goals", "will", "--database", str(db), "--format", "json",
                             "--from", "0001-01-01")
    assert code == 2 and "between 1970-01-01 and 2200-12-31" in err


# ------------------------------------------------------------------ the config: ${...} references, plaintext tokens

BOARDS = "people: {will: {name: Will}}\nboards: [{board: X}]\n"


@pytest.mark.parametrize("database", ["sqlite:///${HOME/x.db", "postgresql://u:${PG-PASS}@h/db", "${}", "x${ y }"])
def test_a_malformed_reference_in_database_is_a_config_error(database: str) -> None:
    from trellosync.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        parse_config(f"database: {database!r}\n" + BOARDS, "t.yaml")
    assert any("t.yaml:1: database: a malformed ${...} reference" in p for p in exc.value.problems)


def test_a_malformed_reference_in_the_token_is_a_config_error_without_the_value() -> None:
    from trellosync.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        parse_config("trello: {token: '${TRELLO_TOKEN'}\n" + BOARDS, "t.yaml")
    assert exc.value.problems == ["t.yaml:1: trello.token: a malformed ${...} reference (write ${TRELLO_TOKEN}; "
                                  "the value is not shown)"]


@pytest.mark.parametrize("database", ["sqlite:///a$$b.db", "sqlite:///${HOME:-/tmp}/x.db", "sqlite:///pa$word.db"])
def test_well_formed_references_and_literal_dollars_are_no_problem(database: str) -> None:
    assert parse_config(f"database: {database!r}\n" + BOARDS).database.startswith("sqlite:///")


def test_a_plaintext_token_draws_a_warning_at_load(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = "0123456789abcdef" * 4
    cfg = parse_config(f"trello:\n  api_key: k\n  token: {secret}\n" + BOARDS, "t.yaml")
    assert cfg.warnings == ["t.yaml:3: trello.token is written in the file as plain text: anyone who can read it "
                            "can act as you on Trello; write token: ${TRELLO_TOKEN} or use token_file (the value "
                            "is not shown)"]
    assert parse_config("trello: {token: '${TRELLO_TOKEN}'}\n" + BOARDS).warnings == []
    assert parse_config(BOARDS).warnings == []
    path = tmp_path / "trellosync.yaml"
    path.write_text(f"trello:\n  token: {secret}\n" + BOARDS)
    code, out, err = run_cli(capsys, "check", "-c", str(path))
    assert code == 0 and "warning: " in err and "${TRELLO_TOKEN}" in err and secret not in out + err
