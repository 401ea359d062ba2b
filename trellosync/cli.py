"""The `trellosync` command: parses arguments, calls the library, turns errors into messages and exit codes."""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from .config import Config, load_config
from .errors import ConfigError, TrellosyncError
from .report.kinds import kind_names

DEFAULT_CONFIG_NAMES = ("trellosync.yaml", "trellosync.yml")
REPORT_KIND_NAMES = kind_names()


@dataclass
class Ctx:
    """What every command gets: the config path, a database override, verbosity."""

    config_path: str | None
    database: str | None
    verbose: int
    _config: Config | None = None
    _loaded: bool = False

    def config(self, required: bool = False) -> Config | None:
        """The config: -c FILE, else $TRELLOSYNC_CONFIG, else ./trellosync.yaml when present."""
        if not self._loaded:
            path = self.config_path or os.environ.get("TRELLOSYNC_CONFIG")
            if not path:
                path = next((p for p in DEFAULT_CONFIG_NAMES if Path(p).exists()), None)
            self._config = load_config(path) if path else None
            self._loaded = True
        if required and self._config is None:
            raise ConfigError("no config file: pass -c FILE, set TRELLOSYNC_CONFIG, or run `trellosync init`")
        return self._config

    def store(self, must_exist: bool = False) -> Any:
        """The database (migrated), from --database or the config."""
        from .pipeline import open_store

        return open_store(self.config(), self.database, must_exist=must_exist)


pass_ctx = click.make_pass_decorator(Ctx)


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger().setLevel(level)
    # Alembic announces every migration context at INFO; that is debug detail for our users.
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)


def _more_verbose(click_ctx: click.Context, _param: click.Parameter, value: int) -> None:
    """-v after the command name (`trellosync sync -v`) counts like -v before it."""
    obj = click_ctx.find_object(Ctx)
    if value and obj is not None:
        obj.verbose += value
        _setup_logging(obj.verbose)


def _config_options(f: Any) -> Any:
    f = click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
                     help="Config file (default: $TRELLOSYNC_CONFIG or ./trellosync.yaml).")(f)
    f = click.option("--database", help="Database URL or SQLite file; overrides the config.")(f)
    return f


def common_options(f: Any) -> Any:
    """-c/--config, --database and -v on every command (they may also precede the command)."""
    f = _config_options(f)
    f = click.option("-v", "--verbose", count=True, expose_value=False, callback=_more_verbose,
                     help="-v for progress details, -vv for debug logging.")(f)
    return f


def _merge(ctx: Ctx, config_path: str | None, database: str | None) -> Ctx:
    if config_path:
        ctx.config_path, ctx._loaded = config_path, False
    if database:
        ctx.database = database
    return ctx


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@_config_options
@click.option("-v", "--verbose", count=True, help="-v for progress details, -vv for debug logging.")
@click.version_option(package_name="trellosync")
@click.pass_context
def cli(click_ctx: click.Context, config_path: str | None, database: str | None, verbose: int) -> None:
    """Sync peer-feedback-lunch Trello boards and turn them into PDF reports."""
    _setup_logging(verbose)
    click_ctx.obj = Ctx(config_path, database, verbose)


@cli.command()
@common_options
@click.option("--from-export", "exports", multiple=True, type=click.Path(dir_okay=False),
              help="Import a board's JSON export (Trello: Menu > Print and export > Export as JSON). Repeatable.")
@click.option("--board", "boards", multiple=True, help="Only this board (url, shortLink, id or name). Repeatable.")
@click.option("--full", is_flag=True, help="Ignore bookmarks: re-read every board and its whole history.")
@click.option("--wait", is_flag=True, help="Wait for a running sync to finish instead of exiting.")
@click.option("--worker", is_flag=True,
              help="PostgreSQL: share the boards with other `sync --worker` runs (each board synced by one).")
