"""Every report is a tagged PDF/UA-1 document (checked with outloud); an archival PDF/A-3u carries its data, and
`trellosync verify` tells whether it still matches the record."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import replace
from datetime import date
from pathlib import Path

import pypdf
import pytest
from clihelp import run_cli
from conftest import example_workspace

from trellosync.cli.demo import example_dir
from trellosync.report.documents import (
    build_context,
    context_as_json,
    options_from_config,
    render_report,
    render_team,
)
from trellosync.report.kinds import get_kind, kind_names
from trellosync.report.pdf_variants import DATA_NAME, REQUEST_NAME, data_sha256, document_id
from trellosync.report.verify import diff

PEOPLE = ("will", "jessica", "amara", "diego")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, example_database: Path):
    db = tmp_path_factory.mktemp("variants") / "example.db"
    config, store = example_workspace(example_database, db)
    domain = store.load_domain()
    store.close()
    assert domain.synced_at is not None
    return config, domain, db


def _options(config, domain, **kw):
    return options_from_config(config, report_date=domain.synced_at.date(), **kw)


def _errors(path: Path) -> list[str]:
    import outloud

    result = outloud.check(str(path))
    assert result.error is None, result.error
    return [f"{f.rule} p.{f.page}: {f.message}" for f in result.findings if f.severity == "error"]


@pytest.mark.slow
@pytest.mark.parametrize("kind", kind_names())
def test_every_demo_report_is_tagged_pdf_ua_without_errors(example, tmp_path: Path, kind: str) -> None:
    config, domain, _ = example
    options = _options(config, domain)
    if get_kind(kind).team:  # type: ignore[union-attr]
        paths = [render_team(kind, list(PEOPLE), domain, out_dir=tmp_path, options=options)]
    else:
        paths = [
            render_report(kind, p, domain, options=options, out=tmp_path / f"{kind}-{p}.pdf") for p in PEOPLE
        ]
    for path in paths:
        reader = pypdf.PdfReader(path)
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] and root["/Lang"] == "en"
        assert reader.metadata.title and root["/ViewerPreferences"]["/DisplayDocTitle"]
        assert _errors(path) == [], path.name


@pytest.mark.slow
def test_the_subject_access_export_is_tagged_pdf_ua_without_errors(
    tmp_path: Path, example_database: Path, capsys
) -> None:
    example_workspace(example_database, tmp_path / "x.db")
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        (example_dir() / "config.yaml").read_text() + f"\ndatabase: sqlite:///{tmp_path / 'x.db'}\n"
    )
    code, out, err = run_cli(capsys, "person", "export", "will", "-c", str(cfg), "-o", str(tmp_path / "sar"))
    assert code == 0, err
    pdf = Path(out.split()[1])
    assert _errors(pdf) == []


@pytest.mark.slow
def test_untagged_variant_stays_available_and_is_what_the_checker_refuses(example, tmp_path: Path) -> None:
    config, domain, _ = example
    path = render_report(
        "brief",
        "will",
        domain,
        options=_options(config, domain, pdf_variant="none"),
        out=tmp_path / "brief.pdf",
    )
    assert "/StructTreeRoot" not in pypdf.PdfReader(path).trailer["/Root"]
    assert _errors(path)  # the checker can fail: the tagged variant is what passes


# ------------------------------------------------------------------ archival PDFs and verify


@pytest.fixture(scope="module")
def archived(example, tmp_path_factory: pytest.TempPathFactory):
    """An archival dossier of Will's, and a config pointing at a database the tests may copy."""
    config, domain, db = example
    out = tmp_path_factory.mktemp("archive") / "dossier-will.pdf"
    render_report(
        "dossier", "will", domain, options=_options(config, domain, pdf_variant="pdf/a-3u"), out=out
    )
    return out, db


def _config_file(tmp_path: Path, db: Path) -> Path:
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())
    cfg = tmp_path / "c.yaml"
    cfg.write_text((example_dir() / "config.yaml").read_text() + f"\ndatabase: sqlite:///{copy}\n")
    return cfg


@pytest.mark.slow
def test_an_archival_pdf_is_pdf_a_3u_and_ua_1_and_carries_its_data(example, archived) -> None:
    config, domain, _ = example
    path, _ = archived
    reader = pypdf.PdfReader(path)
    root = reader.trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert (
        'pdfaid:part="3"' in xmp
        and 'pdfaid:conformance="U"' in xmp
        and "<pdfuaid:part>1</pdfuaid:part>" in xmp
    )
    assert "/StructTreeRoot" in root and root["/OutputIntents"][0]["/S"] == "/GTS_PDFA1"
    # The data is what `report --format json` prints, embedded as an associated file with the relationship Data.
    ctx = build_context("dossier", "will", domain, options=_options(config, domain))
    data = reader.attachments[DATA_NAME][0].decode("utf-8")
    assert json.loads(data)["figures"] == json.loads(context_as_json(ctx))["figures"]
    relations = {str(f.get_object()["/F"]): f.get_object()["/AFRelationship"] for f in root["/AF"]}
    assert relations == {DATA_NAME: "/Data", REQUEST_NAME: "/Source"}
    request = json.loads(reader.attachments[REQUEST_NAME][0])
    assert (request["kind"], request["person"], request["data_sha256"]) == (
        "dossier",
        "will",
        data_sha256(data),
    )
    # A stable identifier per kind, person and period: the file identifier and the XMP's dc:identifier.
    period = json.loads(data)["cover"]["period"]
    ident = document_id(
        "dossier", "will", date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    )
    assert reader.trailer["/ID"][0] == ident.hex and f"urn:uuid:{ident}" in xmp
    assert request["document_id"] == f"urn:uuid:{ident}"
    # The last page prints the data's SHA-256.
    last = reader.pages[-1].extract_text().replace("\n", "")
    assert data_sha256(data) in last
    assert _errors(path) == []


