"""The `trellosync` command: parses arguments, calls the library, turns errors into messages and exit codes."""

from __future__ import annotations

import json
import signal
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from trellosync.cli.console import SyncView, pdf_notes, print_table, report_progress, safe, warn
from trellosync.cli.context import (
    Ctx,
    common_options,
    complete_person,
    config_options,
    database_url,
    existing_store,
    merge,
    more_verbose,
    new_sqlite_file,
    pass_ctx,
    remove_new_database,
    start_logging,
)
from trellosync.cli.crashlog import printable
from trellosync.cli.person import check_rights, forget_departed_people, log_command, person
from trellosync.cli.prepare import calendar, prepare, run_prepare
from trellosync.cli.report import (
    ReportJob,
    checked_period,
    person_key,
    print_json_or_warn,
    report_format,
    report_people,
    showcase_team,
    write_all,
    write_one,
)
from trellosync.cli.sync import board_unread, import_exports, print_unread, terminate
from trellosync.cli.verify import verify
from trellosync.domain.meetings import meetings_label
from trellosync.errors import ConfigError, TrellosyncError
from trellosync.report.kinds import kind_names

REPORT_KIND_NAMES = kind_names()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@config_options
@click.option("-v", "--verbose", count=True, help="-v for progress details, -vv for debug logging.")
@click.version_option(package_name="trellosync")
@click.pass_context
def cli(click_ctx: click.Context, config_path: str | None, database: str | None, verbose: int) -> None:
    """Sync peer-feedback-lunch Trello boards and turn them into PDF reports."""
    start_logging(verbose)
    click_ctx.obj = Ctx(config_path, database, verbose)


@cli.command(short_help="Pull the mapped boards (or import exports) into the database.")
@common_options
@click.option(
    "--from-export",
    "exports",
    multiple=True,
    type=click.Path(dir_okay=False),
    help="Import a board's JSON export (Trello: Menu > Print and export > Export as JSON). Repeatable.",
)
@click.option(
    "--board", "boards", multiple=True, help="Only this board (url, shortLink, id or name). Repeatable."
)
@click.option("--full", is_flag=True, help="Ignore bookmarks: re-read every board and its whole history.")
@click.option("--wait", is_flag=True, help="Wait for a running sync to finish instead of exiting.")
@click.option(
    "--worker",
    is_flag=True,
    help="PostgreSQL: share the boards with other `sync --worker` runs (each board synced by one).",
)
@click.option(
    "--prepare",
    "then_prepare",
    is_flag=True,
    help="Then `prepare`: print the next lunch cards to make (with --apply: make them).",
)
@click.option("--apply", is_flag=True, help="With --prepare: write the next lunch cards to Trello.")
@pass_ctx
def sync(
    ctx: Ctx,
    config_path: str | None,
    database: str | None,
    exports: tuple[str, ...],
    boards: tuple[str, ...],
    full: bool,
    wait: bool,
    worker: bool,
    then_prepare: bool,
    apply: bool,
) -> None:
    """Pull the mapped boards from Trello (or import exports) into the database.

    \b
    Examples:
      trellosync sync -c trellosync.yaml
      trellosync sync --from-export board.json --database try.db
    """
    merge(ctx, config_path, database)
    config = ctx.config()
    if apply and not then_prepare:
        raise click.UsageError("--apply writes the lunches `--prepare` plans: pass both")
    if then_prepare and (exports or config is None):
        raise click.UsageError("--prepare needs a config and a sync from Trello (not --from-export)")
    if exports:
        if boards or full or worker:  # they choose what to pull from Trello; an import reads only its files
            raise click.UsageError(
                "--from-export imports only the files named: --board, --full and --worker "
                "are for a sync from Trello"
            )
        import_exports(ctx, config, exports, wait=wait)
        return
    from trellosync.config.settings import TrelloConfig
    from trellosync.sync.run import sync_boards
    from trellosync.trello.client import client_from_config

    # The credentials are checked (one clear message, before any database exists) and read once per run.
    client = client_from_config(config.trello if config else TrelloConfig())
    if (
        worker and database_url(ctx).get_backend_name() != "postgresql"
    ):  # claims are PostgreSQL advisory locks
        raise click.UsageError(
            "--worker splits the boards between syncs through a PostgreSQL database; "
            "with SQLite, run one `trellosync sync`"
        )
    fresh = new_sqlite_file(ctx)
    store = ctx.store(derive=True)
    view = SyncView(tty=sys.stderr.isatty(), verbose=ctx.verbose)
    previous = signal.signal(signal.SIGTERM, terminate)  # SIGTERM stops a sync like Ctrl-C: within seconds
    report, failed = None, True
    try:
        report = sync_boards(
            config,
            store,
            boards=list(boards) or None,
            full=full,
            wait=wait,
            worker=worker,
            client=client,
            on_event=view.event,
        )
        failed = False
        forget_departed_people(store, config)
    except TrellosyncError as exc:
        report = getattr(exc, "report", None)
        raise
    finally:
        signal.signal(signal.SIGTERM, previous)
        if report is not None:
            warn(report.problems)
            view.finish(report)
            if ctx.verbose and not failed:
                print_unread(
                    store,
                    config,
                    [
                        o.board_id
                        for o in report.outcomes
                        if o.board_id and o.status in ("synced", "unchanged")
                    ],
                )
        if (
            failed
            and fresh is not None
            and not (report and any(o.status == "synced" for o in report.outcomes))
        ):
            store.close()
            remove_new_database(fresh)
    if then_prepare:
        assert config is not None
        run_prepare(ctx, config, apply=apply, on_day=None, client=client)


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
    merge(ctx, config_path, database)
    from trellosync.config.settings import TrelloConfig
    from trellosync.sync.onboard import list_boards

    config = ctx.config()
    listing = list_boards(config.trello if config else TrelloConfig())
    listing.sort(key=lambda b: (bool(b.get("closed")), (b.get("name") or "").lower()))
    if as_json:
        click.echo(json.dumps(listing, indent=2))
        return
    rows = [
        (
            b.get("name", "") + (" (closed)" if b.get("closed") else ""),
            b["id"],
            b.get("shortLink", ""),
            (b.get("dateLastActivity") or "")[:16].replace("T", " "),
            "yes" if config is not None and config.mapping_for(b) else "",
        )
        for b in listing
    ]
    print_table(
        f"{len(listing)} boards",
        ("name", "id", "shortLink", "last activity", "mapped"),
        rows,
        optional=("last activity", "shortLink"),
    )


