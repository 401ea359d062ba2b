"""evidence: authorship, polarity, one competency per entry, pairs, statuses as of the last sync, views

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 21:30:00

Derived rows are rebuilt from the mirror: this migration clears every board's mapping_hash so the next
sync re-derives them, and until then forgets the authors the old rules guessed (check items and
description sections were credited to the other participant).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

VIEWS = {
    # Every feedback entry with names: who it is about, who said it and how that is known.
    "evidence": """
        SELECT f.id, f.board_id, b.name AS board, f.date, f.kind, f.polarity, f.about, pa.name AS about_name,
               f.said_by, ps.name AS said_by_name, f.said_by_source, f.voice, f.competency,
               c.name AS competency_name, f.competency_source, f.text, f.lunch_id, f.card_url, f.source
        FROM feedback f
        LEFT JOIN boards b ON b.id = f.board_id
        LEFT JOIN people pa ON pa.key = f.about
        LEFT JOIN people ps ON ps.key = f.said_by
        LEFT JOIN competencies c ON c.key = f.competency""",
    # Each owner's goals with the status rules.goal_status gives as of the board's last sync.
    "goal_status": """
        SELECT o.person, g.id AS goal_id, g.board_id, g.title, g.status_at_sync AS status, g.created, g.due,
               g.achieved_at, g.dropped_at, s.synced_at AS as_of
        FROM goals g
        JOIN goal_owners o ON o.goal_id = g.id
        LEFT JOIN sync_state s ON s.board_id = g.board_id""",
    # Each commitment with the status rules.commitment_status gives as of the board's last sync.
    "commitment_status": """
        SELECT c.person, c.id AS commitment_id, c.board_id, c.text, c.made, c.deadline, c.done, c.completed_at,
               c.status_at_sync AS status,
               CASE c.status_at_sync WHEN 'done_undated' THEN 'done, date unknown' ELSE c.status_at_sync END
                   AS status_label,
               s.synced_at AS as_of
        FROM commitments c
        LEFT JOIN sync_state s ON s.board_id = c.board_id""",
    # rules.KeepRate over every commitment with a deadline: rate = kept / (kept + late + broken).
    "keep_rate": """
        SELECT person,
               SUM(CASE WHEN status_at_sync = 'kept' THEN 1 ELSE 0 END) AS kept,
               SUM(CASE WHEN status_at_sync = 'late' THEN 1 ELSE 0 END) AS late,
               SUM(CASE WHEN status_at_sync = 'broken' THEN 1 ELSE 0 END) AS broken,
               SUM(CASE WHEN status_at_sync = 'open' THEN 1 ELSE 0 END) AS open,
               SUM(CASE WHEN status_at_sync = 'done_undated' THEN 1 ELSE 0 END) AS done_undated,
               SUM(CASE WHEN status_at_sync IN ('kept', 'late', 'broken') THEN 1 ELSE 0 END) AS judged,
               1.0 * SUM(CASE WHEN status_at_sync = 'kept' THEN 1 ELSE 0 END)
                   / NULLIF(SUM(CASE WHEN status_at_sync IN ('kept', 'late', 'broken') THEN 1 ELSE 0 END), 0)
                   AS rate
        FROM commitments
        WHERE deadline IS NOT NULL AND status_at_sync IS NOT NULL
        GROUP BY person""",
    # Each person's pairs: the lunches about them per board, with the board's cadence (rules.cadence).
    "pair_lunches": """
        SELECT lp.person, lp.board_id, b.name AS board, COUNT(DISTINCT l.date) AS lunches,
               c.every_days, c.expected, c.mean_interval_days, c.longest_interval_days, c.gaps, c.as_of
        FROM lunch_people lp
        JOIN lunches l ON l.id = lp.lunch_id
        LEFT JOIN boards b ON b.id = lp.board_id
        LEFT JOIN board_cadence c ON c.board_id = lp.board_id
        WHERE c.as_of IS NULL OR l.date <= c.as_of
        GROUP BY lp.person, lp.board_id, b.name, c.every_days, c.expected, c.mean_interval_days,
                 c.longest_interval_days, c.gaps, c.as_of""",
    # Entries about each person per competency (NULL = unclassified), each entry once.
    "competency_evidence": """
        SELECT about AS person, competency, COUNT(*) AS entries,
               SUM(CASE WHEN polarity IN ('strength', 'praise') THEN 1 ELSE 0 END) AS positive,
               SUM(CASE WHEN voice = 'peer' THEN 1 ELSE 0 END) AS from_peers
        FROM feedback
        GROUP BY about, competency""",
}


def upgrade() -> None:
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.alter_column('by', new_column_name='said_by', existing_type=sa.String(length=128))
        batch_op.alter_column('labels', new_column_name='card_labels', existing_type=sa.Text(),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('said_by_source', sa.String(length=16), nullable=False,
                                      server_default='unknown'))
        batch_op.add_column(sa.Column('voice', sa.String(length=16), nullable=False, server_default='conversation'))
        batch_op.add_column(sa.Column('polarity', sa.String(length=16), nullable=False, server_default='neutral'))
        batch_op.add_column(sa.Column('competency', sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column('competency_source', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_feedback_competency'), ['competency'], unique=False)
    with op.batch_alter_table('lunches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about', sa.Text(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('every_days', sa.Integer(), nullable=False, server_default='14'))
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_at_sync', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('events', sa.Text(), nullable=False, server_default='[]'))
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_at_sync', sa.String(length=16), nullable=True))
    op.create_table('lunch_people',
    sa.Column('lunch_id', sa.String(length=64), nullable=False),
    sa.Column('person', sa.String(length=128), nullable=False),
    sa.Column('board_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('lunch_id', 'person')
    )
    with op.batch_alter_table('lunch_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lunch_people_board_id'), ['board_id'], unique=False)
    op.create_table('goal_owners',
    sa.Column('goal_id', sa.String(length=64), nullable=False),
    sa.Column('person', sa.String(length=128), nullable=False),
    sa.Column('board_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('goal_id', 'person')
    )
    with op.batch_alter_table('goal_owners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_owners_board_id'), ['board_id'], unique=False)
    op.create_table('board_cadence',
    sa.Column('board_id', sa.String(length=64), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('first_lunch', sa.Date(), nullable=True),
    sa.Column('last_lunch', sa.Date(), nullable=True),
    sa.Column('lunches', sa.Integer(), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=False),
    sa.Column('mean_interval_days', sa.Float(), nullable=True),
    sa.Column('longest_interval_days', sa.Integer(), nullable=True),
    sa.Column('gaps', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('board_id')
    )
    # The old rules guessed check-item and description authors: forget them; the next sync re-derives.
    op.execute("UPDATE feedback SET said_by = NULL WHERE source <> 'comment'")
    op.execute("UPDATE feedback SET said_by_source = 'trello' WHERE said_by IS NOT NULL")
    # Until the rebuild: what can be said without the mapping (comments stay neutral, unclassified).
    op.execute("UPDATE feedback SET voice = CASE WHEN said_by IS NULL OR about IS NULL THEN 'conversation' "
               "WHEN said_by = about THEN 'self' ELSE 'peer' END")
    op.execute("UPDATE feedback SET polarity = CASE kind WHEN 'best' THEN 'strength' WHEN 'worst' THEN 'concern' "
               "WHEN 'focus' THEN 'development' ELSE 'neutral' END")
    op.execute("UPDATE sync_state SET mapping_hash = NULL")
    for name, body in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {body}")


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_table('board_cadence')
    with op.batch_alter_table('goal_owners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_owners_board_id'))
    op.drop_table('goal_owners')
    with op.batch_alter_table('lunch_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lunch_people_board_id'))
    op.drop_table('lunch_people')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_column('status_at_sync')
    with op.batch_alter_table('goals', schema=None) as batch_op:
        batch_op.drop_column('events')
        batch_op.drop_column('status_at_sync')
    with op.batch_alter_table('lunches', schema=None) as batch_op:
        batch_op.drop_column('every_days')
        batch_op.drop_column('about')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feedback_competency'))
        batch_op.drop_column('competency_source')
        batch_op.drop_column('competency')
        batch_op.drop_column('polarity')
        batch_op.drop_column('voice')
        batch_op.drop_column('said_by_source')
        batch_op.alter_column('card_labels', new_column_name='labels', existing_type=sa.Text(),
                              existing_nullable=False)
        batch_op.alter_column('said_by', new_column_name='by', existing_type=sa.String(length=128))
