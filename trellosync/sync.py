"""Live sync from the Trello API: one listing request, then a snapshot + new actions of each changed board.

Each changed board is fetched into one export-shaped dict (the nested board with every action since the
bookmark merged into ``actions``) and handed to ``pipeline.ingest_board``, the same normalize -> store ->
domain path as an export import, which commits the board's data and its bookmark in one transaction.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from trello import TrelloClient

from .client import (
    BoardUnavailable,
    client_from_config,
    fetch_board,
    fetch_member_boards,
    session_of,
)
from .config import Config, board_ref_matches
from .errors import AuthError, PartialFailure, TrellosyncError
from .locks import acquire_sync_lock

log = logging.getLogger(__name__)


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


@dataclass
class SyncReport:
    """The outcome of `sync_boards`: one entry per board considered, and the requests spent."""

    outcomes: list[BoardOutcome] = field(default_factory=list)
    requests: int = 0

    @property
    def failed(self) -> list[BoardOutcome]:
        """The boards that failed."""
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self) -> str:
        """One line: how many boards synced, unchanged, failed, and the request count."""
        c: dict[str, int] = {}
        for o in self.outcomes:
            c[o.status] = c.get(o.status, 0) + 1
        parts = [f"{n} {s}" for s, n in sorted(c.items())] or ["no boards"]
        return f"sync: {', '.join(parts)}; {self.requests} requests"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _naive(d: datetime) -> datetime:
    """UTC without tzinfo: the store's convention."""
    return d.astimezone(timezone.utc).replace(tzinfo=None) if d.tzinfo else d


def _aware(d: datetime | None) -> datetime | None:
    if d is not None and d.tzinfo is None:
        return d.replace(tzinfo=timezone.utc)
    return d


