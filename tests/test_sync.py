"""Live sync end to end against the fake Trello server: full, incremental, deletions, faults, partial failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clihelp import run_cli
from conftest import EXPORTS
from sqlalchemy import select

from trellosync.config.settings import BoardMapping, Config, TrelloConfig
from trellosync.errors import AuthError, ConfigError, PartialFailure, TrelloAPIError
from trellosync.store import schema as t
from trellosync.store.db import Store
from trellosync.sync.onboard import propose_mapping
from trellosync.sync.run import sync_boards
from trellosync.testing.fake_trello import FakeTrello, synthesize_board

KEY, TOKEN = "a1" * 16, "b2" * 32
BOARDS = ["clone-board-2025.json", "notes-board.json", "small-notes-board.json", "csv-export-board.json"]


@pytest.fixture
def fake() -> Iterator[FakeTrello]:
    f = FakeTrello([EXPORTS / n for n in BOARDS], key=KEY, token=TOKEN, seed=1).start()
    try:
        yield f
    finally:
        f.stop()


def config_for(fake: FakeTrello, db: str, **trello: Any) -> Config:
    """A config pointing at the fake server (no board mappings: every open board)."""
    return Config(trello=TrelloConfig(api_key=KEY, token=TOKEN, api_url=fake.url, **trello), database=db)


@pytest.fixture
def db(sqlite_store: Store) -> Store:
    """The sync tests' database: the shared SQLite store."""
    return sqlite_store


def _rows(store: Store, table: Any, *where: Any) -> list[Any]:
    with store.engine.connect() as conn:
        return conn.execute(select(table).where(*where)).all()


def test_full_then_no_change_sync_costs_one_request(fake: FakeTrello, db: Store) -> None:
    cfg = config_for(fake, db.url)
    report = sync_boards(cfg, db)
    assert sorted(o.status for o in report.outcomes) == ["synced"] * 4
    assert report.requests == fake.stats()["requests"] == 1 + 4  # listing + one nested request per board
    counts = db.counts()
    exports = [json.loads((EXPORTS / n).read_text()) for n in BOARDS]
    assert counts["cards"] == sum(len(e["cards"]) for e in exports)
    assert counts["checklists"] == sum(len(e["checklists"]) for e in exports)
    fake.reset_stats()
    report = sync_boards(cfg, db)
    assert fake.stats()["requests"] == 1 == report.requests
    assert fake.stats()["by_path"] == {"GET /1/members/me/boards": 1}
    assert all(o.status == "unchanged" for o in report.outcomes)


def test_incremental_sync_brings_every_change_into_the_database(fake: FakeTrello, db: Store) -> None:
    cfg = config_for(fake, db.url)
    sync_boards(cfg, db)
    board = next(b for b in fake.boards.values() if b["name"] == "Tekken Notes")
    victim = board["cards"][-1]
    cl = next(c for c in board["checklists"] if c["idCard"] != victim["id"])
    item = next(i for i in cl["checkItems"] if i["state"] == "incomplete")
    archived = board["cards"][0]
    fake.mutate("check_item", board["id"], check_item=item["id"])
    comment = fake.mutate(
        "comment", board["id"], card=board["cards"][1]["id"], text="Great lunch, well handled"
    )
    fake.mutate("archive_card", board["id"], card=archived["id"])
    deleted = fake.mutate("delete_card", board["id"], card=victim["id"])
    before = db.counts()
    fake.reset_stats()
    report = sync_boards(cfg, db)
    # one listing + one nested request for the one changed board
    assert fake.stats()["requests"] == 2
    assert [o.name for o in report.outcomes if o.status == "synced"] == ["Tekken Notes"]
    assert _rows(db, t.check_items, t.check_items.c.id == item["id"])[0].state == "complete"
    texts = [r.text for r in _rows(db, t.comments, t.comments.c.id == comment["id"])]
    assert texts == ["Great lunch, well handled"]
    assert _rows(db, t.cards, t.cards.c.id == archived["id"])[0].closed is True
    gone = _rows(db, t.cards, t.cards.c.id == victim["id"])
    assert len(gone) == 1, "a deleted card is flagged, never erased"
    assert gone[0].deleted_at is not None
    assert gone[0].deleted_action_at is not None
    assert gone[0].deleted_action_at.isoformat()[:19] == deleted["date"][:19]
    for cl_del in (c for c in _rows(db, t.checklists, t.checklists.c.card_id == victim["id"])):
        assert cl_del.deleted_at is not None
    after = db.counts()
    assert after["actions"] == before["actions"] + 4
    assert after["deleted_cards"] == before["deleted_cards"] + 1
    # old comments are not flagged deleted by an incremental sync (it only saw the new actions)
    assert after["comments"] == before["comments"] + 1
    fake.reset_stats()
    sync_boards(cfg, db)
    assert fake.stats()["requests"] == 1


