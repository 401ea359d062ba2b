"""The next lunch (or meeting) of a board, by its cadence: defined once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from trellosync.domain.model import Lunch


def next_lunch_due(
    lunches: Iterable[Lunch], board_id: str, held_by: date, every_days: int | None = None
) -> date | None:
    """When a board's next lunch is due: its last lunch held on or before `held_by` plus its interval
    (`every_days`, else that lunch's board interval); None when none was held yet."""
    held = [lu for lu in lunches if lu.board_id == board_id and lu.date <= held_by]
    if not held:
        return None
    last = max(held, key=lambda lu: (lu.date, lu.id))
    return last.date + timedelta(days=every_days or last.every_days)
