"""Focus-point threads: one per focus point of one pair, raised -> restated -> observed -> resolved or relapsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from trellosync.domain.issues import same_issue, wording
from trellosync.domain.model import FeedbackEntry
from trellosync.report.selection import Selection
from trellosync.report.views import FocusThread, Period

MAX_OBSERVATIONS_PER_FOCUS = 6
MAX_LATER_BEST = 3


@dataclass
class _Raised:
    """One focus point of one pair: every lunch that (re)stated it, and when a different one replaced it."""

    board_id: str
    entries: list[FeedbackEntry]
    closed_on: date | None


def _group_focus(sel: Selection, as_of: date) -> list[_Raised]:
    """Focus entries about the person per pair, repeats of the same wording merged, with their end."""
    per_board: dict[str, dict[str, list[FeedbackEntry]]] = {}
    for f in sel.feedback:
        if f.kind == "focus" and f.date <= as_of:
            per_board.setdefault(f.board_id, {}).setdefault(wording(f.text), []).append(f)
    out: list[_Raised] = []
    for board_id, groups in per_board.items():
        starts = sorted((items[0].date, key) for key, items in groups.items())
        for key, items in groups.items():
            later = [d for d, k in starts if k != key and d > items[-1].date]
            out.append(_Raised(board_id, items, min(later) if later else None))
    return out


def _related(sel: Selection, raised: _Raised, f: FeedbackEntry) -> bool:
    first = raised.entries[0]
    if first.competency and f.competency == first.competency:
        return True
    return same_issue(first.text, f.text)


def _keep_rates(
    sel: Selection, board_id: str, raised_on: date, end: date
) -> tuple[float | None, float | None]:
    """The pair's keep rate in the 90 days before the focus point was raised, and from then to `end`."""
    pair = [c for c in sel.commitments if c.board_id == board_id]
    before = sel.judged.keep_rate(pair, raised_on - timedelta(days=90), raised_on - timedelta(days=1), end)
    after = sel.judged.keep_rate(pair, raised_on, end, end)
    return before.rate, after.rate


def _thread(sel: Selection, raised: _Raised, open_ids: set[str], as_of: date) -> FocusThread:
    first, last = raised.entries[0], raised.entries[-1]
    end = raised.closed_on or as_of
    same_pair = [f for f in sel.feedback if f.board_id == raised.board_id and first.date <= f.date <= as_of]
    window = [f for f in same_pair if f.kind == "observation" and f.date <= end]
    shown = window[-MAX_OBSERVATIONS_PER_FOCUS:]
    later_best = [
        f for f in same_pair if f.kind == "best" and f.date > first.date and _related(sel, raised, f)
    ]
    current = any(e.id in open_ids for e in raised.entries)
    relapsed = raised.closed_on is not None and any(
        f.kind == "worst" and f.date >= raised.closed_on and _related(sel, raised, f) for f in same_pair
    )
    before, after = _keep_rates(sel, raised.board_id, first.date, end)
    return FocusThread(
        focus=sel.evidence(first),
        pair=raised.board_id,
        board=sel.board(raised.board_id),
        mentions=len(raised.entries),
        last_mentioned=last.date,
        current=current,
        state="open" if current else ("relapsed" if relapsed else "resolved"),
        closed_on=raised.closed_on,
        observations_for=[sel.evidence(f) for f in shown if f.positive],
        observations_against=[sel.evidence(f) for f in shown if f.polarity == "concern"],
        observations_other=[sel.evidence(f) for f in shown if not f.positive and f.polarity != "concern"],
        later_best=[sel.evidence(f) for f in later_best[:MAX_LATER_BEST]],
        keep_rate_before=before,
        keep_rate_after=after,
        more_observations=len(window) - len(shown),
    )


def focus_threads(
    sel: Selection, period: Period | None, as_of: date, pair: str | None = None
) -> list[FocusThread]:
    """The person's focus-point threads that were raised or still open in the period (optionally one pair)."""
    open_ids = {f.id for f in sel.judged.open_focus(sel.feedback, sel.person, as_of)}
    threads: list[FocusThread] = []
    for raised in _group_focus(sel, as_of):
        if pair is not None and raised.board_id != pair:
            continue
        dates = [e.date for e in raised.entries]
        alive_at_start = (
            period is not None
            and dates[0] < period.start
            and (raised.closed_on is None or raised.closed_on >= period.start)
        )
        if period is None or any(d in period for d in dates) or alive_at_start:
            threads.append(_thread(sel, raised, open_ids, as_of))
    threads.sort(key=lambda t: (t.focus.date, t.focus.id))
    return threads
