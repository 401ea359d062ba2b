"""Credentials as they may be sent: printable ASCII only, a trailing newline trimmed (and said so), https only.

The value of a key or token is never put in a message: only where the problem is.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from trellosync.errors import ConfigError

log = logging.getLogger("trellosync.config.settings")

# A key or token is a short run of printable ASCII; anything else (a CR from a CRLF env file, a pasted
# non-breaking space) would end up in the Authorization header, where requests refuses it and prints the
# whole header in its exception.
_CREDENTIAL = re.compile(r"[!#-\[\]-~]+")  # printable ASCII without space, '"' and '\\'


def check_credential(name: str, value: str | None) -> str | None:
    """A credential as it may be sent: a trailing newline is trimmed (with a warning), other bad characters refused.

    The value itself is never shown, only where the problem is.
    """
    if value is None:
        return None
    if value.endswith(("\n", "\r")):
        value = value.rstrip("\r\n")
        log.warning("%s: removed a trailing newline (was it read from a file with CRLF line ends?)", name)
    if not value:
        raise ConfigError(f"{name}: is empty")
    bad = next((i for i, ch in enumerate(value) if not _CREDENTIAL.fullmatch(ch)), None)
    if bad is not None:
        ch = value[bad]
        what = (
            "a control character"
            if ord(ch) < 32 or ord(ch) == 127
            else "a space"
            if ch == " "
            else "a non-ASCII character"
            if ord(ch) > 127
            else f"the character {ch!r}"
        )
        raise ConfigError(
            f"{name}: contains {what} at position {bad + 1} of {len(value)}; a Trello key or token "
            "is printable ASCII only (the value is not shown)"
        )
    return value


def read_secret_file(path: Path, name: str) -> str:
    """A secret file's text (one POSIX line end removed; the rest is checked by check_credential)."""
    try:
        text = path.expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{name}: cannot read {path}: {exc.__class__.__name__}") from None
    text = text.strip(" \t")
    # One POSIX line end is what editors write; a CR or a second newline is trimmed with a warning below.
    return text[:-1] if text.endswith("\n") and not text.endswith(("\r\n", "\n\n")) else text


def check_api_url(url: str) -> str:
    """The API URL, if credentials may be sent to it: https, or plain http only to this machine."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1"):
        return url
    raise ValueError(
        "the Trello API URL must be https:// (plain http only to 127.0.0.1 or localhost), "
        "or the token would travel in clear text"
    )
