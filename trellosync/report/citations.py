"""Numbered sources: each cited card gets a number in reading order, and each quote is printed once."""

from __future__ import annotations

from dataclasses import replace

from trellosync.report.views import Evidence


class Citations:
    """The sources appendix of one report, filled as the builder walks its sections in reading order."""

    def __init__(self, numbered: bool = True) -> None:
        self.numbered = numbered  # False: a one-page brief links cards directly, with no sources list
        self._by_key: dict[str, Evidence] = {}
        self._quoted: set[str] = set()

    def cite(self, e: Evidence) -> Evidence:
        """The canonical item, numbered on first sight (references only, nothing quoted)."""
        item = self._by_key.get(e.key)
        if item is None:
            item = e
            item.ref = len(self._by_key) + 1 if self.numbered else 0
            self._by_key[e.key] = item
        return item

    def quote(self, e: Evidence, *, listed: bool = True) -> Evidence:
        """The item to print as a quote; a copy marked `repeat` when it was already quoted.

        `listed=False` quotes an item that carries its own card link (a lunch-log row) without adding it to
        the sources list; it still counts as quoted, so it is never printed twice.
        """
        item = self._by_key.get(e.key) or (self.cite(e) if listed else e)
        if item.key in self._quoted:
            return replace(item, repeat=True)
        self._quoted.add(item.key)
        return item

    def is_quoted(self, e: Evidence) -> bool:
        """True when the item has already been printed as a quote."""
        return e.key in self._quoted

    @property
    def sources(self) -> list[Evidence]:
        """Every cited item, by number."""
        return sorted(self._by_key.values(), key=lambda e: e.ref)
