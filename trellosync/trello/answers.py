"""What a Trello error answer means, decided from the raw status and body before anything is redacted.

Real Trello answers errors as JSON (``{"error": "API_TOO_MANY_CARDS_REQUESTED", "message": ...}``) or as
text/plain (``invalid token``, ``The requested resource was not found.``): see ../shared/TRELLO-FACTS.md and
the recorded exchanges in ../shared/data/trello-api/recorded/. Redaction is only for what people see.
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

TOO_MANY_CARDS = "API_TOO_MANY_CARDS_REQUESTED"
# Statuses Trello has been seen to use for a board too large for one answer: 400, 403 (org-trello#385),
# 413, and 449 on the JSON export endpoint (GSGBen/t2md#63). 413 and 449 mean nothing else to us.
TOO_LARGE_STATUSES = frozenset({413, 449})
_CODE = re.compile(r"\b(API_[A-Z_]+|[A-Z]+(?:_[A-Z]+)+_EXCEEDED)\b")
MIN_SECRET_LENGTH = (
    8  # real keys are 32 hex digits, tokens 64+; anything shorter is redacted as a whole word only
)


@dataclass(frozen=True)
class ErrorAnswer:
    """A non-200 answer as decided on: status, Trello's symbolic code (or None) and the raw short text."""

    status: int
    code: str | None
    text: str

    @property
    def too_many_cards(self) -> bool:
        """Trello refused a nested request as too large, whatever the status it chose."""
        return self.code == TOO_MANY_CARDS or self.status in TOO_LARGE_STATUSES

    @property
    def retryable(self) -> bool:
        """429s (every kind, TRELLO-FACTS) and 5xx are worth another try."""
        return self.status == 429 or self.status >= 500


def read_error(status: int, content_type: str, body: bytes) -> ErrorAnswer:
    """Classify an error answer from its raw parts (JSON or text/plain body)."""
    text = body[:2000].decode("utf-8", "replace").strip()
    code: str | None = None
    if "json" in content_type.lower() or text.startswith("{"):
        code, text = _json_code(text)
    if code is None:
        m = _CODE.search(text)
        code = m.group(1) if m else None
    return ErrorAnswer(status, code, " ".join(text.split())[:200])


def _json_code(text: str) -> tuple[str | None, str]:
    import json

    try:
        data: Any = json.loads(text)
    except ValueError:
        return None, text
    if not isinstance(data, dict):
        return None, text
    code = data.get("error")
    message = data.get("message")
    code = code if isinstance(code, str) and _CODE.fullmatch(code) else None
    shown = (
        message
        if isinstance(message, str)
        else (data.get("error") if isinstance(data.get("error"), str) else "")
    )
    return code, shown or ""


def parse_wait(value: str | None, cap: float) -> float | None:
    """Seconds from a Retry-After value (seconds or an HTTP date), capped; None when absent or unparseable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if parsed is None or parsed.tzinfo is None:
            return None
        seconds = parsed.timestamp() - time.time()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), cap)


class Redactor:
    """Hides credentials in text shown to people, without mangling other words."""

    def __init__(self, secrets: Iterable[str]) -> None:
        long = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        short = sorted({s for s in secrets if 0 < len(s) < MIN_SECRET_LENGTH}, key=len, reverse=True)
        parts = [re.escape(s) for s in long]
        # A short secret (a test token such as "T") would match inside ordinary words: only whole tokens.
        parts += [rf"(?<![A-Za-z0-9_]){re.escape(s)}(?![A-Za-z0-9_])" for s in short]
        self._pattern = re.compile("|".join(parts)) if parts else None

    def __call__(self, text: str) -> str:
        """`text` with every credential occurrence replaced by ***."""
        return self._pattern.sub("***", text) if self._pattern else text
