"""The console entry point: Ctrl-C while Python is still loading the CLI exits 130 with one line, as later."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any

_report_unraisable = sys.unraisablehook


def interrupt_again(unraisable: Any) -> None:
    """Raise again a Ctrl-C that landed inside a callback Python cannot raise from; report anything else.

    Python runs weakref and `__del__` callbacks (SQLAlchemy's during a large import) where an exception cannot
    propagate: a KeyboardInterrupt there is printed as "Exception ignored" and the command goes on to the end.
    The signal is sent again 20 ms later from another thread, once this hook has returned, and stops the command
    at the next instruction outside the callback (sent from here, it would land in the hook again).
    """
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        again = threading.Timer(0.02, os.kill, args=(os.getpid(), signal.SIGINT))
        again.daemon = True
        again.start()
        return
    _report_unraisable(unraisable)


def main() -> None:
    """Load the CLI and run it; an interrupt during the load is the same interrupt as during a command."""
    sys.unraisablehook = interrupt_again
    try:
        from trellosync.cli.commands import main as run
    except KeyboardInterrupt:
        sys.stderr.write("trellosync: interrupted\n")
        sys.exit(130)
    run()
