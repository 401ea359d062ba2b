"""Every real export imports through normalize -> store -> domain, exactly, idempotently, on both backends."""

from __future__ import annotations

import copy
import json

import pytest
from clihelp import run_cli
from conftest import API_DATA, EXPORTS
from sqlalchemy import select

from trellosync.errors import ConfigError, DataError
from trellosync.store import schema as t
from trellosync.sync.pipeline import import_export, ingest_board, read_export

EXPORT_FILES = sorted(p.name for p in EXPORTS.glob("*.json"))


def expected_counts(data: dict) -> dict[str, int]:
    if "idBoard" in data and "cards" not in data:  # a single card's export
        cards, lists, checklists = [data], [data["idList"]], data.get("checklists") or []
        actions = data.get("actions") or []
    else:
        cards, lists, checklists = data["cards"], data["lists"], data["checklists"]
        actions = data["actions"]
    return {
        "lists": len(lists),
        "cards": len(cards),
        "archived_cards": sum(1 for c in cards if c.get("closed")),
        "checklists": len(checklists),
        "check_items": sum(len(cl.get("checkItems") or []) for cl in checklists),
        "comments": sum(1 for a in actions if a["type"] == "commentCard"),
        "actions": len({a["id"] for a in actions}),
    }


def test_all_six_files_are_covered():
    assert len(EXPORT_FILES) == 6


@pytest.mark.parametrize("name", EXPORT_FILES)
def test_real_export_imports_exactly(store, name):
    path = EXPORTS / name
    data = json.loads(path.read_text())
    import_export(store, path, None)
    counts = store.counts()
    for key, value in expected_counts(data).items():
        assert counts[key] == value, (name, key)
    assert counts["boards"] == 1
    assert counts["deleted_cards"] == 0


@pytest.mark.parametrize("name", EXPORT_FILES)
def test_reimport_is_idempotent(store, name):
    import_export(store, EXPORTS / name, None)
    before = store.table_dump()
    import_export(store, EXPORTS / name, None)
    assert store.table_dump() == before


def test_newer_export_updates_and_flags_vanished_card(store):
    data = read_export(EXPORTS / "notes-board.json")
    ingest_board(store, data, None)
    newer = copy.deepcopy(data)
    gone = newer["cards"].pop(0)
    newer["cards"][0]["name"] = "Renamed in the newer export"
    renamed_id = newer["cards"][0]["id"]
    gone_checklists = {cl["id"] for cl in newer["checklists"] if cl["idCard"] == gone["id"]}
    newer["checklists"] = [cl for cl in newer["checklists"] if cl["idCard"] != gone["id"]]
    newer["dateLastActivity"] = "2030-01-01T00:00:00.000Z"
    ingest_board(store, newer, None)
    with store.engine.connect() as conn:
        row = conn.execute(select(t.cards).where(t.cards.c.id == gone["id"])).one()
        assert row.deleted_at is not None  # flagged, not erased
        assert row.name == gone["name"]
        assert (
            conn.execute(select(t.cards.c.name).where(t.cards.c.id == renamed_id)).scalar()
            == "Renamed in the newer export"
        )
        for cl in gone_checklists:
            assert conn.execute(select(t.checklists.c.deleted_at).where(t.checklists.c.id == cl)).scalar()
    counts = store.counts()
    assert counts["deleted_cards"] == 1
    assert counts["cards"] == len(data["cards"]) - 1
    # the card comes back when it reappears
    ingest_board(store, data | {"dateLastActivity": "2030-02-01T00:00:00.000Z"}, None)
    assert store.counts()["deleted_cards"] == 0


