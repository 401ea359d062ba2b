"""Shared fixtures: paths to the real Trello data, stores on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import functools
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from pg_server import PgServer  # noqa: E402

if TYPE_CHECKING:  # imported where used: the pytest-xdist controller, which only schedules, skips 0.5 s
    from trellosync.config.settings import Config
    from trellosync.store.db import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXPORTS = SHARED / "data" / "trello-exports"
API_DATA = SHARED / "data" / "trello-api"
CORPUS_MISSING = (
    "left out {count} tests that read the real Trello data: {shared} was not found (put the shared "
    "folder beside the checkout to run them; shared/data/SOURCES.md says where each export comes from)"
)


def _needs_corpus(item: pytest.Item) -> bool:
    """A test needs the corpus when its module holds a path into ../shared (EXPORTS, API_DATA, SHARED...)."""
    module = getattr(item, "module", None)
    return (
        any(isinstance(v, Path) and (v == SHARED or SHARED in v.parents) for v in vars(module).values())
        if module is not None
        else False
    )


@pytest.hookimpl(tryfirst=True)  # before -m selects, so that -m "not corpus" sees the mark
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Mark the tests that read the real-data corpus `corpus`."""
    for item in items:
        if _needs_corpus(item):
            item.add_marker(pytest.mark.corpus)


class _LeaveOutCorpus:
    """Without ../shared, leave out (deselect) the selected tests marked `corpus`, and count them."""

    @pytest.hookimpl(trylast=True)  # after -m and -k: count only what this run would have run
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """Deselect the corpus tests -m and -k kept, and remember how many for the summary line."""
        _leave_out_corpus(config, items)


def pytest_configure(config: pytest.Config) -> None:
    """Register the corpus hook that must run after -m (a conftest module holds one hook of each name)."""
    config.pluginmanager.register(_LeaveOutCorpus(), "trellosync-leave-out-corpus")


def _leave_out_corpus(config: pytest.Config, items: list[pytest.Item]) -> None:
    corpus = [item for item in items if item.get_closest_marker("corpus") is not None]
    if corpus and not SHARED.is_dir():
        config.hook.pytest_deselected(items=corpus)
        items[:] = [i for i in items if i not in corpus]
        config.stash[_LEFT_OUT] = len(corpus)
        if hasattr(
            config, "workeroutput"
        ):  # a pytest-xdist worker: tell the controller, which prints the line
            config.workeroutput["corpus_left_out"] = len(corpus)