def test_the_identifier_is_the_same_for_the_same_kind_person_and_period() -> None:
    a = document_id("dossier", "will", date(2026, 1, 1), date(2026, 6, 30))
    assert a == document_id("dossier", "will", date(2026, 1, 1), date(2026, 6, 30)) and a.version == 5
    assert (
        len(
            {
                a,
                document_id("goals", "will", date(2026, 1, 1), date(2026, 6, 30)),
                document_id("dossier", "ada", date(2026, 1, 1), date(2026, 6, 30)),
                document_id("dossier", "will", date(2026, 1, 1), date(2026, 7, 1)),
            }
        )
        == 4
    )
    assert isinstance(a, uuid.UUID)


@pytest.mark.slow
def test_verify_accepts_an_untouched_archival_pdf(archived, tmp_path: Path, capsys) -> None:
    path, db = archived
    code, out, err = run_cli(capsys, "verify", str(path), "-c", str(_config_file(tmp_path, db)))
    assert code == 0, out + err
    assert "matches the record" in out and "dossier for will" in out and data_sha256("") not in out


@pytest.mark.slow
def test_verify_refuses_a_pdf_whose_embedded_data_was_edited(archived, tmp_path: Path, capsys) -> None:
    path, db = archived
    writer = pypdf.PdfWriter(clone_from=str(path))
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = next(names[i + 1].get_object() for i in range(0, len(names), 2) if names[i] == DATA_NAME)
    stream = spec["/EF"]["/F"].get_object()
    data = json.loads(stream.get_data())
    data["figures"]["lunches_held"] += 5  # a better record than the database holds
    stream.set_data(json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))
    edited = tmp_path / "edited.pdf"
    with open(edited, "wb") as f:
        writer.write(f)
    code, out, err = run_cli(capsys, "verify", str(edited), "-c", str(_config_file(tmp_path, db)))
    assert code == 9, out + err
    assert "does NOT match the record" in out and "the embedded data was altered" in out
    held = data["figures"]["lunches_held"]
    assert f"changed figures.lunches_held: {held} -> {held - 5}" in out


@pytest.mark.slow
def test_verify_says_what_changed_in_the_database_by_id(archived, tmp_path: Path, capsys) -> None:
    path, db = archived
    cfg = _config_file(tmp_path, db)
    data = json.loads(pypdf.PdfReader(path).attachments[DATA_NAME][0])
    gone = data["sources"][0]["id"]
    with sqlite3.connect(tmp_path / "copy.db") as conn:  # an entry deleted from the record since
        assert conn.execute("DELETE FROM feedback WHERE id = ?", (gone,)).rowcount == 1
    code, out, err = run_cli(capsys, "verify", str(path), "-c", str(cfg))
    assert code == 9, out + err
    assert "the embedded data was altered" not in out  # the file is intact: the record changed
    assert f"removed sources[id={gone}]" in out
    for entry in data["sources"]:  # card text is compared, never printed
        assert entry["text"] not in out


def test_verify_refuses_a_pdf_without_data(tmp_path: Path, capsys) -> None:
    plain = tmp_path / "plain.pdf"
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    with open(plain, "wb") as f:
        writer.write(f)
    code, out, err = run_cli(capsys, "verify", str(plain))
    assert code == 2 and "carries no report data" in err


def test_pdf_variant_is_for_pdf_output(capsys) -> None:
    code, out, err = run_cli(
        capsys, "report", "goals", "will", "--format", "html", "--pdf-variant", "pdf/a-3u"
    )
    assert code == 2 and "--pdf-variant is for PDF output" in err


def test_diff_names_items_by_id_and_never_shows_text() -> None:
    old = {
        "figures": {"held": 3, "as_of": "2026-11-13"},
        "sources": [{"id": "a", "text": "secret words"}, {"id": "b", "text": "kept"}],
        "cover": {"person": "Will"},
    }
    new = {
        "figures": {"held": 4, "as_of": "2026-11-13"},
        "sources": [{"id": "b", "text": "kept, edited"}, {"id": "c", "text": "new words"}],
        "cover": {"person": "Will"},
    }
    assert diff(old, new) == [
        "changed figures.held: 3 -> 4",
        "removed sources[id=a]",
        "added sources[id=c]",
        "changed sources[id=b].text: text -> text",
    ]
    assert diff(old, replace_nothing(old)) == []


def replace_nothing(value):
    return json.loads(json.dumps(value))


def test_a_config_may_choose_the_variant(example) -> None:
    config, domain, _ = example
    archival = config.model_copy(
        update={"reports": config.reports.model_copy(update={"pdf_variant": "pdf/a-3u"})}
    )
    assert options_from_config(archival).pdf_variant == "pdf/a-3u"
    assert options_from_config(config).pdf_variant == "pdf/ua-1"  # the default: tagged
    assert replace(options_from_config(config), pdf_variant="none").pdf_variant == "none"
