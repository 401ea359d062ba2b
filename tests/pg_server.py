"""A throwaway PostgreSQL server on loopback for the tests (Debian's `postgresql` package)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL's {name} is not installed: run `sh scripts/install-system-packages.sh --tests` "
            "(the README's test command does this)"
        )
    return candidates[-1]


def _free_bytes(path: str) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    """initdb into a temporary folder, start on a free loopback port, stop and delete on stop()."""

    def __init__(self) -> None:
        # On tmpfs when there is one: a run creates ~100 databases (~30,000 files), and deleting them from a
        # busy disk at the end took 20 s of a 75 s run. Not when it is small: each database takes ~8 MB,
        # and a container's /dev/shm is 64 MB by default (the server then stops at "No space left on device").
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) and _free_bytes("/dev/shm") >= 2 * 2**30 else None
        self.dir = Path(tempfile.mkdtemp(prefix="trellosync-pg-", dir=shm))
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root; Debian's package creates the `postgres` user.
            self._as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres")
        os.chmod(self.dir, 0o700)

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self._as_user, *cmd], check=True, capture_output=True, timeout=120)

    def start(self) -> PgServer:
        """Create the cluster and start the server; return self."""
        data = self.dir / "data"
        self._run(
            _pg_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        self._run(
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
            "start",
        )
        return self

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self._run(_pg_bin("pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def admin_url(self) -> str:
        """URL of the maintenance database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self, template: str | None = None) -> str:
        """Create an empty database (or a copy of the database `template`); return its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"
