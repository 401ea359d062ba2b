"""No rollback, ever: an export without a date or without actions neither flags newer data deleted nor revives
deleted data; a first sync cut short by a refused token keeps the boards it synced (exit 6)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from boardbuilder import Board, iso
from clihelp import run_cli
from sqlalchemy import select

from trellosync.store import schema as t
from trellosync.store.db import Store
from trellosync.sync.pipeline import import_export


def _board() -> tuple[Board, str, str, str]:
    b = Board()
    kept = b.card("Lunches", "Lunch 5 Jan 2026", created="2026-01-05")
    gone = b.card("Lunches", "Lunch 19 Jan 2026", created="2026-01-19")
    comment = b.comment(kept, "Best moment: the demo", "2026-01-06")
    b.data["dateLastActivity"] = iso("2026-01-20")
    return b, kept, gone, comment


def _write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data))
    return p


def _flags(store: Store) -> dict[str, Any]:
    with store.engine.connect() as conn:
        cards = dict(conn.execute(select(t.cards.c.id, t.cards.c.deleted_at)).all())
        comments = dict(conn.execute(select(t.comments.c.id, t.comments.c.deleted_at)).all())
    return {"cards": cards, "comments": comments}


def test_an_undated_export_without_actions_after_a_newer_one_rolls_nothing_back(
    store: Store, tmp_path: Path
) -> None:
    b, kept, gone, comment = _board()
    first = copy.deepcopy(b.data)
    newer = copy.deepcopy(b.data)
    newer["cards"] = [c for c in newer["cards"] if c["id"] != gone]  # deleted since
    newer["dateLastActivity"] = iso("2026-02-01")
    undated = copy.deepcopy(first)  # still shows the deleted card; no date, no actions
    del undated["dateLastActivity"]
    del undated["actions"]
    import_export(store, _write(tmp_path, "first.json", first), None)
    import_export(store, _write(tmp_path, "newer.json", newer), None)
    before = _flags(store)
    assert before["cards"][gone] is not None and before["comments"][comment] is None
    r = import_export(store, _write(tmp_path, "undated.json", undated), None)
    assert r.history_only and "no date" in r.why_history_only
    after = _flags(store)
    assert after["cards"][gone] is not None, "the deleted card was revived"
    assert after["comments"][comment] is None, "a live comment was flagged deleted"
    assert after == before


def test_a_newer_export_without_an_actions_key_flags_no_comment_deleted(store: Store, tmp_path: Path) -> None:
    b, kept, gone, comment = _board()
    newer = copy.deepcopy(b.data)
    del newer["actions"]  # as an export made through the API is
    newer["dateLastActivity"] = iso("2026-03-01")
    newer["cards"][0]["name"] = "Lunch 5 Jan 2026 (renamed)"
    import_export(store, _write(tmp_path, "first.json", b.data), None)
    r = import_export(store, _write(tmp_path, "newer.json", newer), None)
    assert not r.history_only
    flags = _flags(store)
    assert flags["comments"][comment] is None, "the stored comment was flagged deleted"
    with store.engine.connect() as conn:
        name = conn.execute(select(t.cards.c.name).where(t.cards.c.id == kept)).scalar_one()
    assert name.endswith("(renamed)"), "the newer snapshot's cards were taken"


def test_an_undated_export_says_why_only_history_was_added(
    sqlite_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b, *_ = _board()
    undated = copy.deepcopy(b.data)
    del undated["dateLastActivity"]
    del undated["actions"]
    import_export(sqlite_store, _write(tmp_path, "first.json", b.data), None)
    code, out, err = run_cli(
        capsys,
        "sync",
        "--database",
        sqlite_store.url,
        "--from-export",
        str(_write(tmp_path, "undated.json", undated)),
    )
    assert code == 0 and "carries no date" in err and "only its history was added" in err


def test_a_first_sync_cut_short_by_a_revoked_token_keeps_its_boards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from trellosync.sync import pipeline
    from trellosync.testing.fake_trello import FakeTrello, synthesize_board

    key, token = "a7" * 16, "b8" * 32
    boards = [synthesize_board(3, seed=60 + i, name=f"Board {i}") for i in range(5)]
    ingested: list[str] = []
    real = pipeline.ingest_board
    with FakeTrello(boards, key=key, token=token) as fake:

        def revoke_after_three(store: Store, board_json: dict[str, Any], *a: Any, **kw: Any) -> Any:
            result = real(store, board_json, *a, **kw)
            ingested.append(board_json["id"])
            if len(ingested) == 3:
                fake.token = "revoked-" + token  # every later request: 401 invalid token
            return result

        monkeypatch.setattr(pipeline, "ingest_board", revoke_after_three)
        cfg = tmp_path / "trellosync.yaml"
        cfg.write_text(
            f"trello:\n  api_key: {key}\n  token: {token}\n  api_url: {fake.url}\n  concurrency: 1\n"
            f"database: {tmp_path / 'first.db'}\n"
        )
        code, out, err = run_cli(capsys, "sync", "-c", str(cfg))
    assert code == 6, err
    assert "the 3 boards synced in this run are kept" in err
    failed_lines = [line for line in err.splitlines() if line.startswith("  board ")]
    assert len(failed_lines) == 2 and all(
        "Trello refused the credentials" in line for line in failed_lines
    ), err
    store = Store(str(tmp_path / "first.db"))
    try:
        assert sorted(store.board_ids()) == sorted(ingested), "the boards synced before the refusal are kept"
        assert len(store.sync_states()) == 3
    finally:
        store.close()
