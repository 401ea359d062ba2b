"""Live sync from the Trello API: list the boards (cheaply), then a snapshot + new actions of each changed board.

Each changed board is fetched into one export-shaped dict (the nested board with every action since the
bookmark merged into ``actions``) and handed to ``pipeline.ingest_board``, the same normalize -> store ->
domain path as an export import, which commits the board's data and its bookmark in one transaction.
Nothing here prints: progress goes to an ``on_event`` callback, the result is a SyncReport.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from trello import TrelloClient

from trellosync.config.settings import Config, TrelloConfig, board_ref_matches
from trellosync.errors import AuthError, ConfigError, PartialFailure, TrelloAPIError, TrellosyncError
from trellosync.mirror.ids import aware_utc, bookmark, naive_utc
from trellosync.store.locks import acquire_sync_lock
from trellosync.trello.client import client_from_config
from trellosync.trello.fetch import fetch_board, fetch_listed_boards, fetch_member_boards, session_of
from trellosync.trello.session import BoardUnavailable

log = logging.getLogger(__name__)

# Above this many mapped boards, one /1/members/me/boards request is cheaper than one request per board;
# at or below it the sync never spends the 100-per-900-s budget of /1/members/ routes (TRELLO-FACTS.md).
PER_BOARD_LISTING_MAX = 20
EventHandler = Callable[
    [str, Any], None
]  # ("start", n boards to fetch) ("board", BoardOutcome) ("notice", str)


@dataclass
class BoardOutcome:
    """What happened to one board in a sync."""

    board_id: str | None
    name: str
    status: str  # synced | unchanged | failed | busy
    requests: int = 0
    full: bool = False
    paged: bool = False
    cards: int = 0
    actions: int = 0
    error: str | None = None
    problems: list[Any] = field(default_factory=list)  # diagnostics.Problem: what the mapping no longer finds


@dataclass
class SyncReport:
    """The outcome of `sync_boards`: one entry per board considered, and the requests spent."""

    outcomes: list[BoardOutcome] = field(default_factory=list)
    requests: int = 0
    listing_requests: int = 0

    @property
    def failed(self) -> list[BoardOutcome]:
        """The boards that failed."""
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def problems(self) -> list[Any]:
        """Every mapping problem found on the boards of this run."""
        return [p for o in self.outcomes for p in o.problems]

    def summary(self) -> str:
        """One line: how many boards synced, unchanged, failed, and the request count."""
        c = Counter(o.status for o in self.outcomes)
        parts = [f"{n} {s}" for s, n in sorted(c.items())] or ["no boards"]
        cards = counted(sum(o.cards for o in self.outcomes), "card")
        return f"sync: {', '.join(parts)}; {cards} read; {counted(self.requests, 'request')}"


def counted(n: int, noun: str) -> str:
    """ "1 request", "2 requests": a count with its noun agreeing."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


# ---- which boards ----------------------------------------------------------------------------------------

_URL_SHORTLINK = re.compile(r"trello\.com/b/([A-Za-z0-9]+)")
_ID_OR_SHORTLINK = re.compile(r"^(?:[0-9a-fA-F]{24}|[A-Za-z0-9]{8})$")


def _addressable(ref: str, stored: list[dict[str, Any]]) -> str | None:
    """The id or shortLink by which Trello can be asked for this board directly (None: only by listing)."""
    m = _URL_SHORTLINK.search(ref)
    if m:
        return m.group(1)
    if _ID_OR_SHORTLINK.match(ref) or any(b["id"] == ref for b in stored):
        return ref
    named = [b["id"] for b in stored if b.get("name") == ref]
    return named[0] if len(named) == 1 else None


