"""The one path every board takes: raw JSON -> normalize -> store (one transaction) -> domain."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.config.ladder import configured_ladder
from trellosync.config.settings import DEFAULT_DATABASE, DEFAULT_TIMEZONE, Config
from trellosync.domain import build_domain
from trellosync.domain.dates import local_date
from trellosync.domain.derive_practices import build_practices
from trellosync.domain.prepared import without_own_writes
from trellosync.domain.renewal import link_renewals
from trellosync.errors import ConfigError, DataError
from trellosync.mirror.ids import bookmark, parse_time
from trellosync.mirror.normalize import ACTION_WINDOW, BoardRows, normalize_board
from trellosync.mirror.validate import check_board_json, parse_json, read_limited
from trellosync.store.db import Store, SyncState, normalize_url
from trellosync.store.prepared import own_ids
from trellosync.sync.diagnostics import (
    BoardOutline,
    Problem,
    diagnose,
    dump_matches,
    list_matches,
    load_matches,
    stored_problems,
)
from trellosync.sync.rights import (
    derivation_config,
    forget_derived,
    forgotten,
    keep_out,
    retain_entries,
    retain_history,
)


@dataclass
class IngestResult:
    """What one board's ingestion did."""

    board_id: str
    board_name: str
    cards: int
    actions: int
    mapped: bool
    problems: list[Problem] = field(default_factory=list)  # what the mapping no longer finds on the board
    history_only: bool = False  # an older export: only actions and comments the store lacked were added
    why_history_only: str = ""  # why only history was taken: the export's date against the database's


def open_store(config: Config | None, database: str | None = None, *, must_exist: bool = False) -> Store:
    """The database named by --database, else by the config, else the default SQLite file.

    With `must_exist`, a SQLite file that is not there yet is an error instead of a new empty database.
    """
    url = database or (config.database if config else None) or DEFAULT_DATABASE
    if must_exist:
        from sqlalchemy.engine import make_url

        parsed = make_url(normalize_url(url))
        if (
            parsed.get_backend_name() == "sqlite"
            and parsed.database not in (None, "", ":memory:")
            and not Path(parsed.database).exists()
        ):
            raise ConfigError(
                f"no database at {parsed.database} yet: run `trellosync sync` (or "
                "`trellosync sync --from-export FILE.json`) first, or pass --database"
            )
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
    ladder = configured_ladder(config)  # its keywords classify entries: a changed ladder file re-derives
    if ladder is not None:
        payload["ladder"] = ladder.digest
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def utcnow() -> datetime:
    """Now, as a naive UTC datetime (the store's convention)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def ingest_board(
    store: Store,
    board_json: dict[str, Any],
    config: Config | None,
    *,
    source: str = "export",
    seen_at: datetime | None = None,
    sync_state: SyncState | None = None,
    snapshot_complete: bool = True,
    full: bool = False,
    actions_complete: bool | None = None,
) -> IngestResult:
    """Normalize a board's JSON and store mirror, domain and bookmark in one transaction."""
    with paused_gc():
        return _ingest_board(
            store,
            board_json,
            config,
            source=source,
            seen_at=seen_at,
            sync_state=sync_state,
            snapshot_complete=snapshot_complete,
            actions_complete=actions_complete,
        )


