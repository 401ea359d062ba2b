"""The command line as a new user and a cron job meet it: the README's walk, its options where the README puts
them, and what each failure says."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from clihelp import run_cli
from conftest import EXPORTS

from trellosync.cli.console import SyncView
from trellosync.sync.run import BoardOutcome, SyncReport
from trellosync.testing.fake_trello import FakeTrello

KEY, TOKEN = "c3" * 16, "d4" * 32


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeTrello]:
    """The fake Trello API with two exports, and the environment a user sets for it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    with FakeTrello(
        [EXPORTS / "notes-board.json", EXPORTS / "small-notes-board.json"], key=KEY, token=TOKEN
    ) as f:
        monkeypatch.setenv("TRELLO_API_KEY", KEY)
        monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
        monkeypatch.setenv("TRELLO_API_URL", f.url)
        yield f


def test_init_takes_config_and_database_before_the_command_name(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: "all accept -c FILE and --database URL, before or after the command name: `init -c FILE` writes
    # the config there".
    # (No board here has a lunch list: a board named with --board is proposed anyway.)
    code, out, err = run_cli(
        capsys, "-c", "before.yaml", "--database", "sqlite:///team.db", "init", "--board", "uTbciFCh"
    )
    assert code == 0, err
    assert out == "", "the config goes to the file -c names, not to stdout"
    doc = yaml.safe_load((tmp_path / "before.yaml").read_text())
    assert doc["database"] == "sqlite:///team.db"
    code, out, err = run_cli(capsys, "--database", "sqlite:///other.db", "init", "--board", "uTbciFCh")
    assert code == 0 and yaml.safe_load(out)["database"] == "sqlite:///other.db"
    code, out, err = run_cli(capsys, "init", "--board", "uTbciFCh")
    assert code == 0 and yaml.safe_load(out)["database"] == "sqlite:///trellosync.db"
    # Without --board, neither board (a sprint board, a notes board) is proposed: init says so and writes nothing.
    code, out, err = run_cli(capsys, "init", "-o", "none.yaml")
    assert code == 2 and not (tmp_path / "none.yaml").exists()
    assert "has a lunch-like list" in err and "'Weekly Sprint'" in err and "--board" in err


def test_sync_v_says_each_board_once(
    fake: FakeTrello, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # -v showed each board twice: the view's line, then the same outcome as an INFO log record.
    caplog.set_level(logging.INFO)
    code, out, err = run_cli(capsys, "sync", "-v", "--database", "v.db")
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("✓ ")]
    assert len(lines) == 2 and err.splitlines()[-1].startswith("sync: 2 synced")
    said = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.INFO and r.name == "trellosync.sync.run"
    ]
    assert said == [], "each board and the summary once, from the view"


def test_sync_lines_agree_in_number(capsys: pytest.CaptureFixture[str]) -> None:
    one = BoardOutcome("1", "Small", "synced", requests=1, cards=1, actions=1, full=True)
    view = SyncView(tty=True, verbose=0)
    view.event("board", one)
    view.event("board", replace(one, full=False, actions=2))
    view.finish(SyncReport(outcomes=[one], requests=1))
    assert capsys.readouterr().err.splitlines() == [
        "✓ Small: 1 card, 1 action, 1 request, full",
        "✓ Small: 1 card, 2 new actions, 1 request",
        "sync: 1 synced; 1 card read; 1 request",
    ]


def test_report_help_names_the_date_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "report", "--help")
    assert code == 0
    assert "--from YYYY-MM-DD" in out and "--to YYYY-MM-DD" in out and "%Y" not in out


def test_a_mapped_board_gone_from_trello_says_where_to_look(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.yaml").write_text(
        "boards:\n  - board: uTbciFCh\n  - board: https://trello.com/b/Gone1234/old\n"
    )
    code, out, err = run_cli(capsys, "sync", "-c", "c.yaml")
    assert code == 6 and out == "", err
    gone = [line for line in err.splitlines() if "Gone1234" in line]
    assert len(gone) == 1 and "not found among the boards this token can see" in gone[0]
    assert "`trellosync boards`" in gone[0], "the line says how to see what the token can see"


def test_trello_api_url_is_read_when_a_config_is_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A config without a `trello:` section took TRELLO_API_URL as it was when trellosync.config.settings was imported.
    from trellosync.config.settings import load_config

    (tmp_path / "c.yaml").write_text("boards:\n  - board: uTbciFCh\n")
    monkeypatch.setenv("TRELLO_API_URL", "http://127.0.0.1:9/1")
    assert load_config(tmp_path / "c.yaml").trello.api_url == "http://127.0.0.1:9/1"


