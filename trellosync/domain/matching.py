"""How a mapping's names find a board's lists (the one rule; diagnostics and the domain both use it)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def name_key(name: str) -> str:
    """The form in which a mapping name and a Trello name are compared (case and whitespace tolerant)."""
    return " ".join(name.split()).casefold()


def match_lists(names: Iterable[str], lists: Iterable[dict[str, Any]]) -> set[str]:
    """Ids of the lists that the mapping's names (or list ids) refer to."""
    names = list(names)
    wanted = {name_key(n) for n in names}
    ids = set(names)
    return {lst["id"] for lst in lists if name_key(lst.get("name") or "") in wanted or lst["id"] in ids}