@contextmanager
def paused_gc() -> Iterator[None]:
    """Suspend the cyclic garbage collector while a board is ingested.

    Ingesting allocates hundreds of thousands of small, acyclic objects (rows, dicts); each allocation burst
    triggers full collections that rescan the whole heap, which cost a third of a 5,000-card ingest
    (benchmarks/bench_sync.py). Reference counting still frees everything; the collector resumes after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ingest_board(
    store: Store,
    board_json: dict[str, Any],
    config: Config | None,
    *,
    source: str,
    seen_at: datetime | None,
    sync_state: SyncState | None,
    snapshot_complete: bool,
    actions_complete: bool | None,
) -> IngestResult:
    checked = check_board_json(board_json)
    rows = normalize_board(checked)
    if seen_at is None:
        # An export's own latest date keeps a re-import byte-identical; the API passes the real time.
        seen_at = _export_as_of(checked) or utcnow()
    previous = store.sync_states().get(rows.board_id) if sync_state is None else None
    # An export without actions (API-made exports have no `actions` key) says nothing about history: it can
    # neither vouch for a board's whole history nor for a comment's deletion.
    has_history = bool(board_json.get("actions"))
    if not has_history and actions_complete is None:
        actions_complete = False
    with store.begin() as conn:
        history_complete = (
            sync_state.history_complete
            if sync_state
            else (
                (has_history and len(rows.actions) < ACTION_WINDOW)
                or bool(previous and previous.history_complete)
            )
        )
        rows = keep_out(conn, rows, config)  # a forgotten person never comes back with a sync
        # A card stored on another board moves here only when this snapshot is the newer data about it.
        rows, touched = store.place_cards(conn, rows, seen_at)
        # actions_complete: this batch holds the board's whole history (an API sync since a bookmark does not,
        # even when the database does), so only then may a missing comment be flagged deleted.
        touched |= store.save_mirror(
            conn,
            rows,
            seen_at=seen_at,
            snapshot_complete=snapshot_complete,
            history_complete=history_complete if actions_complete is None else actions_complete,
        )
        # Boards a card left or joined are derived again first: their entries for it go, or come, with it.
        rederive_others(store, conn, config, touched)
        mirror = store.load_mirror(conn, rows.board_id, rows if snapshot_complete else None)
        before = sync_state or previous
        problems, matches = _rebuild(
            store,
            conn,
            mirror,
            config,
            history_complete,
            load_matches(before.list_matches if before else None),
            sync_state.synced_at if sync_state else seen_at,
        )
        bookmark_id, bookmark_date = bookmark(mirror.actions)
        state = sync_state or SyncState(
            board_id=rows.board_id,
            source=source,
            date_last_activity=rows.date_last_activity,
            bookmark_action_id=bookmark_id,
            bookmark_date=bookmark_date,
            synced_at=seen_at,
            last_full_sync=seen_at,
            history_complete=history_complete,
            cards_paged=bool(previous and previous.cards_paged),
        )
        state.mapping_hash = mapping_hash(config, board_json)
        state.list_matches = matches
        store.set_sync_state(conn, state)
    return IngestResult(
        rows.board_id,
        rows.board["name"],
        len(rows.cards),
        len(rows.actions),
        mapped=bool(config and config.mapping_for(board_json)),
        problems=problems,
    )


def _rebuild(
    store: Store,
    conn: Any,
    mirror: BoardRows,
    config: Config | None,
    history_complete: bool,
    previous: dict[str, list[str]],
    synced_at: datetime | None,
) -> tuple[list[Problem], str]:
    """Derive and save one board's domain; returns the mapping's problems and the list matches to store.

    The retention policy and the erasures recorded apply here, so every sync, import and rebuild honours them.
    """
    ladder = configured_ladder(config)
    mirror = retain_history(conn, mirror, config)
    gone = forgotten(conn, config)
    config = derivation_config(config, gone)
    board = stored_board_ref(mirror.board)
    mapping = config.mapping_for(board) if config else None
    mirror = without_own_writes(mirror, own_ids(conn, mirror.board_id))  # trellosync's words are no evidence
    domain = build_domain(
        mirror,
        mapping,
        config.people if config else {},
        tz=config.timezone if config else DEFAULT_TIMEZONE,
        history_complete=history_complete,
        keywords=ladder.keywords if ladder else None,
    )
    domain.synced_at = synced_at  # statuses are stored as of the last sync
    practices, group_commitments, stakeholder_replies = build_practices(
        mirror,
        mapping,
        config.people if config else {},
        domain,
        tz=config.timezone if config else DEFAULT_TIMEZONE,
    )
    domain.commitments += group_commitments
    domain.replies += stakeholder_replies
    link_renewals(
        domain.commitments, ZoneInfo(config.timezone if config else DEFAULT_TIMEZONE)
    )  # a group's too
    forget_derived(domain, practices, gone)
    retain_entries(conn, domain, practices, config)
    store.save_domain(conn, mirror.board_id, domain)
    store.save_practices(conn, mirror.board_id, practices)
    live = [x for x in mirror.lists if not x.get("deleted_at")]
    problems = diagnose(mapping, BoardOutline.from_mirror(mirror), previous)
    now = list_matches(mapping, live)
    # A match that was lost stays remembered, so the warning repeats until the mapping is fixed.
    kept = {name: sorted(set(ids) | set(previous.get(name, []))) for name, ids in now.items()}
    return problems, dump_matches(kept)


def rederive_others(store: Store, conn: Any, config: Config | None, board_ids: set[str]) -> None:
    """Derive again, inside the caller's transaction, the domain of other stored boards whose mirror a card's
    move changed (a board never stored, one that is only a card's destination, has no domain to derive)."""
    if not board_ids:
        return
    from sqlalchemy import select

    from trellosync.store import schema as t

    stored = set(conn.execute(select(t.boards.c.id).where(t.boards.c.id.in_(sorted(board_ids)))).scalars())
    states = store.sync_states()
    for bid in sorted(stored):
        rederive_stored(store, conn, bid, config, states.get(bid))


def rederive_stored(
    store: Store, conn: Any, board_id: str, config: Config | None, state: SyncState | None
) -> Any:
    """Derive one board again from its stored mirror and sync state (its list matches kept up to date); returns
    the mapping problems found."""
    mirror = store.load_mirror(conn, board_id)
    problems, matches = _rebuild(
        store,
        conn,
        mirror,
        config,
        bool(state and state.history_complete),
        load_matches(state.list_matches if state else None),
        state.synced_at if state else None,
    )
    if state is not None:
        state.list_matches = matches
        store.set_sync_state(conn, state)
    return problems


def rebuild_board(
    store: Store, config: Config | None, board_id: str, *, checked_at: datetime | None = None
) -> list[Problem]:
    """Re-derive one board's domain from its stored mirror (no download); returns the mapping's problems.

    `checked_at`: the board was seen unchanged then, so its data (and the statuses stored) hold as of it.
    """
    st = store.sync_states().get(board_id)
    if st is not None and checked_at is not None:
        st.synced_at = checked_at
    with store.begin() as conn:
        mirror = store.load_mirror(conn, board_id)
        problems, matches = _rebuild(
            store,
            conn,
            mirror,
            config,
            bool(st and st.history_complete),
            load_matches(st.list_matches if st else None),
            st.synced_at if st else None,
        )
        if st is not None:
            st.mapping_hash = mapping_hash(config, stored_board_ref(mirror.board))
            st.list_matches = matches
            store.set_sync_state(conn, st)
    return problems


def record_unchanged(
    store: Store, config: Config | None, board: dict[str, Any], checked_at: datetime
) -> list[Problem]:
    """A board the listing shows unchanged since its last sync: its data holds as of `checked_at`.

    Without this, a quiet board's reports stay "as of" its last change and later deadlines go unjudged.
    Statuses are per local date, so the domain is re-derived (no download) only when the date moved on or
    the mapping changed. Returns the mapping's problems.
    """
    st = store.sync_states().get(board["id"])
    if st is None:
        return []
    if mapping_changed(store, config, board, {board["id"]: st}):
        return rebuild_board(store, config, board["id"], checked_at=max(checked_at, st.synced_at))
    if st.synced_at < checked_at:
        tz = ZoneInfo(config.timezone if config else DEFAULT_TIMEZONE)
        if local_date(st.synced_at, tz) != local_date(checked_at, tz):
            return rebuild_board(store, config, board["id"], checked_at=checked_at)
        with store.begin() as conn:
            st.synced_at = checked_at
            store.set_sync_state(conn, st)
    return stored_problems(store, config, board["id"])


def stored_board_ref(row: dict[str, Any]) -> dict[str, Any]:
    """A stored board row as the listing's shape the config's mappings match on (id, name, shortLink)."""
    return {"id": row["id"], "name": row["name"], "shortLink": row["short_link"]}


def mapping_changed(
    store: Store, config: Config | None, board: dict[str, Any], states: dict[str, SyncState] | None = None
) -> bool:
    """True when the board is stored and was derived with another mapping than the config's current one.

    `states`: the store's sync states when the caller has them already (one query for many boards).
    """
    st = (store.sync_states() if states is None else states).get(board["id"])
    return st is not None and st.mapping_hash != mapping_hash(config, board)


def rebuild_domain(
    store: Store, config: Config | None, *, only_changed: bool = False, problems: list[Problem] | None = None
) -> list[str]:
    """Rebuild the domain of every board from the mirror (no download); returns the boards rebuilt.

    The mapping's problems on each board are appended to `problems` when given.
    """
    done: list[str] = []
    states = store.sync_states()
    for b in store.boards():
        if only_changed and not mapping_changed(store, config, stored_board_ref(b), states):
            continue
        found = rebuild_board(store, config, b["id"])
        if problems is not None:
            problems.extend(found)
        done.append(b["name"])
    return done


def read_export(path: str | Path) -> dict[str, Any]:
    """Read a Trello JSON export; a malformed or truncated file raises DataError (nothing is written)."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: no such file (expected a board's JSON export)")
    raw = read_limited(p)  # a regular file under the size cap (never a FIFO or /dev/zero)
    try:
        data = parse_json(raw, str(p))
    except json.JSONDecodeError as exc:
        end = len(raw.rstrip())
        truncated = exc.pos >= end - 1 or (exc.msg.startswith("Unterminated string") and end - exc.pos < 4096)
        hint = " (the file looks truncated)" if truncated else ""
        raise DataError(
            f"{p}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}{hint}; "
            "nothing was imported"
        ) from None
    if not isinstance(data, dict):
        raise DataError(f"{p}: expected a JSON object (a Trello board export), got {type(data).__name__}")
    return data


def _export_as_of(data: dict[str, Any]) -> datetime | None:
    """How recent an export is: its board's dateLastActivity or its newest action, whichever is later."""
    dates = [parse_time(data.get("dateLastActivity"))]
    dates += [parse_time(a.get("date")) for a in data.get("actions") or [] if isinstance(a, dict)]
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def stale_export(store: Store, data: dict[str, Any]) -> str | None:
    """Why this export is older than what the store holds for its board (None when it is not).

    Exports of one board taken on different days overlap; an older one must never roll cards back or flag
    newer cards and comments deleted (TRELLO-FACTS.md, Data).
    """
    board_id = data.get("id") if "cards" in data or "lists" in data else data.get("idBoard")
    state = store.sync_states().get(board_id) if isinstance(board_id, str) else None
    if state is None:
        return None
    stored = max(
        (d for d in (parse_time(state.date_last_activity), state.bookmark_date) if d is not None),
        default=None,
    )
    export = _export_as_of(data)
    if export is None:
        # No dateLastActivity and no dated action: nothing shows it is newer, so it may roll nothing back.
        return "the export carries no date (no dateLastActivity, no actions)"
    if stored is None or export >= stored:
        return None
    return f"export as of {export:%Y-%m-%d %H:%M}, database as of {stored:%Y-%m-%d %H:%M} UTC"


def add_history(store: Store, board_json: dict[str, Any], config: Config | None) -> IngestResult:
    """From an older export, only the actions and comments the store lacks; cards and lists stay as they are."""
    from sqlalchemy import select

    from trellosync.store import schema as t

    rows = normalize_board(board_json)
    state = store.sync_states().get(rows.board_id)
    with store.begin() as conn:
        rows = keep_out(conn, rows, config)
        # Actions and comments about a card that has since moved to another board go with the card.
        rows, touched = store.place_cards(conn, rows, None)

        def stored_ids(table: Any, items: list[dict[str, Any]]) -> set[str]:
            ids = sorted({r["id"] for r in items})
            return {
                i
                for n in range(0, len(ids), 500)
                for i in conn.execute(select(table.c.id).where(table.c.id.in_(ids[n : n + 500]))).scalars()
            }

        actions = [a for a in rows.actions if a["id"] not in stored_ids(t.actions, rows.actions)]
        comments = [c for c in rows.comments if c["id"] not in stored_ids(t.comments, rows.comments)]
        touched |= {r["board_id"] for r in actions + comments if r["board_id"] != rows.board_id}
        wanted = [m["id"] for m in rows.members]
        known = (
            set(conn.execute(select(t.members.c.id).where(t.members.c.id.in_(wanted))).scalars())
            if wanted
            else set()
        )
        store.upsert(conn, t.members, [m for m in rows.members if m["id"] not in known])
        store.upsert(conn, t.actions, actions)
        store.upsert(conn, t.comments, comments)
        rederive_others(store, conn, config, touched)
        problems = rederive_stored(store, conn, rows.board_id, config, state)
    return IngestResult(
        rows.board_id,
        rows.board["name"],
        0,
        len(actions),
        mapped=bool(config and config.mapping_for(board_json)),
        problems=problems,
        history_only=True,
    )


def import_export(store: Store, path: str | Path, config: Config | None) -> IngestResult:
    """Import a board export file through the same path as the API sync.

    An export older than what the store holds adds only the history the store lacks (`add_history`).
    """
    data = read_export(path)
    why = stale_export(store, data)
    if why is not None:
        result = add_history(store, data, config)
        result.why_history_only = why
        return result
    try:
        return ingest_board(store, data, config, source="export")
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None
