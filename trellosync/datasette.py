"""Where the Datasette metadata shipped with trellosync is (table descriptions and canned queries)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

METADATA = Path(str(resources.files("trellosync") / "datasette-metadata.yaml"))

if __name__ == "__main__":
    print(METADATA)
