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


def test_a_lunch_named_1_jan_0001_breaks_no_report_and_not_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
    assert len(domain.lunches) == 4 and all(
        date(1970, 1, 1) <= lu.date <= date(2200, 12, 31) for lu in domain.lunches
    )
    options = ReportOptions(
        report_date=date(2026, 6, 1), people=("will", "jessica"), timezone="Pacific/Honolulu"
    )
    for kind in kind_names():
        assert context_as_json(build_context(kind, "will", domain, options=options))
    code, out, err = run_cli(capsys, "status", "--database", str(db))
    assert code == 0 and "Peer lunch" in out, err
    code, out, err = run_cli(
        capsys, "report", "goals", "will", "--database", str(db), "--format", "json", "--from", "0001-01-01"
    )
    assert code == 2 and "between 1970-01-01 and 2200-12-31" in err


# ------------------------------------------------------------------ the config: ${...} references, plaintext tokens

BOARDS = "people: {will: {name: Will}}\nboards: [{board: X}]\n"


@pytest.mark.parametrize(
    "database", ["sqlite:///${HOME/x.db", "postgresql://u:${PG-PASS}@h/db", "${}", "x${ y }"]
)
def test_a_malformed_reference_in_database_is_a_config_error(database: str) -> None:
    from trellosync.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        parse_config(f"database: {database!r}\n" + BOARDS, "t.yaml")
    assert any("t.yaml:1: database: a malformed ${...} reference" in p for p in exc.value.problems)


def test_a_malformed_reference_in_the_token_is_a_config_error_without_the_value() -> None:
    from trellosync.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        parse_config("trello: {token: '${TRELLO_TOKEN'}\n" + BOARDS, "t.yaml")
    assert exc.value.problems == [
        "t.yaml:1: trello.token: a malformed ${...} reference (write ${TRELLO_TOKEN}; the value is not shown)"
    ]


@pytest.mark.parametrize(
    "database", ["sqlite:///a$$b.db", "sqlite:///${HOME:-/tmp}/x.db", "sqlite:///pa$word.db"]
)
def test_well_formed_references_and_literal_dollars_are_no_problem(database: str) -> None:
    assert parse_config(f"database: {database!r}\n" + BOARDS).database.startswith("sqlite:///")


def test_a_plaintext_token_draws_a_warning_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "0123456789abcdef" * 4
    cfg = parse_config(f"trello:\n  api_key: k\n  token: {secret}\n" + BOARDS, "t.yaml")
    assert cfg.warnings == [
        "t.yaml:3: trello.token is written in the file as plain text: anyone who can read it "
        "can act as you on Trello; write token: ${TRELLO_TOKEN} or use token_file (the value "
        "is not shown)"
    ]
    assert parse_config("trello: {token: '${TRELLO_TOKEN}'}\n" + BOARDS).warnings == []
    assert parse_config(BOARDS).warnings == []
    path = tmp_path / "trellosync.yaml"
    path.write_text(f"trello:\n  token: {secret}\n" + BOARDS)
    code, out, err = run_cli(capsys, "check", "-c", str(path))
    assert code == 0 and "warning: " in err and "${TRELLO_TOKEN}" in err and secret not in out + err


# ------------------------------------------------------------------ wrong-typed fields: a DataError, never a crash

WRONG = [1, 1.5, True, "x", [], {}, ["a"], [{}], {"id": 1}]


def _small_export() -> dict:
    """The example board cut to a few cards, with one action of every type it holds."""
    import json

    from trellosync.cli.demo import example_dir

    data = json.loads((example_dir() / "peer-lunch-will-jessica.json").read_text(encoding="utf-8"))
    cards = [c for c in data["cards"] if c.get("idChecklists")][:2]
    cards += [c for c in data["cards"] if c.get("desc") and c not in cards][:2]
    ids = {c["id"] for c in cards}
    data["cards"] = cards
    data["checklists"] = [cl for cl in data["checklists"] if cl["idCard"] in ids]
    one_each: dict[str, dict] = {}
    for a in data["actions"]:
        one_each.setdefault(a["type"] + ",".join(sorted(a.get("data", {}))), a)
    data["actions"] = list(one_each.values())
    return data


