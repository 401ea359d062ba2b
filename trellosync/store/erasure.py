"""Erasure: forget one person across the mirror, the derived domain and the report log, and remember only salted
hashes of who they were, so every later sync recognises them and keeps them out.

What is about them goes (entries about them, their goals, commitments, reviews, promises, replies: the Trello
objects they were derived from are dropped and listed in `erased_objects`, never stored again). What they said
about others stays, under a pseudonym ("Former colleague"), so the other person's record stays coherent. The
derived domain is then re-derived from the scrubbed mirror by the sync layer (`sync.rights`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Connection, Table, delete, or_, select, update

from trellosync.domain.rights import FORMER_COLLEAGUE
from trellosync.errors import ConfigError
from trellosync.mirror.erase import Needles, drop_erased, line_id, pseudonymise
from trellosync.mirror.normalize import BoardRows
from trellosync.store import schema as t

PER_BOARD_MIRROR = (
    t.lists,
    t.labels,
    t.board_members,
    t.cards,
    t.card_labels,
    t.card_members,
    t.checklists,
    t.check_items,
    t.comments,
    t.actions,
)


def salted(salt: str, value: str | None) -> str | None:
    """sha256(salt + value) in hex (None for no value); usernames and keys are compared in lower case."""
    return hashlib.sha256((salt + value).encode()).hexdigest() if value else None


@dataclass
class Erasure:
    """One forgotten person, as the database remembers them: a pseudonym and salted hashes."""

    pseudonym: str
    member_pseudonym: str
    salt: str
    member_hash: str | None
    username_hash: str | None
    key_hash: str | None
    erased_at: datetime
    reason: str

    def is_member(self, member_id: str | None) -> bool:
        """True when this Trello member id is the forgotten person's."""
        return bool(member_id) and salted(self.salt, member_id) == self.member_hash

    def is_username(self, username: str | None) -> bool:
        """True when this Trello username is the forgotten person's."""
        return (
            bool(username) and salted(self.salt, (username or "").lower().lstrip("@")) == self.username_hash
        )

    def is_key(self, key: str | None) -> bool:
        """True when this config person key was the forgotten person's."""
        return bool(key) and salted(self.salt, key) == self.key_hash


def load_erasures(conn: Connection) -> list[Erasure]:
    """Every erasure recorded."""
    return [
        Erasure(**dict(r._mapping)) for r in conn.execute(select(t.erasures).order_by(t.erasures.c.erased_at))
    ]


def erased_ids(conn: Connection, board_id: str) -> set[str]:
    """Ids of the Trello objects of a board that are about a forgotten person (never stored again)."""
    return set(
        conn.execute(select(t.erased_objects.c.id).where(t.erased_objects.c.board_id == board_id)).scalars()
    )


@dataclass
class Subject:
    """Whom to forget, as the database (and the config, for aliases) knows them."""

    key: str
    name: str
    username: str | None
    member_ids: set[str]
    aliases: list[str] = field(default_factory=list)
    first_name_unique: bool = True  # nobody else in the database shares the first name

    def needles(self, member_pseudonym: str) -> Needles:
        """How they appear in Trello's data, and the pseudonym that replaces them."""
        return person_needles(
            self.name,
            self.username,
            self.member_ids,
            member_pseudonym,
            self.aliases,
            first_name=self.first_name_unique,
        )


def person_needles(
    name: str | None,
    username: str | None,
    member_ids: Iterable[str],
    member_pseudonym: str,
    aliases: Iterable[str] = (),
    *,
    first_name: bool = True,
) -> Needles:
    """The Needles of a person: full name and multi-word aliases in any case; the first name and one-word
    aliases as whole capitalised words (the first name only when nobody else in the record shares it)."""
    words = (name or "").split()
    one = {a for a in aliases if a and " " not in a.strip()}
    return Needles(
        member_ids={m for m in member_ids if m},
        member_pseudonym=member_pseudonym,
        names={n for n in (name, *aliases) if n and " " in n.strip()} | ({name} if name else set()),
        usernames={username.lstrip("@")} if username else set(),
        first_names=one
        | ({words[0]} if words and first_name and len(words[0]) > 1 and len(words) > 1 else set()),
    )