@pytest.mark.slow  # syncs 1,500 cards and 3,000 actions
def test_history_is_kept_beyond_1000_actions(fake: FakeTrello, db: Store) -> None:
    big = fake.add_board(synthesize_board(1500, seed=11, comment_every=1))  # 3,000 actions
    cfg = config_for(fake, db.url)
    sync_boards(cfg, db, boards=[big["id"]])
    assert len(_rows(db, t.actions, t.actions.c.board_id == big["id"])) == 3000
    assert len(_rows(db, t.comments, t.comments.c.board_id == big["id"])) == 1500


def test_full_flag_and_refresh_interval_resync_unchanged_boards(fake: FakeTrello, db: Store) -> None:
    cfg = config_for(fake, db.url)
    sync_boards(cfg, db)
    fake.reset_stats()
    report = sync_boards(cfg, db, full=True)
    assert all(o.status == "synced" and o.full for o in report.outcomes)
    assert fake.stats()["requests"] == 5
    fake.reset_stats()
    zero = config_for(fake, db.url, full_refresh_hours=0.000001)
    sync_boards(zero, db)
    assert fake.stats()["requests"] == 5
    assert db.counts() == db.counts()


def test_deleted_comment_is_flagged_on_a_full_sync(fake: FakeTrello, db: Store) -> None:
    cfg = config_for(fake, db.url)
    board = next(b for b in fake.boards.values() if b["name"] == "Weekly Sprint")
    sync_boards(cfg, db, boards=[board["id"]])
    comment = next(a for a in board["actions"] if a["type"] == "commentCard")
    board["actions"].remove(comment)
    sync_boards(cfg, db, boards=[board["id"]], full=True)
    row = _rows(db, t.comments, t.comments.c.id == comment["id"])[0]
    assert row.deleted_at is not None


def test_missing_and_forbidden_boards_fail_alone(fake: FakeTrello, db: Store) -> None:
    forbidden = next(b for b in fake.boards.values() if b["name"] == "Weekly Sprint")
    forbidden["_forbidden"] = True
    broken = next(b for b in fake.boards.values() if b["name"] == "Tekken Notes")
    broken["_status"] = 500  # every attempt fails: the retry budget runs out for this board only
    cfg = config_for(fake, db.url, max_retries=1)
    cfg.boards = [BoardMapping(board=b["id"]) for b in fake.boards.values()] + [
        BoardMapping(board="No Such Board")
    ]
    with pytest.raises(PartialFailure) as exc:
        sync_boards(cfg, db)
    msg = str(exc.value)
    assert "'Weekly Sprint'" in msg and "forbidden" in msg
    assert "'Tekken Notes'" in msg and "HTTP 500" in msg
    assert "'No Such Board'" in msg and "not found" in msg
    assert exc.value.exit_code == 6
    report = exc.value.report  # type: ignore[attr-defined]
    synced = sorted(o.name for o in report.outcomes if o.status == "synced")
    assert len(synced) == 2
    assert db.counts()["boards"] == 2


def test_unknown_board_option_is_a_usage_error_and_nothing_synced_is_not_partial(
    fake: FakeTrello, db: Store, tmp_path: Path
) -> None:
    cfg = config_for(fake, db.url, max_retries=0)
    with pytest.raises(ConfigError, match="No Such Board") as exc:
        sync_boards(cfg, db, boards=["No Such Board"])
    assert exc.value.exit_code == 2
    with pytest.raises(ConfigError, match="not found") as exc:
        sync_boards(cfg, db, boards=["0123456789abcdef01234567"])  # an id Trello answers 404 to
    for b in fake.boards.values():
        b["_status"] = 500
    with pytest.raises(TrelloAPIError, match="no board synced") as exc2:
        sync_boards(cfg, db)
    assert exc2.value.exit_code == 5 and not isinstance(exc2.value, PartialFailure)


