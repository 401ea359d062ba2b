"""The `prepare` and `calendar` commands (and `sync --prepare`): the plan printed, or written and printed."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import click

from trellosync.cli.console import safe
from trellosync.cli.context import Ctx, common_options, complete_person, merge, pass_ctx
from trellosync.config.settings import Config
from trellosync.errors import ConfigError

ON_OPTION = click.option(
    "--on",
    "on_day",
    type=click.DateTime(["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Plan as if today were this day (default: today in the config's timezone).",
)


def _print_prepared(p: Any, written: Any = None) -> None:
    """The lines of one prepared lunch: board, card, checklist, items (what was written, or would be)."""
    card = f"card {safe(p.card_name)!r}"
    if p.card_id is None:
        head = ("created " if written else "new ") + card + f", due {p.day}"
        if written is not None:
            head += f" ({written.card_id})"
    else:
        head = f"existing {card} ({p.card_id}), {p.noun} of {p.day}"
    click.echo(f"board {safe(p.board_name)!r}: {head}")
    if p.checklist:
        click.echo(f'  checklist "How did it go?" ({len(p.items)} item(s)):')
        for item in p.items:
            click.echo(f"  - {safe(item.text)}")
    else:
        click.echo(f"  no checklist: no commitment, promise or focus point is due by the {p.noun}")


def run_prepare(ctx: Ctx, config: Config, *, apply: bool, on_day: date | None, client: Any = None) -> None:
    """Plan from the database; print it (dry run) or write it to Trello and print what was written."""
    from trellosync.sync.prepare_run import apply_plan, load_plan

    store = ctx.store(must_exist=True)
    if not apply:
        plan = load_plan(store, config, today=on_day)
        _notes(ctx, plan)
        if plan.lunches:
            click.echo(
                f"dry run: {len(plan.lunches)} lunch(es) to prepare in {sum(p.writes for p in plan.lunches)} "
                "request(s); nothing was written (--apply writes)"
            )
        for p in plan.lunches:
            _print_prepared(p)
        return
    from trellosync.store.locks import acquire_sync_lock
    from trellosync.trello.client import client_from_config

    client = client or client_from_config(config.trello)  # credentials checked before anything is planned
    lock = acquire_sync_lock(store.url)  # two runs never write the same lunch
    try:
        plan = load_plan(store, config, today=on_day)
        _notes(ctx, plan)
        written = apply_plan(client, store, plan, on_written=lambda w: _print_prepared(w.prepared, w))
    finally:
        lock.release()
    if written:
        click.echo(f"wrote {len(written)} lunch(es) in {sum(w.requests for w in written)} request(s)")


def _notes(ctx: Ctx, plan: Any) -> None:
    """At -v, why each board without a lunch to prepare has none."""
    if ctx.verbose:
        for note in plan.notes:
            click.echo(safe(note), err=True)
    elif not plan.lunches and sys.stdout.isatty():
        click.echo("nothing to prepare (-v says why, per board)")


@click.command(short_help="Make each pair's next lunch card on Trello (dry run by default).")
@common_options
@click.option("--apply", is_flag=True, help="Write to Trello (without it: print what would be written).")
@ON_OPTION
@pass_ctx
def prepare(
    ctx: Ctx, config_path: str | None, database: str | None, apply: bool, on_day: datetime | None
) -> None:
    """For each pair or group board whose next lunch is due within prepare.days_ahead days, make sure the
    lunch card exists and holds a "How did it go?" checklist of what is due by then.

    Plans from the database: run it after a sync (`sync --prepare` does both).

    \b
    Examples:
      trellosync prepare -c trellosync.yaml
      trellosync prepare -c trellosync.yaml --apply
    """
    merge(ctx, config_path, database)
    config = ctx.config(required=True)
    assert config is not None
    run_prepare(ctx, config, apply=apply, on_day=on_day.date() if on_day else None)


@click.command(short_help="A person's next lunches per pair as an .ics calendar.")
@common_options
@click.argument("name", metavar="PERSON", shell_complete=complete_person)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="The .ics file (default: lunches-PERSON.ics)."
)
@click.option("--force", is_flag=True, help="Overwrite an existing file that is not a calendar.")
@ON_OPTION
@pass_ctx
def calendar(
    ctx: Ctx,
    config_path: str | None,
    database: str | None,
    name: str,
    output: str | None,
    force: bool,
    on_day: datetime | None,
) -> None:
    """Write PERSON's next lunch per pair (and meeting per group), repeating at the board's cadence.

    \b
    Example:
      trellosync calendar jessica -o lunches.ics
    """
    from trellosync.cli.report import person_key
    from trellosync.files import atomic_write
    from trellosync.report.calendar import next_lunches, to_ics
    from trellosync.sync.prepare_run import today_in

    merge(ctx, config_path, database)
    config = ctx.config()
    domain = ctx.stored_domain()
    person = person_key(name, domain)
    today = on_day.date() if on_day else (today_in(config) if config else date.today())
    lunches = next_lunches(domain, person, today)
    path = Path(output or f"lunches-{person}.ics")
    if path.exists() and not force and not path.read_bytes().startswith(b"BEGIN:VCALENDAR"):
        raise ConfigError(f"{path} exists and is not a calendar; pass --force to overwrite it")
    text = to_ics(lunches, datetime.now(timezone.utc))
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))
    click.echo(f"{path}: {len(lunches)} pair(s) and group(s)")