@pass_ctx
def sync(ctx: Ctx, config_path: str | None, database: str | None, exports: tuple[str, ...],
         boards: tuple[str, ...], full: bool, wait: bool, worker: bool) -> None:
    """Pull the mapped boards from Trello (or import exports) into the database."""
    _merge(ctx, config_path, database)
    config = ctx.config()
    store = ctx.store()
    if exports:
        from .pipeline import import_export

        for path in exports:
            r = import_export(store, path, config)
            if ctx.verbose:
                click.echo(f"imported {r.board_name}: {r.cards} cards, {r.actions} actions"
                           + ("" if r.mapped else " (default mapping: the board is not in the config)"), err=True)
        return
    from .sync import run_sync_command

    run_sync_command(ctx, store, config, boards=list(boards), full=full, wait=wait, worker=worker)


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="One JSON array of boards.")
@pass_ctx
def boards(ctx: Ctx, config_path: str | None, database: str | None, as_json: bool) -> None:
    """What the token can see: name, id, last activity (one request)."""
    _merge(ctx, config_path, database)
    from .sync import boards_command

    boards_command(ctx.config(), as_json=as_json)


@cli.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the config to this file (default: standard output).")
@click.option("--board", "board_refs", multiple=True, help="Only this board (url, shortLink, id or name).")
@click.option("--database", "database", default="sqlite:///trellosync.db", show_default=True)
@click.option("--api-url", default=None, help="Trello API base URL (default https://api.trello.com/1).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(output: str | None, board_refs: tuple[str, ...], database: str, api_url: str | None, force: bool) -> None:
    """Write a starting config from the boards $TRELLO_API_KEY / $TRELLO_TOKEN can see."""
    from .sync import init_command

    init_command(Path(output) if output else None, boards=list(board_refs), database=database, api_url=api_url, force=force)


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="One JSON object of counts.")
@pass_ctx
def status(ctx: Ctx, config_path: str | None, database: str | None, as_json: bool) -> None:
    """What the database holds."""
    _merge(ctx, config_path, database)
    store = ctx.store(must_exist=True)
    counts = store.counts()
    if as_json:
        click.echo(json.dumps(counts, sort_keys=True))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    states = store.sync_states()
    table = Table(title="Boards")
    for col in ("board", "id", "source", "data as of (UTC)", "full history"):
        table.add_column(col)
    for b in store.boards():
        st = states.get(b["id"])
        table.add_row(b["name"] + (" (closed)" if b["closed"] else ""), b["id"], st.source if st else "-",
                      f"{st.synced_at:%Y-%m-%d %H:%M}" if st else "-",
                      "yes" if st and st.history_complete else "no")
    console.print(table)
    console.print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))


@cli.command()
@common_options
@click.option("--online", is_flag=True, help="Also try the credentials and look the boards up on Trello.")
@pass_ctx
def check(ctx: Ctx, config_path: str | None, database: str | None, online: bool) -> None:
    """Validate the config (exit 0 when valid, 2 when not)."""
    _merge(ctx, config_path, database)
    config = ctx.config(required=True)
    assert config is not None
    click.echo(f"{config.source}: OK ({len(config.boards)} board(s), {len(config.people)} people)")
    if online:
        from .sync import check_online

        check_online(config)


@cli.command()
@common_options
@pass_ctx
def rebuild(ctx: Ctx, config_path: str | None, database: str | None) -> None:
    """Re-derive lunches, feedback, goals and commitments from the stored mirror (after a mapping change)."""
    _merge(ctx, config_path, database)
    from .pipeline import rebuild_domain

    names = rebuild_domain(ctx.store(must_exist=True), ctx.config())
    if ctx.verbose:
        click.echo(f"rebuilt {len(names)} board(s)", err=True)


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="trellosync-demo", show_default=True,
              help="Where the PDFs go.")
@click.option("--no-reports", is_flag=True, help="Only load the example and print the summary.")
def demo(out_dir: str, no_reports: bool) -> None:
    """Load the example peer-lunch boards into a temporary database and write every person's reports."""
    from .demo import run_demo

    run_demo(Path(out_dir), reports=not no_reports)


@cli.command()
@common_options
@click.argument("kind", type=click.Choice(list(REPORT_KIND_NAMES)))
@click.argument("names", nargs=-1, metavar="[PERSON]...")
@click.option("--all", "all_people", is_flag=True,
              help="One report for every mapped person (in parallel); showcase: one document for everyone.")
