"""The `report` command's named steps: its argument checks, whom a run is about, and writing one report or one
per person. Terminal-side only: the reports themselves come from `trellosync.report.documents`."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from trellosync.domain.dates import EARLIEST, LATEST, plausible
from trellosync.errors import ConfigError

if TYPE_CHECKING:
    from trellosync.domain.model import Domain
    from trellosync.report.documents import ReportOptions

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".json": "json"}
NOBODY = "nobody to report on: the database holds no people (run `trellosync sync` first)"


@dataclass(frozen=True)
class ReportJob:
    """What every report of one `report` run shares."""

    kind: str
    domain: Domain
    start: date | None
    end: date | None
    options: ReportOptions
    fmt: str
    record: Callable[[Any], None] | None = None  # the report log's recorder


def output_format(output: str | None, fmt: str | None, *, folder: bool = False) -> str:
    """--format, else the extension of -o, else pdf; a --format that contradicts -o is a usage error."""
    suffix = Path(output).suffix.lower() if output and not folder and not Path(output).is_dir() else ""
    implied = FORMATS.get(suffix)
    if fmt and implied and fmt != implied:
        raise click.UsageError(f"-o {output} names a .{implied} file but --format is {fmt}")
    if suffix and not implied and not fmt:
        raise click.UsageError(
            f"cannot tell the format from {suffix!r}: name the file .pdf, .html or .json, or pass --format"
        )
    return fmt or implied or "pdf"


def report_format(
    kind: str, names: tuple[str, ...], all_people: bool, output: str | None, fmt: str | None
) -> str:
    """The output format, once PERSON/--all and -o/--format agree (else a usage error)."""
    if all_people == bool(names):
        raise click.UsageError("give either a PERSON or --all")
    if len(names) > 1 and kind != "showcase":
        raise click.UsageError("give one PERSON (several people are for the showcase)")
    return output_format(output, fmt, folder=all_people and kind != "showcase")


def checked_period(
    kind: str,
    all_people: bool,
    fmt: str,
    period_from: datetime | None,
    period_to: datetime | None,
    *,
    peer: str | None,
    board: str | None,
) -> tuple[date | None, date | None]:
    """--from and --to as dates, once they and the options only some kinds take make sense (else a usage error)."""
    start = period_from.date() if period_from else None
    end = period_to.date() if period_to else None
    if start and end and start > end:
        raise click.UsageError(f"--from {start} is after --to {end}")
    for name, day in (("--from", start), ("--to", end)):
        if day is not None and plausible(day) is None:
            raise click.UsageError(f"{name} {day}: a report's dates lie between {EARLIEST} and {LATEST}")
    if board and kind != "brief":
        raise click.UsageError("--board is for the brief")
    if peer and (kind != "brief" or all_people):
        raise click.UsageError("--with is for the brief of one PERSON")
    if fmt == "json" and all_people and kind != "showcase":
        raise click.UsageError("--format json prints one report: give a PERSON")
    return start, end


def everyone(domain: Domain) -> list[str]:
    """Every mapped person; without a config nobody is mapped, and then every board member is someone to report on."""
    people = [k for k, p in domain.people.items() if p.mapped] or list(domain.people)
    if not people:
        raise ConfigError(NOBODY)
    return people


def person_key(typed: str, domain: Domain) -> str:
    """The person's key for what was typed: the key, else the one person whose key, name or Trello username it
    is, ignoring case (`Will`, `Will Smith`, `willsmith`); unchanged when none or several match."""
    if typed in domain.people:
        return typed
    folded = typed.strip().casefold()
    found = {
        p.key
        for p in domain.people.values()
        if folded in (p.key.casefold(), p.name.casefold(), (p.trello_username or "").casefold())
    }
    return found.pop() if len(found) == 1 else typed


def showcase_team(names: tuple[str, ...], domain: Domain) -> list[str]:
    """The showcase's people: those named, else everyone()."""
    return list(names) or everyone(domain)