@cli.command(short_help="Write a starting config from the boards the token can see.")
@click.option(
    "-o",
    "--output",
    "-c",
    "--config",
    "output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the config to this file (default: standard output).",
)
@click.option("--board", "board_refs", multiple=True, help="Only this board (url, shortLink, id or name).")
@click.option(
    "--database",
    "database",
    default=None,
    help="The database the new config names (default: sqlite:///trellosync.db).",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    expose_value=False,
    callback=more_verbose,
    help="-v for progress details, -vv for debug logging.",
)
@click.option("--api-url", default=None, help="Trello API base URL (default https://api.trello.com/1).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_ctx
def init(
    ctx: Ctx,
    output: str | None,
    board_refs: tuple[str, ...],
    database: str | None,
    api_url: str | None,
    force: bool,
) -> None:
    """Write a starting config from the boards $TRELLO_API_KEY / $TRELLO_TOKEN can see.

    \b
    Examples:
      trellosync init > trellosync.yaml
      trellosync init -c trellosync.yaml --database postgresql://trellosync@db/trellosync
    """
    from trellosync.config.settings import DEFAULT_DATABASE, TrelloConfig
    from trellosync.sync.onboard import init_config
    from trellosync.trello.client import client_from_config

    output, database = output or ctx.config_path, database or ctx.database or DEFAULT_DATABASE  # `-c F init`
    path = Path(output) if output is not None else None
    if path is not None and path.exists() and not force:
        raise ConfigError(f"{path} exists; pass --force to overwrite it or -o to write elsewhere")
    trello = TrelloConfig(api_url=api_url) if api_url else TrelloConfig()
    text = init_config(
        client_from_config(trello), boards=list(board_refs) or None, database=database, api_url=trello.api_url
    )
    if path is None:
        sys.stdout.write(text)
        return
    from trellosync.files import atomic_write

    atomic_write(path, lambda f: f.write(text.encode("utf-8")))  # owner-only: it may name a database password
    click.echo(
        f"wrote {path}: review the proposed board mappings, then `trellosync check -c {path} --online`",
        err=True,
    )


@cli.command()
@common_options
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object: the counts, and per board (by_board) its figures and sync times.",
)
@pass_ctx
def status(ctx: Ctx, config_path: str | None, database: str | None, as_json: bool) -> None:
    """What the database holds (piped: plain tab-separated columns).

    \b
    Examples:
      trellosync status -c trellosync.yaml
      trellosync status --json | jq '.by_board[] | {name, cards, synced_at}'
    """
    merge(ctx, config_path, database)
    store = ctx.store(must_exist=True)
    counts = store.counts()
    figures = store.board_figures()
    unread = board_unread(store, ctx.config(), [b["id"] for b in figures])
    if as_json:
        for b in figures:
            b["unread"] = unread[b["id"]].as_json() if unread.get(b["id"]) is not None else None
        click.echo(json.dumps({**counts, "by_board": figures}, sort_keys=True))
        return
    rows = [
        (
            b["name"] + (" (closed)" if b["closed"] else ""),
            b["id"],
            meetings_label(b["meeting_kind"], b["meetings"]),
            str(b["entries"]),
            str(b["goals"]),
            str(b["commitments"]),
            (b["synced_at"] or "-").replace("T", " ")[:16] + (f" ({b['source']})" if b["source"] else ""),
            (b["date_last_activity"] or "-").replace("T", " ")[:16],
            "yes" if b["history_complete"] else "no",
        )
        for b in figures
    ]
    print_table(
        "Boards (what the mapping found)",
        (
            "board",
            "id",
            "meetings",
            "entries",
            "goals",
            "commitments",
            "last sync (UTC)",
            "last change",
            "full history",
        ),
        rows,
        optional=("id", "last change", "full history", "last sync (UTC)"),
    )
    for b in figures:
        if u := unread.get(b["id"]):
            click.echo(f"board {safe(b['name'])!r}: {safe(u)}", err=True)
    if sys.stdout.isatty():
        import shutil
        import textwrap

        click.echo(
            textwrap.fill(
                ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()),
                shutil.get_terminal_size().columns,
            )
        )