@pytest.mark.parametrize("mangle", ["truncate", "garbage", "array", "not-a-board", "binary"])
def test_malformed_export_is_refused_and_changes_nothing(sqlite_store, tmp_path, mangle):
    import_export(sqlite_store, EXPORTS / "small-notes-board.json", None)
    before = sqlite_store.table_dump()
    text = (EXPORTS / "notes-board.json").read_text()
    bad = tmp_path / "bad.json"
    if mangle == "truncate":
        bad.write_text(text[: len(text) // 2])
    elif mangle == "garbage":
        bad.write_text("{'id': nope}")
    elif mangle == "array":
        bad.write_text("[1, 2, 3]")
    elif mangle == "not-a-board":
        bad.write_text(json.dumps({"id": "x", "hello": "world"}))
    else:
        bad.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(DataError) as err:
        import_export(sqlite_store, bad, None)
    assert str(bad) in str(err.value)
    if mangle == "truncate":
        assert "truncated" in str(err.value)
    assert sqlite_store.table_dump() == before


def test_broken_card_inside_valid_json_rolls_back(sqlite_store):
    data = read_export(EXPORTS / "notes-board.json")
    data["cards"][5] = {"name": "a card without an id"}
    with pytest.raises(DataError):
        ingest_board(sqlite_store, data, None)
    assert sqlite_store.counts()["boards"] == 0


def test_dangling_references_are_kept(sqlite_store):
    # 50 real comments, 5 by deleted accounts (no memberCreator), on cards the board does not hold.
    comments = json.loads((API_DATA / "actions_card-actions-api-example.json").read_text())
    board = {
        "id": "5a0000000000000000000001",
        "name": "Dangling",
        "lists": [],
        "cards": [],
        "checklists": [],
        "actions": comments,
    }
    ingest_board(sqlite_store, board, None)
    counts = sqlite_store.counts()
    assert counts["comments"] == 50
    assert counts["cards"] == 0
    with sqlite_store.engine.connect() as conn:
        orphans = conn.execute(select(t.comments).where(t.comments.c.member_name.is_(None))).all()
    assert len(orphans) == sum(1 for a in comments if "memberCreator" not in a)
    assert all(o.member_id for o in orphans)


def test_single_card_export_is_a_one_card_board(sqlite_store):
    r = import_export(sqlite_store, EXPORTS / "single-card-export.json", None)
    assert r.cards == 1
    assert r.board_name.startswith("Card export: ")


def test_cli_import_without_config_and_status_json(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    db = tmp_path / "x.db"
    for name in EXPORT_FILES:
        code, _, err = run_cli(capsys, "sync", "--from-export", str(EXPORTS / name), "--database", str(db))
        assert code == 0, err
    code, out, _ = run_cli(capsys, "status", "--json", "--database", str(db))
    assert code == 0
    status = json.loads(out)
    for key in (
        "boards",
        "lists",
        "cards",
        "archived_cards",
        "deleted_cards",
        "checklists",
        "check_items",
        "comments",
        "actions",
        "people",
        "meetings",
        "feedback",
        "goals",
        "commitments",
    ):
        assert isinstance(status[key], int), key
    assert status["boards"] == 6
    totals = [expected_counts(json.loads((EXPORTS / n).read_text())) for n in EXPORT_FILES]
    assert status["cards"] == sum(x["cards"] for x in totals)


def test_cli_default_database_file(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    code, _, err = run_cli(capsys, "sync", "--from-export", str(EXPORTS / "small-notes-board.json"))
    assert code == 0, err
    assert (tmp_path / "trellosync.db").exists()


def test_cli_malformed_export_exit_code(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "abc", "cards": [')
    code, out, err = run_cli(capsys, "sync", "--from-export", str(bad), "--database", str(tmp_path / "d.db"))
    assert code == DataError.exit_code
    assert "malformed JSON" in err and "Traceback" not in err


def test_export_for_board_not_in_config_uses_default_mapping(sqlite_store, tmp_path):
    from trellosync.config.settings import parse_config

    cfg = parse_config("people:\n  ryan: {name: Ryan, trello: ryanhimmelwright}\nboards:\n  - board: Other\n")
    r = import_export(sqlite_store, EXPORTS / "small-notes-board.json", cfg)
    assert not r.mapped
    assert sqlite_store.counts()["cards"] == 4


def test_missing_export_is_a_usage_error_naming_the_path(tmp_path, capsys):
    with pytest.raises(ConfigError, match="missing.json: no such file") as err:
        read_export(tmp_path / "missing.json")
    assert err.value.exit_code == 2
    code, out, err_text = run_cli(
        capsys,
        "sync",
        "--from-export",
        str(tmp_path / "missing.json"),
        "--database",
        str(tmp_path / "new.db"),
    )
    assert code == 2 and "missing.json" in err_text
    assert not (tmp_path / "new.db").exists(), "a failed import leaves no new empty database"


def test_status_and_report_do_not_create_a_database(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    for args in (["status"], ["status", "--json"], ["report", "goals", "will"], ["rebuild"]):
        code, out, err = run_cli(capsys, *args, "--database", str(tmp_path / "missing.db"))
        assert code == 2 and "no database at" in err, args
    assert not (tmp_path / "missing.db").exists()
