"""`trellosync demo`: the shipped example, a temporary database, the summary and every report kind's PDFs."""

from __future__ import annotations

import pypdf
import pytest
from clihelp import run_cli

from trellosync.cli.demo import load_example, summary_rows


def test_demo_summary_figures(tmp_path):
    config, store = load_example(f"sqlite:///{tmp_path / 'demo.db'}")
    rows = {r["key"]: r for r in summary_rows(store.load_domain(), config)}
    assert set(rows) == {"will", "jessica", "amara", "diego"}
    assert all(r["lunches"] >= 12 for r in rows.values())
    assert all(
        str(r["keep_rate"]).endswith(")") for r in rows.values()
    )  # "NN% (k of n)": commitments were due
    assert rows["will"]["lunches"] == rows["jessica"]["lunches"]  # their pair's lunches
    assert rows["will"]["check_ins"] > 0 and rows["jessica"]["check_ins"] == 0  # Will's advocate board, apart
    assert all(r["group_meetings"] == 6 for r in rows.values())  # never added to the lunches


@pytest.mark.slow
def test_demo_command_writes_every_report_kind(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, "demo", "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert "Will Smith" in out and "Diego Ram" in out
    pdfs = sorted((tmp_path / "out").glob("*.pdf"))
    assert len(pdfs) == 17
    for kind in ("goals", "dossier", "brief", "advocate"):
        assert len([p for p in pdfs if p.name.startswith(kind + "-")]) == 4
    assert [p.name for p in pdfs if p.name.startswith("showcase-")] == [
        "showcase-team-2026-11-13.pdf"
    ]  # one, for all
    reader = pypdf.PdfReader(pdfs[0])
    assert len(reader.pages) >= 1 and reader.metadata.title
    assert not list(tmp_path.glob("*.db"))  # the demo's database is temporary
