"""The `sync` command's terminal-side steps: importing exports under the sync lock, and SIGTERM as Ctrl-C."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from trellosync.cli.console import safe, warn
from trellosync.cli.context import Ctx, new_sqlite_file, remove_new_database
from trellosync.config.settings import Config
from trellosync.errors import ConfigError


def import_exports(ctx: Ctx, config: Config | None, exports: tuple[str, ...], *, wait: bool) -> None:
    """`sync --from-export`: import each export under the sync lock, saying what each one changed."""
    from trellosync.store.locks import acquire_sync_lock
    from trellosync.sync.pipeline import import_export

    missing = [p for p in exports if not Path(p).exists()]
    if missing:  # before the database is opened: a usage error leaves no new empty database behind
        raise ConfigError("--from-export: no such file", problems=[str(p) for p in missing])
    fresh, imported = new_sqlite_file(ctx), 0
    store = ctx.store(derive=True)
    lock = acquire_sync_lock(store.url, wait=wait)  # an import excludes a sync, as a sync does
    try:
        for path in exports:
            r = import_export(store, path, config)
            imported += 1
            warn(r.problems)
            if r.history_only:
                age = (
                    "carries no date, so it cannot show it is newer than"
                    if "no date" in r.why_history_only
                    else "older than"
                )
                click.echo(
                    f"{path}: {age} what the database holds for {safe(r.board_name)!r}: only "
                    f"its history was added ({r.actions} actions the database lacked); nothing newer "
                    "changed",
                    err=True,
                )
            elif ctx.verbose:
                click.echo(
                    f"imported {safe(r.board_name)}: {r.cards} cards, {r.actions} actions"
                    + ("" if r.mapped else " (default mapping: the board is not in the config)"),
                    err=True,
                )
                print_unread(store, config, [r.board_id])
    finally:
        lock.release()
        if fresh is not None and not imported:  # a bad first export leaves no new empty database behind
            store.close()
            remove_new_database(fresh)


def board_unread(store: Any, config: Config | None, board_ids: list[str]) -> dict[str, Any]:
    """Board id -> the description text its mapping leaves out (sync.diagnostics.UnreadText, or None)."""
    from trellosync.sync.diagnostics import stored_unread

    return {bid: stored_unread(store, config, bid) for bid in board_ids}


def print_unread(store: Any, config: Config | None, board_ids: list[str]) -> None:
    """One line per board whose descriptions hold text under no heading the mapping knows."""
    names = {b["id"]: b.get("name") or b["id"] for b in store.boards()}
    for bid, unread in board_unread(store, config, board_ids).items():
        if unread:
            click.echo(f"board {safe(names.get(bid, bid))!r}: {safe(unread)}", err=True)


def terminate(_signum: int, _frame: Any) -> None:
    """SIGTERM handler: stop a sync the way Ctrl-C does."""
    raise KeyboardInterrupt
