"""`trellosync calendar`: RFC 5545 text, read back by a small hand-written parser."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from clihelp import run_cli

from trellosync.domain.prepared import marker_line, without_marker, without_own_writes
from trellosync.mirror.normalize import BoardRows
from trellosync.report.calendar import NextLunch, escape_text, fold, to_ics

STAMP = datetime(2026, 11, 16, 8, 30, tzinfo=timezone.utc)


def parse_ics(text: str) -> list[dict[str, str]]:
    """Components as {NAME;PARAMS: value} dicts (unfolded), checking CRLF, line length and BEGIN/END nesting."""
    raw = text.encode("utf-8")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    physical = raw.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in physical), [len(x) for x in physical if len(x) > 75]
    lines: list[str] = []
    for line in (p.decode("utf-8") for p in physical):  # each physical line is whole UTF-8
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack: list[str] = []
    out: list[dict[str, str]] = []
    for line in lines:
        name, _, value = line.partition(":")
        if name == "BEGIN":
            stack.append(value)
            out.append({"BEGIN": value})
        elif name == "END":
            assert stack.pop() == value
        else:
            out[-1][name] = value
    assert not stack
    return out


def _lunch(**kw: object) -> NextLunch:
    base = dict(
        board_id="b1",
        board_name="Peer lunch: Will & Jessica",
        day=date(2026, 11, 17),
        every_days=14,
        with_names=["Jessica Jones"],
        group=False,
        last_lunch=date(2026, 11, 3),
    )
    base.update(kw)
    return NextLunch(**base)  # type: ignore[arg-type]


def test_calendar_is_rfc5545() -> None:
    long_name = (
        "Peer lunch: Amara, Diego; and a very long name 日本語のボード名 that must be folded somewhere"
    )
    text = to_ics([_lunch(), _lunch(board_id="b2", board_name=long_name, every_days=10, group=True)], STAMP)
    cal, first, second = parse_ics(text)
    assert cal["BEGIN"] == "VCALENDAR" and cal["VERSION"] == "2.0" and cal["PRODID"]
    assert first["DTSTART;VALUE=DATE"] == "20261117" and first["DTEND;VALUE=DATE"] == "20261118"
    assert first["RRULE"] == "FREQ=WEEKLY;INTERVAL=2" and second["RRULE"] == "FREQ=DAILY;INTERVAL=10"
    assert first["DTSTAMP"] == "20261116T083000Z" and first["UID"] != second["UID"]
    assert first["SUMMARY"] == "Lunch with Jessica Jones"
    assert second["SUMMARY"] == escape_text(f"Meeting: {long_name}")
    assert "\\;" in second["SUMMARY"] and "\\," in second["SUMMARY"]
    assert "\\n" in first["DESCRIPTION"] and "2026-11-03" in first["DESCRIPTION"]


def test_folding_never_splits_a_character() -> None:
    line = "SUMMARY:" + "é" * 100
    folded = fold(line)
    assert all(len(p.encode()) <= 75 for p in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_own_writes_are_left_out_of_what_is_derived() -> None:
    desc = "Agenda\n" + marker_line(date(2026, 11, 17))
    rows = BoardRows(
        board={"id": "b"},
        cards=[{"id": "c", "description": desc}],
        checklists=[
            {"id": "k1", "card_id": "c", "name": "how did it  go?"},
            {"id": "k2", "card_id": "c", "name": "Commitments"},
        ],
        check_items=[{"id": "i1", "checklist_id": "k1"}, {"id": "i2", "checklist_id": "k2"}],
    )
    out = without_own_writes(rows)
    assert [cl["id"] for cl in out.checklists] == ["k2"] and [i["id"] for i in out.check_items] == ["i2"]
    assert out.cards[0]["description"] == "Agenda" == without_marker(desc)
    assert len(rows.checklists) == 2  # the mirror itself is untouched


def test_calendar_command_on_the_example(
    example_database: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "lunches.ics"
    code, out, err = run_cli(
        capsys,
        "calendar",
        "jessica",
        "--database",
        str(example_database),
        "-o",
        str(out_file),
        "--on",
        "2026-11-16",
    )
    assert code == 0, err
    text = out_file.read_bytes().decode("utf-8")  # read_text would turn CRLF into LF
    events = [c for c in parse_ics(text) if c["BEGIN"] == "VEVENT"]
    assert {e["DTSTART;VALUE=DATE"] for e in events} >= {"20261117"}  # Will & Jessica: 3 Nov + 14 days
    assert any(e["SUMMARY"] == "Lunch with Will Smith" for e in events)
    assert out_file.stat().st_mode & 0o077 == 0