def _parse_date(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        return _naive(datetime.fromisoformat(s.replace("Z", "+00:00")))
    except ValueError:
        return None


def _id_int(i: str | None) -> int:
    try:
        return int(i or "", 16)
    except ValueError:
        return -1


def select_boards(config: Config | None, listing: list[dict[str, Any]], refs: list[str] | None,
                  stored: set[str]) -> tuple[list[dict[str, Any]], list[BoardOutcome]]:
    """The listed boards to consider, and a failure for every requested/mapped board the token cannot see."""
    missing: list[BoardOutcome] = []
    wanted = refs if refs else [m.board for m in config.boards] if config and config.boards else None
    if wanted is None:
        chosen = [b for b in listing if not b.get("closed") or b.get("id") in stored]
        return chosen, missing
    chosen: list[dict[str, Any]] = []
    for ref in wanted:
        match = [b for b in listing if board_ref_matches(ref, b)]
        if not match:
            missing.append(BoardOutcome(None, ref, "failed",
                                        error=f"board {ref!r}: not found among the boards this token can see"))
            continue
        if len(match) > 1:
            missing.append(BoardOutcome(None, ref, "failed",
                                        error=f"board {ref!r}: {len(match)} boards match; use its id or url"))
            continue
        if match[0] not in chosen:
            chosen.append(match[0])
    return chosen, missing


def _needs(state: Any, listed: dict[str, Any], *, full: bool, refresh: timedelta | None,
           now: datetime) -> tuple[bool, bool]:
    """(sync it?, full?) for one board given its stored state and its listing entry."""
    if full or state is None:
        return True, True
    last_full = _aware(getattr(state, "last_full_sync", None))
    if not getattr(state, "history_complete", True) or last_full is None:
        return True, True
    if refresh is not None and now - last_full >= refresh:
        return True, True
    return state.date_last_activity != listed.get("dateLastActivity"), False


def sync_boards(config: Config, store: Any, *, boards: list[str] | None = None, full: bool = False,
                wait: bool = False, worker: bool = False, client: TrelloClient | None = None,
                progress: bool | None = None, lock: bool = True,
                ingest: Callable[..., Any] | None = None, now: Callable[[], datetime] = _utcnow) -> SyncReport:
    """Sync the mapped (or given) boards from Trello into `store`; raises PartialFailure if any board failed."""
    held = acquire_sync_lock(store.url, wait=wait, worker=worker) if lock else None
    try:
        return _sync(config, store, boards=boards, full=full, client=client, progress=progress,
                     lock=held, ingest=ingest, now=now)
    finally:
        if held is not None:
            held.release()


def _sync(config: Config, store: Any, *, boards: list[str] | None, full: bool, client: TrelloClient | None,
          progress: bool | None, lock: Any, ingest: Callable[..., Any] | None,
          now: Callable[[], datetime]) -> SyncReport:
    from .pipeline import mapping_changed, rebuild_board

    if ingest is None:
        from .pipeline import ingest_board as ingest
    client = client or client_from_config(config.trello)
    session = session_of(client)
    start_count = session.request_count
    report = SyncReport()
    listing = fetch_member_boards(client)
    states = store.sync_states()
    chosen, missing = select_boards(config, listing, boards, set(states))
    report.outcomes.extend(missing)
    hours = config.trello.full_refresh_hours
    refresh = timedelta(hours=hours) if hours and hours > 0 else None
    started = now()
    todo: list[tuple[dict[str, Any], bool]] = []
    for b in chosen:
        needed, is_full = _needs(states.get(b["id"]), b, full=full, refresh=refresh, now=started)
        if needed:
            todo.append((b, is_full))
        else:
            if mapping_changed(store, config, b) and (lock is None or lock.try_board(b["id"])):
                try:  # the config's mapping changed since this board was derived: no download needed
                    rebuild_board(store, config, b["id"])
                finally:
                    if lock is not None:
                        lock.release_board(b["id"])
            report.outcomes.append(BoardOutcome(b["id"], b.get("name") or b["id"], "unchanged"))

    write_lock = threading.Lock() if store.dialect == "sqlite" else None
    abort = threading.Event()

    def one(b: dict[str, Any], is_full: bool) -> BoardOutcome:
        name = b.get("name") or b["id"]
        out = BoardOutcome(b["id"], name, "synced", full=is_full)
        if abort.is_set():
            out.status, out.error = "failed", "not attempted (sync aborted)"
            return out
        if lock is not None and not lock.try_board(b["id"]):
            out.status = "busy"
            log.info("board %r: another worker is syncing it", name)
            return out
        try:
            state = states.get(b["id"])
            if lock is not None and lock.shared:
                # Another worker may have synced this board since the listing: decide again.
                state = store.sync_states().get(b["id"])
                needed, is_full = _needs(state, b, full=full, refresh=refresh, now=started)
                out.full = is_full
                if not needed:
                    out.status = "unchanged"
                    return out
            since = None if is_full or state is None else state.bookmark_action_id
            fetched = fetch_board(client, b["id"], since_action_id=since)
            out.requests, out.paged = fetched.requests, fetched.paged
            board_json = fetched.board
            out.cards, out.actions = len(board_json.get("cards") or []), len(board_json["actions"])
            new_state = _next_state(b, board_json, state, is_full, _naive(now()))
            if write_lock is not None:
                with write_lock:
                    _ingest(ingest, store, config, board_json, new_state, fetched.actions_complete)
            else:
                _ingest(ingest, store, config, board_json, new_state, fetched.actions_complete)
        except AuthError:
            abort.set()
            raise
        except BoardUnavailable as exc:
            what = "not found (deleted, or the id is wrong)" if exc.status == 404 else \
                "forbidden: this token may not read it"
            out.status, out.error = "failed", f"board {name!r} ({b['id']}): {what}"
        except TrellosyncError as exc:
            out.status, out.error = "failed", f"board {name!r} ({b['id']}): {exc}"
        finally:
            if lock is not None:
                lock.release_board(b["id"])
        return out

    show = progress if progress is not None else sys.stderr.isatty()
    workers = max(1, min(config.trello.concurrency, len(todo) or 1))
    auth_error: AuthError | None = None
    with _Progress(show, len(todo)) as bar, ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(one, b, f): b for b, f in todo}
        for fut in as_completed(futures):
            try:
                o = fut.result()
            except AuthError as exc:
                auth_error = auth_error or exc
                continue
            report.outcomes.append(o)
            bar.advance(o.name)
            if o.status == "failed":
                log.info("%s", o.error)  # reported once, in the PartialFailure message at the end
            else:
                log.info("board %r: %s (%d requests, %d cards, %d new actions%s)", o.name, o.status,
                         o.requests, o.cards, o.actions, ", paged" if o.paged else "")
    report.requests = session.request_count - start_count
    if auth_error is not None:
        raise auth_error
    log.info("%s", report.summary())
    if report.failed:
        exc = PartialFailure(f"{len(report.failed)} of {len(report.outcomes)} boards failed:\n"
                             + "\n".join(f"  {o.error}" for o in report.failed))
        exc.report = report  # type: ignore[attr-defined]
        raise exc
    return report


