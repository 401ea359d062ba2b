"""Run the real `trellosync` entry point in-process and capture its exit code and output."""

from __future__ import annotations

import sys

import pytest

from trellosync.cli.commands import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `trellosync ARGS`."""
    capsys.readouterr()
    old = sys.argv
    sys.argv = ["trellosync", *args]
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old
    out, err = capsys.readouterr()
    return code, out, err
