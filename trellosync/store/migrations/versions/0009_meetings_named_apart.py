"""meetings named apart: a `meetings` view with each board's kind; `pair_lunches` holds only pair lunches

Revision ID: 0009
Revises: 0008

The documents count pair lunches, group meetings, advocate check-ins and team lunches apart, each against its
own expected count (domain/meetings.py); SQL now says the same. `meetings` is one row per person and board with
the board's kind (the JSON's codes: lunch | group_meeting | check_in | team_lunch), held and expected; the
kind is read as `meetings.meeting_kind` reads it from a loaded store (a peer learning group's board, else the
number of people its meetings are about). `pair_lunches` keeps its columns but only pair lunches, and
`board_cadence` counts meetings: lunches -> held, first_lunch -> first_meeting, last_lunch -> last_meeting; the
`evidence` view names an entry's meeting `meeting_id` (as `group_issues` does).
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# Each person's meetings per board, named by kind, held and expected as rules.cadence counts them for a report
# of the person's whole history (from their first meeting on the board to its last sync; expected rounds half
# to even, as Python's round), with the board's intervals. {days}: days from first meeting to last sync, inclusive.
MEETINGS = """
        SELECT m.person, m.board_id, m.board, m.kind, m.held,
               {greatest}(1, m.days / m.every_days
                   + CASE WHEN 2 * (m.days % m.every_days) > m.every_days THEN 1
                          WHEN 2 * (m.days % m.every_days) = m.every_days THEN (m.days / m.every_days) % 2
                          ELSE 0 END) AS expected,
               m.every_days, m.first_meeting, m.last_meeting, m.mean_interval_days, m.longest_interval_days,
               m.gaps, m.as_of
        FROM (
            SELECT lp.person, lp.board_id, b.name AS board,
                   CASE WHEN pb.group_members IS NOT NULL AND pb.group_members <> '[]' THEN 'group_meeting'
                        WHEN s.subjects = 1 THEN 'check_in'
                        WHEN s.subjects >= 3 THEN 'team_lunch'
                        ELSE 'lunch' END AS kind,
                   COUNT(DISTINCT l.date) AS held, {days} AS days, COALESCE(c.every_days, MIN(l.every_days)) AS every_days,
                   MIN(l.date) AS first_meeting, MAX(l.date) AS last_meeting,
                   c.mean_interval_days, c.longest_interval_days, c.gaps, c.as_of
            FROM lunch_people lp
            JOIN lunches l ON l.id = lp.lunch_id
            JOIN (SELECT board_id, COUNT(DISTINCT person) AS subjects FROM lunch_people GROUP BY board_id) s
                ON s.board_id = lp.board_id
            LEFT JOIN practice_boards pb ON pb.board_id = lp.board_id
            LEFT JOIN boards b ON b.id = lp.board_id
            LEFT JOIN board_cadence c ON c.board_id = lp.board_id
            WHERE c.as_of IS NULL OR l.date <= c.as_of
            GROUP BY lp.person, lp.board_id, b.name, pb.group_members, s.subjects, c.every_days,
                     c.mean_interval_days, c.longest_interval_days, c.gaps, c.as_of
        ) m"""

DIALECT = {
    "sqlite": {
        "days": "CAST(julianday(COALESCE(c.as_of, MAX(l.date))) - julianday(MIN(l.date)) AS INTEGER) + 1",
        "greatest": "MAX",
    },
    "postgresql": {"days": "(COALESCE(c.as_of, MAX(l.date)) - MIN(l.date)) + 1", "greatest": "GREATEST"},
}

# The pair lunches alone, in the columns 0002 gave the view.
PAIR_LUNCHES = """
        SELECT person, board_id, board, held AS lunches, every_days, expected, mean_interval_days,
               longest_interval_days, gaps, as_of
        FROM meetings
        WHERE kind = 'lunch'"""

PAIR_LUNCHES_0002 = """
        SELECT lp.person, lp.board_id, b.name AS board, COUNT(DISTINCT l.date) AS lunches,
               c.every_days, c.expected, c.mean_interval_days, c.longest_interval_days, c.gaps, c.as_of
        FROM lunch_people lp
        JOIN lunches l ON l.id = lp.lunch_id
        LEFT JOIN boards b ON b.id = lp.board_id
        LEFT JOIN board_cadence c ON c.board_id = lp.board_id
        WHERE c.as_of IS NULL OR l.date <= c.as_of
        GROUP BY lp.person, lp.board_id, b.name, c.every_days, c.expected, c.mean_interval_days,
                 c.longest_interval_days, c.gaps, c.as_of"""

# 0002's evidence view, its entries' meeting named as group_issues names it (meeting_id, not lunch_id).
EVIDENCE_0002 = """
        SELECT f.id, f.board_id, b.name AS board, f.date, f.kind, f.polarity, f.about, pa.name AS about_name,
               f.said_by, ps.name AS said_by_name, f.said_by_source, f.voice, f.competency,
               c.name AS competency_name, f.competency_source, f.text, f.lunch_id, f.card_url, f.source
        FROM feedback f
        LEFT JOIN boards b ON b.id = f.board_id
        LEFT JOIN people pa ON pa.key = f.about
        LEFT JOIN people ps ON ps.key = f.said_by
        LEFT JOIN competencies c ON c.key = f.competency"""
EVIDENCE = EVIDENCE_0002.replace("f.lunch_id,", "f.lunch_id AS meeting_id,")

RENAMED = (("lunches", "held"), ("first_lunch", "first_meeting"), ("last_lunch", "last_meeting"))


def upgrade() -> None:
    op.execute("DROP VIEW pair_lunches")
    op.execute("DROP VIEW evidence")
    for old, new in RENAMED:
        op.alter_column('board_cadence', old, new_column_name=new)
    op.execute(f"CREATE VIEW evidence AS {EVIDENCE}")
    words = DIALECT[op.get_bind().dialect.name]
    op.execute(f"CREATE VIEW meetings AS {MEETINGS.format(**words)}")
    op.execute(f"CREATE VIEW pair_lunches AS {PAIR_LUNCHES}")


def downgrade() -> None:
    op.execute("DROP VIEW pair_lunches")
    op.execute("DROP VIEW meetings")
    op.execute("DROP VIEW evidence")
    for old, new in RENAMED:
        op.alter_column('board_cadence', new, new_column_name=old)
    op.execute(f"CREATE VIEW evidence AS {EVIDENCE_0002}")
    op.execute(f"CREATE VIEW pair_lunches AS {PAIR_LUNCHES_0002}")