@cli.command()
@common_options
@click.option(
    "--online",
    is_flag=True,
    help="Also try the credentials and check each board's mapping against what the board holds.",
)
@click.option("--strict", is_flag=True, help="With --online: exit 2 when a mapping name finds nothing.")
@pass_ctx
def check(ctx: Ctx, config_path: str | None, database: str | None, online: bool, strict: bool) -> None:
    """Validate the config (exit 0 when valid, 2 when not).

    \b
    Example:
      trellosync check -c trellosync.yaml --online
    """
    merge(ctx, config_path, database)
    config = ctx.config(required=True)
    assert config is not None
    click.echo(f"{config.source}: OK ({len(config.boards)} board(s), {len(config.people)} people)")
    for line in check_rights(ctx):
        click.echo(line)
    if not online:
        return
    from trellosync.sync.onboard import check_online

    result = check_online(config, existing_store(ctx))
    for b, problems in result.boards:
        when = (b.get("dateLastActivity") or "-")[:16].replace("T", " ")  # as `boards` shows it
        click.echo(
            f"board {safe(b.get('name'))!r} ({b['id']}): visible, last activity {when} UTC"
            + (f"; {len(problems)} mapping problem(s)" if problems else "; mapping OK")
        )
        for p in problems:
            click.echo(f"  - {safe(p)}")
        for w in result.warnings.get(b["id"], []):
            click.echo(f"  - warning: {safe(w)}")
        if unread := result.unread.get(b["id"]):
            click.echo(f"  - {safe(unread)}")
    if result.missing:
        raise ConfigError("mapped boards that Trello does not show to this token", problems=result.missing)
    if strict and result.problems:
        raise ConfigError(f"--strict: {len(result.problems)} mapping problem(s)")


@cli.command(short_help="Re-derive the domain from the stored mirror (mapping change).")
@common_options
@pass_ctx
def rebuild(ctx: Ctx, config_path: str | None, database: str | None) -> None:
    """Re-derive lunches, feedback, goals and commitments from the stored mirror (after a mapping change).

    \b
    Example:
      trellosync rebuild -c trellosync.yaml -v
    """
    merge(ctx, config_path, database)
    from trellosync.sync.pipeline import rebuild_domain

    problems: list[Any] = []
    names = rebuild_domain(ctx.store(must_exist=True, derive=True), ctx.config(), problems=problems)
    warn(problems)
    if ctx.verbose:
        click.echo(f"rebuilt {len(names)} board(s)", err=True)


@cli.command(short_help="Load the example boards and write every report (no account).")
@common_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="trellosync-demo",
    show_default=True,
    help="Where the PDFs go.",
)
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
    from trellosync.cli.demo import run_demo

    merge(ctx, None, database)
    config_out = config_path or ctx.config_path
    run_demo(
        Path(out_dir),
        reports=not no_reports,
        database=ctx.database,
        config_out=Path(config_out) if config_out else None,
        progress=report_progress,
    )


