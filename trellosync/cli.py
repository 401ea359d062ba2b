"""The `trellosync` command: parses arguments, calls the library, turns errors into messages and exit codes."""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from .config import Config, load_config
from .crashlog import printable
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
    if exports:
        from .locks import acquire_sync_lock
        from .pipeline import import_export

        missing = [p for p in exports if not Path(p).exists()]
        if missing:  # before the database is opened: a usage error leaves no new empty database behind
            raise ConfigError("--from-export: no such file", problems=[str(p) for p in missing])
        store = ctx.store()
        lock = acquire_sync_lock(store.url, wait=wait)  # an import excludes a sync, as a sync does
        try:
            for path in exports:
                r = import_export(store, path, config)
                _warn(r.problems)
                if r.history_only:
                    click.echo(f"{path}: older than what the database holds for {_safe(r.board_name)!r}: only "
                               f"its history was added ({r.actions} actions the database lacked); nothing newer "
                               "changed", err=True)
                elif ctx.verbose:
                    click.echo(f"imported {_safe(r.board_name)}: {r.cards} cards, {r.actions} actions"
                               + ("" if r.mapped else " (default mapping: the board is not in the config)"),
                               err=True)
        finally:
            lock.release()
        return
    from .config import TrelloConfig
    from .sync import sync_boards

    (config.trello if config else TrelloConfig()).credentials()  # one clear message, before any database exists
    fresh = _new_sqlite_file(ctx)
    store = ctx.store()
    view = _SyncView(tty=sys.stderr.isatty(), verbose=ctx.verbose)
    previous = signal.signal(signal.SIGTERM, _terminate)  # SIGTERM stops a sync like Ctrl-C: within seconds
    report, failed = None, True
    try:
        report = sync_boards(config, store, boards=list(boards) or None, full=full, wait=wait, worker=worker,
                             on_event=view.event)
        failed = False
    except TrellosyncError as exc:
        report = getattr(exc, "report", None)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        if report is not None:
            _warn(report.problems)
            view.finish(report)
        if failed and fresh is not None and not (report and any(o.status == "synced" for o in report.outcomes)):
            store.close()
            _remove_new_database(fresh)


