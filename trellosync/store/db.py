"""The database: migrations on open, the mirror's upserts and deletion flags, the domain's rows.

Nothing here touches the network. Every write happens on a connection the caller opened with
`Store.begin()`, so one board's mirror, domain and bookmark commit together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, text
from sqlalchemy.exc import (
    ArgumentError,
    DatabaseError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.types import Boolean, DateTime, Float

from trellosync.domain.model import Domain, Person
from trellosync.domain.practices import Practices
from trellosync.errors import ConfigError, DataError, StoreError
from trellosync.files import prepare_sqlite_file
from trellosync.mirror.normalize import BoardRows
from trellosync.store import moves, queries
from trellosync.store import schema as t
from trellosync.store.practice_rows import save_practices
from trellosync.store.rows import domain_rows

CHUNK = 500  # ids per IN (...) clause: below every SQLite build's host-parameter limit


@dataclass
class SyncState:
    """Where the last sync of a board left off."""

    board_id: str
    source: str
    date_last_activity: str | None
    bookmark_action_id: str | None
    bookmark_date: datetime | None
    synced_at: datetime
    last_full_sync: datetime | None
    history_complete: bool
    mapping_hash: str | None = None
    cards_paged: bool = False  # the board was too large for one nested answer: page its cards at once
    list_matches: str | None = None  # JSON {mapping list name: [list ids]} at the last derive


def _migrations_dir() -> Path:
    return Path(str(resources.files("trellosync.store") / "migrations"))


def database_refused(exc: DBAPIError) -> StoreError:
    """A database error as a StoreError: the driver's first line for operational errors, never parameters."""
    detail = type(exc.orig).__name__
    first = str(exc.orig).splitlines()[0][:120] if str(exc.orig) else ""
    if isinstance(exc, OperationalError) and first:  # "database or disk is full", "database is locked"
        detail += f": {first}"
    if isinstance(exc, IntegrityError):
        # Not the database's fault: trellosync wrote a row that collides with a stored one (a bug). The first
        # line names the constraint ("UNIQUE constraint failed: lunches.id"); the values are on later lines.
        return StoreError(
            f"a row collides with one already stored ({detail}: {first}); the transaction was "
            "rolled back (a trellosync bug: please report it)"
        )
    return StoreError(f"the database refused the write ({detail}); the transaction was rolled back")


