"""Log levels: ours by -v, and the libraries whose own warnings are detail for our users."""

from __future__ import annotations

import logging
import sys

# WeasyPrint and fontTools log font and layout details at WARNING ("Using fontTools instead of HarfBuzz-Subset",
# once per font and report: 60 lines for the demo). They reach the log at -v, never a default run.
QUIET_LOGGERS = ("weasyprint", "fontTools")


def setup_logging(verbose: int) -> None:
    """-v: our INFO and the libraries' warnings; -vv: DEBUG everywhere; default: our warnings only."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger().setLevel(level)
    # Alembic announces every migration context at INFO; that is debug detail for our users.
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)
    for name, lib_level in library_levels(verbose).items():
        logging.getLogger(name).setLevel(lib_level)


def library_levels(verbose: int) -> dict[str, int]:
    """The level of each quiet library's logger at this verbosity."""
    level = logging.ERROR if verbose == 0 else logging.WARNING if verbose == 1 else logging.DEBUG
    return dict.fromkeys(QUIET_LOGGERS, level)


def current_library_levels() -> dict[str, int]:
    """This process's levels of the quiet libraries' loggers (to hand to a worker process)."""
    return {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
