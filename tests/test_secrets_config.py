"""Secrets stay secrets: interpolation only in secrets and paths, init escapes names, credentials checked,
secret values never in messages, one error boundary that prints one line and logs no message; YAML bounded."""

from __future__ import annotations

import json
import logging
import os
import stat
import textwrap
from pathlib import Path

import pytest
from clihelp import run_cli
from conftest import EXPORTS

from trellosync.config.credentials import check_credential
from trellosync.config.settings import parse_config
from trellosync.config.yaml_file import escape_interpolation
from trellosync.errors import ConfigError
from trellosync.testing.fake_trello import FakeTrello

KEY = "CFGKEY" + "4e5d6c7b" * 3 + "ab"
TOKEN = "CFGTOKEN" + "1a2b3c4d" * 7 + "ef"


@pytest.fixture(autouse=True)
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def test_interpolation_only_in_secrets_and_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TS_DIR", "/srv/feedback")
    cfg = parse_config(
        textwrap.dedent("""
        trello: {api_key: "${TRELLO_API_KEY}", token: "${TRELLO_TOKEN}"}
        database: "sqlite:///${TS_DIR}/t.db"
        people:
          will: {name: "${TRELLO_TOKEN}", trello: "${TRELLO_API_KEY}", aliases: ["$${TRELLO_TOKEN}"]}
        boards:
          - board: "${TRELLO_TOKEN}"
            subjects: [will]
            feedback: {best: ["${TRELLO_TOKEN}"]}
            labels: {"${TRELLO_TOKEN}": "${TRELLO_TOKEN}"}
        reports:
          output: "${TS_DIR}/reports"
          confidentiality: "${TRELLO_TOKEN}"
    """)
    )
    assert cfg.trello.credentials() == (KEY, TOKEN)
    assert (
        cfg.database == "sqlite:////srv/feedback/t.db" and str(cfg.reports.output) == "/srv/feedback/reports"
    )
    texts = [
        cfg.people["will"].name,
        cfg.people["will"].trello,
        cfg.boards[0].board,
        cfg.boards[0].feedback.best[0],
        cfg.boards[0].labels["${TRELLO_TOKEN}"],
        cfg.reports.confidentiality,
        cfg.people["will"].aliases[0],
    ]
    assert texts == ["${TRELLO_TOKEN}", "${TRELLO_API_KEY}"] + ["${TRELLO_TOKEN}"] * 5
    assert TOKEN not in json.dumps(cfg.model_dump(mode="json"))


