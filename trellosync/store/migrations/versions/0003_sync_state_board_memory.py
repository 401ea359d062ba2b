"""sync_state remembers per board: cards must be paged, and which lists each mapping name matched

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: SQLite's batch mode recreates and renames the table, which the
    # views of 0002 that read sync_state do not survive ("error in view goal_status").
    op.add_column('sync_state', sa.Column('cards_paged', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('sync_state', sa.Column('list_matches', sa.Text(), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35, PostgreSQL) for the same reason as in upgrade().
    op.execute("ALTER TABLE sync_state DROP COLUMN list_matches")
    op.execute("ALTER TABLE sync_state DROP COLUMN cards_paged")
