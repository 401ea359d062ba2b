"""prepared_writes: what `trellosync prepare` wrote on Trello (cards, checklists, items)

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table('prepared_writes',
                    sa.Column('id', ID, primary_key=True),
                    sa.Column('kind', sa.String(length=16), nullable=False),
                    sa.Column('board_id', ID, nullable=False),
                    sa.Column('card_id', ID, nullable=False),
                    sa.Column('lunch_date', sa.Date(), nullable=False),
                    sa.Column('ref_kind', sa.String(length=16), nullable=True),
                    sa.Column('ref_id', sa.String(length=160), nullable=True),
                    sa.Column('written_at', sa.DateTime(), nullable=False))
    op.create_index('ix_prepared_writes_board_id', 'prepared_writes', ['board_id'])


def downgrade() -> None:
    op.drop_index('ix_prepared_writes_board_id', table_name='prepared_writes')
    op.drop_table('prepared_writes')
