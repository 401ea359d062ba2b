"""Every command closes the database it opens, also when it fails: a finished command leaves one SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from boardbuilder import Board
from clihelp import run_cli

from trellosync.store.db import Store
from trellosync.sync import pipeline


def export(tmp_path: Path) -> Path:
    b = Board()
    c = b.card("Lunches", "lunch", due="2026-02-10")
    b.checklist(c, "Best moment", [{"name": "ran the retro", "member": "willsmith"}])
    path = tmp_path / "board.json"
    path.write_text(json.dumps(b.data))
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Store]:
    """Every store the CLI opens during the test."""
    stores: list[Store] = []
    real = pipeline.open_store

    def recording(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        stores.append(real(*args, **kwargs))
        return stores[-1]

    monkeypatch.setattr(pipeline, "open_store", recording)
    return stores


def is_closed(store: Store) -> bool:
    """A closed store's pool holds no connection (a used, unclosed one keeps its connection checked in)."""
    return store.engine.pool.checkedin() == 0


@pytest.mark.parametrize(
    "args, code",
    [
        (("status",), 0),
        (("status", "--json"), 0),
        (("rebuild",), 0),
        (("report", "goals", "willsmith", "--format", "json", "--to", "2026-03-01"), 0),
        (("report", "goals", "nobody", "--format", "json"), 2),  # a failing command closes it too
    ],
)
def test_each_command_closes_the_store_it_opened(tmp_path, capsys, opened, args, code):
    db = tmp_path / "t.db"
    assert run_cli(capsys, "sync", "--database", str(db), "--from-export", str(export(tmp_path)))[0] == 0
    assert len(opened) == 1 and is_closed(opened[0])
    assert not Path(
        f"{db}-wal"
    ).exists()  # the import is in the database file itself, as after a process exit
    got, _, err = run_cli(capsys, *args, "--database", str(db))
    assert got == code, err
    assert len(opened) == 2 and is_closed(opened[1])
    assert not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()


def test_store_is_a_context_manager(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'c.db'}") as store:
        assert store.counts()["meetings"] == 0
        assert not is_closed(store)
    assert is_closed(store)
    assert not Path(f"{tmp_path / 'c.db'}-wal").exists()


def test_the_printable_database_url_hides_the_password(tmp_path) -> None:
    from trellosync.store.db import Store, _safe_url

    assert "s3cret" not in _safe_url("postgresql+psycopg://tess:s3cret@db.example:5432/trellosync")
    assert "tess" in _safe_url("postgresql+psycopg://tess:s3cret@db.example:5432/trellosync")
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        assert store.safe_url == store.url