def print_json_or_warn(
    job: ReportJob, person: str, output: str | None = None, *, force: bool = False
) -> bool:
    """Build the report's data: for --format json print it, or write it to -o (True); otherwise warn when the
    period holds nothing."""
    from trellosync.files import atomic_write, check_writable_reports
    from trellosync.report.documents import build_context, context_as_json

    built = build_context(
        job.kind, person, job.domain, period_from=job.start, period_to=job.end, options=job.options
    )
    if job.fmt == "json":
        text = context_as_json(built)
        if output:
            out = Path(output)
            if out.is_dir():
                raise ConfigError(f"-o {out}: with --format json, -o names a file, and this is a folder")
            check_writable_reports([out], force=force)  # never `--format json -o feedback.db`
            with unwritable(out.parent):
                atomic_write(out, lambda f: f.write((text + "\n").encode("utf-8")))
            click.echo(str(out))
        else:
            click.echo(text)
        if job.record is not None:
            from trellosync.report.documents import report_record, report_subject

            job.record(
                report_record(
                    job.kind,
                    report_subject(job.kind, person, job.options),
                    built.cover.period,
                    "json",
                    data=(text + "\n").encode("utf-8"),
                )
            )
        return True
    if built.empty and job.kind == "showcase":  # one document for the team: empty means nothing shareable
        click.echo(
            f"warning: nothing shareable about {len(job.options.people)} people in that period (a team "
            "board, or entries marked shareable); the showcase says so",
            err=True,
        )
    elif built.empty:
        click.echo(f"warning: no data for {person} in that period; the report says so", err=True)
    return False


def write_all(job: ReportJob, out_dir: Path, *, jobs: int | None, force: bool) -> list[Path]:
    """One report per person into out_dir (in parallel, with a progress bar on a terminal)."""
    from trellosync.cli.console import report_progress
    from trellosync.files import check_writable_reports
    from trellosync.report.documents import default_filename, render_all

    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"-o {out_dir}: with --all, -o names a folder, and this is a file")
    people = everyone(job.domain)
    check_writable_reports(
        (
            out_dir / default_filename(job.kind, p, job.fmt, job.options.report_date)  # type: ignore[arg-type]
            for p in people
        ),
        force=force,
    )
    with report_progress(len(people)) as tick, unwritable(out_dir):
        return render_all(
            job.kind,
            people,
            job.domain,
            out_dir=out_dir,
            period_from=job.start,
            period_to=job.end,
            options=job.options,
            fmt=job.fmt,  # type: ignore[arg-type]  # pdf or html here: json was printed above
            jobs=jobs,
            progress=tick,
            record=job.record,
        )


def write_one(job: ReportJob, person: str, output: str | None, out_default: Path, *, force: bool) -> Path:
    """One report: to -o (a file, or a folder it goes into), else into the default folder under its default name."""
    from trellosync.files import check_writable_reports
    from trellosync.report.documents import default_filename, render_report, report_period

    period = report_period(
        job.kind, person, job.domain, period_from=job.start, period_to=job.end, options=job.options
    )
    name = default_filename(
        job.kind,
        "team" if job.kind == "showcase" else person,
        job.fmt,  # type: ignore[arg-type]
        period,
        peer=job.options.peer,
        board=job.options.board,
    )
    out = Path(output) if output else out_default / name
    if out.is_dir() or (
        output and output.endswith(("/", os.sep))
    ):  # `-o reports/`: a folder, made if need be
        out = out / name
    check_writable_reports([out], force=force)  # never `report -o feedback.db` over the database
    with unwritable(out.parent):
        return render_report(
            job.kind,
            person,
            job.domain,
            period_from=job.start,
            period_to=job.end,
            options=job.options,
            fmt=job.fmt,  # type: ignore[arg-type]  # pdf or html here: json was printed above
            out=out,
            record=job.record,
        )


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """An OS error writing into `folder` (no such place, read-only, full) as one line, exit 2: not a bug."""
    try:
        yield
    except OSError as exc:
        if not exc.filename or not str(exc.filename).startswith(str(folder)):
            raise
        raise ConfigError(f"cannot write into {folder}: {exc.strerror or type(exc).__name__}") from None
