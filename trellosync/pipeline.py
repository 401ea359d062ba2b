"""The one path every board takes: raw JSON -> normalize -> store (one transaction) -> domain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .config import DEFAULT_DATABASE, Config, board_ref_matches
from .domain import build_domain
from .errors import ConfigError, DataError, TrellosyncError
from .normalize import ACTION_WINDOW, BoardRows, normalize_board
from .practices.derive import build_practices
from .store import Store, SyncState, normalize_url


@dataclass
class IngestResult:
    """What one board's ingestion did."""

    board_id: str
    board_name: str
    cards: int
    actions: int
    mapped: bool


def open_store(config: Config | None, database: str | None = None, *, must_exist: bool = False) -> Store:
    """The database named by --database, else by the config, else the default SQLite file.

    With `must_exist`, a SQLite file that is not there yet is an error instead of a new empty database.
    """
    url = database or (config.database if config else None) or DEFAULT_DATABASE
    if must_exist:
        from sqlalchemy.engine import make_url

        parsed = make_url(normalize_url(url))
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
                and not Path(parsed.database).exists():
            raise ConfigError(f"no database at {parsed.database} yet: run `trellosync sync` (or "
                              "`trellosync sync --from-export FILE.json`) first, or pass --database")
    return Store(url)


def mapping_hash(config: Config | None, board: dict[str, Any]) -> str:
    """A fingerprint of everything in the config that shapes this board's domain."""
    if config is None:
        return "default"
    m = config.mapping_for(board)
    payload = {
        "mapping": m.model_dump(mode="json") if m else None,
        "people": {k: v.model_dump(mode="json") for k, v in config.people.items()},
        "timezone": config.timezone,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (the store's convention)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def ingest_board(store: Store, board_json: dict[str, Any], config: Config | None, *, source: str = "export",
                 seen_at: datetime | None = None, sync_state: SyncState | None = None,
                 snapshot_complete: bool = True, full: bool = False,
                 actions_complete: bool | None = None) -> IngestResult:
    """Normalize a board's JSON and store mirror, domain and bookmark in one transaction."""
    rows = normalize_board(board_json)
    if seen_at is None:
        newest = rows.newest_action()
        candidates = [x for x in (rows.board.get("date_last_activity"), newest["date"] if newest else None) if x]
        # An export's own newest date keeps a re-import byte-identical; the API passes the real time.
        seen_at = max(candidates) if candidates else utcnow()
    previous = store.sync_states().get(rows.board_id) if sync_state is None else None
    with store.begin() as conn:
        history_complete = (sync_state.history_complete if sync_state else
                            (len(rows.actions) < ACTION_WINDOW or bool(previous and previous.history_complete)))
        # actions_complete: this batch holds the board's whole history (an API sync since a bookmark does not,
        # even when the database does), so only then may a missing comment be flagged deleted.
        store.save_mirror(conn, rows, seen_at=seen_at, snapshot_complete=snapshot_complete,
                          history_complete=history_complete if actions_complete is None else actions_complete)
        mirror = store.load_mirror(conn, rows.board_id, rows if snapshot_complete else None)
        _rebuild(store, conn, mirror, config, history_complete, sync_state.synced_at if sync_state else seen_at)
        newest = mirror.newest_action()
        state = sync_state or SyncState(
            board_id=rows.board_id, source=source, date_last_activity=rows.date_last_activity,
            bookmark_action_id=newest["id"] if newest else None, bookmark_date=newest["date"] if newest else None,
            synced_at=seen_at, last_full_sync=seen_at, history_complete=history_complete)
        state.mapping_hash = mapping_hash(config, board_json)
        store.set_sync_state(conn, state)
    return IngestResult(rows.board_id, rows.board["name"], len(rows.cards), len(rows.actions),
                        mapped=bool(config and config.mapping_for(board_json)))


def _rebuild(store: Store, conn: Any, mirror: BoardRows, config: Config | None, history_complete: bool,
             synced_at: datetime | None) -> None:
    board = {"id": mirror.board["id"], "name": mirror.board["name"], "shortLink": mirror.board["short_link"]}
    mapping = config.mapping_for(board) if config else None
    domain = build_domain(mirror, mapping, config.people if config else {},
                          tz=config.timezone if config else "UTC", history_complete=history_complete)
    domain.synced_at = synced_at  # statuses are stored as of the last sync
    practices, group_commitments = build_practices(mirror, mapping, config.people if config else {}, domain,
                                                   tz=config.timezone if config else "UTC")
    domain.commitments += group_commitments
    store.save_domain(conn, mirror.board_id, domain)
    store.save_practices(conn, mirror.board_id, practices)


def rebuild_board(store: Store, config: Config | None, board_id: str) -> None:
    """Re-derive one board's domain from its stored mirror (no download) and record the mapping used."""
    st = store.sync_states().get(board_id)
    with store.begin() as conn:
        mirror = store.load_mirror(conn, board_id)
        _rebuild(store, conn, mirror, config, bool(st and st.history_complete), st.synced_at if st else None)
        if st is not None:
            b = mirror.board
            st.mapping_hash = mapping_hash(config, {"id": b["id"], "name": b["name"], "shortLink": b["short_link"]})
            store.set_sync_state(conn, st)


def mapping_changed(store: Store, config: Config | None, board: dict[str, Any]) -> bool:
    """True when the board is stored and was derived with another mapping than the config's current one."""
    st = store.sync_states().get(board["id"])
    return st is not None and st.mapping_hash != mapping_hash(config, board)


def rebuild_domain(store: Store, config: Config | None, *, only_changed: bool = False) -> list[str]:
    """Rebuild the domain of every board from the mirror (no download); returns the boards rebuilt."""
    done: list[str] = []
    for b in store.boards():
        board = {"id": b["id"], "name": b["name"], "shortLink": b["short_link"]}
        if only_changed and not mapping_changed(store, config, board):
            continue
        rebuild_board(store, config, b["id"])
        done.append(b["name"])
    return done


def read_export(path: str | Path) -> dict[str, Any]:
    """Read a Trello JSON export; a malformed or truncated file raises DataError (nothing is written)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DataError(f"{p}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DataError(f"{p}: not UTF-8 text, so not a Trello JSON export") from None
    except json.JSONDecodeError as exc:
        end = len(raw.rstrip())
        truncated = exc.pos >= end - 1 or (exc.msg.startswith("Unterminated string") and end - exc.pos < 4096)
        hint = " (the file looks truncated)" if truncated else ""
        raise DataError(f"{p}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{hint}; "
                        "nothing was imported") from None
    if not isinstance(data, dict):
        raise DataError(f"{p}: expected a JSON object (a Trello board export), got {type(data).__name__}")
    return data


def import_export(store: Store, path: str | Path, config: Config | None) -> IngestResult:
    """Import a board export file through the same path as the API sync."""
    data = read_export(path)
    try:
        return ingest_board(store, data, config, source="export")
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None


def resolve_board_ref(ref: str, boards: list[dict[str, Any]]) -> dict[str, Any]:
    """The board a config reference (url, shortLink, id or exact name) names among `boards`."""
    matches = [b for b in boards if board_ref_matches(ref, b)]
    if not matches:
        names = ", ".join(sorted(repr(b.get("name")) for b in boards)[:20]) or "none"
        raise TrellosyncError(f"board {ref!r} not found (boards visible: {names})")
    if len(matches) > 1:
        raise TrellosyncError(f"board {ref!r} is ambiguous: {len(matches)} boards have that name; use its URL or id")
    return matches[0]