def _terminate(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _safe(text: Any) -> str:
    """Text from Trello made harmless for a terminal (escape sequences and control characters shown escaped)."""
    return printable(str(text))


def _warn(problems: Any) -> None:
    """One line per mapping problem on stderr, at every verbosity and under cron: data is being missed."""
    for p in problems or []:
        click.echo(f"warning: {_safe(p)}", err=True)


def _new_sqlite_file(ctx: Ctx) -> Path | None:
    """The SQLite file this command would create (None when it exists already or is not SQLite)."""
    from sqlalchemy.engine import make_url

    from .config import DEFAULT_DATABASE
    from .store import normalize_url

    config = ctx.config()
    url = make_url(normalize_url(ctx.database or (config.database if config else None) or DEFAULT_DATABASE))
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    return None if path.exists() else path


def _remove_new_database(path: Path) -> None:
    """Remove a database file this failed run created, so the failure leaves nothing behind."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


class _SyncView:
    """What `sync` shows: on a terminal each board fetched with its cards and requests as it finishes, then one
    summary line (unchanged boards are counted there); without one (cron) nothing on success; at -v the same."""

    def __init__(self, *, tty: bool, verbose: int) -> None:
        self.show = tty or verbose > 0
        self.tty = tty

    def event(self, kind: str, data: Any) -> None:
        """A progress event from sync_boards."""
        if kind == "notice" and self.tty:
            click.echo(f"  … {_safe(data)}", err=True)
        elif kind == "board" and self.show:
            click.echo(self._line(data), err=True)

    @staticmethod
    def _line(o: Any) -> str:
        if o.status == "failed":
            return f"✗ {_safe(o.error)}"
        if o.status != "synced":
            return f"· {_safe(o.name)}: {o.status}"
        extra = ", full" if o.full else ""
        extra += ", cards paged" if o.paged else ""
        return f"✓ {_safe(o.name)}: {o.cards} cards, {o.actions} new actions, {o.requests} requests{extra}"

    def finish(self, report: Any) -> None:
        """The summary line (only where someone watches)."""
        if self.show:
            click.echo(report.summary(), err=True)


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
    from .config import TrelloConfig
    from .onboard import list_boards

    config = ctx.config()
    listing = list_boards(config.trello if config else TrelloConfig())
    listing.sort(key=lambda b: (bool(b.get("closed")), (b.get("name") or "").lower()))
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    from .console import print_table

    rows = [(b.get("name", "") + (" (closed)" if b.get("closed") else ""), b["id"], b.get("shortLink", ""),
             (b.get("dateLastActivity") or "")[:16].replace("T", " "),
             "yes" if config is not None and config.mapping_for(b) else "") for b in listing]
    print_table(f"{len(listing)} boards", ("name", "id", "shortLink", "last activity", "mapped"), rows)


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
    from .client import client_from_config
    from .config import TrelloConfig
    from .onboard import init_config

    path = Path(output) if output is not None else None
    if path is not None and path.exists() and not force:
        raise ConfigError(f"{path} exists; pass --force to overwrite it or -o to write elsewhere")
    trello = TrelloConfig(api_url=api_url) if api_url else TrelloConfig()
    text = init_config(client_from_config(trello), boards=list(board_refs) or None, database=database,
                       api_url=trello.api_url)
    if path is None:
        sys.stdout.write(text)
        return
    from .files import atomic_write

    atomic_write(path, lambda f: f.write(text.encode("utf-8")))  # owner-only: it may name a database password
    click.echo(f"wrote {path}: review the proposed board mappings, then `trellosync check -c {path} --online`",
               err=True)


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
    figures = store.board_figures()
    if as_json:
        click.echo(json.dumps({**counts, "by_board": figures}, sort_keys=True))
        return
    from .console import print_table

    rows = [(b["name"] + (" (closed)" if b["closed"] else ""), b["id"], str(b["lunches"]), str(b["entries"]),
             str(b["goals"]), str(b["commitments"]),
             (b["synced_at"] or "-").replace("T", " ")[:16] + (f" ({b['source']})" if b["source"] else ""),
             (b["date_last_activity"] or "-").replace("T", " ")[:16], "yes" if b["history_complete"] else "no")
            for b in figures]
    print_table("Boards (what the mapping found)", ("board", "id", "lunches", "entries", "goals", "commitments",
                                                   "last sync (UTC)", "last change", "full history"), rows)
    if sys.stdout.isatty():
        click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()))


@cli.command()
@common_options
@click.option("--online", is_flag=True,
              help="Also try the credentials and check each board's mapping against what the board holds.")
@click.option("--strict", is_flag=True, help="With --online: exit 2 when a mapping name finds nothing.")
@pass_ctx
def check(ctx: Ctx, config_path: str | None, database: str | None, online: bool, strict: bool) -> None:
    """Validate the config (exit 0 when valid, 2 when not).

    \b
    Example:
      trellosync check -c trellosync.yaml --online
    """
    _merge(ctx, config_path, database)
    config = ctx.config(required=True)
    assert config is not None
    click.echo(f"{config.source}: OK ({len(config.boards)} board(s), {len(config.people)} people)")
    if not online:
        return
    from .onboard import check_online

    result = check_online(config, _existing_store(ctx))
    for b, problems in result.boards:
        click.echo(f"board {_safe(b.get('name'))!r} ({b['id']}): visible, last activity {b.get('dateLastActivity')}"
                   + (f"; {len(problems)} mapping problem(s)" if problems else "; mapping OK"))
        for p in problems:
            click.echo(f"  - {_safe(p)}")
    if result.missing:
        raise ConfigError("mapped boards that Trello does not show to this token", problems=result.missing)
    if strict and result.problems:
        raise ConfigError(f"--strict: {len(result.problems)} mapping problem(s)")


def _existing_store(ctx: Ctx) -> Any:
    """The database when it exists (for what the mappings matched before), else None; never creates one."""
    try:
        return ctx.store(must_exist=True)
    except ConfigError:
        return None


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

    problems: list[Any] = []
    names = rebuild_domain(ctx.store(must_exist=True), ctx.config(), problems=problems)
    _warn(problems)
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
@click.argument("kind", type=click.Choice(list(REPORT_KIND_NAMES)))
@click.argument("names", nargs=-1, metavar="[PERSON]...", shell_complete=_complete_person)
@click.option("--all", "all_people", is_flag=True,
              help="One report for every mapped person (in parallel); showcase: one document for everyone.")
@click.option("--from", "period_from", type=click.DateTime(["%Y-%m-%d"]), help="First day of the period (inclusive).")
@click.option("--to", "period_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day of the period (inclusive).")
@click.option("-o", "--output", type=click.Path(),
              help="Output file, its extension (.pdf, .html) choosing the format; a folder with --all.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "json"]),
              help="pdf or html (default: from -o's extension, else pdf); json prints the report's data "
                   "(figures and evidence, no prose).")
@click.option("--with", "peer", help="brief: the peer whose pair the brief is for (default: the most active pair).")
@click.option("--board", "board", help="brief: the pair's or peer learning group's board (name or id).")
@click.option("--jobs", type=click.IntRange(min=1), help="Processes for --all (default: every core).")
@click.option("--force", is_flag=True, help="Overwrite an existing file even if it is not a trellosync report.")
@pass_ctx
def report(ctx: Ctx, config_path: str | None, database: str | None, kind: str, names: tuple[str, ...],
           all_people: bool, period_from: Any, period_to: Any, output: str | None, fmt: str | None,
           peer: str | None, board: str | None, jobs: int | None, force: bool) -> None:
    """Write a report: goals, dossier, brief, advocate (PERSON) or showcase (PEOPLE... or --all: one document).

    Default file names carry the kind, the person and the period (dossier-will-2026-01-01_2026-06-30.pdf),
    in the config's reports.output folder.

    \b
    Examples:
      trellosync report brief jessica --with will
      trellosync report dossier will --from 2026-01-01 --to 2026-06-30 -o will-h1.pdf
      trellosync report goals --all --format html -o reports/
      trellosync report showcase --all --from 2026-07-01 --to 2026-09-30
      trellosync report goals will --format json | jq .figures
    """
    from .files import check_writable_reports
    from .reports import (
        build_context,
        context_as_json,
        default_filename,
        options_from_config,
        render_all,
        render_report,
        report_period,
    )

    ctx = _merge(ctx, config_path, database)
    if all_people == bool(names):
        raise click.UsageError("give either a PERSON or --all")
    if len(names) > 1 and kind != "showcase":
        raise click.UsageError("give one PERSON (several people are for the showcase)")
    person = names[0] if names else None
    if fmt != "json":
        fmt = output_format(output, fmt, folder=all_people and kind != "showcase")
    if fmt == "pdf":
        _pdf_notes()
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
        from .console import report_progress

        out_dir = Path(output) if output else out_default
        check_writable_reports((out_dir / default_filename(kind, p, fmt, options.as_of) for p in people), force=force)  # type: ignore[arg-type]
        with report_progress(len(people)) as tick:
            paths = render_all(kind, people, domain, out_dir=out_dir,
                               period_from=start, period_to=end, options=options, fmt=fmt,  # type: ignore[arg-type]
                               jobs=jobs, progress=tick)
    else:
        assert person is not None
        name = default_filename(kind, "team" if kind == "showcase" else person, fmt,  # type: ignore[arg-type]
                                report_period(kind, person, domain, period_from=start, period_to=end,
                                              options=options))
        out = Path(output) if output else out_default / name
        if out.is_dir():
            out = out / name
        check_writable_reports([out], force=force)  # never `report -o feedback.db` over the database
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
    from .report.render import pdf_library_notes

    for note in pdf_library_notes():
        click.echo(f"trellosync: {note}", err=True)


def main() -> None:
    """Entry point: run the CLI, mapping trellosync errors to messages and exit codes.

    The one error boundary: any other exception becomes one line plus an owner-only crash log that holds
    no exception message (messages can carry a header, a URL or card text), never a traceback.
    """
    from .crashlog import unexpected_error_line

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
        click.echo(printable(f"trellosync: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 (the boundary: anything else is a bug, reported without its message)
        command = next((a for a in sys.argv[1:] if a in cli.commands), "")
        click.echo(unexpected_error_line(exc, command), err=True)
        sys.exit(1)