def _places(data: dict) -> list[tuple[tuple, str]]:
    """(path of an object, key) for every key of every object the normalizer and the domain read."""
    from trellosync.mirror.validate import SHAPES

    out: list[tuple[tuple, str]] = [
        ((), k) for k in set(data) | set(SHAPES["board"]) if not isinstance(data.get(k), list)
    ]
    for coll, shape in (
        ("lists", "list"),
        ("labels", "label"),
        ("members", "member"),
        ("cards", "card"),
        ("checklists", "checklist"),
        ("actions", "action"),
    ):
        for i, obj in enumerate(data[coll][:2] if coll != "actions" else data[coll]):
            out += [((coll, i), k) for k in sorted(set(obj) | set(SHAPES[shape]) | {"id"})]
            if coll == "checklists":
                out += (
                    [
                        ((coll, i, "checkItems", 0), k)
                        for k in sorted(set(obj["checkItems"][0]) | set(SHAPES["checkItem"]))
                    ]
                    if obj["checkItems"]
                    else []
                )
            if coll == "actions":
                for sub, value in obj.get("data", {}).items():
                    out.append(((coll, i, "data"), sub))
                    if isinstance(value, dict):
                        out += [((coll, i, "data", sub), k) for k in sorted(set(value) | {"id"})]
    return out


@pytest.mark.slow  # about 4,000 tries, each normalized and derived
def test_every_field_of_a_wrong_type_is_a_data_error_or_harmless() -> None:
    import copy

    from trellosync.domain import build_domain
    from trellosync.domain.derive_practices import build_practices
    from trellosync.errors import DataError
    from trellosync.mirror.normalize import normalize_board
    from trellosync.mirror.validate import check_board_json

    base = _small_export()
    places = _places(base)
    assert build_domain(normalize_board(check_board_json(copy.deepcopy(base))), None, {}, tz="UTC").feedback
    crashes: list[str] = []
    tries = refused = 0
    for path, key in places:
        for wrong in WRONG:
            data = copy.deepcopy(base)
            obj = data
            for p in path:
                obj = obj[p]
            obj[key] = wrong
            tries += 1
            try:
                rows = normalize_board(check_board_json(data))
                domain = build_domain(rows, None, {}, tz="UTC")
                build_practices(rows, None, {}, domain, tz="UTC")
            except DataError:
                refused += 1
            except Exception as exc:  # noqa: BLE001 (anything else is what this test looks for)
                crashes.append(f"{'.'.join(map(str, path))}.{key} = {wrong!r}: {type(exc).__name__}")
    assert tries > 3000 and 0 < refused < tries and crashes == []


# ------------------------------------------------------------------ template overrides: confined and sandboxed


@pytest.mark.parametrize(
    "body",
    [
        "{% include '../secret.txt' %}",
        "{% include 'over/../../secret.txt' %}",
        "{% include '%ABS%' %}",
        "{% include 'link.html' %}",
        "{% extends 'link.html' %}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ ctx.__class__.__init__.__globals__ }}",
    ],
)
def test_a_template_override_reads_nothing_outside_its_folder(body: str, tmp_path: Path) -> None:
    from report_fixtures import example_domain

    from trellosync.errors import ConfigError
    from trellosync.report.documents import render_report

    (tmp_path / "secret.txt").write_text("SECRET-OUTSIDE")
    outside = tmp_path / "abs.txt"
    outside.write_text("SECRET-ABSOLUTE")
    over = tmp_path / "over"
    over.mkdir()
    (over / "link.html").symlink_to(outside)
    (over / "brief.html").write_text(body.replace("%ABS%", str(outside)), encoding="utf-8")
    options = ReportOptions(report_date=date(2026, 6, 30), templates_dir=over)
    with pytest.raises(ConfigError) as exc:
        render_report("brief", "ada", example_domain(4), options=options, fmt="html", out=tmp_path / "b.html")
    assert str(exc.value).startswith(f"reports.templates ({over}): ")
    assert "SECRET" not in str(exc.value) and not (tmp_path / "b.html").exists()


def test_an_override_inside_its_folder_still_works(tmp_path: Path) -> None:
    from report_fixtures import example_domain

    from trellosync.report.documents import render_report

    (tmp_path / "part.html").write_text("PART for {{ ctx.cover.person }}", encoding="utf-8")
    (tmp_path / "brief.html").write_text("{% include 'part.html' %}", encoding="utf-8")
    out = render_report(
        "brief",
        "ada",
        example_domain(4),
        fmt="html",
        out=tmp_path / "b.html",
        options=ReportOptions(report_date=date(2026, 6, 30), templates_dir=tmp_path),
    )
    assert out.read_text(encoding="utf-8") == "PART for Ada Lovelace"


# ------------------------------------------------------------------ Ctrl-C during an import


