"""Forgetting a person end to end: the erasure in the store, then the domain re-derived without them; and the
retention policy's `departed: forget` for people Trello no longer shows."""

from __future__ import annotations

from typing import Any

from trellosync.config.settings import Config
from trellosync.store.db import Store
from trellosync.store.erasure import ErasurePlan, apply_erasure, find_subject, plan_erasure
from trellosync.store.rights import departed_people
from trellosync.sync.pipeline import rebuild_domain
from trellosync.sync.rights import now_utc


def plan_forget(store: Store, config: Config | None, key: str) -> ErasurePlan:
    """What forgetting `key` would change (nothing is written); the config adds the aliases it knows."""
    aliases = config.people[key].aliases if config is not None and key in config.people else []
    with store.engine.connect() as conn:
        return plan_erasure(conn, find_subject(conn, key, aliases))


def forget_person(
    store: Store, config: Config | None, plan: ErasurePlan, reason: str = "request"
) -> list[Any]:
    """Apply the erasure, then re-derive every board without the person; returns the mapping's problems."""
    apply_erasure(store, plan, reason)
    problems: list[Any] = []
    rebuild_domain(store, config, problems=problems)
    return problems


def forget_departed(store: Store, config: Config | None) -> list[str]:
    """With `retention.departed: forget`, forget everyone Trello no longer shows; returns their keys."""
    if config is None or config.retention.departed != "forget":
        return []
    done = []
    for d in departed_people(store.engine, config.retention.left_after_days, now_utc()):
        if d.reason == "left" and config.retention.left_after_days is None:
            continue
        forget_person(
            store,
            config,
            plan_forget(store, config, d.key),
            reason="deleted_account" if d.reason == "deleted_account" else "departed",
        )
        done.append(d.key)
    return done
