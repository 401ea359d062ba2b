"""The relational schema: the Trello mirror, the sync bookmarks, the derived domain and practices.

Trello ids are the keys of the mirror. There are deliberately no foreign keys between mirror
tables: real data references things that no longer exist (actions of deleted cards, comments by
deleted accounts), and the mirror keeps those references as they are.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy import false as sa_false

from trellosync.config.settings import DEFAULT_EVERY_DAYS

metadata = MetaData()

ID = String(64)  # Trello ids are 24 hex digits; test data and old boards hold other strings


def _flags() -> list[Column]:
    return [
        Column("deleted_at", DateTime, nullable=True),  # when trellosync noticed it was gone
    ]


boards = Table(
    "boards",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("short_link", String(32)),
    Column("url", Text),
    Column("description", Text),
    Column("closed", Boolean, nullable=False, default=False),
    Column("date_last_activity", DateTime),
    Column("created_at", DateTime),
    *_flags(),
)

lists = Table(
    "lists",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("closed", Boolean, nullable=False, default=False),
    Column("pos", Float),
    *_flags(),
)

labels = Table(
    "labels",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("name", Text, nullable=False, default=""),
    Column("color", String(32)),
    *_flags(),
)

members = Table(
    "members",
    metadata,
    Column("id", ID, primary_key=True),
    Column("username", String(128)),
    Column("full_name", Text),
)

board_members = Table(
    "board_members",
    metadata,
    Column("board_id", ID, primary_key=True),
    Column("member_id", ID, primary_key=True),
    Column("member_type", String(32)),
    *_flags(),
)

cards = Table(
    "cards",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("list_id", ID, index=True),
    Column("name", Text, nullable=False),
    Column("description", Text),
    Column("closed", Boolean, nullable=False, default=False),
    Column("due", DateTime),
    Column("due_complete", Boolean, nullable=False, default=False),
    Column("start", DateTime),
    Column("date_last_activity", DateTime),
    Column("date_closed", DateTime),
    Column("date_completed", DateTime),
    Column("created_at", DateTime),
    Column("pos", Float),
    Column("short_link", String(32)),
    Column("url", Text),
    Column("id_short", Integer),
    Column("deleted_action_at", DateTime),  # date of Trello's deleteCard action, when one was seen
    *_flags(),
)

card_labels = Table(
    "card_labels",
    metadata,
    Column("card_id", ID, primary_key=True),
    Column("label_id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
)

card_members = Table(
    "card_members",
    metadata,
    Column("card_id", ID, primary_key=True),
    Column("member_id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
)

checklists = Table(
    "checklists",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("card_id", ID, index=True),
    Column("name", Text, nullable=False),
    Column("pos", Float),
    *_flags(),
)

check_items = Table(
    "check_items",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("checklist_id", ID, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("due", DateTime),
    Column("member_id", ID),
    Column("pos", Float),
    *_flags(),
)

comments = Table(
    "comments",
    metadata,
    Column("id", ID, primary_key=True),  # the commentCard action's id
    Column("board_id", ID, nullable=False, index=True),
    Column("card_id", ID, index=True),
    Column("member_id", ID),
    Column("member_name", Text),  # null for deleted accounts (no memberCreator)
    Column("text", Text, nullable=False),
    Column("date", DateTime, nullable=False),
    Column("edited_at", DateTime),
    *_flags(),
)

actions = Table(
    "actions",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False),
    Column("type", String(64), nullable=False),
    Column("date", DateTime, nullable=False),
    Column("member_id", ID),
    Column("member_username", String(128)),
    Column("member_name", Text),
    Column("card_id", ID, index=True),
    Column("data", Text, nullable=False),  # the action's `data` object as JSON
    Index("ix_actions_board_date", "board_id", "date"),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("board_id", ID, primary_key=True),
    Column("source", String(16), nullable=False),  # export | api
    Column("date_last_activity", String(40)),  # Trello's value, verbatim, to compare with the next answer
    Column("bookmark_action_id", ID),  # the newest action stored, by id (mirror.ids.bookmark)
    Column("bookmark_date", DateTime),
    Column("synced_at", DateTime, nullable=False),  # data as of
    Column("last_full_sync", DateTime),
    Column("history_complete", Boolean, nullable=False, default=False),  # every action since creation held
    Column("mapping_hash", String(64)),
    # Trello refused the nested board as too large once: page its cards at once on the next syncs.
    Column("cards_paged", Boolean, nullable=False, default=False, server_default=sa_false()),
    Column("list_matches", Text),  # JSON {mapping list name: [list ids]} at the last derive (diagnostics)
)

# ------------------------------------------------------------------ the derived domain

people = Table(
    "people",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("trello_username", String(128)),
    Column("member_id", ID),
    Column("mapped", Boolean, nullable=False, default=True),
)

lunches = Table(
    "lunches",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("participants", Text, nullable=False),  # JSON list of person keys
    Column("archived", Boolean, nullable=False, default=False),
    Column("date_source", String(16), nullable=False),
    Column("about", Text, nullable=False, default="[]"),  # JSON list: whose lunch (see lunch_people)
    Column(
        "every_days", Integer, nullable=False, default=DEFAULT_EVERY_DAYS
    ),  # the board's lunches.every_days
)

lunch_people = Table(  # one row per person a lunch is about: "lunches per pair" in plain SQL
    "lunch_people",
    metadata,
    Column("lunch_id", ID, primary_key=True),
    Column("person", String(128), primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", String(160), primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("about", String(128), index=True),
    Column("said_by", String(128)),  # only when Trello records it or the mapping declares it
    Column("said_by_source", String(16), nullable=False, default="unknown"),  # trello | mapping | unknown
    Column("voice", String(16), nullable=False, default="conversation"),  # peer | self | conversation
    Column(
        "polarity", String(16), nullable=False, default="neutral"
    ),  # strength|praise|neutral|concern|development
    Column("competency", String(128), index=True),  # the entry's one competency; NULL = unclassified
    Column("competency_source", String(16)),  # tag | keyword | alias | label
    Column("date", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("lunch_id", ID),
    Column("card_url", Text),
    Column("source", String(16), nullable=False),
    Column("card_labels", Text, nullable=False),  # JSON list of the card's competency keys (context only)
)

goals = Table(
    "goals",
    metadata,
    Column("id", ID, primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("owners", Text, nullable=False),  # JSON list of person keys
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created", Date, nullable=False),
    Column("due", Date),
    Column("achieved_at", DateTime),
    Column("dropped_at", DateTime),
    Column("url", Text),
    Column("labels", Text, nullable=False),
    Column("status_at_sync", String(16)),  # rules.goal_status as of the board's last sync
    Column(
        "events", Text, nullable=False, default="[]"
    ),  # JSON [[iso time, status after], ...] from the history
)

goal_owners = Table(
    "goal_owners",
    metadata,
    Column("goal_id", ID, primary_key=True),
    Column("person", String(128), primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
)

key_results = Table(
    "key_results",
    metadata,
    Column("id", ID, primary_key=True),
    Column("goal_id", ID, nullable=False, index=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("done", Boolean, nullable=False),
    Column("completed_at", DateTime),
    Column("due", DateTime),
    Column("pos", Float),
)

commitments = Table(
    "commitments",
    metadata,
    Column("id", String(160), primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("lunch_id", ID, nullable=False),
    Column("person", String(128), index=True),
    Column("text", Text, nullable=False),
    Column("made", Date, nullable=False),
    Column("deadline", Date),
    Column("done", Boolean, nullable=False, default=False),
    Column("completed_at", DateTime),
    Column("url", Text),
    Column("status_at_sync", String(16)),  # rules.commitment_status as of the board's last sync
    # domain/renewal.py: the commitment this one renews, the one that renewed it (on which day), and the deadline
    # of the chain's first commitment (a renewal is judged and counted against it)
    Column("renews", String(160)),
    Column("renewed_by", String(160)),
    Column("renewed_on", Date),
    Column("first_deadline", Date),
)

board_cadence = Table(  # rules.cadence over the board's whole history up to its last sync (migration 0009)
    "board_cadence",
    metadata,
    Column("board_id", ID, primary_key=True),
    Column("every_days", Integer, nullable=False),
    Column("first_meeting", Date),
    Column("last_meeting", Date),
    Column("held", Integer, nullable=False),
    Column("expected", Integer, nullable=False),
    Column("mean_interval_days", Float),
    Column("longest_interval_days", Integer),
    Column("gaps", Integer, nullable=False),
    Column("as_of", Date),
)

competencies = Table(
    "competencies",
    metadata,
    Column("key", String(128), primary_key=True),
    Column("name", Text, nullable=False),
)

history_gaps = Table(
    "history_gaps",
    metadata,
    Column("board_id", ID, primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
)

replies = Table(  # a subject's reply to an entry about them (domain.replies): shown beside it, never evidence
    "replies",
    metadata,
    Column("id", ID, primary_key=True),  # the reply comment's action id
    Column("board_id", ID, nullable=False, index=True),
    Column("entry_id", String(160), nullable=False, index=True),
    Column("by", String(128), nullable=False),
    Column("date", Date, nullable=False),
    Column("text", Text, nullable=False),
)

MIRROR_TABLES = (
    boards,
    lists,
    labels,
    members,
    board_members,
    cards,
    card_labels,
    card_members,
    checklists,
    check_items,
    comments,
    actions,
)
DOMAIN_TABLES = (
    lunches,
    lunch_people,
    feedback,
    goals,
    goal_owners,
    key_results,
    commitments,
    board_cadence,
    history_gaps,
    replies,
)


# ------------------------------------------------------------------ the practices (migration 0004)
# Derived rows of the practices around the lunch, replaced per board on rebuild.

KEY = String(128)  # person keys

practice_boards = Table(
    "practice_boards",
    metadata,
    Column("board_id", ID, primary_key=True),
    Column("visibility", String(16), nullable=False),  # private | team
    Column("group_members", Text),  # JSON list of person keys when the board is a peer learning group
    Column("marker", Text),  # the text that marks an entry shareable
)

practice_marks = Table(
    "practice_marks",
    metadata,
    Column("board_id", ID, primary_key=True),
    Column("entry_id", String(160), primary_key=True),  # card, check item or comment marked shareable
)

advocates = Table(
    "advocates",
    metadata,
    Column("person", KEY, primary_key=True),
    Column("advocate", KEY, nullable=False),
)

self_reviews = Table(
    "self_reviews",
    metadata,
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
    "stakeholder_feedback",
    metadata,
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
    "group_issues",
    metadata,
    Column("id", String(160), primary_key=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("meeting_id", ID, nullable=False),
    Column("person", KEY, nullable=False, index=True),
    Column("date", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text),
)

promises = Table(
    "promises",
    metadata,
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
    "promise_criteria",
    metadata,
    Column("id", ID, primary_key=True),
    Column("promise_id", ID, nullable=False, index=True),
    Column("board_id", ID, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("done", Boolean, nullable=False),
    Column("completed_at", DateTime),
    Column("pos", Float),
)

PER_BOARD = (
    practice_boards,
    practice_marks,
    self_reviews,
    stakeholder_feedback,
    group_issues,
    promises,
    promise_criteria,
)


# ------------------------------------------------------------------ the people's rights (migration 0007)

report_log = Table(  # every report written: who (the OS user), when, which kind, about whom, and its hash
    "report_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("written_at", DateTime, nullable=False),  # UTC
    Column("os_user", String(128), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("person", Text, nullable=False),  # person key; a showcase: the keys, comma-separated
    Column("period_start", Date),
    Column("period_end", Date),
    Column("format", String(16), nullable=False),
    Column("path", Text),  # where it was written (None: printed)
    Column("sha256", String(64), nullable=False),
)

erasures = Table(  # a forgotten person: only salted hashes, so a later sync can recognise and exclude them
    "erasures",
    metadata,
    Column("pseudonym", String(128), primary_key=True),  # the person key their remaining words carry
    Column("member_pseudonym", ID, nullable=False),  # the member id their remaining Trello actions carry
    Column("salt", String(32), nullable=False),
    Column("member_hash", String(64)),  # sha256(salt + Trello member id)
    Column("username_hash", String(64)),  # sha256(salt + lower-case Trello username)
    Column("key_hash", String(64)),  # sha256(salt + config person key)
    Column("erased_at", DateTime, nullable=False),
    Column("reason", String(32), nullable=False),  # request | departed | deleted_account
)

erased_objects = (
    Table(  # Trello objects about a forgotten person (cards, check items, comments): never stored again
        "erased_objects",
        metadata,
        Column("id", ID, primary_key=True),
        Column("board_id", ID, nullable=False, index=True),
    )
)

retention_marks = (
    Table(  # the cutoff each kind of data was last trimmed to (reports say where their data starts)
        "retention_marks",
        metadata,
        Column("kind", String(32), primary_key=True),  # entries | actions | report_log
        Column("cutoff", Date, nullable=False),
        Column("days", Integer, nullable=False),
        Column("applied_at", DateTime, nullable=False),
    )
)

# ------------------------------------------------------------------ what `prepare` wrote (migration 0006)
# Never derived from the mirror and never replaced on rebuild: the record of trellosync's own writes on Trello.

prepared_writes = Table(
    "prepared_writes",
    metadata,
    Column("id", ID, primary_key=True),  # the Trello id of what was written
    Column("kind", String(16), nullable=False),  # card | checklist | item
    Column("board_id", ID, nullable=False, index=True),
    Column("card_id", ID, nullable=False),
    Column("lunch_date", Date, nullable=False),  # the lunch (or meeting) it was prepared for
    Column("ref_kind", String(16)),  # item: commitment | promise | focus
    Column("ref_id", String(160)),  # item: the id of what it asks about
    Column("written_at", DateTime, nullable=False),
)