def test_a_truncated_first_export_leaves_no_new_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: exit 3 "nothing was written", and a failed sync leaves no new database file behind.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    (tmp_path / "cut.json").write_text((EXPORTS / "small-notes-board.json").read_text()[:500])
    code, out, err = run_cli(capsys, "sync", "--from-export", "cut.json", "--database", "new.db")
    assert code == 3 and "truncated" in err and len(err.strip().splitlines()) == 1
    assert not [p for p in tmp_path.glob("new.db*") if not p.name.endswith(".sync-lock")]
    code, out, err = run_cli(
        capsys,
        "sync",
        "--from-export",
        str(EXPORTS / "small-notes-board.json"),
        "--from-export",
        "cut.json",
        "--database",
        "new.db",
    )
    assert code == 3 and (tmp_path / "new.db").exists(), "the first export's import is kept"


def test_ctrl_c_is_one_line_and_exit_130(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("trellosync.cli.context.Ctx.store", interrupted)
    code, out, err = run_cli(capsys, "status", "--database", str(tmp_path / "x.db"))
    assert code == 130 and out == ""
    assert err.strip() == "trellosync: interrupted", "one line, named like every other trellosync message"


def test_demo_summary_pipes_as_plain_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # README: tables "pipe as plain columns"; the demo's table came out with box drawing, its first line wrapped.
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "demo", "--no-reports")
    assert code == 0, err
    lines = out.splitlines()
    # The piped table has no title, so the first line states the figures' date.
    assert lines[0].startswith("Loaded 6 example boards (data as of 13 Nov 2026): ")
    assert lines[0].endswith(" commitments.")
    assert lines[1] == "person\tlunches\tgroup meetings\tcheck-ins\tgoals achieved\tgoals open\tkeep rate"
    assert [line.split("\t")[0] for line in lines[2:6]] == [
        "Will Smith",
        "Jessica Jones",
        "Amara Okafor",
        "Diego Ramírez",
    ]
    assert not any(c in out for c in "┃│━")