def normalize_url(url: str) -> str:
    """Accept a bare file path as a SQLite database; prefer psycopg 3 for postgresql:// URLs."""
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser())
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Store:
    """A trellosync database (SQLite or PostgreSQL), migrated to the current schema when opened."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = normalize_url(url)
        try:
            self.engine: Engine = create_engine(self.url, future=True, hide_parameters=True)
        except (ArgumentError, NoSuchModuleError) as exc:
            raise ConfigError(f"database: cannot use {_safe_url(self.url)!r}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            prepare_sqlite_file(self.engine.url.database)  # owner-only from the start, and so its WAL/SHM
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Apply every pending Alembic migration."""
        from alembic import command
        from alembic.config import Config as AlembicConfig

        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(_migrations_dir()))
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    # Two workers opening a fresh database at once must not both create the tables.
                    conn.execute(text("SELECT pg_advisory_xact_lock(7270151)"))
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except DatabaseError as exc:
            if type(exc) not in (OperationalError, DatabaseError):  # a constraint or SQL error here is a bug
                raise
            # sqlite3 says "file is not a database" (a DatabaseError); psycopg's reasons span lines.
            reason = " ".join(str(exc.orig).split())
            raise ConfigError(f"database: cannot open {_safe_url(self.url)}: {reason}") from None

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction, committed on success and rolled back on any error."""
        try:
            with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
                yield conn
        except DBAPIError as exc:
            raise database_refused(exc) from None

    @property
    def safe_url(self) -> str:
        """The database URL with its password hidden (for what is printed or logged)."""
        return _safe_url(self.url)

    def close(self) -> None:
        """Release the connection pool (on SQLite the last connection to close folds the -wal file back)."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        """The store itself; leaving the `with` block closes it."""
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ mirror

    def upsert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert rows, replacing the non-key columns of rows whose key exists (one driver executemany)."""
        if not rows:
            return
        cols = list(rows[0])
        keys = [c.name for c in table.primary_key.columns]
        q = self.engine.dialect.identifier_preparer.quote
        update = [c for c in cols if c not in keys]
        differs = " IS DISTINCT FROM " if self.dialect == "postgresql" else " IS NOT "
        # Only rows whose values changed are rewritten: a re-sync of a large board touches few pages.
        conflict = (
            f"DO UPDATE SET {', '.join(f'{q(c)} = excluded.{q(c)}' for c in update)} WHERE "
            + " OR ".join(f"{q(table.name)}.{q(c)}{differs}excluded.{q(c)}" for c in update)
            if update
            else "DO NOTHING"
        )
        sql = (
            f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in cols)}) "
            f"VALUES ({', '.join([self._mark] * len(cols))}) "
            f"ON CONFLICT ({', '.join(q(k) for k in keys)}) {conflict}"
        )
        conn.exec_driver_sql(sql, self._driver_rows(table, cols, rows))

    def insert(self, conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
        """Plain INSERT of rows (one driver executemany)."""
        if not rows:
            return
        cols = list(rows[0])
        q = self.engine.dialect.identifier_preparer.quote
        sql = (
            f"INSERT INTO {q(table.name)} ({', '.join(q(c) for c in cols)}) "
            f"VALUES ({', '.join([self._mark] * len(cols))})"
        )
        conn.exec_driver_sql(sql, self._driver_rows(table, cols, rows))

    @property
    def _mark(self) -> str:
        return "?" if self.engine.dialect.paramstyle == "qmark" else "%s"

    def _driver_rows(
        self, table: Table, cols: list[str], rows: list[dict[str, Any]]
    ) -> list[tuple[Any, ...]]:
        """Rows as the driver's parameter lists: the column types' bind conversions, dicts and lists as JSON.

        Going around SQLAlchemy's per-row parameter building is what makes a 5,000-card board cheap to
        store (benchmarks/bench_sync.py); the conversions are the ones SQLAlchemy itself would apply.
        """
        first = rows[0]
        # Column by column through C-level map/zip: per-row Python work is what dominated here.
        columns = [list(map(dict.get, rows, repeat(c))) for c in cols]
        for j, c in enumerate(cols):
            proc = _to_json if isinstance(first.get(c), (dict, list)) else self._bind(table.c[c].type)
            if proc is not None:
                columns[j] = [None if v is None else proc(v) for v in columns[j]]
        return list(zip(*columns, strict=True))

    def _bind(self, typ: Any) -> Any:
        """The conversion a value of this column type needs before the driver sees it (None: none)."""
        if isinstance(typ, (Boolean, Float)):
            return None  # our rows hold Python bools and floats, which both drivers bind natively
        proc = typ.dialect_impl(self.engine.dialect).bind_processor(self.engine.dialect)
        if proc is not None and isinstance(typ, DateTime):
            # SQLAlchemy's SQLite DATETIME text ('2026-01-02 03:04:05.000000'), without its per-value dict.
            return lambda v: v.isoformat(" ", "microseconds") if type(v) is datetime else proc(v)
        return proc

    def save_mirror(
        self,
        conn: Connection,
        rows: BoardRows,
        *,
        seen_at: datetime,
        snapshot_complete: bool,
        history_complete: bool,
    ) -> set[str]:
        """Upsert one board's mirror rows; flag what vanished from a complete snapshot as deleted.

        Cards that moved between boards move in the mirror (store/moves.py). Returns the other boards whose
        mirror changed: their domain must be derived again before this board's.
        """
        bid = rows.board_id
        touched: set[str] = set()
        went: dict[str, str] = {}
        self.upsert(conn, t.boards, [rows.board])
        self.upsert(conn, t.members, rows.members)
        for table, items in (
            (t.lists, rows.lists),
            (t.labels, rows.labels),
            (t.cards, rows.cards),
            (t.checklists, rows.checklists),
            (t.check_items, rows.check_items),
        ):
            self.upsert(conn, table, items)
            if snapshot_complete and table is t.cards:
                went = self._flag_missing_cards(conn, rows, seen_at)
            elif snapshot_complete:
                self._flag_missing(conn, table, bid, {r["id"] for r in items}, seen_at)
        self.upsert(conn, t.actions, rows.actions)
        self.upsert(conn, t.comments, rows.comments)
        for target in set(went.values()):  # this snapshot's actions about a card that left go with it
            moves.rehome(conn, [c for c, b in went.items() if b == target], target)
            touched.add(target)
        if snapshot_complete and history_complete:
            # Only when we hold every action since the board was made can a missing comment mean deleted;
            # a comment made before its card moved here is in the history of the board it was made on.
            self._flag_missing(
                conn, t.comments, bid, {r["id"] for r in rows.comments}, seen_at, keep=moves.moved_comments
            )
        if snapshot_complete:
            for link, items in ((t.card_labels, rows.card_labels), (t.card_members, rows.card_members)):
                conn.execute(link.delete().where(link.c.board_id == bid))
                self.upsert(conn, link, items)
            present = {r["member_id"] for r in rows.board_members}
            conn.execute(
                t.board_members.update()
                .where(t.board_members.c.board_id == bid)
                .where(t.board_members.c.deleted_at.is_(None))
                .where(t.board_members.c.member_id.not_in(present) if present else text("1=1"))
                .values(deleted_at=seen_at)
            )
            self.upsert(conn, t.board_members, rows.board_members)
        # Trello's deleteCard action carries the date a card was deleted; keep it next to our own flag.
        deletions = conn.execute(
            select(t.actions.c.card_id, func.max(t.actions.c.date))
            .where(t.actions.c.board_id == bid, t.actions.c.type == "deleteCard")
            .group_by(t.actions.c.card_id)
        ).all()
        for card_id, when in deletions:
            conn.execute(
                t.cards.update()
                .where(
                    t.cards.c.id == card_id,
                    t.cards.c.deleted_at.is_not(None),
                    t.cards.c.deleted_action_at.is_(None),
                )
                .values(deleted_action_at=when)
            )
        return touched

    def place_cards(
        self, conn: Connection, rows: BoardRows, seen_at: datetime | None
    ) -> tuple[BoardRows, set[str]]:
        """Where this snapshot's cards live (moves.place_cards): the rows to store, and the boards touched."""
        return moves.place_cards(conn, rows, seen_at)

    def _flag_missing_cards(self, conn: Connection, rows: BoardRows, seen_at: datetime) -> dict[str, str]:
        """Flag the board's cards missing from its snapshot deleted, except those that moved to another board
        (moved there instead); returns {card: the board it moved to}."""
        bid = rows.board_id
        present = {r["id"] for r in rows.cards}
        existing = (
            conn.execute(
                select(t.cards.c.id).where(t.cards.c.board_id == bid, t.cards.c.deleted_at.is_(None))
            )
            .scalars()
            .all()
        )
        gone = [i for i in existing if i not in present]
        went = moves.moved_away(conn, bid, gone, rows.actions) if gone else {}
        for target in set(went.values()):
            moves.rehome(conn, [c for c, b in went.items() if b == target], target)
        self._flag_missing(conn, t.cards, bid, present | set(went), seen_at)
        return went

    def _flag_missing(
        self,
        conn: Connection,
        table: Table,
        board_id: str,
        present: set[str],
        seen_at: datetime,
        keep: Any = None,
    ) -> None:
        existing = (
            conn.execute(select(table.c.id).where(table.c.board_id == board_id, table.c.deleted_at.is_(None)))
            .scalars()
            .all()
        )
        gone = [i for i in existing if i not in present]
        if keep is not None and gone:
            kept = keep(conn, gone)
            gone = [i for i in gone if i not in kept]
        for i in range(0, len(gone), CHUNK):
            conn.execute(table.update().where(table.c.id.in_(gone[i : i + CHUNK])).values(deleted_at=seen_at))

    def load_mirror(self, conn: Connection, board_id: str, snapshot: BoardRows | None = None) -> BoardRows:
        """Everything the mirror holds for one board, deleted things included (flagged).

        With `snapshot` (a complete snapshot just saved), only what accumulates across syncs (actions,
        comments, members) is read back; the rest is taken from the snapshot.
        """

        def rows_of(table: Table, order: Any = None) -> list[dict[str, Any]]:
            q = select(table).where(table.c.board_id == board_id)
            if order is not None:
                q = q.order_by(order)
            return [dict(r._mapping) for r in conn.execute(q)]

        if snapshot is not None:
            actions = self._accumulated(conn, t.actions, board_id, snapshot.actions)
            comments = self._accumulated(conn, t.comments, board_id, snapshot.comments)
        else:
            actions = rows_of(t.actions, t.actions.c.date)
            comments = rows_of(t.comments, t.comments.c.date)
        if snapshot is not None:
            bm = snapshot.board_members
        else:
            bm = rows_of(t.board_members)
        member_ids = {r["member_id"] for r in bm} | {a["member_id"] for a in actions if a["member_id"]}
        members = []
        ids = sorted(member_ids)
        for i in range(0, len(ids), CHUNK):
            q = select(t.members).where(t.members.c.id.in_(ids[i : i + CHUNK]))
            members += [dict(r._mapping) for r in conn.execute(q)]
        if snapshot is not None:
            return replace(snapshot, members=members, actions=actions, comments=comments)
        board = conn.execute(select(t.boards).where(t.boards.c.id == board_id)).first()
        if board is None:
            raise DataError(f"board {board_id} is not in the database")
        return BoardRows(
            board=dict(board._mapping),
            lists=rows_of(t.lists, t.lists.c.pos),
            labels=rows_of(t.labels),
            members=members,
            board_members=bm,
            cards=rows_of(t.cards, t.cards.c.pos),
            card_labels=rows_of(t.card_labels),
            card_members=rows_of(t.card_members),
            checklists=rows_of(t.checklists, t.checklists.c.pos),
            check_items=rows_of(t.check_items, t.check_items.c.pos),
            comments=comments,
            actions=actions,
        )

    def _accumulated(
        self, conn: Connection, table: Table, board_id: str, fresh: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """A board's rows of a table that accumulates across syncs, by date: the rows just saved are taken
        from memory (their action `data` still parsed), only the older ones are read back."""
        fresh = [r for r in fresh if r["board_id"] == board_id]  # not those that followed a card elsewhere
        held = {r["id"] for r in fresh}
        stored = conn.execute(select(table.c.id).where(table.c.board_id == board_id)).scalars().all()
        older = [i for i in stored if i not in held]
        rows = list(fresh)
        for i in range(0, len(older), CHUNK):
            q = select(table).where(table.c.id.in_(older[i : i + CHUNK]))
            rows += [dict(r._mapping) for r in conn.execute(q)]
        return sorted(rows, key=lambda r: r["date"])

    def board_ids(self) -> list[str]:
        """Ids of every board in the mirror."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(t.boards.c.id).order_by(t.boards.c.name)).scalars())

    def boards(self) -> list[dict[str, Any]]:
        """Every board in the mirror, as rows."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(t.boards).order_by(t.boards.c.name))]

    # ------------------------------------------------------------------ sync state

    def sync_states(self) -> dict[str, SyncState]:
        """The bookmark of every board synced so far."""
        with self.engine.connect() as conn:
            return {r.board_id: SyncState(**dict(r._mapping)) for r in conn.execute(select(t.sync_state))}

    def set_sync_state(self, conn: Connection, state: SyncState) -> None:
        """Store a board's bookmark (inside the board's transaction)."""
        self.upsert(conn, t.sync_state, [state.__dict__.copy()])

    # ------------------------------------------------------------------ domain

    def save_people(self, conn: Connection, people: Iterable[Person]) -> None:
        """Upsert people; a mapped person's row wins over an unmapped board member's."""
        rows = [
            {
                "key": p.key,
                "name": p.name,
                "trello_username": p.trello_username,
                "member_id": p.member_id,
                "mapped": p.mapped,
            }
            for p in people
        ]
        existing = {r.key: r.mapped for r in conn.execute(select(t.people.c.key, t.people.c.mapped))}
        rows = [r for r in rows if r["mapped"] or not existing.get(r["key"], False)]
        self.upsert(conn, t.people, rows)

    def save_domain(self, conn: Connection, board_id: str, d: Domain) -> None:
        """Replace one board's derived rows with a freshly built domain (statuses as of d.synced_at)."""
        for table in t.DOMAIN_TABLES:
            conn.execute(table.delete().where(table.c.board_id == board_id))
        self.save_people(conn, d.people.values())
        self.upsert(conn, t.competencies, [{"key": c.key, "name": c.name} for c in d.competencies.values()])
        for name, rows in domain_rows(d, board_id).items():
            self.insert(conn, t.metadata.tables[name], rows)

    def load_domain(self, board_ids: Iterable[str] | None = None) -> Domain:
        """The domain of the given boards (default: all), with every person and competency."""
        return queries.load_domain(self.engine, board_ids)

    def save_practices(self, conn: Connection, board_id: str, p: Practices) -> None:
        """Replace one board's practice rows (self-reviews, stakeholder feedback, groups, promises, marks)."""
        save_practices(conn, board_id, p)

    # ------------------------------------------------------------------ reporting

    def counts(self) -> dict[str, int]:
        """What the database holds, as the integer counts `trellosync status --json` prints."""
        return queries.counts(self.engine)

    def people_names(self) -> list[tuple[str, str]]:
        """(key, name) of every person, mapped ones first (for shell completion)."""
        return queries.people_names(self.engine)

    def board_figures(self) -> list[dict[str, Any]]:
        """Per board: its row, live counts of what it holds, and its sync state (for `status --json`)."""
        return queries.board_figures(self.engine)

    def table_dump(self) -> dict[str, list[tuple]]:
        """Every row of every table, sorted: for comparing two states of a database."""
        return queries.table_dump(self.engine)


_to_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # one encoder, not one per value


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own lazy BEGIN would start write transactions as DEFERRED, which fail with
    # "database is locked" mid-way under a concurrent writer; we emit BEGIN ourselves (_sqlite_begin).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # WAL keeps readers working during a sync, and a killed writer leaves the last commit intact.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    # 16 MiB of page cache (default 2 MiB): a large board's one transaction then rarely spills pages mid-way.
    cur.execute("PRAGMA cache_size=-16384")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writing transaction takes SQLite's write lock up front (waiting up to busy_timeout).
    conn.exec_driver_sql(
        "BEGIN IMMEDIATE" if conn.get_execution_options().get("sqlite_immediate") else "BEGIN"
    )


def _safe_url(url: str) -> str:
    """A database URL with its password hidden."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"