def _next_state(listed: dict[str, Any], board_json: dict[str, Any], old: Any, is_full: bool,
                when: datetime) -> Any:
    """The bookmark to commit with this board's data."""
    from .store import SyncState

    newest = max(board_json["actions"], key=lambda a: _id_int(a.get("id")), default=None)
    bookmark_id = getattr(old, "bookmark_action_id", None) if not is_full else None
    bookmark_date = getattr(old, "bookmark_date", None) if not is_full else None
    if newest is not None and _id_int(newest.get("id")) > _id_int(bookmark_id):
        bookmark_id, bookmark_date = newest.get("id"), _parse_date(newest.get("date"))
    return SyncState(
        board_id=board_json["id"], source="api",
        date_last_activity=board_json.get("dateLastActivity") or listed.get("dateLastActivity"),
        bookmark_action_id=bookmark_id, bookmark_date=bookmark_date, synced_at=when,
        last_full_sync=when if is_full else getattr(old, "last_full_sync", None),
        history_complete=True if is_full else bool(getattr(old, "history_complete", False)))


def _ingest(ingest: Callable[..., Any], store: Any, config: Config, board_json: dict[str, Any],
            state: Any, actions_complete: bool) -> Any:
    return ingest(store, board_json, config, source="api", seen_at=state.synced_at, sync_state=state,
                  snapshot_complete=True, actions_complete=actions_complete)


