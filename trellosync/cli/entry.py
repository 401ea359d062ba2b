"""The console entry point: Ctrl-C while Python is still loading the CLI exits 130 with one line, as later."""

from __future__ import annotations

import sys


def main() -> None:
    """Load the CLI and run it; an interrupt during the load is the same interrupt as during a command."""
    try:
        from trellosync.cli.commands import main as run
    except KeyboardInterrupt:
        sys.stderr.write("trellosync: interrupted\n")
        sys.exit(130)
    run()