_LEFT_OUT = pytest.StashKey[int]()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """(pytest-xdist controller) What a worker left out for want of the corpus; every worker collects alike."""
    left_out = getattr(node, "workeroutput", {}).get("corpus_left_out")
    if left_out:
        node.config.stash[_LEFT_OUT] = left_out


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    """One line, after the results, when tests were left out because ../shared is missing."""
    left_out = config.stash.get(_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(CORPUS_MISSING.format(count=left_out, shared=SHARED), yellow=True)


def copy_sqlite(src: Path, dst: Path) -> Path:
    """Copy a SQLite database file, WAL included, even while a connection still holds it; return dst.

    Tests import an export once and copy the file for the next test, instead of importing it again.
    """
    dst.unlink(missing_ok=True)
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    shutil.copymode(src, dst)
    return dst


@pytest.fixture(scope="session")
def example_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped example workspace imported by `load_example` once per test process. Never write to it:
    take a copy with `example_workspace` (copying is ~50x cheaper than importing the boards again)."""
    from trellosync.cli.demo import load_example

    db = tmp_path_factory.mktemp("example") / "example.db"
    _, store = load_example(f"sqlite:///{db}")
    store.close()
    return db


def example_workspace(example_database: Path, db: Path) -> tuple[Config, Store]:
    """What `load_example(sqlite:///db)` returns (its config and an open store), from a copy of the import."""
    from trellosync.cli.demo import example_dir
    from trellosync.config.settings import load_config
    from trellosync.store.db import Store

    copy_sqlite(example_database, db)
    config = load_config(example_dir() / "config.yaml")
    config.database = f"sqlite:///{db}"
    return config, Store(config.database)


@pytest.fixture
def example_copied(example_database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`demo` (and every `load_example`) in this test copies the example imported once per test process instead
    of importing its boards again (tests/test_demo.py and the `example_database` fixture import them for real)."""
    from sqlalchemy.engine import make_url

    from trellosync.store.db import normalize_url

    def load_example(database_url: str) -> tuple[Config, Store]:
        database = make_url(normalize_url(database_url)).database
        assert database, database_url
        return example_workspace(example_database, Path(database))

    monkeypatch.setattr("trellosync.cli.demo.load_example", load_example)


@pytest.fixture
def fonts_not_subset(monkeypatch: pytest.MonkeyPatch) -> None:
    """HTML reports in this test inline their fonts whole: fontTools takes 1 to 2 s of CPU to subset the five
    fonts of each report, and the fonts are not what the test is about (the inner loop still subsets them in
    test_people_rights.py's logged HTML brief; test_cli_output.py checks the size, marked slow)."""
    monkeypatch.setattr("trellosync.report.render._subset_font", lambda data, _chars: data)


@pytest.fixture(autouse=True, scope="session")
def _fake_trello_stops_at_once() -> Iterator[None]:
    """The fake Trello server notices stop() within 20 ms instead of 0.5 s (about 20 s of the inner loop).

    socketserver's serve_forever() checks for shutdown() only between polls of poll_interval=0.5 s, and
    every test with a fake server waited for that poll when it stopped the server.
    """
    from trellosync.testing import fake_trello

    patch = pytest.MonkeyPatch()
    patch.setattr(
        fake_trello._Server,
        "serve_forever",
        functools.partialmethod(ThreadingHTTPServer.serve_forever, poll_interval=0.02),
    )
    yield
    patch.undo()


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
    from trellosync.store.db import Store

    url = pg_server.new_database()
    Store(url).close()
    return url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database made once per test process: a copy opens in ~15 ms, migrating takes ~75."""
    from trellosync.store.db import Store

    db = tmp_path_factory.mktemp("template") / "empty.db"
    Store(f"sqlite:///{db}").close()
    return db


_REAL_MIGRATE: dict[str, Any] = {}  # Store.migrate itself, kept by the session fixture below


def _is_new_sqlite_file(store: Store) -> bool:
    """True for a SQLite database file that holds nothing yet (missing or empty, no write-ahead log)."""
    database = store.engine.url.database if store.dialect == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        return False
    path = Path(database).expanduser()
    wal = path.with_name(path.name + "-wal")
    return (not path.exists() or path.stat().st_size == 0) and (not wal.exists() or wal.stat().st_size == 0)


@pytest.fixture(autouse=True, scope="session")
def _new_sqlite_databases_start_from_the_template(sqlite_template: Path) -> Iterator[None]:
    """A new, empty SQLite database is filled with a copy of the migrated template instead of running every
    migration (0.2 s each, about a hundred times in the inner loop: every CLI test that syncs or imports into a
    new file). The template itself is migrated for real, once per test process; databases at an older revision
    still migrate for real, and the `real_migrations` fixture turns the shortcut off for a test."""

    from trellosync.store.db import Store

    real = _REAL_MIGRATE.setdefault("migrate", Store.migrate)

    def migrate(self: Store) -> None:
        if not _is_new_sqlite_file(self):
            real(self)
            return
        source, target = sqlite3.connect(sqlite_template), sqlite3.connect(self.engine.url.database)
        try:
            source.backup(target)  # into the file Store created owner-only: its mode stays
        finally:
            target.close()
            source.close()

    patch = pytest.MonkeyPatch()
    patch.setattr(Store, "migrate", migrate)
    yield
    patch.undo()


@pytest.fixture
def real_migrations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new database in this test is migrated by Alembic from the first revision, as outside the tests."""
    from trellosync.store.db import Store

    monkeypatch.setattr(Store, "migrate", _REAL_MIGRATE["migrate"])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database URL, once on SQLite and once on PostgreSQL (both already migrated, still empty).

    The PostgreSQL case is `slow`: the inner loop runs the SQLite case of each test, and test_pg_smoke.py plus
    the PostgreSQL-only tests keep the PostgreSQL backend in it."""
    if request.param == "sqlite":
        return f"sqlite:///{copy_sqlite(request.getfixturevalue('sqlite_template'), tmp_path / 'test.db')}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.new_database(template=request.getfixturevalue("pg_template"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """A migrated, empty store on each backend."""
    from trellosync.store.db import Store

    s = Store(store_url)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path, sqlite_template: Path) -> Iterator[Store]:
    """A migrated, empty SQLite store."""
    from trellosync.store.db import Store

    s = Store(f"sqlite:///{copy_sqlite(sqlite_template, tmp_path / 'test.db')}")
    try:
        yield s
    finally:
        s.close()
