"""people's rights: replies beside entries, the report log, erasures, erased objects, retention marks

Revision ID: 0007
Revises: 0006

Replies are derived per board like the other domain tables; the report log records every report written;
an erasure keeps only salted hashes of a forgotten person's Trello id, username and config key, so a later
sync can recognise and exclude them; erased_objects lists the Trello objects about them that are never
stored again; retention_marks remembers where each kind of data was last trimmed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ID = sa.String(length=64)
KEY = sa.String(length=128)


def upgrade() -> None:
    op.create_table('replies',
                    sa.Column('id', ID, primary_key=True),
                    sa.Column('board_id', ID, nullable=False, index=True),
                    sa.Column('entry_id', sa.String(length=160), nullable=False, index=True),
                    sa.Column('by', KEY, nullable=False),
                    sa.Column('date', sa.Date(), nullable=False),
                    sa.Column('text', sa.Text(), nullable=False))
    op.create_table('report_log',
                    sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
                    sa.Column('written_at', sa.DateTime(), nullable=False),
                    sa.Column('os_user', KEY, nullable=False),
                    sa.Column('kind', sa.String(length=32), nullable=False),
                    sa.Column('person', sa.Text(), nullable=False),
                    sa.Column('period_start', sa.Date(), nullable=True),
                    sa.Column('period_end', sa.Date(), nullable=True),
                    sa.Column('format', sa.String(length=16), nullable=False),
                    sa.Column('path', sa.Text(), nullable=True),
                    sa.Column('sha256', sa.String(length=64), nullable=False))
    op.create_table('erasures',
                    sa.Column('pseudonym', KEY, primary_key=True),
                    sa.Column('member_pseudonym', ID, nullable=False),
                    sa.Column('salt', sa.String(length=32), nullable=False),
                    sa.Column('member_hash', sa.String(length=64), nullable=True),
                    sa.Column('username_hash', sa.String(length=64), nullable=True),
                    sa.Column('key_hash', sa.String(length=64), nullable=True),
                    sa.Column('erased_at', sa.DateTime(), nullable=False),
                    sa.Column('reason', sa.String(length=32), nullable=False))
    op.create_table('erased_objects',
                    sa.Column('id', ID, primary_key=True),
                    sa.Column('board_id', ID, nullable=False, index=True))
    op.create_table('retention_marks',
                    sa.Column('kind', sa.String(length=32), primary_key=True),
                    sa.Column('cutoff', sa.Date(), nullable=False),
                    sa.Column('days', sa.Integer(), nullable=False),
                    sa.Column('applied_at', sa.DateTime(), nullable=False))


def downgrade() -> None:
    for table in ('retention_marks', 'erased_objects', 'erasures', 'report_log', 'replies'):
        op.drop_table(table)
