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
                click.echo(f"{path}: older than what the database holds for {safe(r.board_name)!r}: only "
                           f"its history was added ({r.actions} actions the database lacked); nothing newer "
                           "changed", err=True)
            elif ctx.verbose:
                click.echo(f"imported {safe(r.board_name)}: {r.cards} cards, {r.actions} actions"
                           + ("" if r.mapped else " (default mapping: the board is not in the config)"),
                           err=True)
    finally:
        lock.release()
        if fresh is not None and not imported:  # a bad first export leaves no new empty database behind
            store.close()
            remove_new_database(fresh)


def terminate(_signum: int, _frame: Any) -> None:
    """SIGTERM handler: stop a sync the way Ctrl-C does."""
    raise KeyboardInterrupt
