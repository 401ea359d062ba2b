"""The next lunch of a board by its cadence: the last lunch held plus the board's interval (`rules.cadence`)."""

from __future__ import annotations

from datetime import date, timedelta

from trellosync.domain.model import Lunch
from trellosync.domain.rules import cadence


def next_lunch_day(lunches: list[Lunch], board_id: str, today: date, every_days: int) -> date | None:
    """By the board's cadence: the last lunch held before today plus its interval (None: none held yet)."""
    held = [lu for lu in lunches if lu.date < today]
    if not held:
        return None
    last = cadence(held, board_id, held[0].date, today - timedelta(days=1), every_days).last_lunch
    return last + timedelta(days=every_days) if last else None
