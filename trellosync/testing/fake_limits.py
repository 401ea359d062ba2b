"""The fake Trello API's rate limits: Trello's counters and headers, enforced."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any


class RateLimits:
    """Trello's limits as the fake enforces them (Atlassian's rate-limit guide; TRELLO-FACTS.md).

    Fixed windows: 300 requests per 10 s per key, 100 per 10 s per token, and 100 per 900 s per token on
    `/1/members/` routes. Every answer carries the X-Rate-Limit-* headers a recorded answer shows
    (recorded/ruby-trello__checklist_can_update_the_item_state.yml).
    """

    def __init__(
        self,
        *,
        key_max: int = 300,
        token_max: int = 100,
        interval: float = 10.0,
        members_max: int = 100,
        members_interval: float = 900.0,
        member_max: int = 200,
        clock: Any = time.monotonic,
    ) -> None:
        self.key_max, self.token_max, self.interval = key_max, token_max, interval
        self.members_max, self.members_interval, self.member_max = members_max, members_interval, member_max
        self.clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self.exceeded: Counter[str] = Counter()

    def _spend(self, scope: str, who: str, interval: float) -> int:
        now = self.clock()
        start, used = self._windows.get((scope, who), (now, 0))
        if now - start >= interval:
            start, used = now, 0
        self._windows[(scope, who)] = (start, used + 1)
        return used + 1

    def count(self, key: str, token: str, members_route: bool) -> tuple[dict[str, str], str | None]:
        """Count one request; returns the headers to send and the exhausted limit's error code, if any."""
        k = self._spend("key", key, self.interval)
        t = self._spend("token", token, self.interval)
        m = self._spend("member", token, self.interval)
        ms = int(self.interval * 1000)
        headers = {
            "X-Rate-Limit-Api-Key-Interval-Ms": str(ms),
            "X-Rate-Limit-Api-Key-Max": str(self.key_max),
            "X-Rate-Limit-Api-Key-Remaining": str(max(self.key_max - k, 0)),
            "X-Rate-Limit-Api-Token-Interval-Ms": str(ms),
            "X-Rate-Limit-Api-Token-Max": str(self.token_max),
            "X-Rate-Limit-Api-Token-Remaining": str(max(self.token_max - t, 0)),
            "X-Rate-Limit-Member-Interval-Ms": str(ms),
            "X-Rate-Limit-Member-Max": str(self.member_max),
            "X-Rate-Limit-Member-Remaining": str(max(self.member_max - m, 0)),
        }
        error = None
        refused_start, refused = self._windows.get(("refused", key), (self.clock(), 0))
        if refused > 200 and self.clock() - refused_start < self.interval:
            # Past 200 429s per key in a window, Trello answers 429 for the rest of it (TRELLO-FACTS.md).
            error = "API_KEY_LIMIT_EXCEEDED"
        elif k > self.key_max:
            error = "API_KEY_LIMIT_EXCEEDED"
        elif t > self.token_max:
            error = "API_TOKEN_LIMIT_EXCEEDED"
        elif members_route and self._spend("members", token, self.members_interval) > self.members_max:
            error = "API_TOKEN_LIMIT_EXCEEDED"
            self.exceeded["members"] += 1
        if error:
            self.exceeded[error] += 1
            self._spend("refused", key, self.interval)
        return headers, error
