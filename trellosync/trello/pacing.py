"""Request pacing: a sliding-window budget per token, Trello's X-Rate-Limit-* headers, the /1/members/ limit.

Trello allows 100 requests per 10 s per token, 300 per 10 s per key, and 100 per 900 s on `/1/members/`
routes (Atlassian's rate-limit guide; TRELLO-FACTS.md). Answers carry `X-Rate-Limit-Api-Token-Remaining`
and `-Interval-Ms` (and the key's), which count what every process on the token spent, not only ours.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from trellosync.config.settings import DEFAULT_MAX_REQUESTS_PER_10S
from trellosync.errors import TrelloAPIError

MEMBERS_ROUTE_MAX = 100
MEMBERS_ROUTE_WINDOW = 900.0
HEADER_SCOPES = ("token", "key")


class Stopped(TrelloAPIError):
    """The run was interrupted (Ctrl-C, SIGTERM) or reached its deadline while waiting."""


class Waiter:
    """Every sleep of a session: wakes at once when the run is cancelled, never passes the run's deadline."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.cancelled = threading.Event()
        self.deadline: float | None = None  # clock() value at which the run must stop
        self.reason = "interrupted"

    def remaining(self) -> float | None:
        """Seconds left before the run's deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - self.clock()

    def check(self) -> None:
        """Raise Stopped when the run was cancelled or its deadline has passed."""
        if self.cancelled.is_set():
            raise Stopped(f"sync stopped: {self.reason}")
        left = self.remaining()
        if left is not None and left <= 0:
            raise Stopped("sync stopped: the run deadline (trello.run_deadline) was reached")

    def sleep(self, seconds: float) -> None:
        """Sleep `seconds`, or raise Stopped as soon as the run is cancelled or would pass its deadline."""
        self.check()
        left = self.remaining()
        if left is not None and seconds >= left:
            raise Stopped(
                f"sync stopped: waiting {seconds:.0f} s would pass the run deadline (trello.run_deadline)"
            )
        if self.cancelled.wait(max(seconds, 0.0)):
            self.check()

    def cancel(self, reason: str = "interrupted") -> None:
        """Stop every wait now."""
        self.reason = reason
        self.cancelled.set()


class RateLimiter:
    """Thread-safe limit of N requests per sliding window, shared by every session using one token.

    A plain token bucket of capacity N refilled at N/10 per second lets 2N requests through in the first
    10 s; Trello counts requests per fixed interval (rate-limits guide), so a sliding log of the last N
    request times is used instead: no window ever sees more than N requests.
    """

    def __init__(
        self,
        max_requests: int = DEFAULT_MAX_REQUESTS_PER_10S,
        window: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.max_requests = max_requests
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._times: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def wait_time(self) -> float:
        """Seconds until one more request may be sent (0: now)."""
        with self._lock:
            return self._wait_locked(self._clock())

    def _wait_locked(self, now: float) -> float:
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        wait = self._paused_until - now
        if wait <= 0 and len(self._times) >= self.max_requests:
            wait = self.window - (now - self._times[0])
        return max(wait, 0.0)

    def acquire(self, sleep: Callable[[float], None] | None = None) -> None:
        """Block until one more request may be sent, then record it."""
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_locked(now)
                if wait <= 0:
                    self._times.append(now)
                    return
            (sleep or self._sleep)(max(wait, 0.001))

    def pause(self, seconds: float) -> None:
        """Hold every request on this limiter for `seconds` (after a 429 or an exhausted header budget)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


_limiters: dict[tuple[str, str, str], RateLimiter] = {}
_limiters_lock = threading.Lock()


def shared_limiter(
    api_url: str, token: str, max_requests: int, *, scope: str = "token", window: float = 10.0
) -> RateLimiter:
    """The one RateLimiter of this process for a (server, token, scope) triple."""
    ident = (api_url, str(hash(token)), scope)
    with _limiters_lock:
        limiter = _limiters.get(ident)
        if limiter is None or limiter.max_requests != max_requests or limiter.window != window:
            limiter = _limiters[ident] = RateLimiter(max_requests, window)
        return limiter


def is_members_route(relative_path: str) -> bool:
    """True for paths under /1/members/ (given relative to the API base), which share 100 requests per 900 s."""
    return relative_path.lstrip("/").split("/", 1)[0] == "members"


def header_pause(headers: Mapping[str, str], *, reserve: int, cap: float) -> float | None:
    """Seconds to hold back when Trello's own counters say a budget is (nearly) spent, else None.

    `Remaining` counts what every client of the token or key spent in the current interval, so it catches
    other processes that share the token; when it falls to `reserve` the rest of the interval is waited out.
    """
    longest: float | None = None
    for scope in HEADER_SCOPES:
        remaining = _int(headers.get(f"X-Rate-Limit-Api-{scope.title()}-Remaining"))
        interval_ms = _int(headers.get(f"X-Rate-Limit-Api-{scope.title()}-Interval-Ms"))
        if remaining is None or interval_ms is None or interval_ms <= 0:
            continue
        if remaining <= reserve:
            wait = min(interval_ms / 1000.0, cap)
            longest = wait if longest is None else max(longest, wait)
    return longest


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        n = int(str(value).strip())
    except ValueError:
        return None
    return n if 0 <= n < 10**9 else None