@dataclass
class ErasurePlan:
    """What forgetting a person changes (the dry run prints it; `apply_erasure` does it)."""

    subject: Subject
    pseudonym: str
    member_pseudonym: str
    salt: str
    objects: dict[str, set[str]] = field(default_factory=dict)  # board id -> Trello objects about them
    removed: dict[str, int] = field(default_factory=dict)  # derived records about them, by table
    pseudonymised: dict[str, int] = field(default_factory=dict)  # rows naming them that stay, by table
    report_log: int = 0

    def lines(self) -> list[str]:
        """The plan in plain lines (no card text: the dry run may be pasted into a ticket)."""
        s = self.subject
        out = [
            f"forget {s.key} ({s.name}; Trello {s.username or 'username unknown'}, "
            f"{len(s.member_ids)} member id(s)); their remaining words will read as {FORMER_COLLEAGUE!r}"
        ]
        n_objects = sum(len(v) for v in self.objects.values())
        out.append(
            f"remove {n_objects} Trello object(s) about them from the mirror, on {len(self.objects)} board(s)"
            " (cards, check items, comments, description lines), and keep them out of later syncs"
        )
        for table, n in sorted(self.removed.items()):
            out.append(f"remove {n} {table} row(s) about them")
        for table, n in sorted(self.pseudonymised.items()):
            out.append(f"pseudonymise {n} {table} row(s) that name them or were written by them")
        out.append(f"pseudonymise {self.report_log} report log row(s) about them")
        out.append(
            "record the erasure (salted hashes of their Trello id, username and key; nothing readable)"
        )
        return out


def find_subject(conn: Connection, key: str, aliases: Iterable[str] = ()) -> Subject:
    """The person to forget, from the people table and the Trello members it links to."""
    row = conn.execute(select(t.people).where(t.people.c.key == key)).first()
    if row is None:
        raise ConfigError(f"unknown person {key!r}: nobody of that key is in the database")
    ids = {row.member_id} if row.member_id else set()
    if row.trello_username:
        ids |= {
            i
            for i, u in conn.execute(select(t.members.c.id, t.members.c.username))
            if (u or "").lower() == row.trello_username.lower().lstrip("@")
        }
    firsts = [
        n.split()[0]
        for k, n in conn.execute(select(t.people.c.key, t.people.c.name))
        if k != key and n and n.split()
    ]
    first = row.name.split()[0] if row.name.split() else ""
    return Subject(
        key=key,
        name=row.name,
        username=row.trello_username,
        member_ids=ids,
        aliases=list(aliases),
        first_name_unique=first not in firsts,
    )


def _about(conn: Connection, key: str) -> tuple[dict[str, set[str]], dict[str, int]]:
    """The Trello objects the derived records about `key` come from, per board; and those records' counts."""
    objects: dict[str, set[str]] = {}
    removed: dict[str, int] = {}

    def add(board: str, obj: str) -> None:
        objects.setdefault(board, set()).add(obj)

    def source(board: str, entry_id: str, text: str) -> None:
        if ":desc:" in entry_id:  # a description section: the line holding it goes
            card = conn.execute(
                select(t.cards.c.description).where(t.cards.c.id == entry_id.split(":")[0])
            ).first()
            for ln in (card.description or "").split("\n") if card else []:
                if text and text in ln:
                    add(board, line_id(ln))
        else:
            add(board, entry_id)

    def rows(table: Table, *where: Any) -> list[Any]:
        found = list(conn.execute(select(table).where(*where)))
        if found:
            removed[table.name] = len(found)
        return found

    for r in rows(t.feedback, t.feedback.c.about == key):
        source(r.board_id, r.id, r.text)
    for r in rows(t.commitments, t.commitments.c.person == key):
        source(r.board_id, r.id, r.text)
    for r in rows(t.replies, t.replies.c.by == key):
        add(r.board_id, r.id)
    owned = conn.execute(
        select(t.goals.c.id, t.goals.c.board_id, t.goals.c.owners)
        .join(t.goal_owners, t.goal_owners.c.goal_id == t.goals.c.id)
        .where(t.goal_owners.c.person == key)
    ).all()
    sole = [g for g in owned if json.loads(g.owners) == [key]]
    if sole:
        removed["goals"] = len(sole)
    for g in sole:
        add(g.board_id, g.id)
    for table, col in (
        (t.self_reviews, "person"),
        (t.promises, "person"),
        (t.group_issues, "person"),
        (t.stakeholder_feedback, "about"),
    ):
        for r in rows(table, table.c[col] == key):
            add(r.board_id, r.id)
    return objects, removed


def plan_erasure(conn: Connection, subject: Subject) -> ErasurePlan:
    """What forgetting `subject` would change (nothing is written)."""
    token = secrets.token_hex(9)
    plan = ErasurePlan(
        subject=subject,
        pseudonym=f"former-{token[:8]}",
        member_pseudonym=f"erased{token}",
        salt=secrets.token_hex(16),
    )
    plan.objects, plan.removed = _about(conn, subject.key)
    ids = list(subject.member_ids)
    if ids:
        for table in (t.comments, t.actions, t.card_members, t.board_members, t.check_items):
            n = len(conn.execute(select(table.c.member_id).where(table.c.member_id.in_(ids))).all())
            if n:
                plan.pseudonymised[table.name] = n
    said = conn.execute(
        select(t.feedback.c.id).where(t.feedback.c.said_by == subject.key, t.feedback.c.about != subject.key)
    ).all()
    if said:
        plan.pseudonymised["feedback"] = len(said)
    plan.report_log = len(_log_rows(conn, subject.key))
    return plan


