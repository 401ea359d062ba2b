"""create_*: the only Trello writes (for `trellosync prepare`), paced and retried by the same TrelloSession
as the fetch_* reads. Parameters travel in the JSON body, never in the URL, so card text is never logged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trello import TrelloClient

from trellosync.errors import AuthError, TrelloAPIError


def _post(client: TrelloClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `path` with a JSON body; the created object (it must carry an id)."""
    try:
        out = client.fetch_json(path, http_method="POST", post_args=body)
    except AuthError:
        # Trello answers a read-only token's write with the same text/plain 401 "invalid token" as a bad one.
        raise AuthError(
            f"Trello refused to write with this token (POST /1{path}: 401): a read-only, invalid or "
            "expired token; `prepare --apply` needs a token with write access "
            "(https://trello.com/power-ups/admin)"
        ) from None
    if not isinstance(out, dict) or not isinstance(out.get("id"), str):
        raise TrelloAPIError(f"POST /1{path}: unexpected answer (no id)")
    return out


def create_card(
    client: TrelloClient, *, list_id: str, name: str, desc: str, due: datetime | None, member_ids: list[str]
) -> dict[str, Any]:
    """One card at the bottom of a list, with its due date (UTC) and members: ONE request."""
    body: dict[str, Any] = {"idList": list_id, "name": name, "desc": desc, "pos": "bottom"}
    if due is not None:
        body["due"] = due.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if member_ids:
        body["idMembers"] = ",".join(member_ids)
    return _post(client, "/cards", body)


def create_checklist(client: TrelloClient, card_id: str, name: str) -> dict[str, Any]:
    """One checklist at the bottom of a card: ONE request."""
    return _post(client, "/checklists", {"idCard": card_id, "name": name, "pos": "bottom"})


def create_check_item(client: TrelloClient, checklist_id: str, name: str) -> dict[str, Any]:
    """One item at the bottom of a checklist: ONE request (Trello has no call that adds several)."""
    return _post(client, f"/checklists/{checklist_id}/checkItems", {"name": name, "pos": "bottom"})
