"""Shared fixtures: paths to the real Trello data, stores on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pg_server import PgServer  # noqa: E402

from trellosync.store import Store  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXPORTS = SHARED / "data" / "trello-exports"
API_DATA = SHARED / "data" / "trello-api"
CORPUS_MISSING = (f"need the real Trello data corpus, which is missing: {SHARED} was not found. Put the shared "
                  "folder beside the checkout (shared/data/SOURCES.md says where each export comes from); "
                  'the rest of the suite runs without it: pytest -m "not corpus"')


def _needs_corpus(item: pytest.Item) -> bool:
    """A test needs the corpus when its module holds a path into ../shared (EXPORTS, API_DATA, SHARED...)."""
    module = getattr(item, "module", None)
    return any(isinstance(v, Path) and (v == SHARED or SHARED in v.parents)
               for v in vars(module).values()) if module is not None else False


class CorpusMissing(pytest.Item):
    """Stands for every test that needs ../shared when it is missing: one failure, one message."""

    def __init__(self, *, count: int, **kw: Any) -> None:
        super().__init__(**kw)
        self.count = count

    def runtest(self) -> None:
        """Fail with the message (no traceback)."""
        pytest.fail(f"{self.count} test(s) {CORPUS_MISSING}", pytrace=False)

    def reportinfo(self) -> tuple[Path, int, str]:
        """Where the corpus is looked for."""
        return Path(__file__), 0, "real-data corpus"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that read the real-data corpus `corpus`; without ../shared, replace them by one failure."""
    corpus = [item for item in items if _needs_corpus(item)]
    for item in corpus:
        item.add_marker(pytest.mark.corpus)
    if corpus and not SHARED.is_dir():
        config.hook.pytest_deselected(items=corpus)
        items[:] = [i for i in items if i not in corpus]
        missing = CorpusMissing.from_parent(session, name="real-data-corpus", count=len(corpus))
        missing.add_marker(pytest.mark.corpus)
        items.insert(0, missing)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the whole run, started on loopback and removed afterwards."""
    server = PgServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """URL of a fresh, empty PostgreSQL database."""
    return pg_server.new_database()


@pytest.fixture(scope="session")
def pg_template(pg_server: PgServer) -> str:
    """Name of a migrated, empty PostgreSQL database: copying it is much cheaper than migrating each one."""
    url = pg_server.new_database()
    Store(url).close()
    return url.rsplit("/", 1)[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL, once on SQLite and once on PostgreSQL (there already migrated, still empty)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database(template=request.getfixturevalue("pg_template"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    s = Store(store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty SQLite store."""
    s = Store(f"sqlite:///{tmp_path / 'test.db'}")
    try:
        yield s
    finally:
        s.close()
