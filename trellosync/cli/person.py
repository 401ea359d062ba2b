"""The people's rights on the command line: `person export`, `person forget` and `log`. Thin: the record comes
from `store.rights`, the erasure from `sync.forget`, the document from `report.subject_access`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from trellosync.cli.console import print_table
from trellosync.cli.context import Ctx, common_options, complete_person, merge, pass_ctx
from trellosync.errors import ConfigError


def _person(ctx: Ctx, typed: str) -> str:
    """The person key for what was typed (key, name or Trello username), or a clear error."""
    from trellosync.cli.report import person_key
    from trellosync.report.documents import UnknownPersonError

    domain = ctx.store(must_exist=True).load_domain()
    key = person_key(typed, domain)
    if key not in domain.people:
        raise UnknownPersonError(typed, sorted(domain.people))
    return key


@click.group(short_help="Export everything held about a person, or forget them.")
@common_options
@pass_ctx
def person(ctx: Ctx, config_path: str | None, database: str | None) -> None:
    """Subject access (export) and erasure (forget) for one person.

    \b
    Examples:
      trellosync person export will -o ./will-sar
      trellosync person forget will            # a dry run: what would change
      trellosync person forget will --yes
    """
    merge(ctx, config_path, database)


@person.command(short_help="Write everything held about or by PERSON as JSON and PDF.")
@common_options
@click.argument("name", metavar="PERSON", shell_complete=complete_person)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False),
    required=True,
    help="The folder the JSON and PDF files go into (created owner-only).",
)
@pass_ctx
def export(ctx: Ctx, config_path: str | None, database: str | None, name: str, out_dir: str) -> None:
    """Write everything the database holds about or by PERSON (subject access): every entry about them and by
    them with its source, goals, commitments, promises, self-reviews, stakeholder feedback, replies, comments and
    the reports written about them. Other people's words about third parties are left out.

    \b
    Example:
      trellosync person export will -o ./will-sar
    """
    merge(ctx, config_path, database)
    from trellosync.report.documents import report_record
    from trellosync.report.subject_access import export_files
    from trellosync.store.rights import log_report, subject_record

    key = _person(ctx, name)
    store, config = ctx.store(must_exist=True), ctx.config()
    record = subject_record(store.engine, key)
    json_path, pdf_path = export_files(
        record,
        Path(out_dir),
        timezone_name=config.timezone if config else "UTC",
        templates_dir=config.reports.templates if config else None,
    )
    for path, fmt in ((json_path, "json"), (pdf_path, "pdf")):
        log_report(store.engine, report_record("subject-access", key, None, fmt, path=path))
        click.echo(str(path))


@person.command(short_help="Erase or pseudonymise PERSON everywhere (a dry run without --yes).")
@common_options
@click.argument("name", metavar="PERSON", shell_complete=complete_person)
@click.option("--yes", is_flag=True, help="Do it (without: only list what would change).")
@pass_ctx
def forget(ctx: Ctx, config_path: str | None, database: str | None, name: str, yes: bool) -> None:
    """Forget PERSON: what is about them is removed from the mirror, the domain and the report log; what they
    said about others stays as "Former colleague"; later syncs keep them out. Without --yes, a dry run.

    \b
    Examples:
      trellosync person forget will
      trellosync person forget will --yes && trellosync check
    """
    merge(ctx, config_path, database)
    from trellosync.sync.forget import forget_person, plan_forget

    key = _person(ctx, name)
    store, config = ctx.store(must_exist=True, derive=True), ctx.config()
    plan = plan_forget(store, config, key)
    for line in plan.lines():
        click.echo(("" if yes else "would ") + line)
    if not yes:
        click.echo("dry run: nothing changed; pass --yes to forget them", err=True)
        return
    forget_person(store, config, plan)
    click.echo(f"forgotten: {key} is now {plan.pseudonym}", err=True)
    if config is not None and key in config.people:
        click.echo(
            f"note: remove people.{key} from {config.source} (and their name from board references): the "
            "database already ignores them, the config still names them",
            err=True,
        )


@click.command(name="log", short_help="Who wrote which report about whom, and when.")
@common_options
@click.option(
    "--person",
    "name",
    help="Only reports about this person (a team document counts for each).",
    shell_complete=complete_person,
)
@click.option("--json", "as_json", is_flag=True, help="One JSON array.")
@pass_ctx
def log_command(
    ctx: Ctx, config_path: str | None, database: str | None, name: str | None, as_json: bool
) -> None:
    """List every report written: when, by which system user, kind, about whom, period, format and SHA-256.

    \b
    Examples:
      trellosync log
      trellosync log --person will --json
    """
    merge(ctx, config_path, database)
    from trellosync.store.rights import report_log

    key = _person(ctx, name) if name else None
    rows = report_log(ctx.store(must_exist=True).engine, key)
    if as_json:
        click.echo(json.dumps(rows, default=str, indent=2))
        return
    print_table(
        f"{len(rows)} report(s) written",
        ("written (UTC)", "by", "kind", "person", "period", "format", "sha256"),
        [
            (
                str(r["written_at"])[:19],
                r["os_user"],
                r["kind"],
                r["person"],
                f"{r['period_start'] or ''}..{r['period_end'] or ''}" if r["period_start"] else "-",
                r["format"],
                r["sha256"][:16],
            )
            for r in rows
        ],
    )


def check_rights(ctx: Ctx) -> list[str]:
    """What `check` says about the people's rights: the retention policy, erased people the config still names,
    and people Trello no longer shows (account deleted, or gone from every mapped board)."""
    config = ctx.config(required=True)
    assert config is not None
    lines = [f"retention: {config.retention.describe()}"]
    try:
        store = ctx.store(must_exist=True)
    except ConfigError:
        return lines
    from sqlalchemy import inspect

    if "erasures" not in inspect(store.engine).get_table_names():
        return lines
    from trellosync.store.rights import departed_people
    from trellosync.sync.rights import forgotten, now_utc

    with store.engine.connect() as conn:
        gone = forgotten(conn, config)
    for key in sorted(gone.config_keys):
        lines.append(
            f"warning: people.{key} was forgotten ({gone.config_keys[key].erased_at:%Y-%m-%d}); the database "
            "ignores them: remove them from the config"
        )
    now = now_utc()
    for d in departed_people(store.engine, config.retention.left_after_days, now):
        action = (
            "the next sync forgets them"
            if config.retention.departed == "forget"
            else "kept (retention.departed: keep)"
        )
        lines.append(f"departed: {d.describe(now)}; {action}")
    return lines


def forget_departed_people(store: object, config: object) -> None:
    """After a sync, with `retention.departed: forget`: forget the people Trello no longer shows (one line each)."""
    from trellosync.sync.forget import forget_departed

    for key in forget_departed(store, config):  # type: ignore[arg-type]
        click.echo(f"forgot {key}: Trello no longer shows them (retention.departed: forget)", err=True)
