"""The `trellosync` command: parses arguments, calls the library, turns errors into messages and exit codes."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .config import Config, load_config
from .errors import ConfigError, TrellosyncError

DEFAULT_CONFIG_NAMES = ("trellosync.yaml", "trellosync.yml")


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
    from .logs import setup_logging

    setup_logging(verbose)


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


def _complete_person(click_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[Any]:
    """PERSON completions: the people in the database named by -c/--database (or the default one)."""
    from click.shell_completion import CompletionItem

    params: dict[str, Any] = {}
    for c in (click_ctx.parent, click_ctx):
        params.update({k: v for k, v in (c.params if c else {}).items() if v})
    try:
        store = Ctx(params.get("config_path"), params.get("database"), 0).store(must_exist=True)
        try:
            people = store.people_names()
        finally:
            store.close()
        return [CompletionItem(key, help=name) for key, name in people if key.startswith(incomplete)]
    except Exception:  # noqa: BLE001 - completion must never print a traceback into the user's shell
        return []


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
    """Pull the mapped boards from Trello (or import exports) into the database.

    \b
    Examples:
      trellosync sync -c trellosync.yaml
      trellosync sync --from-export board.json --database try.db
    """
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
    """What the token can see: name, id, last activity (one request).

    \b
    Example:
      TRELLO_API_KEY=... TRELLO_TOKEN=... trellosync boards
    """
    _merge(ctx, config_path, database)
    from .sync import boards_command

    boards_command(ctx.config(), as_json=as_json)


@cli.command()
@click.option("-o", "--output", "-c", "--config", "output", type=click.Path(dir_okay=False), default=None,
              help="Write the config to this file (default: standard output).")
@click.option("--board", "board_refs", multiple=True, help="Only this board (url, shortLink, id or name).")
@click.option("--database", "database", default="sqlite:///trellosync.db", show_default=True,
              help="The database the new config names.")
@click.option("-v", "--verbose", count=True, expose_value=False, callback=_more_verbose,
              help="-v for progress details, -vv for debug logging.")
@click.option("--api-url", default=None, help="Trello API base URL (default https://api.trello.com/1).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(output: str | None, board_refs: tuple[str, ...], database: str, api_url: str | None, force: bool) -> None:
    """Write a starting config from the boards $TRELLO_API_KEY / $TRELLO_TOKEN can see.

    \b
    Examples:
      trellosync init > trellosync.yaml
      trellosync init -c trellosync.yaml --database postgresql://trellosync@db/trellosync
    """
    from .sync import init_command

    init_command(Path(output) if output else None, boards=list(board_refs), database=database, api_url=api_url, force=force)


@cli.command()
@common_options
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: the counts, and per board (by_board) its figures and sync times.")
@pass_ctx
def status(ctx: Ctx, config_path: str | None, database: str | None, as_json: bool) -> None:
    """What the database holds (piped: plain tab-separated columns).

    \b
    Examples:
      trellosync status -c trellosync.yaml
      trellosync status --json | jq '.by_board[] | {name, cards, synced_at}'
    """
    _merge(ctx, config_path, database)
    store = ctx.store(must_exist=True)
    counts = store.counts()
    if as_json:
        click.echo(json.dumps({**counts, "by_board": store.board_figures()}, sort_keys=True))
        return
    from .console import print_table

    states = store.sync_states()
    rows = []
    for b in store.boards():
        st = states.get(b["id"])
        rows.append((b["name"] + (" (closed)" if b["closed"] else ""), b["id"], st.source if st else "-",
                     f"{st.synced_at:%Y-%m-%d %H:%M}" if st else "-", "yes" if st and st.history_complete else "no"))
    print_table("Boards", ("board", "id", "source", "data as of (UTC)", "full history"), rows)
    if sys.stdout.isatty():
        click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))


@cli.command()
@common_options
@click.option("--online", is_flag=True, help="Also try the credentials and look the boards up on Trello.")
@pass_ctx
def check(ctx: Ctx, config_path: str | None, database: str | None, online: bool) -> None:
    """Validate the config (exit 0 when valid, 2 when not).

    \b
    Example:
      trellosync check -c trellosync.yaml --online
    """
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
    """Re-derive lunches, feedback, goals and commitments from the stored mirror (after a mapping change).

    \b
    Example:
      trellosync rebuild -c trellosync.yaml -v
    """
    _merge(ctx, config_path, database)
    from .pipeline import rebuild_domain

    names = rebuild_domain(ctx.store(must_exist=True), ctx.config())
    if ctx.verbose:
        click.echo(f"rebuilt {len(names)} board(s)", err=True)


@cli.command()
@common_options
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="trellosync-demo", show_default=True,
              help="Where the PDFs go.")
@click.option("--no-reports", is_flag=True, help="Only load the example and print the summary.")
@pass_ctx
def demo(ctx: Ctx, config_path: str | None, database: str | None, out_dir: str, no_reports: bool) -> None:
    """Load the example peer-lunch boards into a temporary database and write every person's reports.

    With --database the example stays in that database; with -c FILE the example's config is written to FILE
    (pointing at that database), so the other commands can be tried on it.

    \b
    Examples:
      trellosync demo
      trellosync demo -c demo.yaml --database demo.db && trellosync status -c demo.yaml
    """
    from .console import report_progress
    from .demo import run_demo

    _merge(ctx, None, database)
    config_out = config_path or ctx.config_path
    run_demo(Path(out_dir), reports=not no_reports, database=ctx.database,
             config_out=Path(config_out) if config_out else None, progress=report_progress)


@cli.command()
@common_options
@click.argument("kind", type=click.Choice(["goals", "dossier", "brief"]))
@click.argument("person", required=False, shell_complete=_complete_person)
@click.option("--all", "all_people", is_flag=True, help="One report for every mapped person (in parallel).")
@click.option("--from", "period_from", type=click.DateTime(["%Y-%m-%d"]), help="First day of the period (inclusive).")
@click.option("--to", "period_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the period (inclusive).")
@click.option("-o", "--output", type=click.Path(),
              help="Output file, its extension (.pdf, .html) choosing the format; a folder with --all.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html"]),
              help="pdf or html (default: from -o's extension, else pdf).")
@click.option("--jobs", type=click.IntRange(min=1), help="Processes for --all (default: every core).")
@pass_ctx
def report(ctx: Ctx, config_path: str | None, database: str | None, kind: str, person: str | None,
           all_people: bool, period_from: Any, period_to: Any, output: str | None, fmt: str | None,
           jobs: int | None) -> None:
    """Write a goal-achievement report, promotion dossier or conversation brief (PDF or HTML).

    Default file names carry the kind, the person and the period (dossier-will-2026-01-01_2026-06-30.pdf),
    in the config's reports.output folder.

    \b
    Examples:
      trellosync report brief jessica
      trellosync report dossier will --from 2026-01-01 --to 2026-06-30 -o will-h1.pdf
      trellosync report goals --all --format html -o reports/
    """
    from .reports import default_filename, options_from_config, render_all, render_report, report_period

    ctx = _merge(ctx, config_path, database)
    if all_people == (person is not None):
        raise click.UsageError("give either a PERSON or --all")
    fmt = output_format(output, fmt, folder=all_people)
    if fmt == "pdf":
        _pdf_notes()
    config = ctx.config()
    rc = config.reports if config else None
    options = options_from_config(config)
    start = period_from.date() if period_from else None
    end = period_to.date() if period_to else None
    domain = ctx.store(must_exist=True).load_domain()
    out_default = Path(rc.output) if rc else Path("reports")
    if all_people:
        # Without a config nobody is mapped: then every board member is someone to report on.
        people = [k for k, p in domain.people.items() if p.mapped] or list(domain.people)
        if not people:
            raise ConfigError("nobody to report on: the database holds no people (run `trellosync sync` first)")
        from .console import report_progress

        with report_progress(len(people)) as tick:
            paths = render_all(kind, people, domain, out_dir=Path(output) if output else out_default,
                               period_from=start, period_to=end, options=options, fmt=fmt,  # type: ignore[arg-type]
                               jobs=jobs, progress=tick)
    else:
        assert person is not None
        name = default_filename(kind, person, fmt, report_period(  # type: ignore[arg-type]
            kind, person, domain, period_from=start, period_to=end, options=options))
        out = Path(output) if output else out_default / name
        if out.is_dir():
            out = out / name
        paths = [render_report(kind, person, domain, period_from=start, period_to=end, options=options,
                               fmt=fmt, out=out)]  # type: ignore[arg-type]
    for path in paths:
        click.echo(str(path))


FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def output_format(output: str | None, fmt: str | None, *, folder: bool = False) -> str:
    """--format, else the extension of -o, else pdf; a --format that contradicts -o is a usage error."""
    suffix = Path(output).suffix.lower() if output and not folder and not Path(output).is_dir() else ""
    implied = FORMATS.get(suffix)
    if fmt and implied and fmt != implied:
        raise click.UsageError(f"-o {output} names a .{implied} file but --format is {fmt}")
    if suffix and not implied and not fmt:
        raise click.UsageError(f"cannot tell the format from {suffix!r}: name the file .pdf or .html, or pass --format")
    return fmt or implied or "pdf"


def _pdf_notes() -> None:
    """Say once, before PDFs are rendered, what missing system library makes them slower (or fail)."""
    from .render import pdf_library_notes

    for note in pdf_library_notes():
        click.echo(f"trellosync: {note}", err=True)


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