@pytest.mark.slow  # a real process, a real SIGINT, a 4,000-card export
def test_ctrl_c_during_an_import_exits_130(tmp_path: Path) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from trellosync.testing.synthetic import synthesize_board

    export = tmp_path / "big.json"
    export.write_text(json.dumps(synthesize_board(4000)))
    db = tmp_path / "big.db"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "trellosync", "sync", "--from-export", str(export), "--database", str(db)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while not db.exists() and time.monotonic() < deadline:  # the import has begun once the database exists
        time.sleep(0.02)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 130, err[-500:]
    assert err.strip().splitlines()[-1] == "trellosync: interrupted" and "Traceback" not in err


def test_an_interrupt_python_ignored_in_a_callback_is_raised_again() -> None:
    """A Ctrl-C that lands in a weakref callback (SQLAlchemy's, during an import) still stops the command."""
    import subprocess
    import sys

    script = (
        "import sys, time, weakref\n"
        "from trellosync.cli.entry import interrupt_again\n"
        "sys.unraisablehook = interrupt_again\n"
        "class X: pass\n"
        "x = X()\n"
        "def cb(ref): raise KeyboardInterrupt\n"
        "r = weakref.ref(x, cb)\n"
        "try:\n"
        "    del x\n"
        "    time.sleep(5)\n"
        "    print('went on')\n"
        "except KeyboardInterrupt:\n"
        "    print('stopped')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == "stopped" and "Exception ignored" not in done.stderr


# ------------------------------------------------------------------ files: demo --out, locks, -o


def test_demo_out_makes_an_owner_only_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, example_copied: None
) -> None:
    import os
    import stat

    import trellosync.report.documents as documents

    # the folder is the point, not the PDFs (the demo's PDFs are rendered in tests/test_demo.py, marked slow)
    monkeypatch.setattr(documents, "render_jobs", lambda jobs, *a, **k: [job["out"] for job in jobs])
    old = os.umask(0o022)
    try:
        code, out, err = run_cli(
            capsys, "demo", "--out", str(tmp_path / "a" / "demo-out"), "--database", str(tmp_path / "demo.db")
        )
    finally:
        os.umask(old)
    assert code == 0, err
    for folder in (tmp_path / "a", tmp_path / "a" / "demo-out"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_two_names_for_one_database_take_one_lock(tmp_path: Path) -> None:
    from trellosync.errors import LockError
    from trellosync.store.locks import acquire_sync_lock, sqlite_lock_path

    real = tmp_path / "feedback.db"
    real.write_bytes(b"")
    (tmp_path / "alias").mkdir()
    link = tmp_path / "alias" / "other-name.db"
    link.symlink_to(real)
    assert (
        sqlite_lock_path(f"sqlite:///{link}")
        == sqlite_lock_path(f"sqlite:///{real}")
        == tmp_path / "feedback.db.sync-lock"
    )
    held = acquire_sync_lock(f"sqlite:///{real}", wait=False)
    try:
        with pytest.raises(LockError):
            acquire_sync_lock(f"sqlite:///{link}", wait=False)
    finally:
        held.release()


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory, example_database: Path) -> Path:
    from conftest import copy_sqlite

    return copy_sqlite(example_database, tmp_path_factory.mktemp("ex") / "example.db")


@pytest.mark.parametrize(
    "args, says",
    [
        (("--format", "json", "-o", "{db}"), "exists and is not a report trellosync wrote"),
        (("-o", "{file}/x.pdf"), "afile: Not a directory"),
        (("--format", "json", "-o", "{file}/sub/x.json"), "afile: Not a directory"),
        (("--format", "json", "-o", "{dir}"), "with --format json, -o names a file"),
    ],
)
def test_a_report_is_never_written_over_or_under_a_file(
    args: tuple[str, ...], says: str, example_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    before = example_db.read_bytes()
    filled = [a.format(db=example_db, file=afile, dir=tmp_path) for a in args]
    code, out, err = run_cli(capsys, "report", "dossier", "will", "--database", str(example_db), *filled)
    assert code == 2 and says in err, err
    assert (
        "unexpected error" not in err
        and example_db.read_bytes() == before
        and afile.read_text() == "not a folder"
    )


def test_json_with_o_writes_an_owner_only_file_it_may_replace(
    example_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json
    import stat

    out_file = tmp_path / "will.json"
    for _ in range(2):  # the second run replaces the JSON the first one wrote
        code, out, err = run_cli(
            capsys,
            "report",
            "dossier",
            "will",
            "--database",
            str(example_db),
            "--format",
            "json",
            "-o",
            str(out_file),
        )
        assert code == 0 and out.strip() == str(out_file), err
    assert json.loads(out_file.read_text())["kind"] == "dossier"
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
