"""The `requests` session py-trello sends through: header auth, pacing, deadlines and the one retry loop."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3

from trellosync.config.settings import (
    DEFAULT_API_URL,
    DEFAULT_GIVE_UP_AFTER,
    DEFAULT_MAX_REQUESTS_PER_10S,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_WAIT,
    DEFAULT_REQUEST_DEADLINE,
    DEFAULT_TIMEOUT,
)
from trellosync.errors import AuthError, TrelloAPIError
from trellosync.trello.answers import ErrorAnswer, Redactor, parse_wait, read_error
from trellosync.trello.bounded import ACCEPT_ENCODING, MAX_ANSWER_BYTES, read_capped
from trellosync.trello.pacing import (
    MEMBERS_ROUTE_MAX,
    MEMBERS_ROUTE_WINDOW,
    RateLimiter,
    Waiter,
    header_pause,
    is_members_route,
    shared_limiter,
)
from trellosync.trello.transport import Call, DeadlineAdapter

log = logging.getLogger("trellosync.trello.client")

# py-trello 0.20.1 hard-codes this prefix in TrelloClient.fetch_json; the session rebases it onto api_url.
PY_TRELLO_PREFIX = "https://api.trello.com/1/"
SECRET_PARAMS = frozenset({"key", "token"})
_NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    urllib3.exceptions.HTTPError,
    OSError,
)


class BoardUnavailable(TrelloAPIError):
    """A board is missing (404) or the token may not read it (403); only that board fails."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class TooManyCards(TrelloAPIError):
    """Trello refused a nested request because the board has too many cards; page instead."""


class Unreachable(TrelloAPIError):
    """The API host could not be reached (DNS, refused, timeouts) within the time allowed."""


@dataclass
class RetryPolicy:
    """How often and how long to retry transient failures (429, 5xx, timeouts, dropped connections)."""

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_wait: float = DEFAULT_MAX_WAIT  # the most any Retry-After or rate header may make us wait
    give_up_after: float = DEFAULT_GIVE_UP_AFTER  # an unreachable host: stop retrying after this many seconds
    sleep: Callable[[float], None] | None = None  # tests replace the sleeping; default: the session's Waiter

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter for the given (0-based) attempt."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * (2**attempt)))


