"""What the CLI writes where: formats from -o, default names, piped tables, quiet libraries, missing Pango."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest
from clihelp import run_cli
from conftest import copy_sqlite

from trellosync.logs import setup_logging
from trellosync.report import render


@pytest.fixture(scope="module")
def example_db(tmp_path_factory: pytest.TempPathFactory, example_database: Path) -> str:
    return str(copy_sqlite(example_database, tmp_path_factory.mktemp("cli-output") / "example.db"))


@pytest.mark.slow  # renders HTML with subset fonts
def test_html_extension_writes_self_contained_html(example_db: str, tmp_path: Path, capsys) -> None:
    out = tmp_path / "brief.html"
    code, stdout, err = run_cli(capsys, "report", "brief", "will", "--database", example_db, "-o", str(out))
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Will Smith" in page
    assert "file:" not in page and "trellosync-asset:" not in page
    assert page.count('url("data:font/ttf;base64,') >= 4  # every @font-face inline
    assert out.stat().st_size < 400_000  # the fonts are subset to the page's characters


def test_a_format_contradicting_the_extension_is_a_usage_error(
    example_db: str, tmp_path: Path, capsys
) -> None:
    code, _, err = run_cli(
        capsys,
        "report",
        "brief",
        "will",
        "--database",
        example_db,
        "-o",
        str(tmp_path / "x.html"),
        "--format",
        "pdf",
    )
    assert code == 2 and "x.html" in err and "--format" in err
    code, _, err = run_cli(
        capsys, "report", "brief", "will", "--database", example_db, "-o", str(tmp_path / "x.txt")
    )
    assert code == 2 and ".txt" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.slow  # renders HTML with subset fonts
def test_default_names_carry_kind_person_and_period(
    example_db: str, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli(
        capsys,
        "report",
        "goals",
        "jessica",
        "--database",
        example_db,
        "--format",
        "html",
        "--from",
        "2026-05-01",
        "--to",
        "2026-10-31",
    )
    assert code == 0, err
    assert Path(stdout.strip()).name == "goals-jessica-2026-05-01_2026-10-31.html"


@pytest.mark.slow  # renders HTML with subset fonts
def test_relative_report_output_resolves_against_the_config_file(
    tmp_path: Path, example_db: str, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "t.yaml").write_text(f"database: sqlite:///{example_db}\nreports:\n  output: ./out\n")
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli(
        capsys, "report", "brief", "will", "-c", str(conf_dir / "t.yaml"), "--format", "html"
    )
    assert code == 0, err
    assert Path(stdout.strip()).parent == conf_dir / "out"


def test_piped_status_prints_plain_columns_with_whole_ids(example_db: str, capsys) -> None:
    code, stdout, _ = run_cli(capsys, "status", "--database", example_db)
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0].split("\t") == [
        "board",
        "id",
        "meetings",
        "entries",
        "goals",
        "commitments",
        "last sync (UTC)",
        "last change",
        "full history",
    ]
    ids = [line.split("\t")[1] for line in lines[1:]]
    assert len(ids) >= 3 and all(len(i) == 24 for i in ids)
    assert "…" not in stdout and "┃" not in stdout


def test_status_json_has_per_board_figures_and_sync_times(example_db: str, capsys) -> None:
    code, stdout, _ = run_cli(capsys, "status", "--json", "--database", example_db)
    status = json.loads(stdout)
    assert sum(b["cards"] for b in status["by_board"]) == status["cards"]
    assert sum(b["meetings"] for b in status["by_board"]) == status["meetings"]
    assert all(b["synced_at"].endswith("Z") and b["source"] == "export" for b in status["by_board"])


def test_status_names_each_boards_meetings_by_kind(example_db: str, capsys) -> None:
    """A peer learning group's board holds group meetings, not lunches: the JSON says its kind, the table its word."""
    code, stdout, err = run_cli(capsys, "status", "--json", "--database", example_db)
    assert code == 0, err
    status = json.loads(stdout)
    assert "lunches" not in status and all("lunches" not in b for b in status["by_board"])
    by_name = {b["name"]: b for b in status["by_board"]}
    group = by_name["Peer learning group: Platform leads"]
    assert (group["meeting_kind"], group["meetings"]) == ("group_meeting", 6)
    kinds = {b["meeting_kind"] for b in status["by_board"]}
    assert kinds == {"lunch", "group_meeting", "check_in", "team_lunch", None}
    assert all((b["meeting_kind"] is None) == (b["meetings"] == 0) for b in status["by_board"])

    code, stdout, err = run_cli(capsys, "status", "--database", example_db)
    assert code == 0, err
    rows = {line.split("\t")[0]: line.split("\t")[2] for line in stdout.splitlines()[1:]}
    assert rows["Peer learning group: Platform leads"] == "6 group meetings"
    assert rows["Peer lunch: Will & Jessica"] == "15 lunches"
    assert rows["Will – advocate check-ins"] == "8 check-ins"
    assert rows["Platform team: promises & wins"] == "1 team lunch"
    assert rows["Will – self-review & stakeholders"] == "0"


