"""The domain layer: one board's mirror rows + its mapping -> people, lunches, entries, goals, commitments.

Derivation (`build_domain`, in `derive.py`) is a sequence of named steps: index_board -> map_competencies
-> derive_lunches -> lunch_entries (checklist_entries, section_entries, observations) -> derive_goals ->
history_gaps. Every status and figure is defined once, in `rules.py`; reports and the SQL views use those.

Records (trellosync.domain.model)
  Lunch: date, board_id, about (whose lunch: the board's subjects; on a board mapping none, the card's
    members), participants (who attended), every_days (the board's lunches.every_days, default 14).
  FeedbackEntry: kind (best | worst | focus | observation), about, said_by, said_by_source
    (trello = comment author / author of the updateCard that added the description section;
     mapping = feedback.said_by declares partner | subject | <person key>; unknown = nobody recorded it),
    polarity (strength = best, concern = worst or an observation marked concern, development = focus,
     praise = an observation marked praise, neutral = an unmarked observation),
    competency (one key or None = unclassified) with competency_source (tag | keyword | alias | label),
    card_labels (all the card's competency keys, context only).
    Properties: positive (strength or praise), own_words (said_by == about), peer_said (a known author
    other than the subject); `by` and `labels` ([competency] or []) are kept for old callers.
  Domain.timezone: the config's timezone from build_domain; load_domain leaves "UTC": pass the config's.
  Goal.status / achieved_at / dropped_at: the state now; achieved_at None = achieved, date unknown.
  Goal.events: [(when, status after)] from the history (list moves, dueComplete, archive/unarchive).
  Commitment: deadline (item due, else the board's next lunch), done, completed_at (None = date unknown).

Rules (trellosync.domain.rules; dates are calendar days in `tz`, timestamps naive UTC)
  as_of_date(period_end, synced_at, tz) -> date                  min(period end, last sync)
  goal_status(goal, as_of, tz) -> "achieved"|"open"|"overdue"|"dropped"|None (None: not created yet)
      replays Goal.events when they end in the state now, else reads the state now and its date
  goal_achieved_on(goal, tz) -> date | None
  goal_counts(goals, start, end, tz) -> GoalCounts(set, achieved, achieved_undated, open, overdue, dropped,
                                                  median_days_to_achieve)    end = the as-of date
  key_result_done(kr, as_of, tz) -> bool;  key_results_done(goal, as_of, tz) -> (done, total)
  commitment_status(c, as_of, *, last_sync=None, tz) -> "kept"|"late"|"broken"|"open"|"done_undated"|"renewed"
      a deadline on/after the last sync is never judged (open); renewed: made again while open (renewal.py),
      its renewal judged against the chain's first deadline (Commitment.chain_deadline)
  keep_rate(commitments, start, end, *, as_of, last_sync=None, tz) -> KeepRate(kept, late, broken, open,
      done_undated, renewed; judged = kept+late+broken; rate = kept/judged or None)   chain deadlines in [start, end]
  lunches_of(lunches, person) -> list[Lunch]                      lunches about the person
  partners(lunch, person) -> list[str]     whom it was with ("at the lunch of 3 Nov 2026 with Jessica Jones")
  cadence(lunches, board_id, start, end, every_days) -> Cadence(count, expected, mean_interval_days,
      longest_interval_days, gaps: list[Gap(start, end, days)] (> 1.5 x every_days), last_lunch)
  person_cadences(lunches, person, start, end) -> list[Cadence]  one per pair (board)
  voice(entry) -> "peer" | "self" | "conversation"
  open_focus_points(feedback, person, as_of) -> list[FeedbackEntry]
  entries_by_competency(feedback, person, start, end, *, positive_only=False) -> {competency|None: [entries]}
  person_figures(goals, commitments, lunches, feedback, person, start, end, *, last_sync, tz) -> PersonFigures
      (goals: GoalCounts, keep_rate: KeepRate, cadences, open_focus, by_competency, positive_entries, peers),
      all as of min(end, last sync)
  STATUS_LABELS: status -> words ("done_undated" -> "done, date unknown")

Classification (trellosync.domain.classify)
  polarity_of(kind, text, card_label_names, PolarityMapping) -> (polarity, text without marker)
  CompetencyIndex.build(competency names, aliases, keywords) ; competency_of(text, card competencies, index)
"""

from __future__ import annotations

from trellosync.domain.dates import date_from_name, local_date
from trellosync.domain.derive import KINDS, build_domain
from trellosync.domain.people import People
from trellosync.domain.sections import _kind_of, description_sections
from trellosync.mirror.ids import slug

__all__ = [
    "KINDS",
    "People",
    "_kind_of",
    "build_domain",
    "date_from_name",
    "description_sections",
    "local_date",
    "slug",
]
