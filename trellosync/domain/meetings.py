"""What a board's meetings are, defined once: pair lunches, group meetings, check-ins and team lunches are
counted and named apart (PRODUCT.md: a meeting is never called a lunch)."""

from __future__ import annotations

from trellosync.domain.model import Domain

LUNCH = "lunch"  # a pair's feedback lunch: a board with two subjects
GROUP_MEETING = "group_meeting"  # a peer learning group's meeting: a board mapped with a `group:` section
CHECK_IN = "check_in"  # a person's check-in with their advocate (or anyone): a board with one subject
TEAM_LUNCH = "team_lunch"  # a team's lunch: three or more subjects, no group section
MEETING_KINDS = (LUNCH, GROUP_MEETING, CHECK_IN, TEAM_LUNCH)
# The glossary: each kind's word, singular and plural (README "Meetings, named apart"; templates/macros.html).
MEETING_WORDS = {
    LUNCH: ("lunch", "lunches"),
    GROUP_MEETING: ("group meeting", "group meetings"),
    CHECK_IN: ("check-in", "check-ins"),
    TEAM_LUNCH: ("team lunch", "team lunches"),
}


def meeting_word(kind: str | None, count: int = 1) -> str:
    """A kind's word for `count` meetings ("lunch", "group meetings"); "meeting(s)" for an unknown kind."""
    one, many = MEETING_WORDS.get(kind or "", ("meeting", "meetings"))
    return one if count == 1 else many


def meetings_label(kind: str | None, count: int) -> str:
    """A count with its kind's word ("6 group meetings", "1 team lunch"); a bare "0" when there are none."""
    return f"{count} {meeting_word(kind, count)}" if count else "0"


def meeting_kind(domain: Domain, board_id: str) -> str:
    """The kind of a board's meetings, from its mapping: a group section, else its number of subjects (on a
    board that maps none, the people its lunches are about)."""
    if domain.practices is not None and board_id in domain.practices.group_boards:
        return GROUP_MEETING
    subjects = domain.board_subjects.get(board_id) or {
        p for lu in domain.lunches if lu.board_id == board_id for p in lu.about
    }
    if len(subjects) == 1:
        return CHECK_IN
    if len(subjects) >= 3:
        return TEAM_LUNCH
    return LUNCH
