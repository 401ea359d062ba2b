"""The people's rights on the sync path: forgotten people kept out of what Trello sends and out of what is
derived, and the retention policy applied by every sync, import and rebuild."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from trellosync.config.settings import Config, PersonConfig
from trellosync.domain.model import Domain
from trellosync.domain.practices import Practices
from trellosync.domain.rights import FORMER_COLLEAGUE, retain_since, without_people
from trellosync.mirror.erase import Needles, Scrubber, drop_erased, pseudonymise
from trellosync.mirror.normalize import BoardRows
from trellosync.store.erasure import Erasure, erased_ids, load_erasures, person_needles
from trellosync.store.rights import cutoff_of, mark_retention, trim_history, trim_report_log


@dataclass
class Forgotten:
    """The erasures recorded, and the config people they match (who must not be derived under their name)."""

    erasures: list[Erasure] = field(default_factory=list)
    config_keys: dict[str, Erasure] = field(default_factory=dict)  # config person key -> its erasure

    @property
    def pseudonyms(self) -> set[str]:
        """Every forgotten person's pseudonym key."""
        return {e.pseudonym for e in self.erasures}

    def of_config(self, key: str, person: PersonConfig) -> Erasure | None:
        """The erasure a config person matches (by key or Trello username), if any."""
        return next(
            (
                e
                for e in self.erasures
                if e.is_key(key) or e.is_username(person.trello) or e.is_member(person.trello)
            ),
            None,
        )


def forgotten(conn: Connection, config: Config | None) -> Forgotten:
    """The erasures recorded, matched against the config's people."""
    out = Forgotten(load_erasures(conn))
    if config is not None and out.erasures:
        for key, person in config.people.items():
            e = out.of_config(key, person)
            if e is not None:
                out.config_keys[key] = e
    return out


def _first_unique(config: Config, key: str) -> bool:
    first = (config.people[key].name.split() or [""])[0]
    return all((p.name.split() or [""])[0] != first for k, p in config.people.items() if k != key)


def config_needles(config: Config | None, gone: Forgotten) -> list[Needles]:
    """What the config still knows of forgotten people (their names, usernames, aliases)."""
    if config is None:
        return []
    return [
        person_needles(
            config.people[k].name,
            config.people[k].trello,
            (),
            e.member_pseudonym,
            config.people[k].aliases,
            first_name=_first_unique(config, k),
        )
        for k, e in gone.config_keys.items()
    ]


def derivation_config(config: Config | None, gone: Forgotten) -> Config | None:
    """The config the domain is derived with: each forgotten person replaced by their pseudonym everywhere
    (people, subjects, member overrides, declared authors, advocates, board names), and every forgotten person
    known under it, so their remaining words read "Former colleague"."""
    if not gone.erasures:
        return config
    base = config or Config()
    rename = {k: e.pseudonym for k, e in gone.config_keys.items()}
    people = {k: p for k, p in base.people.items() if k not in rename}
    people = {
        k: p.model_copy(update={"advocate": rename.get(p.advocate, p.advocate) if p.advocate else None})
        for k, p in people.items()
    }
    for e in gone.erasures:
        people.setdefault(e.pseudonym, PersonConfig(name=FORMER_COLLEAGUE, trello=e.member_pseudonym))
    scrubs = [Scrubber(replace(n, first_names=set())) for n in config_needles(config, gone)]

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return rename.get(value, value)
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    boards = []
    for m in base.boards:
        ref = m.board
        for s in scrubs:
            ref = s.text(ref) or ref
        boards.append(
            m.model_copy(
                update={
                    "board": ref,
                    "subjects": swap(m.subjects),
                    "members": swap(m.members),
                    "feedback": m.feedback.model_copy(update={"said_by": swap(m.feedback.said_by)}),
                }
            )
        )
    return base.model_copy(update={"people": people, "boards": boards})


def keep_out(conn: Connection, rows: BoardRows, config: Config | None) -> BoardRows:
    """What Trello sent for a board, without the forgotten: their objects dropped, the rest pseudonymised.

    A forgotten member is recognised by the salted hash of their Trello id; their name and username are read
    from the same answer (and from the config, while it still names them), so every text can be scrubbed.
    """
    gone = forgotten(conn, config)
    if not gone.erasures:
        return rows
    rows = drop_erased(rows, erased_ids(conn, rows.board_id))
    by_pseudonym = {n.member_pseudonym: n for n in config_needles(config, gone)}
    seen = {m["id"]: m for m in rows.members}
    ids = (
        set(seen)
        | {a["member_id"] for a in rows.actions if a.get("member_id")}
        | {x["member_id"] for x in rows.board_members}
        | {x["member_id"] for x in rows.card_members}
    )
    for e in gone.erasures:
        found = {i for i in ids if e.is_member(i)}
        needles = by_pseudonym.get(e.member_pseudonym) or Needles(member_pseudonym=e.member_pseudonym)
        needles.member_ids |= found
        for i in found:
            m = seen.get(i) or {}
            acted = next((a for a in rows.actions if a.get("member_id") == i and a.get("member_name")), {})
            full = m.get("full_name") or acted.get("member_name")
            user = m.get("username") or acted.get("member_username")
            needles.names |= {full} if full else set()
            needles.usernames |= {user} if user else set()
        if needles.member_ids or needles.names or needles.usernames:
            rows = pseudonymise(rows, needles)
    return rows


def forget_derived(domain: Domain, practices: Practices, gone: Forgotten) -> None:
    """Drop every derived record about a forgotten person (what they said about others stays, pseudonymised)."""
    without_people(domain, practices, gone.pseudonyms)


# ------------------------------------------------------------------ retention


def now_utc() -> datetime:
    """Now, naive UTC (the store's convention)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today_in(config: Config | None) -> date:
    """Today in the config's time zone: retention counts calendar days there."""
    return datetime.now(ZoneInfo(config.timezone if config else "UTC")).date()


def retain_history(conn: Connection, rows: BoardRows, config: Config | None) -> BoardRows:
    """Apply `retention.actions_days` to a board: stored comments and actions older than it are deleted, and the
    rows about to be derived lose them too."""
    days = config.retention.actions_days if config else None
    cutoff = cutoff_of(days, today_in(config))
    mark_retention(conn, "actions", cutoff, days, now_utc())
    if cutoff is None:
        return rows
    before = datetime.combine(cutoff, time.min)
    trim_history(conn, rows.board_id, before)
    rows.actions = [a for a in rows.actions if a["date"] >= before]
    rows.comments = [c for c in rows.comments if c["date"] >= before]
    return rows


def retain_entries(conn: Connection, domain: Domain, practices: Practices, config: Config | None) -> None:
    """Apply `retention.entries_days` to a freshly derived board, and `retention.report_log_days` to the log."""
    retention = config.retention if config else None
    today = today_in(config)
    cutoff = cutoff_of(retention.entries_days if retention else None, today)
    mark_retention(conn, "entries", cutoff, retention.entries_days if retention else None, now_utc())
    if cutoff is not None:
        retain_since(domain, practices, cutoff)
    log_days = retention.report_log_days if retention else None
    log_cutoff = cutoff_of(log_days, today)
    mark_retention(conn, "report_log", log_cutoff, log_days, now_utc())
    if log_cutoff is not None:
        trim_report_log(conn, datetime.combine(log_cutoff, time.min))