def list_boards_to_sync(
    client: TrelloClient, config: Config | None, refs: list[str] | None, stored: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The listing entries of the wanted boards (one request per board when few), and lines for unseen ones."""
    wanted = refs if refs else [m.board for m in config.boards] if config and config.boards else None
    if wanted and len(wanted) <= PER_BOARD_LISTING_MAX:
        direct = {ref: _addressable(ref, stored) for ref in wanted}
        if all(direct.values()):
            found, errors = fetch_listed_boards(client, dict.fromkeys(ref for ref in direct.values() if ref))
            if not any("not found" in line for _, line in errors):
                ref_of = {v: ref for ref, v in direct.items()}
                return found, [(ref_of.get(key, key), line) for key, line in errors]
            # "Planning" looks like a shortLink but may be a board's name: ask the listing once.
    return fetch_member_boards(client), []


def select_boards(
    config: Config | None, listing: list[dict[str, Any]], refs: list[str] | None, stored: set[str]
) -> tuple[list[dict[str, Any]], list[BoardOutcome]]:
    """The listed boards to consider, and a failure for every requested/mapped board the token cannot see."""
    missing: list[BoardOutcome] = []
    wanted = refs if refs else [m.board for m in config.boards] if config and config.boards else None
    if wanted is None:
        return [b for b in listing if not b.get("closed") or b.get("id") in stored], missing
    chosen: list[dict[str, Any]] = []
    for ref in wanted:
        match = [b for b in listing if board_ref_matches(ref, b)]
        if not match:
            missing.append(
                BoardOutcome(
                    None,
                    ref,
                    "failed",
                    error=f"board {ref!r}: not found among the boards "
                    "this token can see (`trellosync boards` lists them)",
                )
            )
            continue
        if len(match) > 1:
            missing.append(
                BoardOutcome(
                    None, ref, "failed", error=f"board {ref!r}: {len(match)} boards match; use its id or url"
                )
            )
            continue
        if match[0] not in chosen:
            chosen.append(match[0])
    return chosen, missing


def _needs(
    state: Any, listed: dict[str, Any], *, full: bool, refresh: timedelta | None, now: datetime
) -> tuple[bool, bool]:
    """(sync it?, full?) for one board given its stored state and its listing entry."""
    if full or state is None:
        return True, True
    last_full = getattr(state, "last_full_sync", None)
    if not getattr(state, "history_complete", True) or last_full is None:
        return True, True
    if refresh is not None and now - aware_utc(last_full) >= refresh:
        return True, True
    return state.date_last_activity != listed.get("dateLastActivity"), False


# ---- the run ---------------------------------------------------------------------------------------------


@dataclass
class _Run:
    """Everything one sync run shares between its worker threads."""

    config: Config
    store: Any
    client: TrelloClient
    lock: Any
    ingest: Callable[..., Any]
    now: Callable[[], datetime]
    full: bool
    refresh: timedelta | None
    started: datetime
    states: dict[str, Any]
    write_lock: threading.Lock | None


def sync_boards(
    config: Config | None,
    store: Any,
    *,
    boards: list[str] | None = None,
    full: bool = False,
    wait: bool = False,
    worker: bool = False,
    client: TrelloClient | None = None,
    on_event: EventHandler | None = None,
    lock: bool = True,
    ingest: Callable[..., Any] | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> SyncReport:
    """Sync the mapped (or given) boards from Trello into `store`.

    Raises ConfigError for a --board nobody can see, PartialFailure when some boards synced and others
    failed, TrelloAPIError when boards failed and none synced.
    """
    config = config or Config(trello=TrelloConfig(), database=store.url)
    client = client or client_from_config(config.trello)
    held = acquire_sync_lock(store.url, wait=wait, worker=worker) if lock else None
    try:
        return _sync(
            config,
            store,
            client,
            boards=boards,
            full=full,
            lock=held,
            ingest=ingest,
            now=now,
            on_event=on_event or (lambda kind, data: None),
        )
    finally:
        if held is not None:
            held.release()


def _sync(
    config: Config,
    store: Any,
    client: TrelloClient,
    *,
    boards: list[str] | None,
    full: bool,
    lock: Any,
    ingest: Callable[..., Any] | None,
    now: Callable[[], datetime],
    on_event: EventHandler,
) -> SyncReport:
    from trellosync.sync.pipeline import ingest_board

    session = session_of(client)
    session.set_run_deadline(config.trello.run_deadline)
    session.on_notice = lambda message: on_event("notice", message)
    start_count = session.request_count
    report = SyncReport()
    states = store.sync_states()
    listing, unseen = list_boards_to_sync(client, config, boards, store.boards())
    report.listing_requests = session.request_count - start_count
    chosen, missing = select_boards(config, listing, boards, set(states))
    # One line per failed board: a board whose own look-up failed (rate limit, 5xx) is not also "not found".
    failed_lookup = {ref for ref, _ in unseen}
    missing = [o for o in missing if o.name not in failed_lookup]
    unknown = [o.error or "" for o in missing] + [line for _, line in unseen if "not found" in line]
    if boards and unknown:  # a --board nobody can see is a usage error, not a failed sync
        raise ConfigError("--board: no such board visible to this token", problems=unknown)
    report.outcomes.extend(missing + [BoardOutcome(None, ref, "failed", error=line) for ref, line in unseen])
    hours = config.trello.full_refresh_hours
    run = _Run(
        config,
        store,
        client,
        lock,
        ingest or ingest_board,
        now,
        full,
        timedelta(hours=hours) if hours and hours > 0 else None,
        now(),
        states,
        threading.Lock() if store.dialect == "sqlite" else None,
    )
    todo = _plan(run, chosen, report)
    on_event("start", len(todo))
    _run_pool(run, todo, report, on_event)
    report.requests = session.request_count - start_count
    log.debug("%s", report.summary())  # the CLI's view shows it; at INFO -v printed every line twice
    _raise_for_failures(report)
    return report


def _plan(run: _Run, chosen: list[dict[str, Any]], report: SyncReport) -> list[tuple[dict[str, Any], bool]]:
    """The boards to fetch (with full or not); unchanged ones are recorded, re-derived if the mapping changed."""
    from trellosync.sync.diagnostics import stored_problems
    from trellosync.sync.pipeline import record_unchanged

    todo: list[tuple[dict[str, Any], bool]] = []
    for b in chosen:
        needed, is_full = _needs(
            run.states.get(b["id"]), b, full=run.full, refresh=run.refresh, now=run.started
        )
        if needed:
            todo.append((b, is_full))
            continue
        out = BoardOutcome(b["id"], b.get("name") or b["id"], "unchanged")
        if run.lock is None or run.lock.try_board(b["id"]):
            try:  # no download; re-derived when the mapping or the date moved on
                out.problems = record_unchanged(run.store, run.config, b, naive_utc(run.started))
            finally:
                if run.lock is not None:
                    run.lock.release_board(b["id"])
        else:
            out.problems = stored_problems(run.store, run.config, b["id"])
        report.outcomes.append(out)
    return todo


def _run_pool(
    run: _Run, todo: list[tuple[dict[str, Any], bool]], report: SyncReport, on_event: EventHandler
) -> None:
    """Fetch and ingest the boards on a few threads; Ctrl-C / SIGTERM cancel every wait and connection."""
    session = session_of(run.client)
    workers = max(1, min(run.config.trello.concurrency, len(todo) or 1))
    auth_error: AuthError | None = None
    refused: list[dict[str, Any]] = []  # boards whose own requests Trello refused the credentials for
    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        boards_of: dict[Future[BoardOutcome], dict[str, Any]] = {
            pool.submit(_sync_one, run, b, f): b for b, f in todo
        }
        pending: set[Future[BoardOutcome]] = set(boards_of)
        while pending:
            # A timeout keeps the main thread able to receive KeyboardInterrupt (Ctrl-C, SIGTERM via the CLI).
            done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
            for fut in done:
                try:
                    o = fut.result()
                except AuthError as exc:
                    session.cancel("Trello refused the credentials")
                    auth_error = auth_error or exc
                    refused.append(boards_of[fut])
                    continue
                report.outcomes.append(o)
                on_event("board", o)
                log.debug(
                    "board %r: %s (%d requests, %d cards, %d new actions%s)%s",
                    o.name,
                    o.status,
                    o.requests,
                    o.cards,
                    o.actions,
                    ", paged" if o.paged else "",
                    f": {o.error}" if o.error else "",
                )
    except BaseException:
        session.cancel("interrupted")
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    if auth_error is None:
        return
    if not any(o.status == "synced" for o in report.outcomes):
        raise auth_error
    # The token was refused mid-run (revoked, expired): the boards synced before it stay, each committed whole.
    for b in refused:
        o = BoardOutcome(
            b["id"],
            b.get("name") or b["id"],
            "failed",
            error=f"board {b.get('name') or b['id']!r} ({b['id']}): {auth_error}",
        )
        report.outcomes.append(o)
        on_event("board", o)


def _sync_one(run: _Run, b: dict[str, Any], is_full: bool) -> BoardOutcome:
    """Fetch and ingest one board; any failure is this board's alone (except a refused token)."""
    name = b.get("name") or b["id"]
    out = BoardOutcome(b["id"], name, "synced", full=is_full)
    if run.lock is not None and not run.lock.try_board(b["id"]):
        out.status = "busy"
        log.debug("board %r: another worker is syncing it", name)
        return out
    try:
        _fetch_and_ingest(run, b, out)
    except AuthError:
        raise
    except BoardUnavailable as exc:
        what = (
            "not found (deleted, or the id is wrong)"
            if exc.status == 404
            else "forbidden: this token may not read it"
        )
        out.status, out.error = "failed", f"board {name!r} ({b['id']}): {what}"
    except TrellosyncError as exc:
        out.status, out.error = "failed", f"board {name!r} ({b['id']}): {exc}"
    finally:
        if run.lock is not None:
            run.lock.release_board(b["id"])
    return out


def _fetch_and_ingest(run: _Run, b: dict[str, Any], out: BoardOutcome) -> None:
    state = run.states.get(b["id"])
    if run.lock is not None and run.lock.shared:
        # Another worker may have synced this board since the listing: decide again.
        state = run.store.sync_states().get(b["id"])
        needed, out.full = _needs(state, b, full=run.full, refresh=run.refresh, now=run.started)
        if not needed:
            out.status = "unchanged"
            return
    since = None if out.full or state is None else state.bookmark_action_id
    fetched = fetch_board(
        run.client, b["id"], since_action_id=since, known_large=bool(getattr(state, "cards_paged", False))
    )
    out.requests, out.paged = fetched.requests, fetched.paged
    board_json = fetched.board
    out.cards, out.actions = len(board_json.get("cards") or []), len(board_json["actions"])
    new_state = _next_state(b, board_json, state, out.full, naive_utc(run.now()), paged=fetched.paged)
    session_of(run.client).waiter.check()  # interrupted while fetching: keep the previous good state
    if run.write_lock is not None:
        with run.write_lock:
            result = _ingest(run, board_json, new_state, fetched.actions_complete)
    else:
        result = _ingest(run, board_json, new_state, fetched.actions_complete)
    out.problems = list(getattr(result, "problems", []) or [])


def _raise_for_failures(report: SyncReport) -> None:
    failed = report.failed
    if not failed:
        return
    lines = "\n".join(f"  {o.error}" for o in failed)
    worked = [o for o in report.outcomes if o.status in ("synced", "unchanged")]
    if not worked:
        exc: TrellosyncError = TrelloAPIError(f"no board synced; {len(failed)} failed:\n{lines}")
    else:
        synced = sum(o.status == "synced" for o in report.outcomes)
        kept = f"; the {counted(synced, 'board')} synced in this run are kept" if synced else ""
        exc = PartialFailure(f"{len(failed)} of {len(report.outcomes)} boards failed{kept}:\n{lines}")
    exc.report = report  # type: ignore[attr-defined]
    raise exc


def _next_state(
    listed: dict[str, Any],
    board_json: dict[str, Any],
    old: Any,
    is_full: bool,
    when: datetime,
    *,
    paged: bool = False,
) -> Any:
    """The bookmark to commit with this board's data."""
    from trellosync.store.db import SyncState

    kept = None if is_full else old
    bookmark_id, bookmark_date = bookmark(
        board_json["actions"], getattr(kept, "bookmark_action_id", None), getattr(kept, "bookmark_date", None)
    )
    return SyncState(
        board_id=board_json["id"],
        source="api",
        date_last_activity=board_json.get("dateLastActivity") or listed.get("dateLastActivity"),
        bookmark_action_id=bookmark_id,
        bookmark_date=bookmark_date,
        synced_at=when,
        last_full_sync=when if is_full else getattr(old, "last_full_sync", None),
        history_complete=True if is_full else bool(getattr(old, "history_complete", False)),
        cards_paged=paged or bool(getattr(old, "cards_paged", False)),
        list_matches=getattr(old, "list_matches", None),
    )


def _ingest(run: _Run, board_json: dict[str, Any], state: Any, actions_complete: bool) -> Any:
    return run.ingest(
        run.store,
        board_json,
        run.config,
        source="api",
        seen_at=state.synced_at,
        sync_state=state,
        snapshot_complete=True,
        actions_complete=actions_complete,
    )
