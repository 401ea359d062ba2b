"""Where the packaged templates, stylesheet and fonts live (inside the installed package)."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def packaged_templates_dir() -> Path:
    """The built-in templates folder: the installed package's, or the repository's in a source checkout."""
    try:
        resource = importlib.resources.files("trellosync.templates")
        path = Path(str(resource))
        if (path / "base.html").is_file():
            return path
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "templates"