@cli.command(short_help="Write a report: goals, dossier, brief, advocate or showcase.")
@common_options
@click.argument("kind", type=click.Choice(list(REPORT_KIND_NAMES)))
@click.argument("names", nargs=-1, metavar="[PERSON]...", shell_complete=complete_person)
@click.option(
    "--all",
    "all_people",
    is_flag=True,
    help="One report for every mapped person (in parallel); showcase: one document for everyone.",
)
@click.option(
    "--from",
    "period_from",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="First day of the period (inclusive).",
)
@click.option(
    "--to",
    "period_to",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Last day of the period (inclusive).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Output file, its extension (.pdf, .html, .json) choosing the format; a folder with --all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "html", "json"]),
    help="pdf, html or json (default: from -o's extension, else pdf); json is the report's data "
    "(figures and evidence, no prose), printed without -o.",
)
@click.option(
    "--with", "peer", help="brief: the peer whose pair the brief is for (default: the most active pair)."
)
@click.option("--board", "board", help="brief: the pair's or peer learning group's board (name or id).")
@click.option("--jobs", type=click.IntRange(min=1), help="Processes for --all (default: every core).")
@click.option(
    "--force", is_flag=True, help="Overwrite an existing file even if it is not a trellosync report."
)
@click.option(
    "--pdf-variant",
    type=click.Choice(["pdf/ua-1", "pdf/a-3u", "none"]),
    help="pdf/ua-1: tagged for screen readers (default: reports.pdf_variant, else this); pdf/a-3u: also "
    "PDF/A-3 for an archive, carrying its data for `trellosync verify`; none: untagged.",
)
@pass_ctx
def report(
    ctx: Ctx,
    config_path: str | None,
    database: str | None,
    kind: str,
    names: tuple[str, ...],
    all_people: bool,
    period_from: Any,
    period_to: Any,
    output: str | None,
    fmt: str | None,
    peer: str | None,
    board: str | None,
    jobs: int | None,
    force: bool,
    pdf_variant: str | None,
) -> None:
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
      trellosync report dossier will --pdf-variant pdf/a-3u && trellosync verify reports/dossier-will-*.pdf
    """
    from trellosync.report.documents import options_from_config
    from trellosync.store.rights import report_logger

    ctx = merge(ctx, config_path, database)
    fmt = report_format(kind, names, all_people, output, fmt)
    if fmt == "pdf":
        pdf_notes()
    elif pdf_variant:
        raise click.UsageError(f"--pdf-variant is for PDF output, and this report is {fmt}")
    start, end = checked_period(kind, all_people, fmt, period_from, period_to, peer=peer, board=board)
    config = ctx.config()
    domain = ctx.stored_domain(
        None if all_people else lambda people: report_people(kind, names, peer, people)
    )
    names, peer = tuple(person_key(n, domain) for n in names), peer and person_key(peer, domain)
    options = options_from_config(
        config, peer=peer, board=board, **({"pdf_variant": pdf_variant} if pdf_variant else {})
    )
    person = names[0] if names else None
    if kind == "showcase":
        team = showcase_team(names, domain)
        options, person, all_people = replace(options, people=tuple(team)), team[0], False
    job = ReportJob(kind, domain, start, end, options, fmt, record=report_logger(ctx.store(must_exist=True)))
    if person is not None and print_json_or_warn(job, person, output, force=force):
        return
    out_default = Path(config.reports.output) if config else Path("reports")
    if all_people:
        paths = write_all(job, Path(output) if output else out_default, jobs=jobs, force=force)
    else:
        assert person is not None
        paths = [write_one(job, person, output, out_default, force=force)]
    for path in paths:
        click.echo(str(path))


cli.add_command(person)
cli.add_command(log_command)
cli.add_command(prepare)
cli.add_command(calendar)
cli.add_command(verify)


def main() -> None:
    """Entry point: run the CLI, mapping trellosync errors to messages and exit codes.

    The one error boundary: any other exception becomes one line plus an owner-only crash log that holds
    no exception message (messages can carry a header, a URL or card text), never a traceback.
    """
    from trellosync.cli.crashlog import unexpected_error_line

    try:
        rv = cli.main(standalone_mode=False)
        if isinstance(rv, int):
            sys.exit(rv)
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C (and our SIGTERM) into Abort
        click.echo("trellosync: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except TrellosyncError as exc:
        click.echo(printable(f"trellosync: {exc}"), err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # noqa: BLE001 (the boundary: anything else is a bug, reported without its message)
        command = next((a for a in sys.argv[1:] if a in cli.commands), "")
        click.echo(unexpected_error_line(exc, command), err=True)
        sys.exit(1)
