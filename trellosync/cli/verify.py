"""The `verify` command: does an archival PDF still match the record in the database?"""

from __future__ import annotations

from pathlib import Path

import click

from trellosync.cli.context import Ctx, common_options, merge, pass_ctx

MAX_CHANGES = 20  # lines of differences printed; the rest are counted
MISMATCH = 9  # exit code: the document does not match the record (1 is kept for bugs)


@click.command(short_help="Check an archival PDF report against the database.")
@common_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def verify(ctx: Ctx, config_path: str | None, database: str | None, file: Path) -> None:
    """Check that an archival PDF (report ... --pdf-variant pdf/a-3u) still matches the record.

    Reads the data and the request the PDF carries, makes the same report again from the database as of the
    document's report date, and compares. Exit 0: it matches; 9: it does not (the differences are listed, by
    item id; card text is never printed); 2: the file carries no report data or cannot be read.

    \b
    Examples:
      trellosync verify reports/dossier-will-2026-04-07_2026-11-13.pdf
    """
    from trellosync.report.documents import options_from_config
    from trellosync.report.verify import read_embedded
    from trellosync.report.verify import verify as verify_file

    ctx = merge(ctx, config_path, database)
    read_embedded(file)  # a file that carries no data fails before the database is opened
    verdict = verify_file(file, ctx.stored_domain(), options_from_config(ctx.config()))
    r, cover = verdict.request, verdict.cover
    period = cover.get("period") or {}
    click.echo(
        f"{file.name}: {r['kind']} for {r['person']}, {period.get('start')} to {period.get('end')}, "
        f"figures as of {cover.get('as_of')}, report date {r['report_date']}, written {r['generated_at']}"
    )
    click.echo(f"document id {verdict.identifier or r.get('document_id')}; data SHA-256 {verdict.sha256}")
    if not verdict.intact:
        click.echo(
            f"the embedded data was altered: the document was written with data of SHA-256 "
            f"{r.get('data_sha256')}"
        )
    for note in verdict.notes:
        click.echo(f"note: {note} (the database was synced since: not a change in the report)")
    if verdict.matches:
        click.echo("matches the record: the database gives the same report data today")
        return
    counts = {
        op: sum(1 for line in verdict.changes if line.startswith(op))
        for op in ("removed", "added", "changed")
    }
    click.echo(
        "does NOT match the record: the database now gives "
        + ", ".join(f"{n} {op}" for op, n in counts.items())
        + " (items by id, then fields)"
    )
    for line in verdict.changes[:MAX_CHANGES]:
        click.echo(f"  {line}")
    if len(verdict.changes) > MAX_CHANGES:
        click.echo(f"  ... and {len(verdict.changes) - MAX_CHANGES} more")
    click.get_current_context().exit(MISMATCH)
