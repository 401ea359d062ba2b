"""Key and token never appear in a URL, a log line, an error message, the database or an output file."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import EXPORTS

from trellosync.errors import TrellosyncError
from trellosync.testing.fake_trello import FakeTrello
from trellosync.trello.client import make_client
from trellosync.trello.fetch import fetch_board, fetch_member_boards

KEY = "KEYSECRET" + "5f0e1d2c3b4a" * 2 + "ab"
TOKEN = "TOKSECRET" + "9a8b7c6d5e4f" * 5 + "cd"
NEEDLES = [KEY, TOKEN, KEY[9:25], TOKEN[9:30], "KEYSECRET", "TOKSECRET"]


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _leaks(text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return [n for n in NEEDLES if n in text]


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeTrello]]:
    export = EXPORTS / "notes-board.json"
    ok = FakeTrello([export], key=KEY, token=TOKEN).start()
    wrong = FakeTrello([export], key=KEY, token="someone-elses-token").start()
    failing = FakeTrello([export], key=KEY, token=TOKEN, faults={"500": 1.0}).start()
    slow = FakeTrello([export], key=KEY, token=TOKEN, faults={"slow": 1.0}, slow_seconds=1.0).start()
    try:
        yield {"ok": ok, "401": wrong, "500": failing, "timeout": slow}
    finally:
        for f in (ok, wrong, failing, slow):
            f.stop()


def _api_url(servers: dict[str, FakeTrello], path: str) -> str:
    if path == "refused":
        return f"http://127.0.0.1:{_closed_port()}/1"
    return servers[path].url


PATHS = ["ok", "refused", "timeout", "401", "500"]


@pytest.mark.slow  # 45 real processes
@pytest.mark.parametrize("verbosity", ["", "-v", "-vv"])
@pytest.mark.parametrize("path", PATHS)
def test_cli_never_shows_the_secrets(
    servers: dict[str, FakeTrello], path: str, verbosity: str, tmp_path: Path
) -> None:
    cfg = tmp_path / "trellosync.yaml"
    cfg.write_text(
        "trello:\n  api_key: ${TRELLO_API_KEY}\n  token: ${TRELLO_TOKEN}\n"
        f"  api_url: {_api_url(servers, path)}\n  timeout: 0.3\n  max_retries: 1\n"
        f"database: sqlite:///{tmp_path / 'db.sqlite'}\n"
    )
    env = {
        **os.environ,
        "TRELLO_API_KEY": KEY,
        "TRELLO_TOKEN": TOKEN,
        "TRELLO_API_URL": _api_url(servers, path),
        "COLUMNS": "200",
    }
    produced: list[tuple[str, str | bytes]] = []
    runs = [["sync"], ["boards"]]
    if path == "ok":
        runs += [
            ["check", "--online"],
            ["sync", "--full"],
            ["boards", "--json"],
            ["init", "-o", str(tmp_path / "init.yaml"), "--force", "--board", "uTbciFCh"],
            ["status", "--json"],
        ]
    codes = []
    for args in runs:
        cmd = [sys.executable, "-m", "trellosync", *([verbosity] if verbosity else []), "-c", str(cfg), *args]
        if args[0] == "init":
            cmd = [
                sys.executable,
                "-m",
                "trellosync",
                *([verbosity] if verbosity else []),
                *args,
                "--api-url",
                _api_url(servers, path),
            ]
        p = subprocess.run(cmd, env=env, capture_output=True, cwd=tmp_path, timeout=120)
        codes.append(p.returncode)
        produced += [(f"{args} stdout", p.stdout), (f"{args} stderr", p.stderr)]
        if path != "ok":
            assert p.returncode != 0 or args[0] == "status", (args, p.stderr)
            assert b"Traceback" not in p.stderr
    if path == "ok":
        assert codes == [0] * len(runs), produced
    if path == "401":
        assert any(b"token invalid or expired" in out for _, out in produced)
    if verbosity == "-vv" and path == "ok":
        assert any(b"DEBUG urllib3" in out for _, out in produced), "debug logging really was on"
    for f in tmp_path.rglob("*"):
        if f.is_file() and f.name != "trellosync.yaml":
            produced.append((str(f), f.read_bytes()))
    leaks = [(where, _leaks(text)) for where, text in produced if _leaks(text)]
    assert not leaks, leaks
    for name in ("ok", "500", "timeout"):
        assert servers[name].stats()["secrets_in_query"] == 0


@pytest.mark.parametrize("path", PATHS)
def test_exceptions_and_debug_logs_never_show_the_secrets(
    servers: dict[str, FakeTrello],
    path: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
    c = make_client(KEY, TOKEN, api_url=_api_url(servers, path), timeout=0.3, max_retries=1, backoff_base=0.0)
    texts: list[str] = [repr(c), repr(c.http_service), repr(vars(c))]
    try:
        boards = fetch_member_boards(c)
        fetch_board(c, boards[0]["id"])
        assert path == "ok"
    except TrellosyncError as exc:
        assert path != "ok"
        texts += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    out, err = capsys.readouterr()
    texts += [out, err]
    assert any("urllib3" in r.name for r in caplog.records) or path == "refused"
    leaks = [t for t in texts if _leaks(t)]
    assert not leaks, leaks
