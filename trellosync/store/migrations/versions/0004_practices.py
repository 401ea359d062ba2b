"""practices: self-reviews, stakeholder feedback, group issues, promises, visibility, advocates

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ID = sa.String(length=64)
KEY = sa.String(length=128)


def upgrade() -> None:
    op.create_table('practice_boards',
                    sa.Column('board_id', ID, primary_key=True),
                    sa.Column('visibility', sa.String(length=16), nullable=False),
                    sa.Column('group_members', sa.Text(), nullable=True),
                    sa.Column('marker', sa.Text(), nullable=True))
    op.create_table('practice_marks',
                    sa.Column('board_id', ID, primary_key=True),
                    sa.Column('entry_id', sa.String(length=160), primary_key=True))
    op.create_table('advocates',
                    sa.Column('person', KEY, primary_key=True),
                    sa.Column('advocate', KEY, nullable=False))
    op.create_table('self_reviews',
                    sa.Column('id', ID, primary_key=True),
                    sa.Column('board_id', ID, nullable=False, index=True),
                    sa.Column('person', KEY, nullable=False, index=True),
                    sa.Column('date', sa.Date(), nullable=False),
                    sa.Column('title', sa.Text(), nullable=False),
                    sa.Column('accomplishments', sa.Text(), nullable=False),
                    sa.Column('goals', sa.Text(), nullable=False),
                    sa.Column('improve', sa.Text(), nullable=False),
                    sa.Column('url', sa.Text(), nullable=True))
    op.create_table('stakeholder_feedback',
                    sa.Column('id', sa.String(length=160), primary_key=True),
                    sa.Column('board_id', ID, nullable=False, index=True),
                    sa.Column('about', KEY, nullable=False, index=True),
                    sa.Column('said_by', KEY, nullable=True),
                    sa.Column('said_by_name', sa.Text(), nullable=True),
                    sa.Column('said_by_source', sa.String(length=16), nullable=True),
                    sa.Column('date', sa.Date(), nullable=False),
                    sa.Column('text', sa.Text(), nullable=False),
                    sa.Column('polarity', sa.String(length=16), nullable=False),
                    sa.Column('url', sa.Text(), nullable=True))
    op.create_table('group_issues',
                    sa.Column('id', sa.String(length=160), primary_key=True),
                    sa.Column('board_id', ID, nullable=False, index=True),
                    sa.Column('meeting_id', ID, nullable=False),
                    sa.Column('person', KEY, nullable=False, index=True),
                    sa.Column('date', sa.Date(), nullable=False),
                    sa.Column('text', sa.Text(), nullable=False),
                    sa.Column('url', sa.Text(), nullable=True))
    op.create_table('promises',
                    sa.Column('id', ID, primary_key=True),
                    sa.Column('board_id', ID, nullable=False, index=True),
                    sa.Column('person', KEY, nullable=True, index=True),
                    sa.Column('title', sa.Text(), nullable=False),
                    sa.Column('made', sa.Date(), nullable=False),
                    sa.Column('due', sa.Date(), nullable=True),
                    sa.Column('met_at', sa.DateTime(), nullable=True),
                    sa.Column('done_flag', sa.Boolean(), nullable=False),
                    sa.Column('archived', sa.Boolean(), nullable=False),
                    sa.Column('url', sa.Text(), nullable=True))
    op.create_table('promise_criteria',
                    sa.Column('id', ID, primary_key=True),
                    sa.Column('promise_id', ID, nullable=False, index=True),
                    sa.Column('board_id', ID, nullable=False, index=True),
                    sa.Column('name', sa.Text(), nullable=False),
                    sa.Column('done', sa.Boolean(), nullable=False),
                    sa.Column('completed_at', sa.DateTime(), nullable=True),
                    sa.Column('pos', sa.Float(), nullable=True))


def downgrade() -> None:
    for name in ('promise_criteria', 'promises', 'group_issues', 'stakeholder_feedback', 'self_reviews',
                 'advocates', 'practice_marks', 'practice_boards'):
        op.drop_table(name)
