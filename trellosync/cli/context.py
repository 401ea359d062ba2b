"""What every command gets: the config and database it names, the shared options, and a new file's cleanup."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from trellosync.config.settings import Config, load_config
from trellosync.errors import ConfigError

DEFAULT_CONFIG_NAMES = ("trellosync.yaml", "trellosync.yml")


@dataclass
class Ctx:
    """What every command gets: the config path, a database override, verbosity."""

    config_path: str | None
    database: str | None
    verbose: int
    _config: Config | None = None
    _loaded: bool = False
    _store: Any = None  # the database this command opened (one per command, closed when it ends)

    def config(self, required: bool = False) -> Config | None:
        """The config: -c FILE, else $TRELLOSYNC_CONFIG, else ./trellosync.yaml when present."""
        if not self._loaded:
            path = self.config_path or os.environ.get("TRELLOSYNC_CONFIG")
            if not path:
                path = next((p for p in DEFAULT_CONFIG_NAMES if Path(p).exists()), None)
            config = load_config(path) if path else None
            for line in config.warnings if config is not None else []:
                click.echo(f"warning: {line}", err=True)
            if config is not None and config.reports.dossier.ladder is not None:
                from trellosync.config.ladder import configured_ladder

                configured_ladder(config)  # the ladder shapes the stored domain: a bad one is a config error
            self._config, self._loaded = config, True
        if required and self._config is None:
            raise ConfigError("no config file: pass -c FILE, set TRELLOSYNC_CONFIG, or run `trellosync init`")
        return self._config

    def store(self, must_exist: bool = False, derive: bool = False) -> Any:
        """The database (migrated), from --database or the config; closed when the running command ends.

        derive: the command re-derives boards, so without a config it refuses a database whose boards a
        config's mappings derived (they would silently get the default mapping).
        """
        from trellosync.sync.pipeline import open_store

        click_ctx = click.get_current_context(silent=True)
        if self._store is not None and click_ctx is not None and self._store[0] is click_ctx:
            store = self._store[1]  # the command asked again: the same database, opened once
        else:
            store = open_store(self.config(), self.database, must_exist=must_exist)
            if click_ctx is not None:
                click_ctx.call_on_close(
                    store.close
                )  # also when the command fails: click closes its context then
                self._store = (click_ctx, store)
        if derive and self.config() is None:
            refuse_default_remap(store)
        return store

    def stored_domain(self) -> Any:
        """The database's domain; a warning when the config's mapping or ladder changed since a board was derived."""
        from trellosync.sync.pipeline import mapping_changed, stored_board_ref

        store, config = self.store(must_exist=True), self.config()
        states = store.sync_states()
        stale = [
            b["name"]
            for b in store.boards()
            if config is not None and mapping_changed(store, config, stored_board_ref(b), states)
        ]
        if stale:
            click.echo(
                f"warning: the mapping or ladder changed since {len(stale)} board(s) were last derived; "
                "reports follow the database until `trellosync rebuild` (or the next sync)",
                err=True,
            )
        domain = store.load_domain()
        if config is not None:
            from trellosync.domain.people import with_config_people

            with_config_people(domain.people, config.people)
        return domain


pass_ctx = click.make_pass_decorator(Ctx)


def refuse_default_remap(store: Any) -> None:
    """Without a config, refuse a database whose boards a config's mappings derived (a ConfigError)."""
    from trellosync.config.settings import Config
    from trellosync.sync.pipeline import mapping_hash

    default = {None, "default", mapping_hash(Config(), {"id": ""})}  # an export's and a sync's bare mapping
    mapped = [s for s in store.sync_states().values() if s.mapping_hash not in default]
    if mapped:
        raise ConfigError(
            f"no config file, but {len(mapped)} board(s) in the database were derived with a "
            "config's mappings: pass -c FILE or set TRELLOSYNC_CONFIG (without it they would be "
            "re-derived with the default mapping)"
        )


def start_logging(verbose: int) -> None:
    """Logging at this verbosity (imported only when a command runs)."""
    from trellosync.logs import setup_logging

    setup_logging(verbose)


def more_verbose(click_ctx: click.Context, _param: click.Parameter, value: int) -> None:
    """-v after the command name (`trellosync sync -v`) counts like -v before it."""
    obj = click_ctx.find_object(Ctx)
    if value and obj is not None:
        obj.verbose += value
        start_logging(obj.verbose)


def config_options(f: Any) -> Any:
    """-c/--config and --database."""
    f = click.option(
        "-c",
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Config file (default: $TRELLOSYNC_CONFIG or ./trellosync.yaml).",
    )(f)
    f = click.option("--database", help="Database URL or SQLite file; overrides the config.")(f)
    return f


def common_options(f: Any) -> Any:
    """-c/--config, --database and -v on every command (they may also precede the command)."""
    f = config_options(f)
    f = click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=more_verbose,
        help="-v for progress details, -vv for debug logging.",
    )(f)
    return f


def complete_person(click_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[Any]:
    """PERSON completions: the people in the database named by -c/--database (or the default one)."""
    from click.shell_completion import CompletionItem

    params: dict[str, Any] = {}
    for c in (click_ctx.parent, click_ctx):
        params.update({k: v for k, v in (c.params if c else {}).items() if v})
    try:
        with Ctx(params.get("config_path"), params.get("database"), 0).store(must_exist=True) as store:
            people = store.people_names()
        return [CompletionItem(key, help=name) for key, name in people if key.startswith(incomplete)]
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the user's shell
        return []


def merge(ctx: Ctx, config_path: str | None, database: str | None) -> Ctx:
    """The context with -c/--database given after the command name taking precedence."""
    if config_path:
        ctx.config_path, ctx._loaded = config_path, False
    if database:
        ctx.database = database
    return ctx


def existing_store(ctx: Ctx) -> Any:
    """The database when it exists (for what the mappings matched before), else None; never creates one."""
    try:
        return ctx.store(must_exist=True)
    except ConfigError:
        return None


def database_url(ctx: Ctx) -> Any:
    """The database URL this command uses (--database, else the config's, else the default), parsed."""
    from sqlalchemy.engine import make_url

    from trellosync.config.settings import DEFAULT_DATABASE
    from trellosync.store.db import normalize_url

    config = ctx.config()
    return make_url(normalize_url(ctx.database or (config.database if config else None) or DEFAULT_DATABASE))


def new_sqlite_file(ctx: Ctx) -> Path | None:
    """The SQLite file this command would create (None when it exists already or is not SQLite)."""
    url = database_url(ctx)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    return None if path.exists() else path


def remove_new_database(path: Path) -> None:
    """Remove a database file this failed run created, so the failure leaves nothing behind."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass
