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
    with op.batch_alter_table('sync_state') as batch:
        batch.add_column(sa.Column('cards_paged', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('list_matches', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sync_state') as batch:
        batch.drop_column('list_matches')
        batch.drop_column('cards_paged')