def test_wrong_token_is_an_auth_error(fake: FakeTrello, db: Store) -> None:
    cfg = Config(trello=TrelloConfig(api_key=KEY, token="wrong" * 10, api_url=fake.url), database=db.url)
    with pytest.raises(AuthError, match="token invalid or expired") as exc:
        sync_boards(cfg, db)
    assert exc.value.exit_code == 4
    assert db.counts()["boards"] == 0


def test_sync_survives_injected_faults(fake: FakeTrello, tmp_path: Path) -> None:
    clean = Store(f"sqlite:///{tmp_path / 'clean.db'}")
    sync_boards(config_for(fake, clean.url), clean)
    fake.faults = {"429": 0.2, "500": 0.1, "drop": 0.05}
    noisy = Store(f"sqlite:///{tmp_path / 'noisy.db'}")
    cfg = config_for(fake, noisy.url, max_retries=8)
    from trellosync.trello import session as client_mod

    orig = client_mod.RetryPolicy.delay
    client_mod.RetryPolicy.delay = lambda self, attempt: 0.0  # type: ignore[method-assign]
    try:
        sync_boards(cfg, noisy)
    finally:
        client_mod.RetryPolicy.delay = orig  # type: ignore[method-assign]
    stats = fake.stats()
    assert stats["faults"].get("429", 0) + stats["faults"].get("500", 0) + stats["faults"].get("drop", 0) > 0
    assert noisy.counts() == clean.counts()


def test_boards_sync_concurrently_within_the_rate_limit(db: Store, tmp_path: Path) -> None:
    boards = [synthesize_board(5, seed=100 + i, name=f"Board {i}") for i in range(12)]
    with FakeTrello(boards, key=KEY, token=TOKEN, latency=0.05) as f:
        cfg = config_for(f, db.url, concurrency=6)
        report = sync_boards(cfg, db)
        assert len([o for o in report.outcomes if o.status == "synced"]) == 12
        assert f.stats()["requests"] == 13
    assert db.counts()["boards"] == 12


def test_mapped_boards_only_and_board_refs(fake: FakeTrello, db: Store) -> None:
    from trellosync.config.settings import BoardMapping

    cfg = config_for(fake, db.url)
    cfg.boards = [
        BoardMapping(board="https://trello.com/b/uTbciFCh/weekly-sprint"),
        BoardMapping(board="98dLwYtj"),
    ]
    report = sync_boards(cfg, db)
    assert sorted(o.name for o in report.outcomes) == sorted(
        b["name"] for b in fake.boards.values() if b["shortLink"] in ("uTbciFCh", "98dLwYtj")
    )


@pytest.fixture
def fake_with_lunches() -> Iterator[FakeTrello]:
    """The sprint and notes exports plus two peer-lunch boards: what init proposes, and what it leaves out."""
    from trellosync.cli.demo import example_dir

    files = [EXPORTS / n for n in BOARDS] + [
        example_dir() / n for n in ("peer-lunch-will-jessica.json", "peer-lunch-amara-diego.json")
    ]
    with FakeTrello(files, key=KEY, token=TOKEN, seed=1) as f:
        yield f


