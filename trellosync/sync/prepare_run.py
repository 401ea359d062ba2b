"""`prepare`'s steps around the pure plan: read what the database holds, then write the plan to Trello.

Each object written is recorded in the database at once (`store/prepared.py`), so a run stopped half-way
(Ctrl-C, a refused write) never writes it again: a card whose checklist was not written gets it at the next
run; a checklist whose items were cut short stays as it is (its items are never doubled).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from trello import TrelloClient

from trellosync.config.settings import Config
from trellosync.domain.prepared import ASKED_CHECKLIST
from trellosync.store.db import Store
from trellosync.store.prepared import load_prepared, save_prepared
from trellosync.sync.pipeline import stored_board_ref
from trellosync.sync.prepare import Plan, Prepared, plan_prepare
from trellosync.trello.write import create_card, create_check_item, create_checklist


@dataclass
class Written:
    """What was written for one prepared lunch, and in how many requests."""

    prepared: Prepared
    card_id: str
    checklist_id: str | None = None
    item_ids: list[str] = field(default_factory=list)
    requests: int = 0


def today_in(config: Config) -> date:
    """Today in the config's timezone."""
    return datetime.now(ZoneInfo(config.timezone)).date()


def load_plan(store: Store, config: Config, *, today: date | None = None) -> Plan:
    """The plan for every mapped board the database holds, from its mirror, domain and recorded writes."""
    tz = ZoneInfo(config.timezone)
    domain = store.load_domain()
    boards = []
    with store.engine.connect() as conn:
        records = load_prepared(conn)
        for row in store.boards():
            mapping = config.mapping_for(stored_board_ref(row))
            if mapping is None or row.get("closed") or row.get("deleted_at"):
                continue
            mine = [r for r in records if r["board_id"] == row["id"]]
            boards.append((mapping, store.load_mirror(conn, row["id"]), mine))
    return plan_prepare(
        boards, domain, today=today or today_in(config), days_ahead=config.prepare.days_ahead, tz=tz
    )


def _record(
    store: Store, p: Prepared, kind: str, trello_id: str, card_id: str, ref: tuple[str, str] | None = None
) -> None:
    row = {
        "id": trello_id,
        "kind": kind,
        "board_id": p.board_id,
        "card_id": card_id,
        "lunch_date": p.day,
        "ref_kind": ref[0] if ref else None,
        "ref_id": ref[1] if ref else None,
        "written_at": datetime.now(timezone.utc).replace(tzinfo=None),
    }
    with store.begin() as conn:
        save_prepared(conn, [row])


def apply_one(client: TrelloClient, store: Store, p: Prepared) -> Written:
    """Write one prepared lunch: the card when new, the checklist, then its items (each recorded at once)."""
    card_id = p.card_id
    out = Written(p, card_id or "")
    if card_id is None:
        card = create_card(
            client, list_id=p.list_id or "", name=p.card_name, desc=p.desc, due=p.due, member_ids=p.member_ids
        )
        card_id = out.card_id = card["id"]
        out.requests += 1
        _record(store, p, "card", card_id, card_id)
    if not p.checklist:
        return out
    checklist = create_checklist(client, card_id, ASKED_CHECKLIST)
    out.checklist_id = checklist["id"]
    out.requests += 1
    _record(store, p, "checklist", checklist["id"], card_id)
    for item in p.items:
        made = create_check_item(client, checklist["id"], item.text)
        out.item_ids.append(made["id"])
        out.requests += 1
        _record(store, p, "item", made["id"], card_id, (item.ref_kind, item.ref_id))
    return out


def apply_plan(
    client: TrelloClient, store: Store, plan: Plan, on_written: Callable[[Written], None] | None = None
) -> list[Written]:
    """Write every prepared lunch of the plan, in order; `on_written` hears of each one done."""
    done = []
    for p in plan.lunches:
        w = apply_one(client, store, p)
        done.append(w)
        if on_written is not None:
            on_written(w)
    return done
