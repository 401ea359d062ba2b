"""The Trello client: py-trello's TrelloClient on a session that authenticates by header, throttles and retries.

Nothing here touches the database. Key and token travel only in the ``Authorization`` header, so neither
requests nor urllib3 (which log URLs at debug level) nor any exception message can ever show them.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from trello import TrelloClient

from .errors import AuthError, ConfigError, DataError, TrelloAPIError
from .validate import check_board_answer, check_listing

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.trello.com/1"
# py-trello 0.20.1 hard-codes this prefix in TrelloClient.fetch_json; the session rebases it onto api_url.
PY_TRELLO_PREFIX = "https://api.trello.com/1/"
PAGE_LIMIT = 1000
BOARD_LIST_FIELDS = "id,name,closed,dateLastActivity,shortLink,url"
SECRET_PARAMS = frozenset({"key", "token"})


class BoardUnavailable(TrelloAPIError):
    """A board is missing (404) or the token may not read it (403); only that board fails."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class TooManyCards(TrelloAPIError):
    """Trello refused a nested request because the board has too many cards; page instead."""


@dataclass
class RetryPolicy:
    """How often and how long to retry transient failures (429, 5xx, timeouts, dropped connections)."""

    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int) -> float:
        """Exponential backoff with full jitter for the given (0-based) attempt."""
        return random.uniform(0, min(self.backoff_cap, self.backoff_base * (2**attempt)))


