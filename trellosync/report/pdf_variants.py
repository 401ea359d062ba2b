"""What kind of PDF a report is: tagged PDF/UA-1 (the default), archival PDF/A-3u, or untagged.

Every variant but `none` is a tagged PDF/UA-1 document: WeasyPrint tags it (`pdf/ua-1`), and two of its
habits are put right here, after layout and before writing:
  * a box inside a link (`<a><strong>..</strong></a>`, a pseudo-element) gets a link annotation of its own,
    which the tag tree then files under the inner box instead of the Link (keep_own_links);
  * running headers and footers (page margin boxes) are marked as content that belongs to no structure
    element, instead of as pagination artifacts (margins_as_artifacts).

The archival variant `pdf/a-3u` is also PDF/A-3u, declares PDF/UA-1 in its XMP metadata, and carries the
report's data (exactly what `report --format json` prints) as an associated file with the relationship Data,
plus the request it was made from, so `trellosync verify` can recompute it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.etree import ElementTree

NONE = "none"
UA = "pdf/ua-1"
ARCHIVAL = "pdf/a-3u"
PDF_VARIANTS = (UA, ARCHIVAL, NONE)
DEFAULT_PDF_VARIANT = UA

DATA_NAME = "report-data.json"
REQUEST_NAME = "report-request.json"
REQUEST_FORMAT = 1
# The namespace of every report's identifier: uuid5(this, "kind/subject/start/end").
ID_NAMESPACE = uuid.UUID("5b0f3c1e-7a42-5d3e-9f1c-2e7d4c8a9b10")


def document_id(kind: str, subject: str, start: date, end: date) -> uuid.UUID:
    """The stable identifier of a report: the same kind, subject (person key or team) and period, the same id."""
    return uuid.uuid5(ID_NAMESPACE, f"{kind}/{subject}/{start.isoformat()}/{end.isoformat()}")


@dataclass(frozen=True)
class Archive:
    """What an archival PDF carries besides its pages: the report's data and the request it answers."""

    data: str  # the report's JSON, as `report --format json` prints it
    request: dict[str, Any]  # kind, person, period, report date and options: what `verify` recomputes from
    document_id: uuid.UUID
    created: datetime

    @property
    def sha256(self) -> str:
        """SHA-256 of the data's UTF-8 bytes (printed on the last page, recorded in the request)."""
        return data_sha256(self.data)


def data_sha256(data: str) -> str:
    """SHA-256 (hex) of a report's JSON data as embedded: its UTF-8 bytes."""
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def weasyprint_options(variant: str) -> dict[str, Any]:
    """The WeasyPrint write_pdf options of a variant (tagging, PDF/A)."""
    if variant == NONE:
        return {}
    if variant == UA:
        return {"pdf_variant": "pdf/ua-1"}
    if variant == ARCHIVAL:
        # PDF/A-3u with PDF/UA's tags: WeasyPrint has no combined variant; the UA claim goes into the XMP.
        return {"pdf_variant": "pdf/a-3u", "pdf_tags": True}
    raise ValueError(f"unknown PDF variant {variant!r}; expected one of {', '.join(PDF_VARIANTS)}")


def attachments(weasyprint: Any, archive: Archive) -> list[Any]:
    """The archive's associated files: the data (relationship Data) and the request (relationship Source)."""
    request = json.dumps({**archive.request, "data_sha256": archive.sha256}, ensure_ascii=False, indent=2)
    return [
        weasyprint.Attachment(
            string=archive.data,
            name=DATA_NAME,
            relationship="Data",
            description="The report's data, as `trellosync report --format json` prints it",
            created=archive.created,
            modified=archive.created,
        ),
        weasyprint.Attachment(
            string=request,
            name=REQUEST_NAME,
            relationship="Source",
            description="What the report was made from: kind, person, period, report date, options",
            created=archive.created,
            modified=archive.created,
        ),
    ]


def keep_own_links(pages: Iterable[Any]) -> None:
    """Keep only the link annotations of the boxes that carry the link themselves (an `<a>`), not of the
    boxes inside them, which inherit it: those would be link annotations outside any Link structure element."""
    for page in pages:
        page.links[:] = [
            link
            for link in page.links
            if link[0] not in ("internal", "external") or getattr(link[3], "link", None) is not None
        ]


