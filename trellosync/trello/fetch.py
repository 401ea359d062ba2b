"""fetch_*: pure network reads, shaped like a board export; nothing here touches the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from trello import TrelloClient

from trellosync.errors import AuthError, DataError, TrelloAPIError
from trellosync.mirror.ids import id_order
from trellosync.mirror.validate import check_board_answer, check_listing
from trellosync.trello.pacing import Stopped
from trellosync.trello.session import BoardUnavailable, TooManyCards, TrelloSession, Unreachable

PAGE_LIMIT = 1000
BOARD_LIST_FIELDS = "id,name,closed,dateLastActivity,shortLink,url"


def session_of(client: TrelloClient) -> TrelloSession:
    """The TrelloSession under a client."""
    return client.http_service


def get(client: TrelloClient, path: str, params: dict[str, Any] | None = None) -> Any:
    """GET `path` (relative to the API base) through py-trello's fetch_json."""
    return client.fetch_json(path, query_params=dict(params or {}))


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


def fetch_actions_before(
    client: TrelloClient, board_id: str, before: str, stop_at: str | None
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
        if stop_at and id_order(stop_at) >= id_order(oldest):
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
        before = min((c["id"] for c in page), key=id_order)


def fetch_listed_boards(
    client: TrelloClient, refs: Iterable[str]
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Each board's listing entry by id or shortLink (one request each, none under /1/members/).

    Returns the boards found and, for each ref that failed alone, (ref, error line); a line about a board
    Trello does not know (404) says "not found".
    """
    found: list[dict[str, Any]] = []
    errors: list[tuple[str, str]] = []
    for ref in refs:
        try:
            board = get(client, f"/boards/{ref}", {"fields": BOARD_LIST_FIELDS})
        except BoardUnavailable as exc:
            what = (
                "not found among the boards this token can see"
                if exc.status == 404
                else "forbidden: this token may not read it"
            )
            errors.append((ref, f"board {ref!r}: {what}"))
            continue
        except (Unreachable, Stopped, AuthError):
            raise
        except TrelloAPIError as exc:
            errors.append((ref, f"board {ref!r}: {exc}"))
            continue
        if not isinstance(board, dict) or "id" not in board:
            raise TrelloAPIError(f"GET /boards/{ref}: unexpected answer (not a board)")
        found.append(board)
    return found, errors


def _fetch_nested(
    client: TrelloClient, board_id: str, nested: dict[str, str], *, known_large: bool, notes: list[str]
) -> tuple[dict[str, Any], bool]:
    """The nested board with its cards: in one answer, or (too large, or known to be) with cards paged."""
    if not known_large:
        try:
            return get(client, f"/boards/{board_id}", {**nested, **NESTED_CARD_PARAMS}), False
        except TooManyCards:
            notes.append("board too large for one answer: cards paged")
    else:
        notes.append("board known to be too large for one answer: cards paged at once")
    board = get(client, f"/boards/{board_id}", nested)
    if not isinstance(board, dict):
        raise TrelloAPIError(f"GET /boards/{board_id}: unexpected answer (not an object)") from None
    board["cards"] = fetch_cards_paged(client, board_id)
    # The default answer already nests each checklist's checkItems.
    board["checklists"] = get(client, f"/boards/{board_id}/checklists")
    return board, True


def _merge_actions(actions: list[dict[str, Any]], since_action_id: str | None) -> list[dict[str, Any]]:
    """Actions without duplicates and without the bookmark or anything older (already stored)."""
    seen: set[str | None] = set()
    merged: list[dict[str, Any]] = []
    for a in actions:
        aid = a.get("id")
        if aid in seen:
            continue
        if since_action_id and 0 <= id_order(aid) <= id_order(since_action_id):
            continue
        seen.add(aid)
        merged.append(a)
    return merged


def fetch_board(
    client: TrelloClient, board_id: str, *, since_action_id: str | None = None, known_large: bool = False
) -> BoardFetch:
    """An export-shaped snapshot of one board plus every action newer than `since_action_id` (all if None).

    `known_large`: the board was refused as too large before, so its cards are paged without asking again.
    """
    session = session_of(client)
    start = session.thread_requests
    notes: list[str] = []
    nested = dict(NESTED_BOARD_PARAMS)
    if since_action_id:
        # Nested actions_since is honoured (unlike nested actions_before); the id check below covers a server
        # that ignores it.
        nested["actions_since"] = since_action_id
    board, paged = _fetch_nested(client, board_id, nested, known_large=known_large, notes=notes)
    if not isinstance(board, dict) or "id" not in board:
        raise TrelloAPIError(f"GET /boards/{board_id}: unexpected answer (not a board)")
    check_board_answer(board, f"GET /boards/{board_id}")  # a DataError fails this board alone
    if not paged and len(board.get("cards") or []) == PAGE_LIMIT:
        # Exactly 1000 cards looks like a silent cap rather than a board size: read them through paging.
        paged = True
        notes.append("nested answer held exactly 1000 cards: cards re-read through paging")
        board["cards"] = fetch_cards_paged(client, board_id)
    actions: list[dict[str, Any]] = list(board.get("actions") or [])
    if len(actions) >= PAGE_LIMIT:
        oldest = actions[-1]["id"]
        reached = since_action_id is not None and id_order(since_action_id) >= id_order(oldest)
        if not reached:
            for page in fetch_actions_before(client, board["id"], oldest, since_action_id):
                actions.extend(page)
    board["actions"] = _merge_actions(actions, since_action_id)
    # Since a bookmark, only the newer actions arrive; older ones are in the database already.
    return BoardFetch(
        board=board,
        actions_complete=since_action_id is None,
        paged=paged,
        requests=session.thread_requests - start,
        notes=notes,
    )
