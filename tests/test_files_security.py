"""Files at rest: owner-only, atomic, never clobbered; the lock file never followed; links never file:."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from clihelp import run_cli
from conftest import EXPORTS

from trellosync.errors import LockError
from trellosync.files import atomic_write, check_writable_reports
from trellosync.report.markdown import markdown_to_html
from trellosync.report.render import write_pdf
from trellosync.store.db import Store
from trellosync.store.locks import acquire_sync_lock, sqlite_lock_path

EXPORT = str(EXPORTS / "notes-board.json")
PERSON = "ryanhimmelwright"


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # noqa: ANN201
    """`run([args])` -> (exit code, stdout, stderr) of the real entry point."""
    return lambda args: run_cli(capsys, *args)


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


@pytest.fixture
def loaded(tmp_path: Path, run) -> Path:  # noqa: ANN001
    """A SQLite database holding a real export, created under the usual umask 022."""
    old = os.umask(0o022)
    try:
        db = tmp_path / "private" / "feedback.db"
        code, _, err = run(["sync", "--database", str(db), "--from-export", EXPORT])
        assert code == 0, err
        assert not Path(
            f"{db}-wal"
        ).exists()  # the command closed its store: the import is in the file itself
        return db
    finally:
        os.umask(old)


def test_database_wal_shm_and_folder_are_owner_only(loaded: Path) -> None:
    old = os.umask(0o022)
    try:
        with Store(f"sqlite:///{loaded}") as store, store.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS _probe (x)")  # an open write keeps -wal and -shm
            files = [loaded, Path(f"{loaded}-wal"), Path(f"{loaded}-shm")]
            present = [p for p in files if p.exists()]
            assert loaded in present and len(present) == 3, present
            assert all(_mode(p) == 0o600 for p in present), {str(p): oct(_mode(p)) for p in present}
    finally:
        os.umask(old)
    assert _mode(loaded.parent) == 0o700
    assert _mode(sqlite_lock_path(f"sqlite:///{loaded}")) == 0o600  # type: ignore[arg-type]


@pytest.mark.slow  # renders two reports and every person's brief
@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_reports_and_their_folder_are_owner_only(loaded: Path, tmp_path: Path, fmt: str, run) -> None:  # noqa: ANN001
    old = os.umask(0o022)
    try:
        out = tmp_path / "new" / "deeper" / f"brief.{fmt}"
        code, _, err = run(
            ["report", "brief", PERSON, "--database", str(loaded), "-o", str(out), "--format", fmt]
        )
        assert code == 0, err
        code, stdout, err = run(
            [
                "report",
                "brief",
                "--all",
                "--database",
                str(loaded),
                "-o",
                str(tmp_path / "all"),
                "--format",
                fmt,
            ]
        )
        assert code == 0, err
    finally:
        os.umask(old)
    assert _mode(out) == 0o600
    assert _mode(out.parent) == 0o700 and _mode(out.parent.parent) == 0o700
    assert _mode(tmp_path / "all") == 0o700 and all(_mode(p) == 0o600 for p in (tmp_path / "all").iterdir())
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".part")]


def test_report_refuses_to_overwrite_the_database_or_config(loaded: Path, tmp_path: Path, run) -> None:  # noqa: ANN001
    cfg = tmp_path / "trellosync.yaml"
    cfg.write_text("timezone: UTC\n")
    before = {p: p.read_bytes() for p in (loaded, cfg)}
    for target in (loaded, cfg):
        code, out, err = run(["report", "brief", PERSON, "--database", str(loaded), "-o", str(target)])
        assert (
            code == 2 and "cannot tell the format" in err
        )  # .db / .yaml: refused before anything is written
        code, out, err = run(
            ["report", "brief", PERSON, "--database", str(loaded), "-o", str(target), "--format", "pdf"]
        )
        assert code == 2 and "not a report trellosync wrote" in err and "--force" in err
        assert "Traceback" not in err
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.slow  # renders five reports
def test_report_overwrites_its_own_report_and_anything_with_force(loaded: Path, tmp_path: Path, run) -> None:  # noqa: ANN001
    for fmt in ("pdf", "html"):
        out = tmp_path / f"r.{fmt}"
        for _ in range(2):  # the second run replaces a report trellosync wrote: no --force needed
            code, _, err = run(
                ["report", "brief", PERSON, "--database", str(loaded), "-o", str(out), "--format", fmt]
            )
            assert code == 0, err
    other = tmp_path / "notes.txt"
    other.write_text("mine")
    code, _, err = run(
        ["report", "brief", PERSON, "--database", str(loaded), "-o", str(other), "--format", "pdf", "--force"]
    )
    assert code == 0, err
    assert other.read_bytes().startswith(b"%PDF-")


@pytest.mark.slow  # renders every person's brief twice
def test_all_refuses_to_overwrite_a_foreign_file_of_the_same_name(loaded: Path, tmp_path: Path, run) -> None:  # noqa: ANN001
    out = tmp_path / "all"
    code, stdout, err = run(["report", "brief", "--all", "--database", str(loaded), "-o", str(out)])
    assert code == 0, err
    written = Path(stdout.strip().splitlines()[0])
    written.write_text("someone's notes")
    code, _, err = run(["report", "brief", "--all", "--database", str(loaded), "-o", str(out)])
    assert code == 2 and written.read_text() == "someone's notes"


def test_a_failed_write_leaves_the_previous_file_intact(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    out.write_bytes(b"previous good report")

    def disk_full(f: object) -> None:
        f.write(b"half a rep")  # type: ignore[attr-defined]
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        atomic_write(out, disk_full)
    assert out.read_bytes() == b"previous good report"
    assert os.listdir(tmp_path) == ["report.pdf"]


def test_a_symlink_or_folder_is_never_a_report_target(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("x")
    link = tmp_path / "link.pdf"
    link.symlink_to(victim)
    from trellosync.errors import ConfigError

    for target in (link, tmp_path):
        with pytest.raises(ConfigError):
            check_writable_reports([target], force=True)


def test_lock_file_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    victim = tmp_path / "precious.txt"
    victim.write_text("do not truncate me")
    lock_path = sqlite_lock_path(url)
    assert lock_path is not None
    lock_path.symlink_to(victim)
    with pytest.raises(LockError, match="symbolic link"):
        acquire_sync_lock(url)
    assert victim.read_text() == "do not truncate me"


def test_lock_file_fifo_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'feedback.db'}"
    os.mkfifo(sqlite_lock_path(url))  # type: ignore[arg-type]
    with pytest.raises(LockError, match="not a regular file"):
        acquire_sync_lock(url)


def test_import_takes_the_sync_lock(loaded: Path, run) -> None:  # noqa: ANN001
    held = acquire_sync_lock(f"sqlite:///{loaded}")
    try:
        code, _, err = run(["sync", "--database", str(loaded), "--from-export", EXPORT])
    finally:
        held.release()
    assert code == 7 and "another sync is running" in err


HOSTILE_LINKS = [
    "[passwd](/etc/passwd)",
    "[share](//evil.example/x)",
    "[css](report.css)",
    "[file](file:///etc/passwd)",
    "<//evil.example/y>",
    "[up](../../secret)",
    "[js](javascript:alert(1))",
    "[q](?x=1)",
    "[frag](#top)",
]


@pytest.mark.parametrize("text", HOSTILE_LINKS)
def test_relative_and_protocol_relative_links_are_shown_as_text(text: str) -> None:
    html = str(markdown_to_html(text))
    assert "href" not in html, html
    assert text.strip("<>").split("](")[0].lstrip("[") in html  # the words stay visible


def test_web_and_mail_links_stay_links() -> None:
    html = str(markdown_to_html("[site](https://example.com/a) and [me](mailto:a@example.com)"))
    assert 'href="https://example.com/a"' in html and 'href="mailto:a@example.com"' in html


def test_pdf_holds_no_file_uri_even_from_raw_html(tmp_path: Path) -> None:
    # Raw HTML with relative links (as a user's template could hold) still yields no file: link in the PDF.
    html = (
        '<html><body><a href="/etc/passwd">a</a> <a href="//evil.example/x">b</a> '
        '<a href="report.css">c</a> <a href="https://example.com/">d</a></body></html>'
    )
    pdf = write_pdf(html, tmp_path / "links.pdf").read_bytes()
    import pypdf

    uris = [
        a.get_object()["/A"].get("/URI")
        for page in pypdf.PdfReader(tmp_path / "links.pdf").pages
        for a in page.get("/Annots") or []
    ]
    assert uris == ["https://example.com/"], uris
    assert b"file:" not in pdf


def test_a_16kb_entry_is_quoted_as_an_excerpt_with_a_note() -> None:
    from trellosync.report.markdown import MAX_QUOTE_CHARS
    from trellosync.report.render import make_environment

    env = make_environment(None, True)
    text = ("word " * 4000)[:16384] + "TAIL"
    html = env.from_string("{{ t|md }}").render(t=text)
    assert "TAIL" not in html and html.count("word") * 5 <= MAX_QUOTE_CHARS + 10
    assert "excerpt of a 16,388-character entry" in html and "on the Trello card" in html
    assert "excerpt" in env.from_string("{{ t|md_inline }}").render(t=text)
    assert "excerpt" not in env.from_string("{{ t|md }}").render(t="short entry")