class _Progress:
    """A rich progress bar on a terminal; nothing otherwise."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled and total > 0
        self.total = total
        self._p: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._p = Progress(TextColumn("sync"), BarColumn(), MofNCompleteColumn(),
                               TextColumn("{task.description}"), transient=True)
            self._p.start()
            self._task = self._p.add_task("", total=self.total)
        return self

    def advance(self, name: str) -> None:
        """One more board done."""
        if self._p is not None:
            self._p.update(self._task, advance=1, description=name[:40])

    def __exit__(self, *exc: object) -> None:
        if self._p is not None:
            self._p.stop()


def list_boards(config: Config) -> list[dict[str, Any]]:
    """What the token can see (name, id, last activity): one request, no database."""
    return fetch_member_boards(client_from_config(config.trello))


def run_sync_command(ctx: Any, store: Any, config: Config | None, *, boards: list[str], full: bool, wait: bool,
                     worker: bool = False) -> SyncReport:
    """`trellosync sync` without --from-export: quiet on success, one line per failed board (on stderr)."""
    from .errors import ConfigError

    if config is None:
        key, token = credentials_from_env()
        if not (key and token):
            raise ConfigError("no config file: the API sync needs trello.api_key and trello.token "
                              "(pass -c FILE, run `trellosync init`, or set TRELLO_API_KEY and TRELLO_TOKEN)")
        from .config import TrelloConfig

        # No config: every open board the token sees, default mappings, credentials from the environment.
        config = Config(trello=TrelloConfig(api_key=key, token=token,
                                            api_url=os.environ.get("TRELLO_API_URL", "https://api.trello.com/1")),
                        database=store.url)
    try:
        report = sync_boards(config, store, boards=boards or None, full=full, wait=wait, worker=worker)
    except PartialFailure as exc:
        report = getattr(exc, "report", None)
        if report is not None and getattr(ctx, "verbose", 0):
            _print_report(report)
        raise
    if getattr(ctx, "verbose", 0):
        _print_report(report)
    return report


def _print_report(report: SyncReport) -> None:
    for o in sorted(report.outcomes, key=lambda o: o.name.lower()):
        extra = f" ({o.requests} requests{', full' if o.full else ''}{', paged' if o.paged else ''})" \
            if o.status == "synced" else ""
        print(f"{o.name}: {o.status}{extra}" if o.status != "failed" else f"{o.error}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)


def check_online(config: Config) -> None:
    """`check --online`: try the credentials and look every mapped board up (one request)."""
    listing = list_boards(config)
    chosen, missing = select_boards(config, listing, None, set())
    for b in chosen:
        print(f"board {b.get('name')!r} ({b['id']}): visible, last activity {b.get('dateLastActivity')}")
    if missing:
        from .errors import ConfigError

        raise ConfigError("mapped boards that Trello does not show to this token",
                          problems=[o.error or "" for o in missing])


# ---- `trellosync boards` and `trellosync init` -----------------------------------------------------------

_LUNCH = re.compile(r"lunch|1[:-]1|one.on.one|meeting|conversation|catch.?up|check.?ins?\b", re.I)
_GOAL = re.compile(r"goal|objective|okr|target", re.I)
_DONE = re.compile(r"^(done|achieved|complete[d]?|finished|reached)\b", re.I)
_FEEDBACK = {"best": re.compile(r"best|highlight|high point", re.I),
             "worst": re.compile(r"worst|low point|lowlight", re.I),
             "focus": re.compile(r"focus|improv", re.I),
             "commitments": re.compile(r"commit|promise|action item", re.I)}


def credentials_from_env() -> tuple[str | None, str | None]:
    """TRELLO_API_KEY and TRELLO_TOKEN from the environment."""
    return os.environ.get("TRELLO_API_KEY"), os.environ.get("TRELLO_TOKEN")


def propose_mapping(board: dict[str, Any]) -> dict[str, Any]:
    """A board mapping guessed from a nested board's list and checklist names (defaults when nothing fits)."""
    lists = [x.get("name") or "" for x in board.get("lists") or [] if not x.get("closed")]
    checklists = sorted({c.get("name") or "" for c in board.get("checklists") or []})
    m: dict[str, Any] = {"board": board.get("url") or board["id"]}
    lunches = [n for n in lists if _LUNCH.search(n)]
    goals = [n for n in lists if _GOAL.search(n)]
    done = [n for n in lists if _DONE.search(n)]
    if lunches:
        m["lunches"] = {"lists": lunches}
    if goals or done:
        m["goals"] = {"lists": goals or ["Goals"], "done_lists": done or ["Achieved", "Done"]}
    feedback = {k: [c for c in checklists if rx.search(c)] for k, rx in _FEEDBACK.items()}
    # "Best moment - Will" is already matched by "Best moment" (the person suffix names who it is about).
    feedback = {k: [c for c in v if not any(c != o and c.lower().startswith(o.lower()) for o in v)]
                for k, v in feedback.items() if v}
    if feedback:
        m["feedback"] = feedback
    labels = {lb["name"]: re.sub(r"\W+", "_", lb["name"].strip().lower()).strip("_")
              for lb in board.get("labels") or [] if (lb.get("name") or "").strip()}
    if labels:
        m["labels"] = labels
    return m