def test_dollar_dollar_is_a_literal_dollar_in_secrets_too(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = parse_config('trello: {api_key: "ab$$cd", token: "$${TRELLO_TOKEN}x"}\n')
    assert cfg.trello.credentials() == ("ab$cd", "${TRELLO_TOKEN}x")  # resolved when needed (issue 9)


def test_escape_round_trips_any_name() -> None:
    import yaml

    names = ["${TRELLO_TOKEN}", "$$", "a $ b", "${X:-y}", "plain"]
    doc = {"people": {f"p{i}": {"name": n} for i, n in enumerate(names)}}
    cfg = parse_config(yaml.safe_dump(escape_interpolation(doc)))
    assert [cfg.people[f"p{i}"].name for i in range(len(names))] == names


def test_init_copies_a_hostile_member_name_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = json.loads((EXPORTS / "small-notes-board.json").read_text())
    board["members"][0]["fullName"] = "${TRELLO_TOKEN}"
    board["lists"][0]["name"] = "Lunches ${TRELLO_API_KEY}"
    with FakeTrello([board], key=KEY, token=TOKEN) as fake:
        cfg = tmp_path / "trellosync.yaml"
        code, _, err = run_cli(
            capsys,
            "init",
            "-o",
            str(cfg),
            "--api-url",
            fake.url,
            "--database",
            f"sqlite:///{tmp_path / 'x.db'}",
        )
    assert code == 0, err
    from trellosync.config.settings import load_config

    loaded = load_config(cfg)
    assert "${TRELLO_TOKEN}" in [p.name for p in loaded.people.values()]
    assert TOKEN not in json.dumps(loaded.model_dump(mode="json")) and KEY not in cfg.read_text()


@pytest.mark.parametrize(
    "value, cleaned", [(TOKEN + "\n", TOKEN), (TOKEN + "\r\n", TOKEN), (TOKEN + "\r", TOKEN)]
)
def test_trailing_newline_is_trimmed_and_said(
    value: str, cleaned: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert check_credential("trello.token", value) == cleaned
    assert "trailing newline" in caplog.text and TOKEN not in caplog.text


@pytest.mark.parametrize(
    "bad, what",
    [
        ("\x00", "control character"),
        ("\r", "control character"),
        ("é", "non-ASCII"),
        ("\u00a0", "non-ASCII"),
        (" ", "space"),
        ('"', "character"),
        ("\x7f", "control character"),
    ],
)
def test_bad_credentials_are_refused_without_showing_them(bad: str, what: str) -> None:
    with pytest.raises(ConfigError) as err:
        check_credential("trello.token", TOKEN[:20] + bad + TOKEN[20:])
    assert what in str(err.value) and "position 21" in str(err.value)
    assert TOKEN[:12] not in str(err.value) and TOKEN[-12:] not in str(err.value)


def test_crlf_token_in_the_environment_syncs_with_a_warning(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    with FakeTrello([EXPORTS / "small-notes-board.json"], key=KEY, token=TOKEN) as fake:
        monkeypatch.setenv("TRELLO_API_URL", fake.url)
        monkeypatch.setenv("TRELLO_TOKEN", TOKEN + "\r")
        code, out, err = run_cli(capsys, "sync", "--database", str(tmp_path / "e.db"))
        assert code == 0, err
        assert "trailing newline" in caplog.text and TOKEN not in err + caplog.text
        monkeypatch.setenv("TRELLO_TOKEN", TOKEN[:10] + "\x1b" + TOKEN[10:])
        for args in (["sync", "--database", str(tmp_path / "e.db")], ["boards"]):
            code, out, err = run_cli(capsys, *args)
            assert code == 2 and "TRELLO_TOKEN" in err and "control character" in err, err
            assert TOKEN[:10] not in out + err and "Traceback" not in err


def test_crlf_token_in_the_config_and_check_online(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeTrello([EXPORTS / "small-notes-board.json"], key=KEY, token=TOKEN) as fake:
        cfg = tmp_path / "c.yaml"
        cfg.write_text(
            f"trello: {{api_key: '{KEY}', token: \"{TOKEN}\\r\", api_url: '{fake.url}'}}\n"
            f"database: sqlite:///{tmp_path / 'c.db'}\n"
        )
        code, out, err = run_cli(capsys, "check", "--online", "-c", str(cfg))
        assert code == 0, err
        cfg.write_text(cfg.read_text().replace("\\r", "\\u00e9"))
        code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
        assert code == 2 and "non-ASCII" in err and TOKEN[:12] not in out + err


def test_secret_typed_values_are_never_echoed_in_config_errors() -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(f"trello: {{token: [{TOKEN}], api_key: {{k: {KEY}}}}}\n")
    assert TOKEN not in str(err.value) and KEY not in str(err.value)
    assert "trello.token" in str(err.value) and "not shown" in str(err.value)


@pytest.mark.parametrize("url", ["http://api.trello.com/1", "ftp://x/1", "file:///etc", "https:///nohost"])
def test_credentials_are_never_sent_in_clear_text(url: str) -> None:
    with pytest.raises(ConfigError, match="https"):
        parse_config(f"trello: {{api_url: '{url}'}}\n")


BOMB = (
    "\n".join(
        [
            'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
            *[f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)],
        ]
    )
    + "\n"
)


@pytest.mark.parametrize(
    "text, needle",
    [
        (BOMB, "expands to more than"),
        ("a: &a [*a]\n", "problem"),  # a recursive alias: refused, whatever the wording
        pytest.param("x: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply", marks=pytest.mark.slow),
        # libyaml's composer overflows the C stack (SIGSEGV) near 25,000 levels, within the size cap
        pytest.param(
            "x: " + "[" * 400_000 + "]" * 400_000 + "\n", "nested too deeply", marks=pytest.mark.slow
        ),
        ("x:\n  " + "- " * 300_000 + "y\n", "nested too deeply"),
        ("x: 1\n" * 200_001, "more than the 1,000,000"),
        ("{[a]: 1}\n", "problem"),
    ],
    ids=[
        "alias-bomb",
        "recursive-alias",
        "deep",
        "deeper-than-libyaml",
        "deep-dashes",
        "huge",
        "list-as-key",
    ],
)
def test_hostile_yaml_is_refused_quickly(
    text: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "bomb.yaml"
    cfg.write_text(text)
    code, out, err = run_cli(capsys, "check", "-c", str(cfg))
    assert code == 2 and "Traceback" not in err, err
    assert needle in err or needle == "problem", err


def test_config_fifo_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "c.yaml"
    os.mkfifo(fifo)
    code, out, err = run_cli(capsys, "check", "-c", str(fifo))
    assert code == 2 and "not a regular file" in err


def test_unexpected_error_is_one_line_and_an_owner_only_log_without_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import trellosync.sync.pipeline as pipeline

    def boom(*_a: object, **_k: object) -> None:
        header = f'OAuth oauth_consumer_key="{KEY}", oauth_token="{TOKEN}\r"'
        raise ValueError(f"Invalid header {header!r} [parameters: ('Will was rude in the retro',)]")

    monkeypatch.setattr(pipeline, "import_export", boom)
    code, out, err = run_cli(
        capsys,
        "sync",
        "--database",
        str(tmp_path / "b.db"),
        "--from-export",
        str(EXPORTS / "small-notes-board.json"),
    )
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "unexpected error (ValueError)" in lines[0] and "Traceback" not in err
    log = Path(lines[0].split(" in ", 2)[-1].split(". This is a bug")[0].strip())
    assert log.is_file() and stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    text = log.read_text()
    assert "ValueError" in text and "boom" in text  # the type and where it happened
    for needle in (KEY, TOKEN, "Will was rude", "OAuth"):
        assert needle not in text and needle not in err


def test_database_errors_hide_their_parameters(store) -> None:  # noqa: ANN001
    from sqlalchemy.exc import IntegrityError

    from trellosync.errors import StoreError
    from trellosync.store import schema as t

    row = {"id": "b1", "name": "Will was rude in the retro", "closed": False}
    with pytest.raises(IntegrityError) as err:  # the engine itself: parameters hidden
        with store.engine.begin() as conn:
            conn.execute(t.boards.insert(), [row, row])
    assert "Will was rude" not in str(err.value) and "hidden" in str(err.value)
    with pytest.raises(StoreError) as err2:  # a store transaction: one clear line, exit 8
        with store.begin() as conn:
            conn.execute(t.boards.insert(), [row, row])
    assert "Will was rude" not in str(err2.value) and err2.value.exit_code == 8
    assert "rolled back" in str(err2.value) and "\n" not in str(err2.value)


def test_escape_sequences_in_board_names_are_not_sent_to_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = json.loads((EXPORTS / "small-notes-board.json").read_text())
    board["name"] = "Evil\x1b]0;pwned\x07\x1b[2J board\u202e"
    path = tmp_path / "evil.json"
    path.write_text(json.dumps(board))
    db = tmp_path / "evil.db"
    code, out, err = run_cli(capsys, "sync", "-v", "--database", str(db), "--from-export", str(path))
    assert code == 0, err
    code, out2, err2 = run_cli(capsys, "status", "--database", str(db))
    with FakeTrello([board], key=KEY, token=TOKEN) as fake:
        cfg = tmp_path / "c.yaml"
        cfg.write_text(
            f"trello: {{api_key: '{KEY}', token: '{TOKEN}', api_url: '{fake.url}'}}\n"
            f"database: sqlite:///{tmp_path / 'x.db'}\n"
        )
        code, out3, err3 = run_cli(capsys, "boards", "-c", str(cfg))
        run_cli(capsys, "sync", "-v", "-c", str(cfg))
        err4 = capsys.readouterr().err
    for text in (out, err, out2, err2, out3, err3, err4):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "Evil" in err and "Evil" in out2 and "Evil" in out3


def test_init_writes_the_config_owner_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    board = json.loads((EXPORTS / "small-notes-board.json").read_text())
    board["lists"][0]["name"] = "Lunches"  # a lunch board: init proposes it
    old = os.umask(0o022)
    try:
        with FakeTrello([board], key=KEY, token=TOKEN) as fake:
            cfg = tmp_path / "conf" / "trellosync.yaml"
            code, _, err = run_cli(capsys, "init", "-o", str(cfg), "--api-url", fake.url)
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600 and stat.S_IMODE(cfg.parent.stat().st_mode) == 0o700
