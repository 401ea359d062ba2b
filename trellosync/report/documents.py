"""Public API of the reports: render one report, or one per person in parallel processes."""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trellosync.config.ladder import load_ladder
from trellosync.config.settings import DEFAULT_CONFIDENTIALITY, DEFAULT_TIMEZONE, board_ref_matches
from trellosync.domain.model import Domain
from trellosync.errors import ConfigError, TrellosyncError
from trellosync.files import atomic_write, private_mkdir
from trellosync.logs import current_library_levels
from trellosync.mirror.ids import slug
from trellosync.report import (
    ContextOptions,
    Ladder,
    Period,
    Request,
    get_kind,
    kind_names,
    known_people,
    resolve_period,
)
from trellosync.report.charts import render_chart
from trellosync.report.pdf_variants import (
    ARCHIVAL,
    DATA_NAME,
    DEFAULT_PDF_VARIANT,
    PDF_VARIANTS,
    REQUEST_FORMAT,
    Archive,
    document_id,
)
from trellosync.report.render import (
    ASSET_MARKER,
    PdfMetadata,
    SafeURLFetcher,
    has_laid_out_text,
    load_weasyprint,
    render_html,
    self_contained_html,
    write_pdf,
)

REPORT_KINDS = kind_names()
Format = Literal["pdf", "html"]


@dataclass(frozen=True)
class ReportRecord:
    """One report written: who made it (the operating-system user), when, which kind, about whom, and its hash."""

    kind: str
    person: str  # person key; a team document: the keys, comma-separated
    period_start: date | None
    period_end: date | None
    fmt: str
    path: str | None  # None: printed to standard output
    sha256: str
    os_user: str
    written_at: datetime  # naive UTC, as the store keeps times


Recorder = Callable[[ReportRecord], None]  # the CLI passes one backed by the database's report log


