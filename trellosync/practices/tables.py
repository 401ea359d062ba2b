"""The derived rows of the practices (migration 0004), on the schema's metadata; replaced per board on rebuild."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Float, String, Table, Text

from trellosync.schema import ID, metadata

KEY = String(128)  # person keys

practice_boards = Table(
    "practice_boards", metadata,
    Column("board_id", ID, primary_key=True),
    Column("visibility", String(16), nullable=False),  # private | team
    Column("group_members", Text),  # JSON list of person keys when the board is a peer learning group
    Column("marker", Text),  # the text that marks an entry shareable
)

practice_marks = Table(
    "practice_marks", metadata,
    Column("board_id", ID, primary_key=True),
    Column("entry_id", String(160), primary_key=True),  # card, check item or comment marked shareable
)

advocates = Table(
    "advocates", metadata,
    Column("person", KEY, primary_key=True),
    Column("advocate", KEY, nullable=False),
)

self_reviews = Table(
    "self_reviews", metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("person", KEY, nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("title", Text, nullable=False),
    Column("accomplishments", Text, nullable=False),  # JSON lists of the three sections
    Column("goals", Text, nullable=False),
    Column("improve", Text, nullable=False),
    Column("url", Text),
)

stakeholder_feedback = Table(
    "stakeholder_feedback", metadata,
    Column("id", String(160), primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("about", KEY, nullable=False, index=True),
    Column("said_by", KEY),
    Column("said_by_name", Text),
    Column("said_by_source", String(16)),  # comment_author | card_member | from_line
    Column("date", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("polarity", String(16), nullable=False),
    Column("url", Text),
)

group_issues = Table(
    "group_issues", metadata,
    Column("id", String(160), primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("meeting_id", ID, nullable=False),
    Column("person", KEY, nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text),
)

promises = Table(
    "promises", metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("person", KEY, index=True),
    Column("title", Text, nullable=False),
    Column("made", Date, nullable=False),
    Column("due", Date),
    Column("met_at", DateTime),
    Column("done_flag", Boolean, nullable=False, default=False),
    Column("archived", Boolean, nullable=False, default=False),
    Column("url", Text),
)

promise_criteria = Table(
    "promise_criteria", metadata,
    Column("id", ID, primary_key=True),
    Column("promise_id", ID, nullable=False, index=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("done", Boolean, nullable=False),
    Column("completed_at", DateTime),
    Column("pos", Float),
)

PER_BOARD = (practice_boards, practice_marks, self_reviews, stakeholder_feedback, group_issues, promises,
             promise_criteria)
