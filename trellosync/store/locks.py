"""Sync locks: one sync at a time per database, or (PostgreSQL workers) one sync at a time per board.

SQLite: an flock(2) on ``<database>.sync-lock`` next to the database file; the kernel releases it when the
process dies, even by SIGKILL. PostgreSQL: session-level advisory locks on a dedicated connection, which
the server releases when that connection ends. Workers hold the global lock *shared* and each board's lock
exclusively, so several workers split boards between them while a plain sync still excludes them all.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

from trellosync.errors import LockError
from trellosync.files import private_mkdir

ANOTHER_SYNC = "another sync is running"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock derived from `name`."""
    return int.from_bytes(hashlib.sha256(f"trellosync:{name}".encode()).digest()[:8], "big", signed=True)


GLOBAL_KEY = advisory_key("sync")


def _normalize(url: str) -> str:
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser())
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def sqlite_lock_path(url: str) -> Path | None:
    """The lock file of a SQLite database URL, or None for an in-memory database."""
    db = make_url(_normalize(url)).database
    if not db or db == ":memory:" or db.startswith("file::memory:"):
        return None
    real = Path(db).expanduser().resolve()  # two names for one file (a symbolic link) share one lock
    return real.with_name(real.name + ".sync-lock")


def _open_lock_file(path: Path) -> int:
    """Open (or create, 0600) the lock file without following a symlink: a planted link must not let us
    truncate another file. Anything but a regular file there is refused."""
    try:
        private_mkdir(path.parent)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o600)
    except OSError as exc:
        what = "is a symbolic link" if exc.errno == errno.ELOOP else f"cannot be opened ({exc.strerror})"
        raise LockError(f"lock file {path} {what}; remove it if no sync is running") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise LockError(f"lock file {path} is not a regular file; remove it if no sync is running")
    return fd


class SyncLock:
    """The lock a `trellosync sync` holds for its whole run (exclusive, or shared for workers)."""

    def __init__(self, url: str, *, shared: bool = False) -> None:
        self.url = _normalize(url)
        self.shared = shared
        self.dialect = make_url(self.url).get_backend_name()
        self._fd: int | None = None
        self._conn: Connection | None = None
        self._engine: Any = None
        self._conn_lock = threading.Lock()
        self._board_keys: set[int] = set()

    # ------------------------------------------------------------------ global
    def acquire(self, *, wait: bool = False, poll: float = 0.2) -> None:
        """Take the lock; raise LockError("another sync is running") at once unless `wait`."""
        if self.dialect == "sqlite":
            path = sqlite_lock_path(self.url)
            if path is None:
                return
            fd = _open_lock_file(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                os.close(fd)
                raise LockError(
                    f"{ANOTHER_SYNC} on this database (lock file {path}); use --wait to wait for it"
                ) from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd = fd
            return
        if self.dialect != "postgresql":
            return
        self._engine = create_engine(self.url, poolclass=NullPool, hide_parameters=True)
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        fn = "pg_try_advisory_lock_shared" if self.shared else "pg_try_advisory_lock"
        while True:
            if conn.execute(text(f"SELECT {fn}(:k)"), {"k": GLOBAL_KEY}).scalar():
                break
            if not wait:
                conn.close()
                self._engine.dispose()
                raise LockError(
                    f"{ANOTHER_SYNC} on this database (PostgreSQL advisory lock); use --wait to wait for it"
                )
            time.sleep(poll)
        self._conn = conn

    def release(self) -> None:
        """Give the lock (and every board lock) back."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
            finally:
                self._conn.close()
                self._engine.dispose()
                self._conn = None

    def __enter__(self) -> SyncLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # ------------------------------------------------------------------ per board (PostgreSQL workers)
    def try_board(self, board_id: str) -> bool:
        """Claim one board for this worker; False when another worker is syncing it."""
        if self._conn is None:
            return True
        key = advisory_key("board:" + board_id)
        with self._conn_lock:
            ok = bool(self._conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        if ok:
            self._board_keys.add(key)
        return ok

    def release_board(self, board_id: str) -> None:
        """Give one board's claim back."""
        if self._conn is None:
            return
        key = advisory_key("board:" + board_id)
        if key in self._board_keys:
            with self._conn_lock:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            self._board_keys.discard(key)


def acquire_sync_lock(url: str, *, wait: bool = False, worker: bool = False) -> SyncLock:
    """Take the sync lock of a database: exclusive, or shared plus per-board claims for PostgreSQL workers."""
    lock = SyncLock(url, shared=worker and _normalize(url).startswith("postgresql"))
    lock.acquire(wait=wait)
    return lock