class _Retry(Exception):
    """One attempt failed in a way worth another try."""

    def __init__(
        self,
        reason: str,
        *,
        hint: float | None = None,
        network: bool = False,
        answer: ErrorAnswer | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason, self.hint, self.network, self.answer = reason, hint, network, answer


class TrelloSession(requests.Session):
    """The `http_service` given to py-trello: header auth, configurable base URL, pacing, deadlines, retries."""

    def __init__(
        self,
        api_key: str,
        token: str,
        *,
        api_url: str = DEFAULT_API_URL,
        timeout: float = DEFAULT_TIMEOUT,
        limiter: RateLimiter | None = None,
        retry: RetryPolicy | None = None,
        request_deadline: float = DEFAULT_REQUEST_DEADLINE,
        header_reserve: int = 2,
    ) -> None:
        super().__init__()
        self.api_url = api_url.rstrip("/")
        self.host = urlsplit(self.api_url).netloc or self.api_url
        self.timeout = timeout
        self.request_deadline = request_deadline
        self.header_reserve = header_reserve
        self.limiter = limiter or shared_limiter(self.api_url, token, DEFAULT_MAX_REQUESTS_PER_10S)
        self.members_limiter = shared_limiter(
            self.api_url, token, MEMBERS_ROUTE_MAX, scope="members", window=MEMBERS_ROUTE_WINDOW
        )
        self.retry = retry or RetryPolicy()
        # An unreachable host fails within give_up_after, plus at most one connect attempt.
        self.connect_timeout = min(timeout, 10.0, max(self.retry.give_up_after / 2, 0.5))
        self.waiter = Waiter()
        self.on_notice: Callable[[str], None] | None = None  # retry notices for a terminal (the CLI sets it)
        self.request_count = 0
        self.max_answer_bytes = (
            MAX_ANSWER_BYTES  # every answer, as sent and once inflated (trello/bounded.py)
        )
        self._count_lock = threading.Lock()
        self._local = threading.local()
        self._calls: set[Call] = set()
        self._secrets = tuple(s for s in (api_key, token) if s)
        self.redact = Redactor(self._secrets)
        self._auth_header = f'OAuth oauth_consumer_key="{api_key}", oauth_token="{token}"'
        # Never read ~/.netrc or proxy settings that could attach other credentials or log differently.
        self.trust_env = False
        adapter = DeadlineAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def __repr__(self) -> str:
        return f"<TrelloSession {self.api_url}>"

    @property
    def thread_requests(self) -> int:
        """Requests sent so far by the calling thread (boards sync in parallel on one session)."""
        return getattr(self._local, "count", 0)

    def cancel(self, reason: str = "interrupted") -> None:
        """Stop the run: wake every wait and cut every connection in flight (Ctrl-C, SIGTERM)."""
        self.waiter.cancel(reason)
        with self._count_lock:
            calls = list(self._calls)
        for call in calls:
            call.kill("cancel")

    def set_run_deadline(self, seconds: float | None) -> None:
        """Start a run: no request or wait of this session goes beyond `seconds` from now (a fresh Waiter)."""
        self.waiter = Waiter(self.waiter.clock)
        self.waiter.deadline = None if seconds is None else self.waiter.clock() + seconds

    def _rebase(self, url: str) -> str:
        if url.startswith(PY_TRELLO_PREFIX):
            return self.api_url + "/" + url[len(PY_TRELLO_PREFIX) :]
        if url.startswith(("http://", "https://")):
            return url
        return self.api_url + "/" + url.lstrip("/")

    def _notice(self, message: str) -> None:
        # A listener (the CLI's sync view) shows it; logged at INFO as well, -v printed every retry twice.
        log.log(logging.INFO if self.on_notice is None else logging.DEBUG, "%s", message)
        if self.on_notice is not None:
            self.on_notice(message)

    def request(
        self,
        method: str | bytes,
        url: str | bytes,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        cookies: Any = None,
        files: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = True,
        proxies: Any = None,
        hooks: Any = None,
        stream: Any = None,
        verify: Any = None,
        cert: Any = None,
        json: Any = None,
    ) -> requests.Response:
        """Send one Trello API request with retries; returns a 200 response whose body is valid JSON."""
        method = method.decode() if isinstance(method, bytes) else method
        url = self._rebase(url.decode() if isinstance(url, bytes) else url)
        clean = {k: v for k, v in (params or {}).items() if k not in SECRET_PARAMS}
        self._refuse_secrets_in_url(method, url, clean)
        hdrs = {**dict(headers or {}), "Authorization": self._auth_header, "Accept-Encoding": ACCEPT_ENCODING}
        what = f"{method} {urlsplit(url).path}"
        members = is_members_route(
            url[len(self.api_url) :] if url.startswith(self.api_url) else urlsplit(url).path
        )
        send = {
            "method": method,
            "url": url,
            "params": clean,
            "data": data,
            "headers": hdrs,
            "files": files,
            "timeout": timeout or (self.connect_timeout, self.timeout),
        }
        attempt, started = 0, time.monotonic()
        while True:
            try:
                return self._attempt(what, members, send)
            except _Retry as exc:
                r = exc
            if method != "GET" and (r.network or r.answer is None or r.answer.status != 429):
                # A write that failed in flight may have been done: trying again could make it twice.
                raise TrelloAPIError(f"{what}: {r.reason}; a write is not retried (it may have been done)")
            delay, final = self._next_delay(what, r, attempt, started)
            if final is not None:
                raise final from None
            if r.network:
                self._notice(
                    f"cannot reach {self.host} ({what}: {r.reason}); retry {attempt + 1} in {delay:.1f} s, "
                    f"giving up after {self.retry.give_up_after:g} s"
                )
            else:
                self._notice(f"{what}: {r.reason}; retry {attempt + 1} in {delay:.1f} s")
            attempt += 1
            (self.retry.sleep or self.waiter.sleep)(delay)

    def _refuse_secrets_in_url(self, method: str, url: str, params: dict[str, Any]) -> None:
        long_secrets = [sec for sec in self._secrets if len(sec) >= 8]  # real keys are 32, tokens 64+ chars
        if any(sec in url for sec in long_secrets) or any(
            sec in str(v) for v in params.values() for sec in long_secrets
        ):
            raise TrelloAPIError(f"{method}: refusing to send a request with a credential in its URL")

    def _pace(self, members: bool) -> None:
        self.waiter.check()
        sleep = self.retry.sleep or self.waiter.sleep
        if members:
            wait = self.members_limiter.wait_time()
            if wait > self.retry.max_wait:
                raise TrelloAPIError(
                    f"Trello's limit of {MEMBERS_ROUTE_MAX} requests per "
                    f"{MEMBERS_ROUTE_WINDOW:.0f} s on /1/members/ is spent in this process; "
                    f"the next is allowed in {wait:.0f} s"
                )
            self.members_limiter.acquire(sleep)
        self.limiter.acquire(sleep)
        with self._count_lock:
            self.request_count += 1
        self._local.count = self.thread_requests + 1

    def _attempt(self, what: str, members: bool, send: dict[str, Any]) -> requests.Response:
        """One try: pace, send under an overall deadline, then decide on the raw answer."""
        self._pace(members)
        deadline = self.request_deadline
        left = self.waiter.remaining()
        if left is not None:
            deadline = min(deadline, max(left, 0.001))
        call = Call()
        timer = threading.Timer(deadline, call.kill, args=("deadline",))
        timer.daemon = True
        with self._count_lock:
            self._calls.add(call)
        timer.start()
        try:
            with call:
                response = super().request(**send, auth=None, allow_redirects=False, proxies={}, stream=True)
                # The body under a byte cap, read while the deadline can still cut the socket.
                response._content = read_capped(response, what, self.max_answer_bytes)
                response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag, not in its stubs
                response.raw.release_conn()
        except _NETWORK_ERRORS as exc:
            self.waiter.check()
            kind = (
                "took longer than the request deadline"
                if call.killed == "deadline"
                else "timed out"
                if isinstance(exc, requests.Timeout)
                else "connection failed"
            )
            raise _Retry(f"{kind} ({type(exc).__name__})", network=True) from None
        finally:
            timer.cancel()
            with self._count_lock:
                self._calls.discard(call)
        pause = header_pause(response.headers, reserve=self.header_reserve, cap=self.retry.max_wait)
        if pause:
            log.debug("%s: rate headers say the budget is nearly spent; holding requests %.1f s", what, pause)
            self.limiter.pause(pause)
        return self._decide(what, response)

    def _decide(self, what: str, response: requests.Response) -> requests.Response:
        status = response.status_code
        if status == 200:
            try:
                response.json()
            except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
                raise _Retry("malformed JSON answer") from None
            return response
        # Decide on the raw status and code; only the message people see is redacted.
        answer = read_error(status, response.headers.get("Content-Type", ""), response.content)
        shown = self.redact(
            " ".join(x for x in (answer.code, answer.text if answer.text != answer.code else "") if x)
        )
        if status == 401:
            raise AuthError(refused_line(what, answer.text))
        if answer.too_many_cards:
            raise TooManyCards(f"{what}: HTTP {status} {shown}")
        if answer.retryable:
            asked = parse_wait(response.headers.get("Retry-After"), float("inf"))
            if asked is not None and asked > self.retry.max_wait:
                # Waiting out what Trello asked for would hold the run for hours or days; capping it and
                # retrying only spends the retries inside the limit: this board is not synced this time.
                raise TrelloAPIError(
                    f"{what}: HTTP {status}: Trello asked to wait {_duration(asked)} "
                    f"(Retry-After), more than trello.max_wait ({self.retry.max_wait:g} s); "
                    "not retried"
                )
            hint = (
                parse_wait(response.headers.get("Retry-After"), self.retry.max_wait)
                if status == 429
                else None
            )
            if status == 429 and hint is None:
                hint = header_pause(response.headers, reserve=0, cap=self.retry.max_wait)
            raise _Retry(f"HTTP {status} {shown}".strip(), hint=hint, answer=answer)
        if status in (403, 404):
            raise BoardUnavailable(f"{what}: HTTP {status} {shown}", status)
        raise TrelloAPIError(f"{what}: HTTP {status} {shown}")

    def _next_delay(
        self, what: str, r: _Retry, attempt: int, started: float
    ) -> tuple[float, TrelloAPIError | None]:
        """The wait before the next try, or the final error when no try is left."""
        delay = (
            r.hint + random.uniform(0, self.retry.backoff_base)
            if r.hint is not None
            else self.retry.delay(attempt)
        )
        elapsed = time.monotonic() - started
        if r.network and elapsed + delay >= self.retry.give_up_after:
            return delay, Unreachable(
                f"cannot reach {self.host} ({what}: {r.reason}); gave up after {attempt + 1} attempt(s) in "
                f"{elapsed:.0f} s (trello.give_up_after: {self.retry.give_up_after:g} s)"
            )
        if attempt >= self.retry.max_retries:
            return delay, TrelloAPIError(f"{what}: {r.reason} after {attempt + 1} attempts; giving up")
        if r.answer is not None and r.answer.status == 429:
            # The 429 body names the exhausted limit (API_TOKEN_LIMIT_EXCEEDED, ...): hold the whole token.
            self.limiter.pause(delay)
        return delay, None


def refused_line(what: str, text: str) -> str:
    """The one line for a 401: which credential Trello's own words name, and what to do about it."""
    if "invalid key" in text.lower():
        return (
            f"Trello refused the credentials: API key invalid ({what}); check TRELLO_API_KEY "
            "(or trello.api_key) against https://trello.com/power-ups/admin"
        )
    return (
        f"Trello refused the credentials: token invalid or expired ({what}); make a new one at "
        "https://trello.com/power-ups/admin and set TRELLO_TOKEN (or trello.token)"
    )


def _duration(seconds: float) -> str:
    """'905 s', '3.2 h', '11.0 days': a wait as people read it."""
    if seconds < 600:
        return f"{seconds:.0f} s"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
