"""Mappings that cannot fail silently: typos, lists renamed in place, archived lists, two lists of one name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from clihelp import run_cli

from trellosync.cli.demo import example_dir
from trellosync.sync.onboard import propose_mapping
from trellosync.testing.fake_trello import FakeTrello

KEY, TOKEN = "e5" * 16, "f6" * 32
WJ = "Peer lunch: Will & Jessica"


@pytest.fixture
def fake() -> Iterator[FakeTrello]:
    with FakeTrello(sorted(example_dir().glob("*.json")), key=KEY, token=TOKEN) as f:
        yield f


def _board(fake: FakeTrello, name: str = WJ) -> dict[str, Any]:
    return next(b for b in fake.boards.values() if b["name"] == name)


def _touch(fake: FakeTrello, board: dict[str, Any]) -> None:
    """Make the board look changed to the sync (Trello bumps dateLastActivity on any change)."""
    fake.mutate("comment", board["id"], text="Moved to 13:00")


def _write_config(tmp_path: Path, fake: FakeTrello, *, lunches: list[str] | None = None) -> Path:
    cfg = yaml.safe_load((example_dir() / "config.yaml").read_text())
    cfg["trello"] = {"api_key": "${DIAG_KEY}", "token": "${DIAG_TOKEN}", "api_url": fake.url}
    cfg["database"] = f"sqlite:///{tmp_path / 'diag.db'}"
    if lunches is not None:
        cfg["boards"][0]["lunches"] = {"lists": lunches}
    path = tmp_path / "trellosync.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return path


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DIAG_KEY", KEY)
    monkeypatch.setenv("DIAG_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning: ")]


def _per_board(capsys: pytest.CaptureFixture[str], cfg: Path) -> dict[str, dict[str, Any]]:
    code, out, err = run_cli(capsys, "status", "--json", "-c", str(cfg))
    assert code == 0, err
    return {b["name"]: b for b in json.loads(out)["by_board"]}


def test_a_typo_is_reported_by_check_sync_and_rebuild(
    fake: FakeTrello, tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write_config(tmp_path, fake)
    code, out, err = run_cli(capsys, "sync", "-c", str(good))
    assert code == 0 and err == "", err
    lunches_before = _per_board(capsys, good)[WJ]["meetings"]
    assert lunches_before > 0

    typo = _write_config(tmp_path, fake, lunches=["Lunchs"])
    code, out, err = run_cli(capsys, "check", "-c", str(typo), "--online")
    assert code == 0, err
    assert "lunches.lists: 'Lunchs' matches no list on the board" in out
    assert "'Lunches'" in out, "the board's real list names are offered"
    code, out, err = run_cli(capsys, "check", "-c", str(typo), "--online", "--strict")
    assert code == 2 and "1 mapping problem" in err

    code, out, err = run_cli(capsys, "sync", "-c", str(typo))  # not a TTY: cron; warnings still go out
    assert code == 0 and out == ""
    assert _warnings(err) == [
        f"warning: board '{WJ}': lunches.lists: 'Lunchs' matches no list on the board "
        "(open lists: 'Achieved', 'Goals', 'Ideas', 'Lunches', 'Parking lot')"
    ]
    assert _per_board(capsys, typo)[WJ]["meetings"] == 0
    code, out, err = run_cli(capsys, "rebuild", "-c", str(typo))
    assert code == 0 and len(_warnings(err)) == 1 and "'Lunchs'" in err


def test_a_list_renamed_in_place_archived_or_doubled_is_named(
    fake: FakeTrello, tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = _write_config(tmp_path, fake)
    assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
    board = _board(fake)
    lunches = next(x for x in board["lists"] if x["name"] == "Lunches")

    lunches["name"] = "Lunch archive"  # Trello renames in place: same id
    _touch(fake, board)
    code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
    assert code == 0
    lost = [w for w in _warnings(err) if "at the last sync and no longer does" in w]
    assert len(lost) == 1 and "it is now named 'Lunch archive'" in lost[0] and lunches["id"] in lost[0]

    lunches["name"], lunches["closed"] = "Lunches", True
    _touch(fake, board)
    code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
    assert [w for w in _warnings(err) if "archived" in w] == [
        f"warning: board '{WJ}': lunches.lists: 'Lunches' matches only an archived list ({lunches['id']} archived)"
    ]

    lunches["closed"] = False
    board["lists"].append({**lunches, "id": "6" * 24, "closed": True, "pos": 1})
    _touch(fake, board)
    code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
    two = [w for w in _warnings(err) if "lists of one name" in w]
    assert len(two) == 1 and "1 of them archived" in two[0]


def test_lists_may_be_named_by_id(
    fake: FakeTrello, tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    by_name = _write_config(tmp_path, fake)
    assert run_cli(capsys, "sync", "-c", str(by_name))[0] == 0
    expected = _per_board(capsys, by_name)[WJ]
    lunches_id = next(x["id"] for x in _board(fake)["lists"] if x["name"] == "Lunches")
    by_id = _write_config(tmp_path, fake, lunches=[lunches_id])
    code, out, err = run_cli(capsys, "rebuild", "-c", str(by_id))
    assert code == 0 and _warnings(err) == []
    got = _per_board(capsys, by_id)[WJ]
    assert got["meetings"] == expected["meetings"] > 0 and got["entries"] == expected["entries"]


def test_status_shows_what_each_mapping_found(
    fake: FakeTrello,
    tmp_path: Path,
    env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    cfg = _write_config(tmp_path, fake)
    assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
    figures = _per_board(capsys, cfg)
    assert set(figures) == {b["name"] for b in fake.boards.values()}
    for b in figures.values():
        assert b["synced_at"] and b["date_last_activity"]
    lunch_boards = [b for b in figures.values() if b["meetings"] > 0]
    assert len(lunch_boards) >= 3 and sum(b["entries"] > 0 for b in lunch_boards) >= 3
    code, out, err = run_cli(capsys, "status", "-c", str(cfg))
    assert code == 0 and "meetings" in out and "commitments" in out and "last change" in out


def test_init_proposes_only_names_the_board_has(
    fake: FakeTrello,
    tmp_path: Path,
    env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    m = propose_mapping({"id": "x", "lists": [{"name": "Lunches"}, {"name": "Done"}], "checklists": []})
    assert m == {"board": "x", "lunches": {"lists": ["Lunches"]}, "goals": {"done_lists": ["Done"]}}
    assert "goals" not in propose_mapping({"id": "y", "lists": [{"name": "1:1 notes"}]})
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    code, out, err = run_cli(capsys, "init", "--api-url", fake.url)
    assert code == 0, err
    doc = yaml.safe_load(out)
    proposals = 0
    for mapping in doc["boards"]:
        board = next(b for b in fake.boards.values() if b["url"] == mapping["board"])
        names = {x["name"] for x in board["lists"] if not x.get("closed")}
        proposed = [
            n
            for section in ("lunches", "goals")
            for key in ("lists", "done_lists")
            for n in (mapping.get(section) or {}).get(key, [])
        ]
        assert set(proposed) <= names, (mapping["board"], proposed, names)
        proposals += bool(proposed)
    assert proposals >= 3  # the lunch boards (a self-review board has no lunch or goal list to propose)


def test_a_bare_mapping_without_the_default_lunch_list_is_a_problem() -> None:
    from trellosync.config.practices import SelfReviewMapping
    from trellosync.config.settings import BoardMapping
    from trellosync.sync.diagnostics import BoardOutline, diagnose

    outline = BoardOutline(
        name="Team board",
        lists=[
            {"id": "l1", "name": "Doing", "closed": False},
            {"id": "l2", "name": "Old stuff", "closed": True},
        ],
    )
    problems = diagnose(BoardMapping(board="x"), outline)
    assert [(p.key, p.name) for p in problems] == [("lunches.lists", "Lunches")]
    assert "(the default) matches no list" in str(problems[0]) and "'Doing'" in str(problems[0])
    # A board that names its goal lists still finds no lunch; one that holds a practice need not hold lunches.
    goals_only = diagnose(BoardMapping(board="x", goals={"lists": ["Doing"]}), outline)
    assert [(p.key, p.name) for p in goals_only] == [("lunches.lists", "Lunches")]
    assert diagnose(BoardMapping(board="x", self_reviews=SelfReviewMapping()), outline) == []
    outline.lists[1]["name"] = "Lunches"  # archived, its cards still count (the domain's rule)
    outline.cards = [{"id": "c1", "list_id": "l2", "description": ""}]
    assert diagnose(BoardMapping(board="x"), outline) == []
