"""The Trello client: py-trello's TrelloClient on a TrelloSession (trello/session.py) and the fetch_* reads.

Nothing here touches the database. Key and token travel only in the ``Authorization`` header, so neither
requests nor urllib3 (which log URLs at debug level) nor any exception message can ever show them.
"""

from __future__ import annotations

from typing import Any

from trello import TrelloClient

from trellosync.config.settings import (
    DEFAULT_API_URL,
    DEFAULT_GIVE_UP_AFTER,
    DEFAULT_MAX_REQUESTS_PER_10S,
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_WAIT,
    DEFAULT_REQUEST_DEADLINE,
    DEFAULT_TIMEOUT,
)
from trellosync.errors import ConfigError
from trellosync.trello.pacing import RateLimiter, shared_limiter  # noqa: F401
from trellosync.trello.session import (
    RetryPolicy,
    TrelloSession,
)


def make_client(
    api_key: str | None,
    token: str | None,
    *,
    api_url: str = DEFAULT_API_URL,
    timeout: float = DEFAULT_TIMEOUT,
    max_requests_per_10s: int = DEFAULT_MAX_REQUESTS_PER_10S,
    max_retries: int = DEFAULT_MAX_RETRIES,
    backoff_base: float = 1.0,
    max_wait: float = DEFAULT_MAX_WAIT,
    give_up_after: float = DEFAULT_GIVE_UP_AFTER,
    request_deadline: float = DEFAULT_REQUEST_DEADLINE,
) -> TrelloClient:
    """A py-trello TrelloClient whose requests go through a TrelloSession."""
    if not api_key or not token:
        raise ConfigError(
            "Trello credentials missing: set trello.api_key and trello.token "
            "(for example api_key: ${TRELLO_API_KEY}, token: ${TRELLO_TOKEN})"
        )
    session = TrelloSession(
        api_key,
        token,
        api_url=api_url,
        timeout=timeout,
        limiter=shared_limiter(api_url.rstrip("/"), token, max_requests_per_10s),
        retry=RetryPolicy(
            max_retries=max_retries, backoff_base=backoff_base, max_wait=max_wait, give_up_after=give_up_after
        ),
        request_deadline=request_deadline,
    )
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
    return make_client(
        key,
        token,
        api_url=trello_config.api_url,
        timeout=trello_config.timeout,
        max_requests_per_10s=trello_config.max_requests_per_10s,
        max_retries=trello_config.max_retries,
        max_wait=trello_config.max_wait,
        give_up_after=trello_config.give_up_after,
        request_deadline=trello_config.request_deadline,
    )
