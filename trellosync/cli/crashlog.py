"""The last line of defence: an unexpected error becomes one line on stderr plus an owner-only crash log.

An exception's message may hold anything it was built from: an HTTP header with the token, a URL, a SQL
statement's parameters (card text). So neither the line on stderr nor the log file ever contains a
message: only exception types and the code locations of the stack (file, line, function), which are ours.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control, bidi and lone surrogate characters shown as escapes (\\x1b)."""
    return _CONTROL.sub(
        lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text
    )


def crash_dir() -> Path:
    """Where crash logs go: $XDG_STATE_HOME/trellosync, else ~/.local/state/trellosync."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "trellosync"


def _frames(tb: TracebackType | None) -> list[str]:
    return [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb)]


def crash_report(exc: BaseException, command: str) -> str:
    """The crash log's text: versions, the command's name, each chained exception's type and stack."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ours = version("trellosync")
    except PackageNotFoundError:
        ours = "unknown"
    lines = [
        f"trellosync {ours}, Python {sys.version.split()[0]}, {sys.platform}",
        f"at {datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ}, command: {command or '-'}",
        "Exception messages are left out on purpose: they can contain secrets or card text.",
        "",
    ]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        lines.extend(_frames(current.__traceback__))
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("while handling / caused by:")
    return "\n".join(lines) + "\n"


def write_crash_log(exc: BaseException, command: str) -> Path | None:
    """Write the crash report owner-only (0600 in a 0700 folder); None when no folder is writable."""
    text = crash_report(exc, command)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for folder in (crash_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".log", dir=folder)  # mode 0600
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            return Path(name)
        except OSError:
            continue
    return None


def unexpected_error_line(exc: BaseException, command: str) -> str:
    """The one line shown for an unexpected error (never its message), pointing at the crash log."""
    path = write_crash_log(exc, command)
    where = f"; details (no secrets, no card text) in {path}" if path else ""
    return (
        f"trellosync: unexpected error ({type(exc).__name__}) in `{command or 'trellosync'}`{where}. "
        "This is a bug: please report it with that file."
    )