def test_cli_sync_boards_and_init(
    fake_with_lunches: FakeTrello,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = fake_with_lunches
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    cfg = tmp_path / "trellosync.yaml"
    code, out, err = run_cli(
        capsys,
        "init",
        "-o",
        str(cfg),
        "--api-url",
        fake.url,
        "--database",
        f"sqlite:///{tmp_path / 'cli.db'}",
    )
    assert code == 0, err
    text = cfg.read_text()
    assert KEY not in text and TOKEN not in text and "${TRELLO_TOKEN}" in text
    assert "Weekly Sprint" not in text or "board:" in text
    code, out, err = run_cli(capsys, "check", "-c", str(cfg))
    assert code == 0, err
    code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
    assert code == 0, err
    assert out == "" and err == ""  # quiet on success (cron)
    code, out, err = run_cli(capsys, "boards", "-c", str(cfg), "--json")
    assert code == 0, err
    assert {b["name"] for b in json.loads(out)} == {b["name"] for b in fake.boards.values()}
    code, out, err = run_cli(capsys, "init", "-o", str(cfg))
    assert code == 2 and "exists" in err
    mapped = [b for b in fake.boards.values() if b.get("url") and b["url"] in text]
    assert mapped
    mapped[0]["_forbidden"] = True
    fake.mutate("comment", mapped[0]["id"])
    code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
    assert code == 6
    assert len([line for line in err.splitlines() if "forbidden" in line]) == 1


def test_propose_mapping_from_names() -> None:
    m = propose_mapping(
        {
            "id": "x",
            "url": "https://trello.com/b/x/y",
            "lists": [{"name": "Lunches"}, {"name": "Our goals"}, {"name": "Achieved"}],
            "checklists": [{"name": "Best moment - Will"}, {"name": "Commitments"}],
            "labels": [{"name": "Influence"}, {"name": ""}],
        }
    )
    assert m["lunches"] == {"lists": ["Lunches"]}
    assert m["goals"] == {"lists": ["Our goals"], "done_lists": ["Achieved"]}
    assert m["feedback"] == {"best": ["Best moment - Will"], "commitments": ["Commitments"]}
    assert m["labels"] == {"Influence": "influence"}


def test_cli_sync_without_config_uses_the_environment(
    fake: FakeTrello, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    monkeypatch.setenv("TRELLO_API_URL", fake.url)
    code, out, err = run_cli(capsys, "sync", "--database", str(tmp_path / "env.db"))
    assert code == 0, err
    code, out, err = run_cli(capsys, "status", "--json", "--database", str(tmp_path / "env.db"))
    assert json.loads(out)["boards"] == 4
    monkeypatch.delenv("TRELLO_TOKEN")
    code, out, err = run_cli(capsys, "sync", "--database", str(tmp_path / "env.db"))
    assert code == 2 and "TRELLO_TOKEN" in err


def test_cli_init_to_stdout(
    fake_with_lunches: FakeTrello, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    fake = fake_with_lunches
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    code, out, err = run_cli(capsys, "init", "--api-url", fake.url)
    assert code == 0, err
    doc = yaml.safe_load(out)
    assert doc["trello"]["token"] == "${TRELLO_TOKEN}"
    # Boards with a lunch-like list are proposed; the others (a sprint board's `Done` too) are named in a comment.
    proposed = {m["board"] for m in doc["boards"]}
    assert len(proposed) == 2 and all("lunches" in m for m in doc["boards"])
    assert "'Weekly Sprint'" in out.split("\ntrello:")[0]
    skipped = next(line for line in out.splitlines() if line.startswith("# Not proposed"))
    for b in fake.boards.values():
        if not b.get("closed"):
            assert (b.get("url") or b["id"]) in proposed or repr(b["name"]) in skipped, b["name"]
    assert TOKEN not in out and KEY not in out


def test_cli_sync_is_silent_when_retries_succeed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from trellosync.trello.session import RetryPolicy

    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt: 0.01)
    board = json.loads((EXPORTS / "notes-board.json").read_text())
    with FakeTrello([board], key=KEY, token=TOKEN, faults={"500": 0.5, "429": 0.2}, seed=3) as f:
        cfg = tmp_path / "c.yaml"
        monkeypatch.setenv("QUIET_TOKEN", TOKEN)  # a token written in the file draws a warning at every load
        cfg.write_text(
            f"trello:\n  api_key: {KEY}\n  token: ${{QUIET_TOKEN}}\n  api_url: {f.url}\n"
            f"  max_retries: 10\ndatabase: sqlite:///{tmp_path / 'q.db'}\n"
        )
        code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
        assert f.stats()["faults"], "faults were injected"
    assert code == 0 and out == "" and err == ""


def test_a_board_named_like_a_shortlink_is_found_by_its_name(fake: FakeTrello, db: Store) -> None:
    board = next(b for b in fake.boards.values() if b["name"] == "Weekly Sprint")
    board["name"] = "Planning"  # eight letters, like a shortLink
    cfg = config_for(fake, db.url)
    cfg.boards = [BoardMapping(board="Planning")]
    report = sync_boards(cfg, db)
    assert [(o.name, o.status) for o in report.outcomes] == [("Planning", "synced")]
