"""The subject-access document: everything the database holds about or by one person, as JSON and a readable
PDF. The record itself comes from the store (`store.rights.subject_record`); this module only words and writes
it, with the reports' own templates and WeasyPrint machinery."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.files import atomic_write, private_mkdir
from trellosync.report.render import PdfMetadata, SafeURLFetcher, render_html, write_pdf
from trellosync.report.text import format_datetime

KIND = "subject_access"
TITLE = "Everything held about you"


@dataclass
class SubjectAccess:
    """What the subject_access.html template reads."""

    kind: str
    person: dict[str, Any]
    record: dict[str, Any]
    generated_at: str
    generated_by: str
    timezone: str
    counts: dict[str, int] = field(default_factory=dict)
    data_from: str | None = None


SECTIONS = (
    "entries_about",
    "entries_by",
    "goals",
    "commitments",
    "promises",
    "self_reviews",
    "stakeholder_feedback_about",
    "stakeholder_feedback_by",
    "group_issues",
    "replies_by",
    "comments_written",
    "report_log",
)


def export_files(
    record: dict[str, Any],
    out_dir: Path,
    *,
    timezone_name: str = "UTC",
    templates_dir: Path | None = None,
    generated_by: str = "trellosync",
    today: date | None = None,
) -> tuple[Path, Path]:
    """Write the record as `subject-access-KEY-DATE.json` and `.pdf` (owner-only) into out_dir; returns both."""
    tz = ZoneInfo(timezone_name)
    now = datetime.now(timezone.utc)
    stamp = (today or now.astimezone(tz).date()).isoformat()
    key = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in record["person"]["key"])
    private_mkdir(out_dir)
    json_path = out_dir / f"subject-access-{key}-{stamp}.json"
    text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True)
    atomic_write(json_path, lambda f: f.write(text.encode("utf-8")))
    ctx = SubjectAccess(
        kind=KIND,
        person=record["person"],
        record=record,
        generated_at=format_datetime(now, tz),
        generated_by=generated_by,
        timezone=timezone_name,
        counts={s: len(record.get(s) or []) for s in SECTIONS},
        data_from=record.get("data_from"),
    )
    meta = PdfMetadata(
        title=f"{TITLE}: {record['person']['name']}",
        author=generated_by,
        subject=f"Subject-access export for {record['person']['name']}",
        keywords=["trellosync", KIND, record["person"]["key"]],
        created=now.astimezone(tz),
    )
    html = render_html(
        "subject_access.html",
        {
            "ctx": ctx,
            "meta": {
                "title": meta.title,
                "author": meta.author,
                "subject": meta.subject,
                "keywords": meta.keywords,
                "created": meta.created.isoformat(timespec="seconds"),
                "lang": meta.lang,
            },
            "asset_base": "",
        },
        templates_dir,
        for_pdf=True,
    )
    pdf_path = write_pdf(
        html, out_dir / f"subject-access-{key}-{stamp}.pdf", meta, SafeURLFetcher(overrides=templates_dir)
    )
    return json_path, pdf_path