def init_config(client: TrelloClient, *, boards: list[str] | None = None, database: str = "sqlite:///trellosync.db",
                api_url: str | None = None) -> str:
    """YAML text of a starting config for the boards the token sees (open ones, or those named)."""
    import yaml

    listing = fetch_member_boards(client)
    if boards:
        chosen, missing = select_boards(None, listing, boards, set())
        if missing:
            from .errors import ConfigError

            raise ConfigError("boards not visible to this token", problems=[o.error or "" for o in missing])
    else:
        chosen = [b for b in listing if not b.get("closed")]
    people: dict[str, dict[str, Any]] = {}
    mappings = []
    for b in chosen:
        nested = get_board_outline(client, b["id"])
        subjects = []
        for mem in nested.get("members") or []:
            username = mem.get("username") or mem["id"]
            key = _person_key(mem, people)
            people.setdefault(key, {"name": mem.get("fullName") or username, "trello": username})
            subjects.append(key)
        m = propose_mapping({**b, **nested, "url": b.get("url") or nested.get("url")})
        if subjects:
            m = {"board": m.pop("board"), "subjects": subjects, **m}
        mappings.append(m)
    trello: dict[str, Any] = {"api_key": "${TRELLO_API_KEY}", "token": "${TRELLO_TOKEN}"}
    if api_url and api_url.rstrip("/") != "https://api.trello.com/1":
        trello["api_url"] = api_url
    doc = {"trello": trello, "database": database, "people": people, "boards": mappings}
    head = ("# trellosync config written by `trellosync init`: check the proposed mappings, then run\n"
            "#   trellosync check -c THIS_FILE && trellosync sync -c THIS_FILE\n"
            "# The key and token are read from the environment; never write them here.\n")
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _person_key(member: dict[str, Any], people: dict[str, dict[str, Any]]) -> str:
    """A short config key for a member: their first name, else their username (unique among `people`)."""
    username = member.get("username") or member["id"]
    for p_key, p in people.items():
        if p.get("trello") == username:
            return p_key
    first = re.sub(r"[^a-z0-9]+", "", ((member.get("fullName") or "").split() or [""])[0].lower())
    for cand in (first, re.sub(r"\W+", "_", username.lower()).strip("_"), member["id"]):
        if cand and cand not in people:
            return cand
    return member["id"]


def get_board_outline(client: TrelloClient, board_id: str) -> dict[str, Any]:
    """A board's open lists, checklist names, labels and members: one request (for `init`)."""
    from .client import get

    return get(client, f"/boards/{board_id}", {"fields": "name,url,shortLink", "lists": "open", "labels": "all",
                                                "labels_limit": "1000", "members": "all",
                                                "checklists": "all", "checklist_fields": "name"})


def boards_command(config: Config | None, *, as_json: bool = False) -> None:
    """`trellosync boards`: print what the token can see."""
    import json as _json

    from .client import DEFAULT_API_URL, make_client

    if config is not None:
        client = client_from_config(config.trello)
    else:
        key, token = credentials_from_env()
        client = make_client(key, token, api_url=os.environ.get("TRELLO_API_URL", DEFAULT_API_URL))
    listing = fetch_member_boards(client)
    listing.sort(key=lambda b: (bool(b.get("closed")), (b.get("name") or "").lower()))
    if as_json:
        print(_json.dumps(listing, indent=2))
        return
    from .console import print_table

    rows = [(b.get("name", "") + (" (closed)" if b.get("closed") else ""), b["id"], b.get("shortLink", ""),
             (b.get("dateLastActivity") or "")[:16].replace("T", " "),
             "yes" if config is not None and config.mapping_for(b) else "") for b in listing]
    print_table(f"{len(listing)} boards", ("name", "id", "shortLink", "last activity", "mapped"), rows)


def init_command(output: Any, *, boards: list[str], database: str, api_url: str | None, force: bool) -> None:
    """`trellosync init`: write a starting config (never the secrets) from what the token sees."""
    from pathlib import Path

    from .client import DEFAULT_API_URL, make_client
    from .errors import ConfigError

    path = Path(output) if output is not None else None
    if path is not None and path.exists() and not force:
        raise ConfigError(f"{path} exists; pass --force to overwrite it or -o to write elsewhere")
    key, token = credentials_from_env()
    url = api_url or os.environ.get("TRELLO_API_URL") or DEFAULT_API_URL
    client = make_client(key, token, api_url=url)
    text = init_config(client, boards=boards or None, database=database, api_url=url)
    if path is None:
        sys.stdout.write(text)
        return
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}: review the proposed board mappings, then `trellosync check -c {path}`", file=sys.stderr)
