"""Description text that is no evidence is counted, and the headings met are named: `status`, `sync -v`,
`check --online` (issue 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clihelp import run_cli
from test_mapping_diagnostics import WJ, _board, _write_config, env, fake  # noqa: F401  (fixtures)

from trellosync.testing.fake_trello import FakeTrello


def _add_private_section(fake: FakeTrello) -> None:  # noqa: F811
    board = _board(fake, WJ)
    lunches = next(x["id"] for x in board["lists"] if x["name"] == "Lunches")
    card = next(
        c for c in board["cards"] if c["idList"] == lunches and "## Best moment" in (c.get("desc") or "")
    )
    card["desc"] += "\n\n### What went badly\nWORSTX snapped at a colleague\n- WORSTX missed the review\n"


def test_status_sync_and_check_name_the_headings_the_mapping_does_not_know(
    fake: FakeTrello,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    env: None,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    _add_private_section(fake)
    cfg = _write_config(tmp_path, fake)
    code, out, err = run_cli(capsys, "sync", "-v", "-c", str(cfg))
    assert code == 0, err
    line = next(x for x in err.splitlines() if x.startswith(f"board {WJ!r}: "))
    assert "4 lines under headings the mapping does not know (or none), on 2 cards" in line, line
    assert "'What went badly' (2)" in line and "no heading (2)" in line

    code, out, err = run_cli(capsys, "status", "-c", str(cfg))
    assert code == 0 and line in err.splitlines()
    code, out, _ = run_cli(capsys, "status", "--json", "-c", str(cfg))
    unread = {b["name"]: b["unread"] for b in json.loads(out)["by_board"]}
    assert unread[WJ] == {"lines": 4, "cards": 2, "headings": {"": 2, "What went badly": 2}}

    code, out, err = run_cli(capsys, "check", "--online", "-c", str(cfg))
    assert code == 0, err
    assert "  - " + line[len(f"board {WJ!r}: ") :] in out.splitlines()

    code, out, err = run_cli(capsys, "sync", "-c", str(cfg))  # without -v: nothing said (cron)
    assert code == 0 and "headings the mapping" not in err