@pytest.mark.parametrize(
    ("body", "named", "todo"),
    [
        ("invalid token", "token invalid or expired", "set TRELLO_TOKEN"),
        ("invalid key", "API key invalid", "check TRELLO_API_KEY"),
    ],
)
def test_a_refused_credential_is_named_with_what_to_do(
    body: str,
    named: str,
    todo: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import responses

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    monkeypatch.setenv("TRELLO_API_URL", "https://api.trello.com/1")
    with responses.RequestsMock() as rsps:
        rsps.get(
            "https://api.trello.com/1/members/me/boards", status=401, body=body, content_type="text/plain"
        )
        code, out, err = run_cli(capsys, "boards")
    assert code == 4 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert named in err and todo in err and "https://trello.com/power-ups/admin" in err
    assert KEY not in err and TOKEN not in err


def test_without_a_config_a_mapped_database_is_not_re_derived(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `rebuild` or `sync` run without -c (another directory, a forgotten flag) re-derived every board with the
    # default mapping: a board whose lunches the config maps lost them, silently, until the next sync with -c.
    (tmp_path / "c.yaml").write_text(
        "people:\n  ana: {name: Ana}\nboards:\n  - board: uTbciFCh\n"
        "    subjects: [ana]\n  - board: 98dLwYtj\n"
    )
    assert run_cli(capsys, "sync", "-c", "c.yaml", "--database", "m.db")[0] == 0
    before = run_cli(capsys, "status", "--json", "--database", "m.db")[1]
    for args in (["rebuild"], ["sync"], ["sync", "--from-export", str(EXPORTS / "notes-board.json")]):
        code, out, err = run_cli(capsys, *args, "--database", "m.db")
        assert code == 2 and out == "", (args, err)
        assert err.startswith("trellosync: no config file, but 2 board(s)") and "pass -c FILE" in err, err
        assert run_cli(capsys, "status", "--json", "--database", "m.db")[1] == before, args
    assert run_cli(capsys, "rebuild", "-c", "c.yaml", "--database", "m.db")[0] == 0
    # a database only ever synced without a config stays usable without one
    for _ in range(2):
        assert run_cli(capsys, "sync", "--database", "bare.db")[0] == 0
    assert run_cli(capsys, "rebuild", "--database", "bare.db")[0] == 0


def test_the_command_list_is_not_cut_short(capsys: pytest.CaptureFixture[str]) -> None:
    # `trellosync --help` cut five of eight (now ten) command summaries with "..." at 80 columns.
    code, out, err = run_cli(capsys, "--help")
    commands = out[out.index("Commands:") :].splitlines()[1:]
    from trellosync.cli.commands import cli

    assert code == 0 and len(commands) == len(cli.commands)  # one line each: none wraps
    assert not [line for line in commands if line.endswith("...")], commands


@pytest.mark.parametrize("flag", [["--board", "uTbciFCh"], ["--full"], ["--worker"]])
def test_sync_options_an_import_ignores_are_a_usage_error(
    flag: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `sync --from-export F --board B` imported F whatever B said, and exited 0.
    code, out, err = run_cli(
        capsys,
        "sync",
        "--from-export",
        str(EXPORTS / "small-notes-board.json"),
        *flag,
        "--database",
        str(tmp_path / "i.db"),
    )
    assert code == 2 and flag[0] in err and "--from-export" in err
    assert not (tmp_path / "i.db").exists()


def test_a_database_path_that_is_not_a_database_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `--database trellosync.yaml` (a slip of the keys) was "unexpected error ... This is a bug", exit 1.
    not_db = tmp_path / "trellosync.yaml"
    not_db.write_text("boards:\n  - board: uTbciFCh\n" * 200)
    before = not_db.read_bytes()
    for args in (["status"], ["rebuild"], ["report", "goals", "will"]):
        code, out, err = run_cli(capsys, *args, "--database", str(not_db))
        assert code == 2, (args, err)
        assert err.strip() == f"trellosync: database: cannot open sqlite:///{not_db}: file is not a database"
    assert not_db.read_bytes() == before


def test_init_with_a_token_that_sees_no_board_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # It wrote `boards: []`, exit 0, a config the next step (`check`) refuses.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    with FakeTrello([], key=KEY, token=TOKEN) as f:
        code, out, err = run_cli(capsys, "init", "-o", "new.yaml", "--api-url", f.url)
    assert code == 2 and out == "" and not (tmp_path / "new.yaml").exists()
    assert err.startswith("trellosync: this token sees no open board: ") and "`trellosync boards`" in err
    assert len(err.strip().splitlines()) == 1


def test_a_validator_message_reads_without_pydantics_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("trello:\n  api_url: http://api.trello.com/1\nboards:\n  - board: uTbciFCh\n")
    code, out, err = run_cli(capsys, "check", "-c", str(cfg))
    assert code == 2
    assert (
        f"  - {cfg}:2: trello.api_url: the Trello API URL must be https://" in err
        and "Value error" not in err
    )


def test_sync_v_says_each_retry_once_with_or_without_a_terminal(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from trellosync.trello.session import RetryPolicy

    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt: 0.01)
    caplog.set_level(logging.INFO)
    with FakeTrello([EXPORTS / "notes-board.json"], key=KEY, token=TOKEN, faults={"500": 0.5}, seed=3) as f:
        cfg = tmp_path / "c.yaml"
        cfg.write_text(
            f"trello:\n  api_key: {KEY}\n  token: {TOKEN}\n  api_url: {f.url}\n  max_retries: 10\n"
            f"database: sqlite:///{tmp_path / 'q.db'}\n"
        )
        code, out, err = run_cli(capsys, "sync", "-v", "-c", str(cfg))
        assert f.stats()["faults"], "faults were injected"
    assert code == 0, err
    notices = [line for line in err.splitlines() if line.startswith("  … ")]
    assert notices and all("HTTP 500" in line for line in notices), err  # cron -v sees the retries too
    logged = [r for r in caplog.records if r.levelno >= logging.INFO and "HTTP 500" in r.getMessage()]
    assert logged == [], "each retry once"


@pytest.mark.slow  # renders HTML with subset fonts
def test_an_empty_showcase_warns_about_the_team_not_one_person(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "warning: no data for ana in that period" for a showcase of two people with hundreds of entries: what it
    # lacked was anything shareable (private boards, nothing marked).
    (tmp_path / "c.yaml").write_text(
        "people:\n  ana: {name: Ana}\n  bo: {name: Bo}\nboards:\n"
        "  - board: uTbciFCh\n    subjects: [ana, bo]\n"
    )
    assert run_cli(capsys, "sync", "-c", "c.yaml")[0] == 0
    code, out, err = run_cli(capsys, "report", "showcase", "Ana", "bo", "-c", "c.yaml", "-o", "s.html")
    assert code == 0, err
    assert err.strip() == (
        "warning: nothing shareable about 2 people in that period (a team board, or entries "
        "marked shareable); the showcase says so"
    )
    assert (tmp_path / "s.html").exists()


def test_report_takes_a_person_as_people_type_them(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `report goals Will` said "unknown person 'Will'; known people: ..., will, ...".
    (tmp_path / "c.yaml").write_text(
        "people:\n  will: {name: Will Smith, trello: willsmith}\n"
        "  wilma: {name: Wilma Flint}\nboards:\n  - board: uTbciFCh\n"
        "    subjects: [will, wilma]\n"
    )
    assert run_cli(capsys, "sync", "-c", "c.yaml")[0] == 0
    for typed in ("will", "Will", "WILL", "Will Smith", "willsmith", " will smith "):
        code, out, err = run_cli(capsys, "report", "goals", typed, "-c", "c.yaml", "--format", "json")
        assert code == 0 and json.loads(out)["cover"]["person_key"] == "will", (typed, err)
    code, out, err = run_cli(
        capsys, "report", "brief", "wilma", "--with", "Will Smith", "-c", "c.yaml", "--format", "json"
    )
    assert "unknown person" not in err and "has no pair board with" in err, err  # the board has no lunch list
    code, out, err = run_cli(capsys, "report", "goals", "Wil", "-c", "c.yaml", "--format", "json")
    assert code == 2 and "unknown person 'Wil'" in err  # no guessing between will and wilma


@pytest.mark.slow  # renders a report before the write fails
def test_an_output_place_that_cannot_be_written_is_one_line_not_a_bug(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Both were "unexpected error (...) This is a bug", exit 1, and a crash log.
    (tmp_path / "c.yaml").write_text(
        "people:\n  ana: {name: Ana}\nboards:\n  - board: uTbciFCh\n    subjects: [ana]\n"
    )
    assert run_cli(capsys, "sync", "-c", "c.yaml")[0] == 0
    (tmp_path / "afile").write_text("not a folder")
    code, out, err = run_cli(
        capsys, "report", "goals", "ana", "-c", "c.yaml", "-o", str(tmp_path / "afile" / "r.html")
    )
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == f"trellosync: cannot write into {tmp_path / 'afile'}: Not a directory"
    code, out, err = run_cli(
        capsys, "report", "goals", "--all", "-c", "c.yaml", "-o", "afile", "--format", "html"
    )
    assert (
        code == 2
        and err.splitlines()[-1] == "trellosync: -o afile: with --all, -o names a folder, and this is a file"
    )
    assert (tmp_path / "afile").read_text() == "not a folder"


def test_a_trimmed_token_is_said_once_per_run(
    fake: FakeTrello,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Under cron the same warning came twice every hour (the token is looked up by the check and the client).
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN + "\n")
    caplog.set_level(logging.WARNING)
    code, out, err = run_cli(capsys, "sync", "--database", "t.db")
    assert code == 0, err
    said = [r for r in caplog.records if "trailing newline" in r.getMessage()]
    assert len(said) == 1 and TOKEN not in caplog.text


def test_an_empty_config_file_is_refused(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A failed `trellosync init > trellosync.yaml` leaves an empty file; `check` said "OK (0 board(s))" and
    # `sync` pulled every board the token sees with the default mapping.
    (tmp_path / "trellosync.yaml").write_text("# nothing yet\n")
    for args in (["check"], ["sync"]):
        code, out, err = run_cli(capsys, *args)
        assert code == 2 and out == "", (args, out)
        assert err.strip().startswith("trellosync: trellosync.yaml: empty, nothing is configured"), err
    assert not (tmp_path / "trellosync.db").exists()


def test_check_online_shows_dates_as_boards_does(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "c.yaml").write_text("boards:\n  - board: uTbciFCh\n")
    code, out, err = run_cli(capsys, "check", "-c", "c.yaml", "--online")
    assert code == 0, err
    board = next(b for b in fake.boards.values() if b["shortLink"] == "uTbciFCh")
    when = board["dateLastActivity"][:16].replace("T", " ")
    assert f"visible, last activity {when} UTC; " in out, out
    code, listing, err = run_cli(capsys, "boards")
    assert when in listing


def test_worker_on_sqlite_is_a_usage_error_not_a_plain_sync(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `sync --worker` on SQLite quietly ran as a plain sync: a second machine's worker would only wait.
    monkeypatch.setenv("TRELLO_API_KEY", "a1" * 16)
    monkeypatch.setenv("TRELLO_TOKEN", "b2" * 32)
    code, out, err = run_cli(capsys, "sync", "--worker", "--database", str(tmp_path / "w.db"))
    assert code == 2 and "--worker" in err and "PostgreSQL" in err and out == ""
    assert not (tmp_path / "w.db").exists()
