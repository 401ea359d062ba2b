"""Does an archival PDF still match the record? Read the data and request it carries, make the report again from
the database as of the document's report date, and compare.

Only archival PDFs (`--pdf-variant pdf/a-3u`) carry their data. Card text is compared but never printed: a
change names the item (by id) and the field, and shows old and new values only for numbers, dates and
similar short values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from trellosync.domain.model import Domain
from trellosync.errors import TrellosyncError
from trellosync.report.documents import ReportOptions, build_context, context_as_json, options_of_request
from trellosync.report.pdf_variants import DATA_NAME, REQUEST_FORMAT, REQUEST_NAME, data_sha256

# Fields that say when and by whom a copy was made, or when the database was last synced: a later sync alone
# does not make a document wrong, so a difference here is a note, not a change.
PROVENANCE = frozenset({"cover.synced_at", "cover.synced_on", "cover.generated_at", "cover.generated_by"})
# Keys that identify an item in a list, tried in this order.
ID_KEYS = ("id", "key", "anchor", "board_id", "name", "date")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.+-]+)?$")
# Fields whose values are codes of ours, never card text: a change shows them.
CODE_FIELDS = frozenset(
    {"status", "slip", "kind", "polarity", "voice", "state", "said_by_source", "timezone"}
)


class NotVerifiableError(TrellosyncError):
    """The file is no archival trellosync PDF (or cannot be read): there is nothing to compare."""

    exit_code = 2


@dataclass(frozen=True)
class Embedded:
    """What an archival PDF carries: its data (as written), the request it was made from, its identifier."""

    data: str
    request: dict[str, Any]
    identifier: str | None  # the XMP dc:identifier


@dataclass
class Verdict:
    """The outcome of `verify`: whether the document matches the record, and the differences if not."""

    request: dict[str, Any]
    identifier: str | None
    sha256: str  # of the embedded data
    intact: bool  # the embedded data is what the document recorded when it was written
    cover: dict[str, Any] = field(default_factory=dict)  # the embedded data's cover: person, period, as of
    changes: list[str] = field(default_factory=list)  # the data made again differs from the embedded data
    notes: list[str] = field(default_factory=list)  # provenance that differs (a later sync): not a change

    @property
    def matches(self) -> bool:
        """True when the embedded data is intact and the database gives the very same data again."""
        return self.intact and not self.changes


def read_embedded(path: Path) -> Embedded:
    """The data, request and identifier an archival PDF carries (NotVerifiableError if it carries none)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        files = reader.attachments
        xmp = reader.xmp_metadata
        identifier = (xmp.dc_identifier if xmp is not None else None) or None
    except (OSError, PdfReadError, ValueError, KeyError) as exc:
        raise NotVerifiableError(f"cannot read {path} as a PDF ({type(exc).__name__})") from None
    if DATA_NAME not in files or REQUEST_NAME not in files:
        raise NotVerifiableError(
            f"{path} carries no report data: only archival PDFs can be verified "
            "(trellosync report ... --pdf-variant pdf/a-3u)"
        )
    try:
        data = files[DATA_NAME][0].decode("utf-8")
        request = json.loads(files[REQUEST_NAME][0].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotVerifiableError(
            f"{path}: its embedded files are not readable JSON ({type(exc).__name__})"
        ) from None
    if not isinstance(request, dict) or request.get("format") != REQUEST_FORMAT:
        raise NotVerifiableError(f"{path}: its request is of an unknown format")
    return Embedded(data=data, request=request, identifier=identifier)


def verify(path: Path, domain: Domain, base: ReportOptions | None = None) -> Verdict:
    """Compare an archival PDF's data with the report made again from `domain` as of the document's report date.

    `base` holds the config's options (templates, ladder); everything the request recorded overrides them.
    """
    embedded = read_embedded(path)
    request = embedded.request
    sha = data_sha256(embedded.data)
    verdict = Verdict(
        request=request, identifier=embedded.identifier, sha256=sha, intact=sha == request.get("data_sha256")
    )
    options = options_of_request(request, base or ReportOptions())
    start, end = request.get("period_from"), request.get("period_to")
    ctx = build_context(
        request["kind"],
        request["person"],
        domain,
        options=options,
        period_from=date.fromisoformat(start) if start else None,
        period_to=date.fromisoformat(end) if end else None,
    )
    again = context_as_json(ctx)
    try:
        old = json.loads(embedded.data)
    except json.JSONDecodeError:
        verdict.changes.append("the embedded data is not JSON")
        return verdict
    cover = old.get("cover") if isinstance(old, dict) else None
    verdict.cover = cover if isinstance(cover, dict) else {}
    if again == embedded.data:
        return verdict
    for change in diff(old, json.loads(again)):
        (verdict.notes if change.split(" ")[1].rstrip(":") in PROVENANCE else verdict.changes).append(change)
    # Items removed and added first: a removed entry also renumbers the sources after it.
    verdict.changes.sort(key=lambda line: _ORDER.index(line.split(" ")[0]))
    return verdict


_ORDER = ("removed", "added", "changed")


def _shown(value: Any, key: str) -> str:
    """A value fit to print: numbers, booleans, dates and our codes (CODE_FIELDS); never card text."""
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    if isinstance(value, str) and (_DATE.match(value) or key in CODE_FIELDS):
        return value
    if isinstance(value, (list, dict)):
        return f"{len(value)} item(s)" if isinstance(value, list) else "an object"
    return "text"


def _id_key(*lists: list[Any]) -> str | None:
    """The key that identifies every item of each list of objects (the first of ID_KEYS unique in each)."""
    items = [i for items in lists for i in items]
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    for key in ID_KEYS:
        if all(_unique([i.get(key) for i in items]) for items in lists):
            return key
    return None


def _unique(values: list[Any]) -> bool:
    return all(isinstance(v, (str, int)) for v in values) and len(set(values)) == len(values)


def diff(old: Any, new: Any, path: str = "") -> list[str]:
    """The differences between two JSON values, one line each: "added PATH[id=X]", "removed ...", or
    "changed PATH: old -> new" (card text is named, never shown)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in new:
                out.append(f"removed {sub}")
            elif key not in old:
                out.append(f"added {sub}")
            else:
                out += diff(old[key], new[key], sub)
        return out
    if isinstance(old, list) and isinstance(new, list):
        key = _id_key(old, new)
        if key is not None:
            before = {i[key]: i for i in old}
            after = {i[key]: i for i in new}
            out = [f"removed {path}[{key}={k}]" for k in before if k not in after]
            out += [f"added {path}[{key}={k}]" for k in after if k not in before]
            for k in before:
                if k in after:
                    out += diff(before[k], after[k], f"{path}[{key}={k}]")
            return out
        if len(old) == len(new):
            return [
                line
                for i, (a, b) in enumerate(zip(old, new, strict=True))
                for line in diff(a, b, f"{path}[{i}]")
            ]
        return [f"changed {path}: {len(old)} -> {len(new)} item(s)"]
    if old != new:
        key = path.rsplit(".", 1)[-1]
        return [f"changed {path}: {_shown(old, key)} -> {_shown(new, key)}"]
    return []
