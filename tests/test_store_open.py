"""Opening a database: a current one skips Alembic, any other is migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import text

from trellosync.store.db import Store, _migrations_dir, head_revision


def test_the_head_is_alembics() -> None:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_migrations_dir()))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


def test_a_current_database_opens_without_alembic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, real_migrations: None
) -> None:
    Store(f"sqlite:///{tmp_path / 'a.db'}").close()
    monkeypatch.setattr(
        command, "upgrade", lambda *_a, **_k: pytest.fail("Alembic ran on a current database")
    )
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    assert store.revision() == head_revision()
    store.close()


def test_an_older_database_is_migrated(tmp_path: Path, real_migrations: None) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(_migrations_dir()))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0007")
    assert store.revision() == "0007"
    with store.engine.connect() as conn:
        assert "renews" not in {r[1] for r in conn.execute(text("PRAGMA table_info(commitments)"))}
    store.close()
    store = Store(f"sqlite:///{tmp_path / 'a.db'}")
    assert store.revision() == head_revision()
    with store.engine.connect() as conn:
        assert "renews" in {r[1] for r in conn.execute(text("PRAGMA table_info(commitments)"))}
    store.close()
