"""The Datasette metadata shipped with trellosync (table descriptions and canned queries), for any database file.

Datasette names a database after its file's stem and looks its metadata up by that name, so metadata written
for `trellosync.db` describes nothing when the file is `demo.db`:

    python -m trellosync.datasette demo.db -o demo-metadata.yaml
    datasette demo.db -m demo-metadata.yaml
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

METADATA = Path(str(resources.files("trellosync") / "datasette-metadata.yaml"))
SHIPPED_NAME = "trellosync"  # the database the shipped file describes: trellosync.db


def database_name(database: str) -> str:
    """The name Datasette gives the database of a SQLite file (its stem); a sqlite:/// URL is read as its file."""
    if database.startswith("sqlite:///"):
        database = database[len("sqlite:///") :]
    elif "://" in database:
        raise ValueError(f"Datasette serves SQLite files; {database.split('://', 1)[0]}:// is not one")
    name = Path(database).stem
    if not name:
        raise ValueError(f"{database!r} names no file")
    return name


def metadata_for(database: str) -> dict[str, Any]:
    """The shipped metadata with its database keyed by the name Datasette gives `database`."""
    data = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    data["databases"] = {database_name(database): data["databases"][SHIPPED_NAME]}
    return data


def main(argv: list[str] | None = None) -> int:
    """`python -m trellosync.datasette FILE [-o OUT]`: print (or write) the metadata for FILE's database."""
    parser = argparse.ArgumentParser(
        prog="python -m trellosync.datasette",
        description="Datasette metadata (table descriptions, canned queries) for a trellosync SQLite file.",
        epilog="then: datasette FILE -m OUT. Datasette serves the whole record, worst moments included: "
        "it is for the record's owner.",
    )
    parser.add_argument("database", metavar="FILE", help="the SQLite database file (or its sqlite:/// URL)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the metadata here (default: print it)")
    args = parser.parse_args(argv)
    try:
        text = yaml.safe_dump(metadata_for(args.database), sort_keys=False, allow_unicode=True, width=110)
    except ValueError as exc:
        parser.error(str(exc))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    from .files import atomic_write

    existing = Path(args.output)
    if existing.exists() and not existing.read_bytes().startswith(b"title: trellosync\n"):
        parser.error(
            f"{existing} exists and is not metadata this wrote (a database?); refusing to overwrite it"
        )
    out = atomic_write(Path(args.output), lambda f: f.write(text.encode("utf-8")))
    print(f"wrote {out}: datasette {args.database} -m {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
