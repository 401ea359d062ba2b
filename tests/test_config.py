"""Config loading: every problem reported at once, with file, line and what was expected."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from clihelp import run_cli

from trellosync.config.settings import board_ref_matches, load_config, parse_config
from trellosync.errors import ConfigError

GOOD = """\
trello:
  api_key: ${TS_TEST_KEY}
  token: ${TS_TEST_TOKEN}
database: sqlite:///trellosync.db
timezone: Europe/Berlin
people:
  will:    {name: Will Smith,    trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: https://trello.com/b/AbCd1234/peer-lunch-will-jessica
    subjects: [will, jessica]
    lunches:  {lists: [Lunches]}
    goals:    {lists: [Goals], done_lists: [Achieved, Done]}
    feedback: {best: [Best moment], worst: [Worst moment], focus: [Focus], commitments: [Commitments]}
    labels:   {Influence: influence, Humility: humility}
reports:
  output: ./reports
  dossier: {include_worst_moments: false}
"""


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("TS_TEST_KEY", "k" * 32)
    monkeypatch.setenv("TS_TEST_TOKEN", "t" * 64)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(textwrap.dedent(text), "cfg.yaml")
    return err.value.problems or [str(err.value)]


def test_good_config_loads_with_secrets_from_env():
    cfg = parse_config(GOOD, "cfg.yaml")
    assert cfg.trello.credentials() == ("k" * 32, "t" * 64)
    assert cfg.boards[0].subjects == ["will", "jessica"]
    assert "t" * 64 not in repr(cfg) and "t" * 64 not in str(cfg.model_dump())


def test_example_config_file_is_valid(monkeypatch):
    monkeypatch.setenv("TRELLO_API_KEY", "key")
    monkeypatch.setenv("TRELLO_TOKEN", "token")
    cfg = load_config(Path(__file__).resolve().parents[1] / "config.example.yaml")
    assert cfg.boards and cfg.people


def test_secrets_from_files(tmp_path):
    (tmp_path / "key").write_text("filekey\n")
    (tmp_path / "token").write_text("filetoken\n")
    cfg = parse_config(f"trello: {{api_key_file: {tmp_path / 'key'}, token_file: {tmp_path / 'token'}}}\n")
    assert cfg.trello.credentials() == ("filekey", "filetoken")


def test_env_default_syntax(monkeypatch):
    monkeypatch.delenv("TS_NOT_SET", raising=False)
    cfg = parse_config("database: ${TS_NOT_SET:-sqlite:///x.db}\n")
    assert cfg.database == "sqlite:///x.db"


@pytest.mark.parametrize(
    "text, line, needle",
    [
        ("people: [\n  will\n", 3, "not valid YAML"),  # syntax error
        ("databse: sqlite:///x.db\n", 1, "databse: unknown key"),  # unknown key
        ("trello:\n  timeout: soon\n", 2, "trello.timeout"),  # wrong type
        ("trello:\n  api_url: ${TS_MISSING_VAR}\n", 2, "TS_MISSING_VAR is not set"),  # missing env var
        (
            "people:\n  will: {name: Will}\nboards:\n  - board: B\n    subjects: [wil]\n",
            5,
            "unknown person 'wil'",
        ),  # unknown person
        ("boards: []\n", 1, "the list is empty"),  # empty boards
        ("boards:\n  - board: Lunch\n  - board: lunch\n", 3, "mapped twice"),  # duplicate board
        ("people:\n  will: {trello: willsmith}\n", 2, "people.will.name: required key"),  # missing required
        ("boards:\n  - board: B\n    lunches: {lists: Lunches}\n", 3, "lists"),  # string for list
        ("timezone: Mars/Olympus\n", 1, "unknown timezone"),  # bad timezone
        ("boards:\n  - subjects: []\n", 2, "boards.0.board: required key"),  # board missing
        ("people:\n  a: {name: A}\n  a: {name: B}\n", 3, "duplicate key 'a'"),  # duplicate key
        ("- just\n- a list\n", 1, "expected a mapping"),  # wrong top level
        (
            "people:\n  a: {name: A, trello: x}\n  b: {name: B, trello: X}\n",
            3,
            "also used by",
        ),  # same username
        ("trello:\n  max_requests_per_10s: 500\n", 2, "less than or equal to 100"),  # over Trello's limit
        ("boards:\n  - board: '   '\n", 2, "must not be empty"),  # empty reference
    ],
)
def test_bad_config_reports_file_line_and_expectation(text, line, needle):
    problems = problems_of(text)
    hit = [p for p in problems if needle in p]
    assert hit, problems
    assert hit[0].startswith(f"cfg.yaml:{line}:"), hit[0]


def test_every_problem_is_reported_at_once():
    problems = problems_of("""\
        databse: x
        trello:
          timeout: soon
          api_url: ${TS_MISSING_VAR}
        boards:
          - board: B
            subjects: [nobody]
          - board: B
        """)
    assert len(problems) >= 5
    lines = sorted(int(p.split(":")[1]) for p in problems)
    assert lines == sorted(set(lines)) or len(set(lines)) >= 4


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_relative_paths_are_relative_to_the_file(tmp_path):
    (tmp_path / "c.yaml").write_text("database: sqlite:///data/t.db\nreports: {templates: tpl}\n")
    cfg = load_config(tmp_path / "c.yaml")
    assert cfg.database == f"sqlite:///{tmp_path}/data/t.db"
    assert cfg.reports.templates == tmp_path / "tpl"


@pytest.mark.parametrize(
    "ref",
    [
        "https://trello.com/b/AbCd1234/peer-lunch",
        "AbCd1234",
        "5f0000000000000000000001",
        "Peer lunch: Will & Jessica",
    ],
)
def test_board_references(ref):
    board = {"id": "5f0000000000000000000001", "shortLink": "AbCd1234", "name": "Peer lunch: Will & Jessica"}
    assert board_ref_matches(ref, board)
    assert not board_ref_matches(
        ref.replace("AbCd", "Zz").replace("0001", "0002").replace("Will", "Bill"), board
    )


def test_check_command_exit_codes(capsys, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    code, out, _ = run_cli(capsys, "check", "-c", str(good))
    assert code == 0 and "OK" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("databse: x\nboards: []\n")
    code, out, err = run_cli(capsys, "check", "-c", str(bad))
    assert code == 2
    assert f"{bad}:1:" in err and f"{bad}:2:" in err and "Traceback" not in err
    assert "t" * 64 not in out + err


def test_verbose_flag_works_after_the_command_name(capsys, tmp_path):
    import logging

    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    code, _, _ = run_cli(capsys, "check", "-c", str(good), "-vv")
    assert code == 0
    assert logging.getLogger().level == logging.DEBUG
    run_cli(capsys, "check", "-c", str(good))
    assert logging.getLogger().level == logging.WARNING
