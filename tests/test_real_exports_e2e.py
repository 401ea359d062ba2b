"""Real data, the whole way: every real board export through the fake Trello API (as real Trello answers it)
and through `--from-export` gives the same database, row for row."""

from __future__ import annotations

from pathlib import Path

import pytest
from clihelp import run_cli
from conftest import EXPORTS

from trellosync.store.db import Store
from trellosync.testing.fake_trello import FakeTrello

KEY, TOKEN = "d1" * 16, "e2" * 32
BOARD_EXPORTS = [p for p in sorted(EXPORTS.glob("*.json")) if p.name != "single-card-export.json"]  # one card


@pytest.mark.parametrize("page_threshold", [1000, 5])  # 5: most boards are refused whole (403) and paged
def test_api_sync_and_export_import_give_the_same_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], page_threshold: int
) -> None:
    assert len(BOARD_EXPORTS) == 5
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    with FakeTrello(BOARD_EXPORTS, key=KEY, token=TOKEN, page_threshold=page_threshold) as fake:
        monkeypatch.setenv("TRELLO_API_URL", fake.url)
        code, out, err = run_cli(capsys, "sync", "--database", "api.db")
        assert code == 0 and out == "" and err == "", err
        refused = fake.stats()["by_status"].get("403", 0)
    assert refused == (
        0 if page_threshold == 1000 else 3
    )  # the three boards of more than 5 cards  # Trello's 403 API_TOO_MANY_CARDS_REQUESTED
    args = [a for p in BOARD_EXPORTS for a in ("--from-export", str(p))]
    code, out, err = run_cli(capsys, "sync", "--database", "export.db", *args)
    assert code == 0, err
    api, export = (
        Store(f"sqlite:///{tmp_path / 'api.db'}").table_dump(),
        Store(f"sqlite:///{tmp_path / 'export.db'}").table_dump(),
    )
    assert api.keys() == export.keys()
    for table in api:
        if table == "sync_state":  # how each was obtained (api / export, when): the one expected difference
            assert len(api[table]) == len(export[table]) == 5
            continue
        assert api[table] == export[table], table
    assert sum(len(rows) for rows in api.values()) > 500
