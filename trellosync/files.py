"""Files at rest: owner-only folders and files, atomic replacement, and no clobbering of what is not a report.

Reports and the database hold what peers said in confidence, so whatever trellosync creates is readable by
its owner only (files 0600, folders 0700) whatever the umask. A report is written to a temporary file in
the same folder and renamed into place: a full disk leaves the previous report intact, never a truncated one.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from trellosync.errors import ConfigError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_SNIFF = 64 * 1024  # where a report's generator mark is looked for (head of HTML, trailer or info of a PDF)


def private_mkdir(folder: Path) -> None:
    """Create `folder` and every missing parent owner-only (0700); existing folders are left as they are."""
    folder = Path(folder)
    missing: list[Path] = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for d in reversed(missing):
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=PRIVATE_DIR)
        with contextlib.suppress(OSError):
            os.chmod(d, PRIVATE_DIR)  # mkdir's mode is filtered by the umask


def cache_dir(name: str) -> Path | None:
    """An owner-only folder for `name` under the user's cache ($XDG_CACHE_HOME or ~/.cache); None if unwritable.

    Only what can be rebuilt from the package goes there (compiled templates), never card text.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = Path(base) / "trellosync" / name
    try:
        private_mkdir(folder)
        stats = [os.stat(f) for f in (folder.parent, folder)]
    except OSError:
        return None
    # Compiled templates are code: a folder someone else owns or may write to (a shared XDG_CACHE_HOME) is not
    # used, as Jinja's own default cache folder is not.
    if any(st.st_uid != os.getuid() or st.st_mode & 0o022 for st in stats):
        return None
    return folder if os.access(folder, os.W_OK) else None


def atomic_write(out: Path, write: Callable[[BinaryIO], object]) -> Path:
    """Write a file through a same-folder temporary file (0600), fsync it, then rename it over `out`."""
    out = Path(out)
    private_mkdir(out.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return out


def is_trellosync_report(path: Path) -> bool:
    """True when `path` is a PDF, HTML or JSON report trellosync wrote (a PDF's or HTML's generator mark is
    `trellosync`; JSON is recognised by its first keys)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_SNIFF)
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - _SNIFF))
            tail = f.read(_SNIFF)
    except OSError:
        return False
    if head.startswith(b"%PDF-"):
        return _pdf_creator_is_us(head + tail) or _pdf_info_says_us(path)
    if head.startswith(b'{\n  "kind": "') and b'\n  "cover": {' in head:
        return True  # a report's data (`--format json -o`), as report.documents.context_as_json writes it
    return (
        head.lstrip().lower().startswith(b"<!doctype html")
        and b'<meta name="generator" content="trellosync">' in head
    )


def _pdf_creator_is_us(data: bytes) -> bool:
    """WeasyPrint writes our generator name as the PDF /Creator, inside a compressed object stream near the end."""
    mark = b"/Creator (trellosync)"
    if mark in data:
        return True
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            if mark in zlib.decompressobj().decompress(data[m.end() :], 1 << 20):
                return True
        except zlib.error:
            continue
    return False


def _pdf_info_says_us(path: Path) -> bool:
    """The PDF's document information, read properly: in a tagged report with fonts the object stream holding
    it can lie far from both ends of the file."""
    from pypdf import PdfReader

    try:
        info = PdfReader(path).metadata
        return info is not None and info.get("/Creator") == "trellosync"
    except Exception:  # noqa: BLE001  # any file at all may sit at the path; only ours must be recognised
        return False


def check_writable_reports(paths: Iterable[Path], *, force: bool = False) -> None:
    """Refuse (ConfigError) to replace anything but a report trellosync wrote, unless `force`.

    Above all this protects the database and the config from `report -o feedback.db`.
    """
    for p in paths:
        p = Path(p)
        folder = p.parent
        while not os.path.lexists(folder) and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise ConfigError(f"cannot write into {folder}: Not a directory")  # as `unwritable` says it
        if not os.path.lexists(p):
            continue
        if p.is_symlink() or not p.is_file():
            raise ConfigError(f"{p} exists and is not a regular file; refusing to write a report there")
        if not force and not is_trellosync_report(p):
            raise ConfigError(
                f"{p} exists and is not a report trellosync wrote (a database, a config?); "
                "refusing to overwrite it: choose another -o, or pass --force"
            )


def prepare_sqlite_file(database: str | None) -> None:
    """Create a new SQLite database file (and its folder) owner-only before SQLite opens it.

    SQLite creates the -wal and -shm files with the permissions of the database file, so they follow.
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).expanduser()
    if path.exists():
        return
    try:
        private_mkdir(path.parent)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE))
    except OSError as exc:
        raise ConfigError(
            f"database: cannot create {path}: {exc.strerror or exc.__class__.__name__}"
        ) from None
