"""Renewal, defined once: a commitment made again at a later lunch while still open is linked to its renewal.

A commitment B *renews* an earlier commitment A when, on the same board and by the same person, B was made at
a later lunch than A, A was still open then (not ticked by the end of B's lunch day; a tick whose day the history
no longer holds cannot be shown to be later, so it never is), A is not renewed yet, and either

- B has A's wording (`issues.same_wording`: the same words, whatever the case, punctuation or spacing), or
- B's text begins with the `renewed:` marker (removed from the text) and raises the same issue as A
  (`issues.same_issue`: half the content words of the shorter text recur in the other).

Of several such A, B renews the latest. Renewals chain (A -> B -> C). The chain is one commitment in the keep
rate (`rules.commitment_status`, `rules.keep_rate`): once renewed, A's status is `renewed` and it is not counted;
the last link carries the chain's outcome, judged against the *first* link's deadline (kept by it: kept; kept
after it: late; still open after its own deadline: broken; before it: open) and counted in the period that holds
that first deadline. Before B was made, A is judged as any commitment (broken once its deadline has passed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from trellosync.domain.dates import UTC, local_date
from trellosync.domain.issues import same_issue, same_wording
from trellosync.domain.model import Commitment

RENEWED_MARKER = re.compile(r"^\s*renewed\s*:\s*", re.IGNORECASE)


def renewed_marker(text: str) -> tuple[bool, str]:
    """Whether a commitment's text begins with the `renewed:` marker, and the text without it."""
    m = RENEWED_MARKER.match(text)
    return (True, text[m.end() :].strip()) if m else (False, text)


def open_on(c: Commitment, day: date, tz: ZoneInfo = UTC) -> bool:
    """True when the commitment was not ticked by the end of `day` (an undated tick counts as ticked)."""
    if not c.done:
        return True
    done = local_date(c.completed_at, tz)
    return done is not None and done > day


def renews(earlier: Commitment, later: Commitment, tz: ZoneInfo = UTC) -> bool:
    """Whether `later` renews `earlier` (the module docstring's rule), leaving aside whether it is renewed yet."""
    if (earlier.board_id, earlier.person) != (later.board_id, later.person) or earlier.made >= later.made:
        return False
    if not open_on(earlier, later.made, tz):
        return False
    if same_wording(earlier.text, later.text):
        return True
    return later.marked_renewed and same_issue(earlier.text, later.text)


def link_renewals(commitments: Iterable[Commitment], tz: ZoneInfo = UTC) -> None:
    """Link each commitment to the one it renews (and back), recomputing every link of these commitments."""
    every = sorted(commitments, key=lambda c: (c.made, c.id))
    for c in every:
        c.renews = c.renewed_by = c.renewed_on = c.first_deadline = None
    seen: dict[tuple[str, str | None], list[Commitment]] = {}
    for c in every:
        mine = seen.setdefault((c.board_id, c.person), [])
        earlier = next((a for a in reversed(mine) if a.renewed_by is None and renews(a, c, tz)), None)
        if earlier is not None:
            earlier.renewed_by, earlier.renewed_on = c.id, c.made
            c.renews, c.first_deadline = earlier.id, earlier.chain_deadline
        mine.append(c)