def test_library_warnings_only_at_verbose(caplog: pytest.LogCaptureFixture) -> None:
    try:
        setup_logging(0)
        logging.getLogger("weasyprint").warning("Using fontTools instead of HarfBuzz-Subset")
        logging.getLogger("fontTools.subset").warning("glyph soup")
        assert caplog.records == []
        setup_logging(1)
        logging.getLogger("weasyprint").warning("Using fontTools instead of HarfBuzz-Subset")
        assert [r.name for r in caplog.records] == ["weasyprint"]
    finally:
        setup_logging(0)


def test_missing_pango_is_one_clear_message(
    example_db: str, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_pango() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(render, "_import_weasyprint", no_pango)
    code, stdout, err = run_cli(
        capsys, "report", "brief", "will", "--database", example_db, "-o", str(tmp_path / "b.pdf")
    )
    assert code == 1 and stdout == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in err and "--format html" in err


def test_demo_keeps_the_example_with_config_and_database(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch, example_copied: None
) -> None:
    monkeypatch.chdir(tmp_path)
    deep = "a-folder-name-long-enough-to-push-the-command-past-eighty-columns"
    (tmp_path / deep).mkdir()
    cfg = f"{deep}/demo.yaml"
    code, stdout, err = run_cli(capsys, "demo", "--no-reports", "-c", cfg, "--database", "demo.db")
    assert code == 0, err
    assert (tmp_path / "demo.db").is_file()
    assert f"try: trellosync status -c {cfg}" in stdout.splitlines()[-1]  # one line, to be copied whole
    shutil.copy(tmp_path / cfg, tmp_path / "demo.yaml")
    code, stdout, _ = run_cli(capsys, "status", "--json", "-c", str(tmp_path / "demo.yaml"))
    from trellosync.cli.demo import example_dir

    assert code == 0 and json.loads(stdout)["boards"] == len(list(example_dir().glob("*.json")))


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_render_all_reports_progress_once_per_report(example_db: str, tmp_path: Path, jobs: int) -> None:
    from trellosync.report.documents import ReportOptions, render_all
    from trellosync.store.db import Store

    store = Store(f"sqlite:///{example_db}")
    domain = store.load_domain()
    store.close()
    done: list[Path] = []
    paths = render_all(
        "brief",
        ["will", "jessica", "amara"],
        domain,
        out_dir=tmp_path,
        fmt="html",
        jobs=jobs,
        options=ReportOptions(report_date=domain.synced_at.date()),
        progress=done.append,
    )
    assert sorted(done) == sorted(paths) and len(paths) == 3 and all(p.is_file() for p in paths)


@pytest.mark.slow
def test_missing_harfbuzz_subset_is_one_note_and_weasyprint_stays_quiet(
    example_db: str, tmp_path: Path, capsys, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    weasyprint = render.load_weasyprint()
    monkeypatch.setattr(weasyprint.text.ffi, "harfbuzz_subset", None)
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)  # WeasyPrint falls back to fontTools
    args = ["report", "brief", "will", "--database", example_db, "-o", str(tmp_path / "b.pdf")]
    code, stdout, err = run_cli(capsys, *args)
    assert code == 0 and (tmp_path / "b.pdf").is_file()
    assert err.strip().splitlines() == [
        "trellosync: libharfbuzz-subset0 is not installed: WeasyPrint subsets fonts with fontTools instead, which "
        "is slower; on Debian or Ubuntu: sudo apt-get install libharfbuzz-subset0"
    ]
    assert not [r for r in caplog.records if r.name.startswith(("weasyprint", "fontTools"))]
    code, _, _ = run_cli(capsys, *args, "-v")
    assert code == 0
    assert any("HarfBuzz-Subset" in r.getMessage() for r in caplog.records if r.name == "weasyprint")


def test_piped_boards_prints_plain_columns_with_whole_ids(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    from trellosync.cli.demo import example_dir
    from trellosync.testing.fake_trello import FakeTrello

    key, token = "e5" * 16, "f6" * 32
    with FakeTrello(sorted(example_dir().glob("*.json")), key=key, token=token) as fake:
        monkeypatch.setenv("TRELLO_API_KEY", key)
        monkeypatch.setenv("TRELLO_TOKEN", token)
        monkeypatch.setenv("TRELLO_API_URL", fake.url)
        monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
        code, stdout, err = run_cli(capsys, "boards")
    assert code == 0, err
    rows = [line.split("\t") for line in stdout.splitlines()]
    assert rows[0] == ["name", "id", "shortLink", "last activity", "mapped"]
    assert len(rows) >= 4 and all(len(r[1]) == 24 for r in rows[1:])