@click.option("--from", "period_from", type=click.DateTime(["%Y-%m-%d"]), help="First day of the period (inclusive).")
@click.option("--to", "period_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the period (inclusive).")
@click.option("-o", "--output", type=click.Path(), help="Output file (a folder with --all).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "json"]), default="pdf", show_default=True,
              help="json prints the report's data (figures and evidence, no prose).")
@click.option("--with", "peer", help="brief: the peer whose pair the brief is for (default: the most active pair).")
@click.option("--board", "board", help="brief: the pair's or peer learning group's board (name or id).")
@click.option("--jobs", type=click.IntRange(min=1), help="Processes for --all (default: every core).")
@pass_ctx
def report(ctx: Ctx, config_path: str | None, database: str | None, kind: str, names: tuple[str, ...],
           all_people: bool, period_from: Any, period_to: Any, output: str | None, fmt: str,
           peer: str | None, board: str | None, jobs: int | None) -> None:
    """Write a report: goals, dossier, brief, advocate (PERSON) or showcase (PEOPLE... or --all: one document)."""
    from .reports import (
        build_context,
        context_as_json,
        default_filename,
        options_from_config,
        render_all,
        render_report,
    )

    ctx = _merge(ctx, config_path, database)
    if all_people == bool(names):
        raise click.UsageError("give either a PERSON or --all")
    if len(names) > 1 and kind != "showcase":
        raise click.UsageError("give one PERSON (several people are for the showcase)")
    person = names[0] if names else None
    start = period_from.date() if period_from else None
    end = period_to.date() if period_to else None
    if start and end and start > end:
        raise click.UsageError(f"--from {start} is after --to {end}")
    if board and kind != "brief":
        raise click.UsageError("--board is for the brief")
    if peer and (kind != "brief" or all_people):
        raise click.UsageError("--with is for the brief of one PERSON")
    if fmt == "json" and all_people and kind != "showcase":
        raise click.UsageError("--format json prints one report: give a PERSON")
    config = ctx.config()
    rc = config.reports if config else None
    options = options_from_config(config, peer=peer, board=board)
    domain = ctx.store(must_exist=True).load_domain()
    if kind == "showcase":
        team = list(names) or [k for k, p in domain.people.items() if p.mapped] or list(domain.people)
        if not team:
            raise ConfigError("nobody to report on: the database holds no people (run `trellosync sync` first)")
        options = replace(options, people=tuple(team))
        person, all_people = team[0], False
    if person is not None:
        built = build_context(kind, person, domain, period_from=start, period_to=end, options=options)
        if fmt == "json":
            click.echo(context_as_json(built))
            return
        if built.empty:
            click.echo(f"warning: no data for {person} in that period; the report says so", err=True)
    out_default = Path(rc.output) if rc else Path("reports")
    if all_people:
        # Without a config nobody is mapped: then every board member is someone to report on.
        people = [k for k, p in domain.people.items() if p.mapped] or list(domain.people)
        if not people:
            raise ConfigError("nobody to report on: the database holds no people (run `trellosync sync` first)")
        paths = render_all(kind, people, domain, out_dir=Path(output) if output else out_default,
                           period_from=start, period_to=end, options=options, fmt=fmt, jobs=jobs)  # type: ignore[arg-type]
    else:
        assert person is not None
        name = default_filename(kind, "team" if kind == "showcase" else person, fmt, options.as_of)  # type: ignore[arg-type]
        out = Path(output) if output else out_default / name
        if out.is_dir():
            out = out / name
        paths = [render_report(kind, person, domain, period_from=start, period_to=end, options=options,
                               fmt=fmt, out=out)]  # type: ignore[arg-type]
    for path in paths:
        click.echo(str(path))


def main() -> None:
    """Entry point: run the CLI, mapping trellosync errors to messages and exit codes."""
    try:
        rv = cli.main(standalone_mode=False)
        if isinstance(rv, int):
            sys.exit(rv)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TrellosyncError as exc:
        click.echo(f"trellosync: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