def _reachable(pdf: Any, root_ref: bytes) -> set[int]:
    """Object numbers of the structure elements reachable from the structure tree root."""
    seen: set[int] = set()
    stack = [root_ref]
    while stack:
        number = int(stack.pop().split()[0])
        if number in seen:
            continue
        seen.add(number)
        kids = pdf.objects[number].get("K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, bytes) and kid.endswith(b" R"):
                stack.append(kid)
    return seen


def margins_as_artifacts(pdf: Any) -> None:
    """Mark the content of page margin boxes (running headers and footers) as pagination artifacts.

    WeasyPrint tags it like body text but files it under structure elements it never links into the tree;
    a screen reader then meets it nowhere or on every page. Content whose structure element the tree does not
    reach is exactly that content: its `/Span <</MCID n>> BDC` becomes `/Artifact <</Type /Pagination>> BDC`.
    A one-page document has no running header or footer: there its footer is read once, at the end.
    """
    import pydyf

    root = pdf.catalog.get("StructTreeRoot")
    if root is None:
        return
    tree_root = pdf.objects[int(root.split()[0])]
    document_ref = tree_root["K"][0]
    reachable = _reachable(pdf, document_ref)
    nums = pdf.objects[int(tree_root["ParentTree"].split()[0])]["Nums"]
    single = len(pdf.page_references) == 1
    for page_number, page_ref in enumerate(pdf.page_references):
        if 2 * page_number + 1 >= len(nums) or nums[2 * page_number] != page_number:
            break
        refs = nums[2 * page_number + 1]
        orphans = {mcid for mcid, ref in enumerate(refs) if int(ref.split()[0]) not in reachable}
        if not orphans:
            continue
        if single:
            _adopt(pdf, document_ref, [refs[mcid] for mcid in sorted(orphans)])
            continue
        for mcid in orphans:
            refs[mcid] = "null"
        page = pdf.objects[int(page_ref.split()[0])]
        stream = pdf.objects[int(page["Contents"].split()[0])].stream
        for i, item in _marked_content(stream):
            if item.get("MCID") in orphans:
                stream[i - 1] = "/Artifact"
                stream[i] = pydyf.Dictionary({"Type": "/Pagination"})


def print_links_and_scope_headers(pdf: Any) -> None:
    """Set the Print flag on every link annotation (WeasyPrint sets none outside PDF/A), so print and screen
    agree; give every table header cell its scope (WeasyPrint writes none): a header in the table's head is a
    column header, one in its body a row header, as in HTML (a column header over row headers is then still
    a header of something)."""
    for obj in pdf.objects:
        if not isinstance(obj, dict):
            continue
        if obj.get("Type") == "/Annot" and "F" not in obj:
            obj["F"] = 4
        elif obj.get("S") == "/TH" and isinstance(obj.get("A"), dict) and "Scope" not in obj["A"]:
            row = pdf.objects[int(obj["P"].split()[0])]
            group = pdf.objects[int(row["P"].split()[0])]
            obj["A"]["Scope"] = "/Column" if group.get("S") == "/THead" else "/Row"


def _adopt(pdf: Any, document_ref: bytes, refs: list[bytes]) -> None:
    """Link the structure elements of `refs` into the tree, at the end of the document, in their order."""
    document = pdf.objects[int(document_ref.split()[0])]
    number = int(document_ref.split()[0])
    for ref in refs:
        element = pdf.objects[int(ref.split()[0])]
        while int(element["P"].split()[0]) != number:  # climb to the element the document should hold
            ref = element["P"]
            element = pdf.objects[int(ref.split()[0])]
        if ref not in document["K"]:
            document["K"].append(ref)


def _marked_content(stream: list[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    for i, item in enumerate(stream):
        if isinstance(item, dict) and "MCID" in item and i + 1 < len(stream) and stream[i + 1] == b"BDC":
            yield i, item


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}


def _el(parent: ElementTree.Element, prefix: str, name: str, text: str | None = None) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{_NS[prefix] if prefix != 'rdf' else _RDF}}}{name}")
    if text is not None:
        element.text = text
    return element


def _description(rdf: ElementTree.Element) -> ElementTree.Element:
    element = _el(rdf, "rdf", "Description")
    element.set(f"{{{_RDF}}}about", "")
    return element


def _extra_rdf(rdf: ElementTree.Element, identifier: uuid.UUID | None, ua_claim: bool) -> None:
    """Add the identifier (dc:identifier, xmpMM:DocumentID) and, in a PDF/A, the PDF/UA-1 claim with the
    extension schema PDF/A asks for any property outside its predefined schemas."""
    if identifier is not None:
        described = _description(rdf)
        _el(described, "dc", "identifier", f"urn:uuid:{identifier}")
        _el(described, "xmpMM", "DocumentID", f"uuid:{identifier}")
    if ua_claim:
        _el(_description(rdf), "pdfuaid", "part", "1")
        bag = _el(_el(_description(rdf), "pdfaExtension", "schemas"), "rdf", "Bag")
        schema = _el(bag, "rdf", "li")
        schema.set(f"{{{_RDF}}}parseType", "Resource")
        _el(schema, "pdfaSchema", "schema", "PDF/UA Universal Accessibility Schema")
        _el(schema, "pdfaSchema", "namespaceURI", _NS["pdfuaid"])
        _el(schema, "pdfaSchema", "prefix", "pdfuaid")
        prop = _el(_el(_el(schema, "pdfaSchema", "property"), "rdf", "Seq"), "rdf", "li")
        prop.set(f"{{{_RDF}}}parseType", "Resource")
        _el(prop, "pdfaProperty", "name", "part")
        _el(prop, "pdfaProperty", "valueType", "Integer")
        _el(prop, "pdfaProperty", "category", "internal")
        _el(prop, "pdfaProperty", "description", "Indicates which part of ISO 14289 the document conforms to")


def add_xmp(metadata: Any, identifier: uuid.UUID | None, ua_claim: bool) -> None:
    """Have WeasyPrint's XMP metadata also carry the identifier and the PDF/UA-1 claim (see _extra_rdf)."""
    generate = metadata.generate_rdf_metadata

    def generate_with_extras(*args: Any, **kwargs: Any) -> bytes:
        rdf = ElementTree.fromstring(generate(*args, **kwargs))
        _extra_rdf(rdf, identifier, ua_claim)
        return ElementTree.tostring(rdf, encoding="utf-8")

    metadata.generate_rdf_metadata = generate_with_extras


for _prefix, _uri in _NS.items():
    ElementTree.register_namespace(_prefix, _uri)