def _log_rows(conn: Connection, key: str) -> list[Any]:
    return [
        r
        for r in conn.execute(select(t.report_log.c.id, t.report_log.c.person, t.report_log.c.path))
        if key in r.person.split(",")
    ]


def scrub_board(
    store: Any, conn: Connection, board_id: str, needles: list[Needles], erased: set[str]
) -> None:
    """Rewrite one board's mirror without its erased objects and with every forgotten person pseudonymised."""
    rows: BoardRows = store.load_mirror(conn, board_id)
    rows = drop_erased(rows, erased)
    for n in needles:
        rows = pseudonymise(rows, n)
    for table in PER_BOARD_MIRROR:
        conn.execute(delete(table).where(table.c.board_id == board_id))
    store.upsert(conn, t.boards, [rows.board])
    for table, items in (
        (t.lists, rows.lists),
        (t.labels, rows.labels),
        (t.board_members, rows.board_members),
        (t.cards, rows.cards),
        (t.card_labels, rows.card_labels),
        (t.card_members, rows.card_members),
        (t.checklists, rows.checklists),
        (t.check_items, rows.check_items),
        (t.comments, rows.comments),
        (t.actions, rows.actions),
    ):
        store.insert(conn, table, items)
    store.upsert(conn, t.members, rows.members)


def apply_erasure(store: Any, plan: ErasurePlan, reason: str = "request") -> None:
    """Forget the planned person in one transaction; the caller then re-derives the domain (sync.rights)."""
    s = plan.subject
    needles = s.needles(plan.member_pseudonym)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    with store.begin() as conn:
        for board_id, ids in plan.objects.items():
            store.upsert(conn, t.erased_objects, [{"id": i, "board_id": board_id} for i in sorted(ids)])
        for board_id in store.board_ids():
            scrub_board(store, conn, board_id, [needles], erased_ids(conn, board_id))
        if s.member_ids:
            conn.execute(delete(t.members).where(t.members.c.id.in_(sorted(s.member_ids))))
        conn.execute(
            delete(t.people).where(
                or_(t.people.c.key == s.key, t.people.c.member_id.in_(sorted(s.member_ids) or [""]))
            )
        )
        for table in (*t.DOMAIN_TABLES, *t.PER_BOARD):  # re-derived by the caller from the scrubbed mirror
            conn.execute(delete(table))
        conn.execute(
            delete(t.advocates).where(or_(t.advocates.c.person == s.key, t.advocates.c.advocate == s.key))
        )
        _pseudonymise_log(conn, s.key, plan.pseudonym, needles)
        store.insert(
            conn,
            t.erasures,
            [
                {
                    "pseudonym": plan.pseudonym,
                    "member_pseudonym": plan.member_pseudonym,
                    "salt": plan.salt,
                    "member_hash": salted(plan.salt, min(s.member_ids)) if s.member_ids else None,
                    "username_hash": salted(plan.salt, (s.username or "").lower().lstrip("@")),
                    "key_hash": salted(plan.salt, s.key),
                    "erased_at": now,
                    "reason": reason,
                }
            ],
        )
        extra = sorted(s.member_ids)[1:]  # a person with two accounts: one erasure row per further id
        for i, mid in enumerate(extra):
            store.insert(
                conn,
                t.erasures,
                [
                    {
                        "pseudonym": f"{plan.pseudonym}-{i + 2}",
                        "member_pseudonym": plan.member_pseudonym,
                        "salt": plan.salt,
                        "member_hash": salted(plan.salt, mid),
                        "username_hash": None,
                        "key_hash": None,
                        "erased_at": now,
                        "reason": reason,
                    }
                ],
            )


def _pseudonymise_log(conn: Connection, key: str, pseudonym: str, needles: Needles) -> None:
    from trellosync.mirror.erase import Scrubber

    scrub = Scrubber(needles)
    for r in _log_rows(conn, key):
        people = ",".join(pseudonym if p == key else p for p in r.person.split(","))
        path = scrub.text(r.path)
        if path:
            path = path.replace(f"-{key}-", f"-{pseudonym}-")
        conn.execute(update(t.report_log).where(t.report_log.c.id == r.id).values(person=people, path=path))