def os_user() -> str:
    """The operating-system user running this process ("unknown" when the system cannot say)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):  # no USER/LOGNAME and no passwd entry (some containers)
        return "unknown"


def report_record(
    kind: str,
    person: str,
    period: Period | None,
    fmt: str,
    *,
    path: Path | None = None,
    data: bytes | None = None,
) -> ReportRecord:
    """The record of one report: the SHA-256 of the file at `path` (or of `data`, what was printed)."""
    digest = hashlib.sha256()
    if path is not None:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                digest.update(chunk)
    else:
        digest.update(data or b"")
    return ReportRecord(
        kind=kind,
        person=person,
        period_start=period.start if period else None,
        period_end=period.end if period else None,
        fmt=fmt,
        path=str(Path(path).resolve()) if path is not None else None,
        sha256=digest.hexdigest(),
        os_user=os_user(),
        written_at=datetime.now(timezone.utc).replace(tzinfo=None),
    )


def report_subject(kind: str, person: str, options: ReportOptions) -> str:
    """Whom a report is about, as the report log names it (a team document: every key of the team)."""
    spec = get_kind(kind)
    return ",".join(options.people) if spec is not None and spec.team and options.people else person


class UnknownPersonError(TrellosyncError):
    """A report was asked for a person nobody maps; the message lists the known ones."""

    exit_code = 2

    def __init__(self, person: str, known: list[str]) -> None:
        self.person = person
        self.known = known
        listed = ", ".join(known) if known else "(nobody: is the database synced?)"
        super().__init__(f"unknown person {person!r}; known people: {listed}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Keeps the error intact when it crosses a process boundary in render_all.
        return (UnknownPersonError, (self.person, self.known))


@dataclass
class ReportOptions:
    """How reports are rendered (from the config's `reports:` section and the command line)."""

    timezone: str = DEFAULT_TIMEZONE
    templates_dir: Path | None = None
    include_worst_moments: bool = False
    ladder: Path | None = None
    confidentiality: str = DEFAULT_CONFIDENTIALITY
    report_date: date | None = None  # the day the report is about (default: today in the report's time zone)
    peer: str | None = None  # the brief's --with: whose pair
    people: tuple[str, ...] = ()  # the showcase's team
    board: str | None = None  # the brief's --board: which pair or group (a board name or id)
    unmarked_boards: tuple[str, ...] = ()  # config refs of boards whose mapping opts unmarked observations in
    generated_by: str = "trellosync"
    generated_at: datetime | None = field(default=None, repr=False)
    pdf_variant: str = DEFAULT_PDF_VARIANT  # report.pdf_variants: pdf/ua-1, pdf/a-3u (archival) or none


def options_from_config(config: Any, **overrides: Any) -> ReportOptions:
    """ReportOptions from a loaded Config (`timezone` and the `reports:` section); keywords override."""
    values: dict[str, Any] = {}
    if config is not None:
        rc = config.reports
        values = {
            "timezone": config.timezone,
            "templates_dir": rc.templates,
            "include_worst_moments": rc.dossier.include_worst_moments,
            "ladder": rc.dossier.ladder,
            "confidentiality": rc.confidentiality,
            "pdf_variant": rc.pdf_variant,
            "unmarked_boards": tuple(
                b.board for b in config.boards if b.polarity.unmarked_in_dossier == "include"
            ),
        }
    values.update(overrides)
    return ReportOptions(**values)


def _check(kind: str, person: str, domain: Domain, options: ReportOptions) -> ZoneInfo:
    if get_kind(kind) is None:
        raise ConfigError(f"unknown report kind {kind!r}; expected one of {', '.join(REPORT_KINDS)}")
    for who in (person, options.peer, *options.people):
        if who is not None and who not in domain.people:
            raise UnknownPersonError(who, known_people(domain))
    return _timezone(options)


def _timezone(options: ReportOptions) -> ZoneInfo:
    try:
        return ZoneInfo(options.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown timezone {options.timezone!r} in reports.timezone") from exc


def report_date_of(options: ReportOptions) -> date:
    """The report date: the day a report is about when no period end is given (the option, else today in the
    report's time zone). Figures are computed as of the earlier of it and the last sync (domain.judge)."""
    if options.report_date is not None:
        return options.report_date
    return datetime.now(_timezone(options)).date()


def build_context(
    kind: str,
    person: str,
    domain: Domain,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    options: ReportOptions | None = None,
    ladder: Ladder | None = None,
) -> Any:
    """The context dataclass of one report (validates kind, person, timezone and period)."""
    options = options or ReportOptions()
    _check(kind, person, domain, options)
    spec = get_kind(kind)
    assert spec is not None
    report_date = report_date_of(options)
    copts = ContextOptions(
        timezone=options.timezone,
        include_worst_moments=options.include_worst_moments,
        confidentiality=options.confidentiality,
        generated_by=options.generated_by,
        generated_at=options.generated_at,
        peer=options.peer,
        people=tuple(options.people),
        board=options.board,
        unmarked_boards=frozenset(
            b
            for b, name in domain.boards.items()
            if any(
                board_ref_matches(ref, {"id": b, "name": name, "shortLink": domain.board_links.get(b)})
                for ref in options.unmarked_boards
            )
        ),
    )
    try:
        period: Period = resolve_period(domain, person, period_from, period_to, report_date, options.timezone)
        if spec.team and period_from is None:  # a team's document starts with the team's first data
            starts = [
                resolve_period(domain, p, None, period_to, report_date, options.timezone).start
                for p in options.people
            ]
            period = Period(min([period.start, *starts]), period.end)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    if spec.uses_ladder and ladder is None and options.ladder is not None:
        ladder = load_ladder(options.ladder)
    return spec.builder(Request(domain, person, period, period.end, copts, ladder))


def render_report_html(
    ctx: Any, options: ReportOptions, *, for_pdf: bool = True, archive: Archive | None = None
) -> tuple[str, PdfMetadata]:
    """The report's HTML (and the metadata the PDF gets) from a built context; an archive's data hash and
    identifier are printed on its last page."""
    cover = ctx.cover
    created = options.generated_at or datetime.now(timezone.utc)
    tz = ZoneInfo(options.timezone)
    title = get_kind(ctx.kind).title  # type: ignore[union-attr]
    subject = (
        f"{title} for {cover.person}, {cover.period.start.isoformat()} to {cover.period.end.isoformat()}"
    )
    meta = PdfMetadata(
        title=f"{title}: {cover.person}",
        author=options.generated_by,
        subject=subject,
        keywords=["trellosync", ctx.kind, cover.person],
        created=created.astimezone(tz)
        if created.tzinfo
        else created.replace(tzinfo=timezone.utc).astimezone(tz),
    )
    asset_base = "" if for_pdf else ASSET_MARKER  # HTML: replaced by data: URIs (self_contained_html)
    html = render_html(
        f"{ctx.kind}.html",
        {
            "ctx": ctx,
            "kind": get_kind(ctx.kind),
            "chart": render_chart,  # templates call chart(c, title=..., names={...}): the wording stays theirs
            "asset_base": asset_base,
            "meta": {
                "title": meta.title,
                "author": meta.author,
                "subject": meta.subject,
                "keywords": meta.keywords,
                "created": meta.created.isoformat(timespec="seconds"),
                "lang": meta.lang,
                "document_id": str(archive.document_id) if archive else None,
                "data_sha256": archive.sha256 if archive else None,
                "data_name": DATA_NAME,
            },
        },
        options.templates_dir,
        for_pdf=for_pdf,
    )
    return html, meta


def render_report(
    kind: str,
    person: str,
    domain: Domain,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    options: ReportOptions | None = None,
    fmt: Format = "pdf",
    out: Path,
    fetcher: SafeURLFetcher | None = None,
    record: Recorder | None = None,
) -> Path:
    """Render one report of `kind` (see REPORT_KINDS) for `person` to `out` (PDF or HTML).

    `record` is called with the report's ReportRecord once the file is written (the report log).
    """
    path, period = _render_report(
        kind,
        person,
        domain,
        period_from=period_from,
        period_to=period_to,
        options=options,
        fmt=fmt,
        out=out,
        fetcher=fetcher,
    )
    if record is not None:
        record(
            report_record(
                kind, report_subject(kind, person, options or ReportOptions()), period, fmt, path=path
            )
        )
    return path


def _render_report(
    kind: str,
    person: str,
    domain: Domain,
    *,
    period_from: date | None,
    period_to: date | None,
    options: ReportOptions | None,
    fmt: Format,
    out: Path,
    fetcher: SafeURLFetcher | None = None,
) -> tuple[Path, Period]:
    """Write one report; returns its path and the period it covers."""
    options = options or ReportOptions()
    if fmt not in ("pdf", "html"):
        raise ConfigError(f"unknown format {fmt!r}; expected pdf or html")
    if options.pdf_variant not in PDF_VARIANTS:
        raise ConfigError(
            f"unknown PDF variant {options.pdf_variant!r}; expected one of {', '.join(PDF_VARIANTS)}"
        )
    archival = fmt == "pdf" and options.pdf_variant == ARCHIVAL
    if archival:  # pinned, so that `verify` can make the very same data again
        options = replace(
            options,
            report_date=report_date_of(options),
            generated_at=options.generated_at or datetime.now(timezone.utc),
        )
    ctx = build_context(kind, person, domain, period_from=period_from, period_to=period_to, options=options)
    period = ctx.cover.period
    identifier = document_id(kind, report_subject(kind, person, options), period.start, period.end)
    archive = None
    if archival:
        assert options.generated_at is not None and options.report_date is not None
        archive = Archive(
            data=context_as_json(ctx),
            document_id=identifier,
            created=options.generated_at,
            request=report_request(kind, person, options, period_from, period_to, identifier),
        )
    html, meta = render_report_html(ctx, options, for_pdf=fmt == "pdf", archive=archive)
    out = Path(out)
    if fmt == "html":
        fetcher = fetcher or SafeURLFetcher(overrides=options.templates_dir)
        page = self_contained_html(html, fetcher)
        return atomic_write(out, lambda f: f.write(page.encode("utf-8"))), period
    return write_pdf(
        html,
        out,
        meta,
        fetcher or SafeURLFetcher(overrides=options.templates_dir),
        variant=options.pdf_variant,
        archive=archive,
        identifier=identifier,
    ), period


def report_request(
    kind: str,
    person: str,
    options: ReportOptions,
    period_from: date | None,
    period_to: date | None,
    identifier: Any,
) -> dict[str, Any]:
    """What a report was made from, as an archival PDF records it: `verify` makes the report again from this."""
    assert options.report_date is not None and options.generated_at is not None
    return {
        "format": REQUEST_FORMAT,
        "document_id": f"urn:uuid:{identifier}",
        "kind": kind,
        "person": person,
        "people": list(options.people),
        "peer": options.peer,
        "board": options.board,
        "period_from": period_from.isoformat() if period_from else None,
        "period_to": period_to.isoformat() if period_to else None,
        "report_date": options.report_date.isoformat(),
        "timezone": options.timezone,
        "confidentiality": options.confidentiality,
        "include_worst_moments": options.include_worst_moments,
        "unmarked_boards": list(options.unmarked_boards),
        "generated_by": options.generated_by,
        "generated_at": options.generated_at.isoformat(),
    }


def options_of_request(request: dict[str, Any], base: ReportOptions) -> ReportOptions:
    """The options a recorded request was made with, over `base` (the config's: templates, ladder)."""
    try:
        return replace(
            base,
            report_date=date.fromisoformat(request["report_date"]),
            timezone=request["timezone"],
            confidentiality=request["confidentiality"],
            include_worst_moments=bool(request["include_worst_moments"]),
            peer=request.get("peer"),
            board=request.get("board"),
            people=tuple(request.get("people") or ()),
            unmarked_boards=tuple(request.get("unmarked_boards") or ()),
            generated_by=request["generated_by"],
            generated_at=datetime.fromisoformat(request["generated_at"]),
            pdf_variant=ARCHIVAL,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(
            f"the document's request is incomplete or malformed ({type(exc).__name__}: {exc})"
        ) from None


def report_period(
    kind: str,
    person: str,
    domain: Domain,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
    options: ReportOptions | None = None,
) -> Period:
    """The period a report covers (a brief: the one day it prepares for)."""
    options = options or ReportOptions()
    _check(kind, person, domain, options)
    report_date = report_date_of(options)
    if kind == "brief":
        return Period(period_to or report_date, period_to or report_date)
    try:
        return resolve_period(domain, person, period_from, period_to, report_date, options.timezone)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def render_team(
    kind: str,
    people: list[str],
    domain: Domain,
    *,
    out_dir: Path,
    options: ReportOptions | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    fmt: Format = "pdf",
    record: Recorder | None = None,
) -> Path:
    """Render one document of a team kind (the showcase) for `people` into `out_dir`."""
    options = replace(options or ReportOptions(), people=tuple(people))
    out = Path(out_dir) / default_filename(kind, "team", fmt, options.report_date)
    return render_report(
        kind,
        people[0],
        domain,
        period_from=period_from,
        period_to=period_to,
        options=options,
        fmt=fmt,
        out=out,
        record=record,
    )


def default_filename(
    kind: str,
    person: str,
    fmt: Format = "pdf",
    period: Period | date | None = None,
    *,
    peer: str | None = None,
    board: str | None = None,
) -> str:
    """Kind, person (and the brief's peer or board) and period: `dossier-will-2026-01-01_2026-06-30.pdf`,
    `brief-will-with-amara-2026-11-22.pdf`, `brief-will-peer-learning-group-2026-11-22.pdf`."""
    if isinstance(period, Period):
        stamp = period.start.isoformat() + (
            "" if period.start == period.end else "_" + period.end.isoformat()
        )
    else:
        stamp = (period or date.today()).isoformat()
    who = person + (f"-with-{peer}" if peer else "") + (f"-{slug(board)}" if board else "")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in who)
    return f"{kind}-{safe}-{stamp}.{fmt}"


# Worker-process state: the domain is loaded (or unpickled) once per process, not once per report.
_WORKER_DOMAIN: Domain | None = None


def _init_worker(source: Callable[[], Domain] | Domain, levels: dict[str, int] | None = None) -> None:
    global _WORKER_DOMAIN
    for name, level in (levels or {}).items():  # a spawned worker would start without the CLI's levels
        logging.getLogger(name).setLevel(level)
    _WORKER_DOMAIN = source() if callable(source) else source


def _pool_context(pdf: bool) -> multiprocessing.context.BaseContext:
    # Fork (Linux's default; fast: the workers inherit every import) only while this process has laid out no
    # text: a worker forked after that (a test run, a program that wrote a PDF before) can wait forever inside
    # Pango 1.52 (Ubuntu 24.04), which loads fonts on GLib's thread pool, and a fork copies the pool but not its
    # threads. Then a fork server: a fresh process that imports WeasyPrint once and forks every worker from it.
    default = multiprocessing.get_context()
    if default.get_start_method() != "fork" or not has_laid_out_text():
        return default
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["trellosync.report.documents", *(["weasyprint"] if pdf else [])])
    return context


def _render_in_worker(job: dict[str, Any]) -> tuple[str, date, date]:
    assert _WORKER_DOMAIN is not None
    path, period = _render_report(domain=_WORKER_DOMAIN, **job)
    return str(path), period.start, period.end


def render_all(
    kind: str,
    people: list[str],
    domain_loader: Callable[[], Domain] | Domain,
    *,
    out_dir: Path,
    period_from: date | None = None,
    period_to: date | None = None,
    options: ReportOptions | None = None,
    fmt: Format = "pdf",
    jobs: int | None = None,
    progress: Callable[[Path], None] | None = None,
    record: Recorder | None = None,
) -> list[Path]:
    """Render one report per person into `out_dir`, in parallel processes (`jobs`, default every core).

    `progress` is called with each written file as it is done (in completion order); `record` with each
    report's ReportRecord, in this process (the report log).
    """
    done = progress or (lambda _path: None)
    options = options or ReportOptions()
    domain = domain_loader if isinstance(domain_loader, Domain) else None
    if domain is not None:
        for p in people:
            _check(kind, p, domain, options)
    report_date = report_date_of(options)
    # Pin the report date and generation time so every process writes the same ones.
    options = replace(
        options, report_date=report_date, generated_at=options.generated_at or datetime.now(timezone.utc)
    )
    out_dir = Path(out_dir)
    private_mkdir(out_dir)
    job_list: list[dict[str, Any]] = [
        {
            "kind": kind,
            "person": p,
            "period_from": period_from,
            "period_to": period_to,
            "options": options,
            "fmt": fmt,
            "out": out_dir
            / default_filename(
                kind,
                p,
                fmt,
                report_date
                if domain is None
                else report_period(
                    kind, p, domain, period_from=period_from, period_to=period_to, options=options
                ),
            ),
        }
        for p in people
    ]
    return render_jobs(job_list, domain_loader, jobs=jobs, progress=done, record=record)


def render_jobs(
    job_list: list[dict[str, Any]],
    domain_loader: Callable[[], Domain] | Domain,
    *,
    jobs: int | None = None,
    progress: Callable[[Path], None] | None = None,
    record: Recorder | None = None,
) -> list[Path]:
    """Write several reports (each job: the keywords of `render_report` but the domain) in one pool of processes
    (`jobs`, default every core), so each process imports WeasyPrint and loads its fonts once for all of them.

    Returns the paths in the jobs' order; `progress` gets each file as it is done, `record` each report's
    ReportRecord, in this process.
    """
    done = progress or (lambda _path: None)
    job_list = [
        {"period_from": None, "period_to": None, "options": None, "fmt": "pdf", **job} for job in job_list
    ]
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(job_list) <= 1:
        dom = domain_loader if isinstance(domain_loader, Domain) else domain_loader()
        paths = []
        for job in job_list:
            paths.append(render_report(domain=dom, record=record, **job))
            done(paths[-1])
        return paths
    pdf = any(job["fmt"] == "pdf" for job in job_list)
    if pdf:
        load_weasyprint()  # one clear error if Pango is missing; forked workers inherit the import
    with ProcessPoolExecutor(
        max_workers=min(workers, len(job_list)),
        mp_context=_pool_context(pdf),
        initializer=_init_worker,
        initargs=(domain_loader, current_library_levels()),
    ) as pool:
        futures = {pool.submit(_render_in_worker, job): job for job in job_list}
        for future in as_completed(futures):
            path, start, end = future.result()
            if record is not None:
                job = futures[future]
                subject = report_subject(job["kind"], job["person"], job["options"] or ReportOptions())
                record(report_record(job["kind"], subject, Period(start, end), job["fmt"], path=Path(path)))
            done(Path(path))
        return [Path(f.result()[0]) for f in futures]


def context_as_json(ctx: Any) -> str:
    """A report's context as JSON (figures and evidence, no prose) for scripts and dashboards."""
    return json.dumps(asdict(ctx), default=_json_default, ensure_ascii=False, indent=2)


def _json_default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


__all__ = [
    "REPORT_KINDS",
    "Recorder",
    "ReportOptions",
    "ReportRecord",
    "UnknownPersonError",
    "build_context",
    "context_as_json",
    "default_filename",
    "report_period",
    "load_ladder",
    "options_from_config",
    "render_all",
    "render_report",
    "render_jobs",
    "render_team",
    "report_record",
]
