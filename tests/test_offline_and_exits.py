"""Offline means offline; exit codes mean what the README says; an older export never rolls anything back;
a large board is remembered; `sync` on a terminal shows its boards, under cron nothing."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from clihelp import run_cli
from conftest import EXPORTS

from trellosync.cli.console import SyncView
from trellosync.config.settings import Config, TrelloConfig
from trellosync.store.db import Store
from trellosync.sync.pipeline import import_export
from trellosync.sync.run import BoardOutcome, SyncReport, sync_boards
from trellosync.testing.fake_trello import FakeTrello, synthesize_board

KEY, TOKEN = "a7" * 16, "b8" * 32


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A config that names its credentials by ${VAR}, with those variables unset."""
    for var in ("TRELLO_API_KEY", "TRELLO_TOKEN", "TRELLOSYNC_CONFIG", "TRELLO_API_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "trellosync.yaml"
    cfg.write_text(
        "trello:\n  api_key: ${TRELLO_API_KEY}\n  token: ${TRELLO_TOKEN}\n"
        f"database: sqlite:///{tmp_path / 'off.db'}\n"
    )
    return cfg


@pytest.mark.slow  # renders every person's goals as HTML
def test_offline_commands_never_ask_for_credentials(
    no_credentials: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = str(no_credentials)
    code, out, err = run_cli(capsys, "sync", "-c", cfg, "--from-export", str(EXPORTS / "notes-board.json"))
    assert code == 0, err
    for args in (["status"], ["status", "--json"], ["rebuild"], ["check"]):
        code, out, err = run_cli(capsys, *args, "-c", cfg)
        assert code == 0, (args, err)
        assert "TRELLO" not in err, args
    code, out, err = run_cli(
        capsys, "report", "goals", "--all", "-c", cfg, "-o", str(tmp_path / "r"), "--format", "html"
    )
    assert "TRELLO" not in err and code in (0, 2), err  # 2 only when nobody is on the board to report on


def test_commands_that_reach_trello_ask_once_and_create_no_database(
    no_credentials: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(capsys, "sync", "-c", str(no_credentials))
    assert code == 2
    assert err.count("TRELLO_API_KEY") == 1 and "not set" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "off.db").exists(), "a sync that fails for missing credentials leaves no database"
    code, out, err = run_cli(capsys, "check", "-c", str(no_credentials), "--online")
    assert code == 2 and "TRELLO_API_KEY" in err


def test_a_failed_first_sync_leaves_no_new_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    with FakeTrello([EXPORTS / "notes-board.json"], key=KEY, token="another-token-entirely") as f:
        monkeypatch.setenv("TRELLO_API_URL", f.url)
        code, out, err = run_cli(capsys, "sync", "--database", str(tmp_path / "new.db"))
    assert code == 4 and "token invalid" in err
    assert not [p for p in tmp_path.glob("new.db*") if not p.name.endswith(".sync-lock")]


SNAPSHOT_TABLES = (
    "boards",
    "lists",
    "labels",
    "cards",
    "card_labels",
    "card_members",
    "checklists",
    "check_items",
    "board_members",
)


def test_an_older_export_adds_only_history_and_rolls_nothing_back(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = json.loads((EXPORTS / "notes-board.json").read_text())
    newer = copy.deepcopy(full)
    newer["actions"] = newer["actions"][:-10]  # its window no longer reaches the ten oldest actions
    older = copy.deepcopy(full)
    older["actions"] = older["actions"][5:]  # taken before the last five actions
    older["dateLastActivity"] = older["actions"][0]["date"]
    older["cards"] = older["cards"][:-3]  # before three cards existed
    older["cards"][0] = {**older["cards"][0], "name": "an older name"}
    (tmp_path / "new.json").write_text(json.dumps(newer))
    (tmp_path / "old.json").write_text(json.dumps(older))
    import_export(sqlite_store, tmp_path / "new.json", None)
    before = sqlite_store.table_dump()
    r = import_export(sqlite_store, tmp_path / "old.json", None)
    after = sqlite_store.table_dump()
    assert r.history_only and r.actions == 10
    for table in SNAPSHOT_TABLES:
        assert after[table] == before[table], f"{table} rolled back"
    assert len(after["actions"]) == len(full["actions"]), "the older export's history was added"
    assert after["sync_state"] == before["sync_state"], "the bookmark is the newer export's"
    import_export(sqlite_store, tmp_path / "old.json", None)  # again: nothing more to add
    assert sqlite_store.table_dump() == after
    code, out, err = run_cli(
        capsys, "sync", "--database", sqlite_store.url, "--from-export", str(tmp_path / "old.json")
    )
    assert code == 0 and "only its history was added (0 actions" in err


def test_a_board_too_large_once_is_paged_at_once_next_time(sqlite_store: Store) -> None:
    big = synthesize_board(60, seed=31)
    with FakeTrello([big], key=KEY, token=TOKEN, page_threshold=50) as f:
        cfg = Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=f.url), database=sqlite_store.url)
        first = sync_boards(cfg, sqlite_store)
        assert first.outcomes[0].paged and f.stats()["by_status"].get("403") == 1  # Trello's refusal, once
        f.reset_stats()
        f.by_status.clear()
        again = sync_boards(cfg, sqlite_store, full=True)
        assert again.outcomes[0].paged and again.outcomes[0].cards == 60
        assert "403" not in f.stats()["by_status"], "the known-large board is not asked for whole again"
    assert sqlite_store.sync_states()[big["id"]].cards_paged


def test_sync_view_on_a_terminal_and_under_cron(capsys: pytest.CaptureFixture[str]) -> None:
    report = SyncReport(
        outcomes=[
            BoardOutcome("1", "Team \x1b[31mred", "synced", requests=2, cards=40, actions=3, full=True),
            BoardOutcome("2", "Quiet board", "unchanged"),
        ],
        requests=4,
    )
    tty = SyncView(tty=True, verbose=0)
    tty.event("start", 1)
    tty.event("notice", "GET /1/boards/x: HTTP 429; retry 1 in 2.0 s")
    tty.event("board", report.outcomes[0])
    tty.finish(report)
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("  … ") and "retry 1" in err[0]
    assert err[1] == "✓ Team \\x1b[31mred: 40 cards, 3 actions, 2 requests, full"  # no raw escape sequence
    assert len(err) == 3, "unchanged boards are counted in the summary, not listed"
    assert err[-1] == "sync: 1 synced, 1 unchanged; 40 cards read; 4 requests"
    cron = SyncView(tty=False, verbose=0)
    cron.event("notice", "retrying")
    cron.event("board", report.outcomes[0])
    cron.finish(report)
    assert capsys.readouterr().err == ""


@pytest.mark.slow
def test_sigterm_stops_a_sync_within_seconds_and_keeps_the_previous_state(tmp_path: Path) -> None:
    boards = [synthesize_board(5, seed=s) for s in (41, 42, 43)]
    with FakeTrello(boards, key=KEY, token=TOKEN) as f:
        env = {**os.environ, "TRELLO_API_KEY": KEY, "TRELLO_TOKEN": TOKEN, "TRELLO_API_URL": f.url}
        db = tmp_path / "t.db"
        cmd = [sys.executable, "-m", "trellosync", "sync", "--database", str(db)]
        assert subprocess.run(cmd, env=env, capture_output=True, timeout=120).returncode == 0
        before = Store(f"sqlite:///{db}").table_dump()
        for b in boards:
            f.mutate("comment", b["id"], text="late news")
        f.trickle = 0.2  # every answer now takes minutes: the sync is stuck in reads
        f.reset_stats()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Signal only once the sync is reading (its handlers are in place): a loaded machine can take
        # seconds just to import, and a SIGTERM before then is the default one, not ours.
        deadline = time.monotonic() + 60
        while f.stats()["requests"] < 1 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(0.3)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        stopped_after = time.monotonic() - sent
        f.trickle = 0
    assert proc.returncode == 130 and (b"interrupted" in err or b"aborted" in err)
    assert stopped_after < 5.0
    assert Store(f"sqlite:///{db}").table_dump() == before


def test_a_first_sync_in_which_every_board_fails_leaves_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = synthesize_board(3, seed=71)
    board["_status"] = 500
    with FakeTrello([board], key=KEY, token=TOKEN) as f:
        cfg = tmp_path / "c.yaml"
        cfg.write_text(
            f"trello: {{api_key: {KEY}, token: {TOKEN}, api_url: '{f.url}', max_retries: 0}}\n"
            f"database: sqlite:///{tmp_path / 'never.db'}\n"
        )
        code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
    assert code == 5 and "no board synced" in err and "HTTP 500" in err
    assert not (tmp_path / "never.db").exists()
