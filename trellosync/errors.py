"""The few exception classes trellosync raises; the CLI maps each to an exit code."""

from __future__ import annotations


class TrellosyncError(Exception):
    """Base class of every error trellosync reports to a user (never with a stack trace)."""

    exit_code = 1


class ConfigError(TrellosyncError):
    """The config file is missing, malformed or invalid; `problems` lists every one found."""

    exit_code = 2

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p}" for p in self.problems)


class DataError(TrellosyncError):
    """Input data (an export file, an API answer) is malformed; nothing was written."""

    exit_code = 3


class AuthError(TrellosyncError):
    """Trello refused the credentials (401)."""

    exit_code = 4


class TrelloAPIError(TrellosyncError):
    """Trello answered with an error, or could not be reached, after the retries allowed."""

    exit_code = 5


class PartialFailure(TrellosyncError):
    """Some boards synced, others failed; each failure was reported."""

    exit_code = 6


class LockError(TrellosyncError):
    """Another sync holds the lock."""

    exit_code = 7


class StoreError(TrellosyncError):
    """The database refused a write (disk full, locked, permissions); that board's transaction was rolled back.

    The message never carries the statement's parameters: they are card text.
    """

    exit_code = 8


class UnknownPersonError(TrellosyncError):
    """A report was asked for a person the mapping does not name."""

    exit_code = 2