class RateLimiter:
    """Thread-safe limit of N requests per sliding window, shared by every session using one token.

    A plain token bucket of capacity N refilled at N/10 per second lets 2N requests through in the first
    10 s; Trello counts requests per fixed 10 s interval (rate-limits guide), so a sliding log of the last N
    request times is used instead: no 10 s window ever sees more than N requests.
    """

    def __init__(self, max_requests: int = 90, window: float = 10.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.max_requests = max_requests
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._times: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Block until one more request may be sent, then record it."""
        while True:
            with self._lock:
                now = self._clock()
                while self._times and now - self._times[0] >= self.window:
                    self._times.popleft()
                wait = self._paused_until - now
                if wait <= 0 and len(self._times) < self.max_requests:
                    self._times.append(now)
                    return
                if wait <= 0:
                    wait = self.window - (now - self._times[0])
            self._sleep(max(wait, 0.001))

    def pause(self, seconds: float) -> None:
        """Hold every request on this token for `seconds` (after a 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)


_limiters: dict[tuple[str, str], RateLimiter] = {}
_limiters_lock = threading.Lock()


def shared_limiter(api_url: str, token: str, max_requests: int) -> RateLimiter:
    """The one RateLimiter of this process for a (server, token) pair."""
    ident = (api_url, str(hash(token)))
    with _limiters_lock:
        limiter = _limiters.get(ident)
        if limiter is None or limiter.max_requests != max_requests:
            limiter = _limiters[ident] = RateLimiter(max_requests)
        return limiter


def _retry_after(response: requests.Response) -> float | None:
    """Seconds to wait from Retry-After or Trello's x-rate-limit-* headers, when present."""
    value = response.headers.get("Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(value) if value else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    # Trello has sent x-rate-limit-api-token-interval-ms / -remaining on some answers; not promised.
    for scope in ("token", "key"):
        remaining = response.headers.get(f"x-rate-limit-api-{scope}-remaining")
        interval = response.headers.get(f"x-rate-limit-api-{scope}-interval-ms")
        if remaining is not None and interval is not None:
            try:
                if int(remaining) <= 0:
                    return int(interval) / 1000.0
            except ValueError:
                pass
    return None


def _error_code(response: requests.Response) -> str:
    """Trello's symbolic error code (API_TOKEN_LIMIT_EXCEEDED, ...) or a short text of the body."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or "").strip()[:200]
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or "")[:200]
    return str(body)[:200]


class TrelloSession(requests.Session):
    """The `http_service` given to py-trello: header auth, configurable base URL, timeout, throttle, retries."""

    def __init__(self, api_key: str, token: str, *, api_url: str = DEFAULT_API_URL, timeout: float = 30.0,
                 limiter: RateLimiter | None = None, retry: RetryPolicy | None = None) -> None:
        super().__init__()
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.limiter = limiter or shared_limiter(self.api_url, token, 90)
        self.retry = retry or RetryPolicy()
        self.request_count = 0
        self._count_lock = threading.Lock()
        self._local = threading.local()
        self._secrets = tuple(s for s in (api_key, token) if s)
        self._auth_header = f'OAuth oauth_consumer_key="{api_key}", oauth_token="{token}"'
        # Never read ~/.netrc or proxy settings that could attach other credentials or log differently.
        self.trust_env = False

    def __repr__(self) -> str:
        return f"<TrelloSession {self.api_url}>"

    @property
    def thread_requests(self) -> int:
        """Requests sent so far by the calling thread (boards sync in parallel on one session)."""
        return getattr(self._local, "count", 0)

    def redact(self, text: str) -> str:
        """`text` with any occurrence of the key or token replaced."""
        for s in self._secrets:
            text = text.replace(s, "***")
        return text

    def _rebase(self, url: str) -> str:
        if url.startswith(PY_TRELLO_PREFIX):
            return self.api_url + "/" + url[len(PY_TRELLO_PREFIX):]
        if url.startswith(("http://", "https://")):
            return url
        return self.api_url + "/" + url.lstrip("/")

    def request(self, method: str | bytes, url: str | bytes, params: Any = None, data: Any = None,
                headers: Any = None, cookies: Any = None, files: Any = None, auth: Any = None,
                timeout: Any = None, allow_redirects: bool = True, proxies: Any = None, hooks: Any = None,
                stream: Any = None, verify: Any = None, cert: Any = None, json: Any = None) -> requests.Response:
        """Send one Trello API request with retries; returns a 200 response whose body is valid JSON."""
        method = method.decode() if isinstance(method, bytes) else method
        url = self._rebase(url.decode() if isinstance(url, bytes) else url)
        clean = {k: v for k, v in (params or {}).items() if k not in SECRET_PARAMS}
        hdrs = dict(headers or {})
        hdrs["Authorization"] = self._auth_header
        # py-trello passes an OAuth1 signer when a token is given; the header above replaces it.
        path = urlsplit(url).path
        what = f"{method} {path}"
        long_secrets = [sec for sec in self._secrets if len(sec) >= 8]  # real keys are 32, tokens 64+ chars
        if any(sec in url for sec in long_secrets) or any(
                sec in str(v) for v in clean.values() for sec in long_secrets):
            raise TrelloAPIError(f"{method}: refusing to send a request with a credential in its URL")
        attempt = 0
        while True:
            self.limiter.acquire()
            with self._count_lock:
                self.request_count += 1
            self._local.count = self.thread_requests + 1
            try:
                response = super().request(method, url, params=clean, data=data, headers=hdrs, files=files,
                                           auth=None, timeout=timeout or self.timeout,
                                           allow_redirects=False, proxies={}, stream=False)
            except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                if attempt >= self.retry.max_retries:
                    raise TrelloAPIError(
                        f"{what}: {kind} after {attempt + 1} attempts ({type(exc).__name__})") from None
                delay = self.retry.delay(attempt)
                log.info("%s: %s (%s); retry %d in %.1fs", what, kind, type(exc).__name__, attempt + 1, delay)
                attempt += 1
                self.retry.sleep(delay)
                continue
            status = response.status_code
            if status == 200:
                try:
                    response.json()
                except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
                    if attempt >= self.retry.max_retries:
                        raise TrelloAPIError(f"{what}: malformed JSON answer after {attempt + 1} attempts") from None
                    delay = self.retry.delay(attempt)
                    log.info("%s: malformed JSON answer; retry %d in %.1fs", what, attempt + 1, delay)
                    attempt += 1
                    self.retry.sleep(delay)
                    continue
                return response
            code = self.redact(_error_code(response))
            if status == 401:
                raise AuthError(f"Trello refused the credentials: token invalid or expired ({what})")
            if status == 429 or status >= 500:
                if attempt >= self.retry.max_retries:
                    raise TrelloAPIError(
                        f"{what}: HTTP {status} {code} after {attempt + 1} attempts; giving up")
                hinted = _retry_after(response) if status == 429 else None
                delay = (hinted + random.uniform(0, self.retry.backoff_base) if hinted is not None
                         else self.retry.delay(attempt))
                if status == 429:
                    # The 429 body names the exhausted limit: API_TOKEN_LIMIT_EXCEEDED / API_KEY_LIMIT_EXCEEDED.
                    self.limiter.pause(delay)
                # INFO, not WARNING: a retry that succeeds must leave a cron run silent.
                log.info("%s: HTTP %d %s; retry %d in %.1fs", what, status, code, attempt + 1, delay)
                attempt += 1
                self.retry.sleep(delay)
                continue
            if status == 413 or (status == 400 and "TOO_MANY" in code.upper()):
                raise TooManyCards(f"{what}: {code}")
            if status in (403, 404):
                raise BoardUnavailable(f"{what}: HTTP {status} {code}", status)
            raise TrelloAPIError(f"{what}: HTTP {status} {code}")


def make_client(api_key: str | None, token: str | None, *, api_url: str = DEFAULT_API_URL,
                timeout: float = 30.0, max_requests_per_10s: int = 90, max_retries: int = 5,
                backoff_base: float = 1.0) -> TrelloClient:
    """A py-trello TrelloClient whose requests go through a TrelloSession."""
    if not api_key or not token:
        raise ConfigError("Trello credentials missing: set trello.api_key and trello.token "
                          "(for example api_key: ${TRELLO_API_KEY}, token: ${TRELLO_TOKEN})")
    session = TrelloSession(
        api_key, token, api_url=api_url, timeout=timeout,
        limiter=shared_limiter(api_url.rstrip("/"), token, max_requests_per_10s),
        retry=RetryPolicy(max_retries=max_retries, backoff_base=backoff_base))
    client = TrelloClient(api_key, token=token, http_service=session)
    # py-trello keeps an OAuth1 signer and plain copies of the secrets (and puts the token into webhook URL
    # paths, trelloclient.py list_hooks); the session holds the only copy, in its Authorization header.
    client.oauth = _NoAuth()
    client.api_key = client.api_secret = client.resource_owner_key = None
    return client


class _NoAuth:
    """Stand-in for py-trello's OAuth1 signer (truthy, so py-trello never adds key/token query params)."""

    def __repr__(self) -> str:
        return "<header auth>"


def client_from_config(trello_config: Any) -> TrelloClient:
    """A client built from a config's `trello` section."""
    key, token = trello_config.credentials()
    return make_client(key, token, api_url=trello_config.api_url, timeout=trello_config.timeout,
                       max_requests_per_10s=trello_config.max_requests_per_10s,
                       max_retries=trello_config.max_retries)


def session_of(client: TrelloClient) -> TrelloSession:
    """The TrelloSession under a client."""
    return client.http_service


def get(client: TrelloClient, path: str, params: dict[str, Any] | None = None) -> Any:
    """GET `path` (relative to the API base) through py-trello's fetch_json."""
    return client.fetch_json(path, query_params=dict(params or {}))


# --- fetch_* : pure network reads, shaped like a board export ------------------------------------------------

def fetch_member_boards(client: TrelloClient) -> list[dict[str, Any]]:
    """Every board the token can see, with its last activity: ONE request."""
    boards = get(client, "/members/me/boards", {"fields": BOARD_LIST_FIELDS})
    if not isinstance(boards, list):
        raise TrelloAPIError("GET /members/me/boards: unexpected answer (not a list)")
    try:
        check_listing(boards, "GET /members/me/boards")
    except DataError as exc:
        raise TrelloAPIError(f"unexpected answer: {exc}") from None
    return boards


NESTED_BOARD_PARAMS: dict[str, str] = {
    "fields": "all",
    "lists": "all",
    "labels": "all",
    "labels_limit": "1000",  # nested labels default to 50 and silently truncate (nested-resources guide)
    "members": "all",
    "member_fields": "all",
    "actions": "all",
    "actions_limit": "1000",  # nested actions default to 50
    "customFields": "true",
}
NESTED_CARD_PARAMS: dict[str, str] = {
    "cards": "all",
    "card_fields": "all",
    "checklists": "all",
    "checkItem_fields": "all",
}


@dataclass
class BoardFetch:
    """An export-shaped board and how it was obtained."""

    board: dict[str, Any]
    actions_complete: bool = True
    paged: bool = False
    requests: int = 0
    notes: list[str] = field(default_factory=list)


def _older(a: str, b: str) -> bool:
    """True when ObjectId `a` was created before `b` (ids start with a hex timestamp, then a counter)."""
    try:
        return int(a, 16) < int(b, 16)
    except ValueError:
        return a < b


def fetch_actions_before(client: TrelloClient, board_id: str, before: str, stop_at: str | None
                         ) -> Iterable[list[dict[str, Any]]]:
    """Pages of the board's actions older than `before`, newest first, until `stop_at` or the first action."""
    while True:
        params: dict[str, Any] = {"filter": "all", "limit": PAGE_LIMIT, "before": before}
        if stop_at:
            params["since"] = stop_at
        page = get(client, f"/boards/{board_id}/actions", params)
        if not isinstance(page, list):
            raise TrelloAPIError(f"GET /boards/{board_id}/actions: unexpected answer (not a list)")
        yield page
        if len(page) < PAGE_LIMIT:
            return
        oldest = page[-1]["id"]
        if stop_at and not _older(stop_at, oldest):
            return
        before = oldest


def fetch_cards_paged(client: TrelloClient, board_id: str) -> list[dict[str, Any]]:
    """All cards (open and archived) of a board too large for the nested request, 1000 per request."""
    cards: list[dict[str, Any]] = []
    before: str | None = None
    while True:
        params: dict[str, Any] = {"limit": PAGE_LIMIT}  # a board's cards come with every field by default
        if before:
            params["before"] = before
        page = get(client, f"/boards/{board_id}/cards/all", params)
        if not isinstance(page, list):
            raise TrelloAPIError(f"GET /boards/{board_id}/cards/all: unexpected answer (not a list)")
        cards.extend(page)
        if len(page) < PAGE_LIMIT:
            return cards
        # Card pages come newest first like actions; the smallest id is the next `before`.
        before = min((c["id"] for c in page), key=lambda i: int(i, 16) if _is_hex(i) else 0)


def _is_hex(s: str) -> bool:
    try:
        int(s, 16)
    except ValueError:
        return False
    return True


def fetch_board(client: TrelloClient, board_id: str, *, since_action_id: str | None = None) -> BoardFetch:
    """An export-shaped snapshot of one board plus every action newer than `since_action_id` (all if None)."""
    session = session_of(client)
    start = session.thread_requests
    notes: list[str] = []
    paged = False
    nested = dict(NESTED_BOARD_PARAMS)
    if since_action_id:
        # Nested actions_since is honoured (unlike nested actions_before); the id check below covers a server
        # that ignores it.
        nested["actions_since"] = since_action_id
    try:
        board = get(client, f"/boards/{board_id}", {**nested, **NESTED_CARD_PARAMS})
    except TooManyCards:
        paged = True
        notes.append("board too large for one answer: cards paged")
        board = get(client, f"/boards/{board_id}", nested)
        if not isinstance(board, dict):
            raise TrelloAPIError(f"GET /boards/{board_id}: unexpected answer (not an object)") from None
        board["cards"] = fetch_cards_paged(client, board_id)
        # The default answer already nests each checklist's checkItems.
        board["checklists"] = get(client, f"/boards/{board_id}/checklists")
    if not isinstance(board, dict) or "id" not in board:
        raise TrelloAPIError(f"GET /boards/{board_id}: unexpected answer (not a board)")
    check_board_answer(board, f"GET /boards/{board_id}")  # a DataError fails this board alone
    if not paged and len(board.get("cards") or []) == PAGE_LIMIT:
        # Exactly 1000 cards looks like a silent cap rather than a board size: read them through paging.
        paged = True
        notes.append("nested answer held exactly 1000 cards: cards re-read through paging")
        board["cards"] = fetch_cards_paged(client, board_id)
    actions: list[dict[str, Any]] = list(board.get("actions") or [])
    complete = True
    if len(actions) >= PAGE_LIMIT:
        oldest = actions[-1]["id"]
        reached = since_action_id is not None and not _older(since_action_id, oldest)
        if not reached:
            for page in fetch_actions_before(client, board["id"], oldest, since_action_id):
                actions.extend(page)
    seen: set[str] = set()
    merged: list[dict[str, Any]] = []
    for a in actions:
        aid = a.get("id")
        if aid in seen:
            continue
        if since_action_id and aid and _is_hex(aid) and _is_hex(since_action_id) \
                and not _older(since_action_id, aid):
            continue  # the bookmark or older: already stored
        seen.add(aid)
        merged.append(a)
    board["actions"] = merged
    if since_action_id is not None:
        complete = False  # only the actions since the bookmark; older ones are in the database already
    return BoardFetch(board=board, actions_complete=complete, paged=paged,
                      requests=session.thread_requests - start, notes=notes)
