"""commitments: renewals (renews, renewed_by, renewed_on, first_deadline); views count a chain once

Revision ID: 0008
Revises: 0007

A commitment made again at a later lunch while still open is linked to its renewal (domain/renewal.py). The
renewed one's status is `renewed` and no view counts it; the renewal is judged against the chain's first
deadline and `keep_rate` counts it at that deadline, as `rules.keep_rate` does. Derived rows are rebuilt from the
mirror: the mapping_hash of every board is cleared so the next sync re-derives (and links) them.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_COUNTS = """
               SUM(CASE WHEN c.status_at_sync = 'kept' THEN 1 ELSE 0 END) AS kept,
               SUM(CASE WHEN c.status_at_sync = 'late' THEN 1 ELSE 0 END) AS late,
               SUM(CASE WHEN c.status_at_sync = 'broken' THEN 1 ELSE 0 END) AS broken,
               SUM(CASE WHEN c.status_at_sync = 'open' THEN 1 ELSE 0 END) AS open,
               SUM(CASE WHEN c.status_at_sync = 'done_undated' THEN 1 ELSE 0 END) AS done_undated,
               SUM(CASE WHEN c.status_at_sync IN ('kept', 'late', 'broken') THEN 1 ELSE 0 END) AS judged,
               1.0 * SUM(CASE WHEN c.status_at_sync = 'kept' THEN 1 ELSE 0 END)
                   / NULLIF(SUM(CASE WHEN c.status_at_sync IN ('kept', 'late', 'broken') THEN 1 ELSE 0 END), 0)
                   AS rate"""

# As 0005, with the chain's first deadline for a renewal and renewed commitments left out (each chain once).
KEEP_RATE = f"""
        SELECT c.person,{_COUNTS},
               SUM(CASE WHEN c.status_at_sync = 'renewed' THEN 1 ELSE 0 END) AS renewed
        FROM commitments c
        LEFT JOIN board_cadence bc ON bc.board_id = c.board_id
        WHERE COALESCE(c.first_deadline, c.deadline) IS NOT NULL AND c.status_at_sync IS NOT NULL
          AND NOT (c.status_at_sync IN ('kept', 'done_undated') AND bc.as_of IS NOT NULL
                   AND COALESCE(c.first_deadline, c.deadline) > bc.as_of)
        GROUP BY c.person"""

KEEP_RATE_0005 = f"""
        SELECT c.person,{_COUNTS}
        FROM commitments c
        LEFT JOIN board_cadence bc ON bc.board_id = c.board_id
        WHERE c.deadline IS NOT NULL AND c.status_at_sync IS NOT NULL
          AND NOT (c.status_at_sync IN ('kept', 'done_undated') AND bc.as_of IS NOT NULL AND c.deadline > bc.as_of)
        GROUP BY c.person"""

COMMITMENT_STATUS = """
        SELECT c.person, c.id AS commitment_id, c.board_id, c.text, c.made, c.deadline, c.done, c.completed_at,
               c.status_at_sync AS status,
               CASE c.status_at_sync WHEN 'done_undated' THEN 'done, date unknown' ELSE c.status_at_sync END
                   AS status_label,
               s.synced_at AS as_of, c.renews, c.renewed_by, c.renewed_on,
               COALESCE(c.first_deadline, c.deadline) AS chain_deadline
        FROM commitments c
        LEFT JOIN sync_state s ON s.board_id = c.board_id"""

COMMITMENT_STATUS_0002 = """
        SELECT c.person, c.id AS commitment_id, c.board_id, c.text, c.made, c.deadline, c.done, c.completed_at,
               c.status_at_sync AS status,
               CASE c.status_at_sync WHEN 'done_undated' THEN 'done, date unknown' ELSE c.status_at_sync END
                   AS status_label,
               s.synced_at AS as_of
        FROM commitments c
        LEFT JOIN sync_state s ON s.board_id = c.board_id"""

COLUMNS = (("renews", sa.String(length=160)), ("renewed_by", sa.String(length=160)), ("renewed_on", sa.Date()),
           ("first_deadline", sa.Date()))


def upgrade() -> None:
    op.execute("DROP VIEW keep_rate")
    op.execute("DROP VIEW commitment_status")
    for name, kind in COLUMNS:
        op.add_column('commitments', sa.Column(name, kind, nullable=True))
    op.execute(f"CREATE VIEW commitment_status AS {COMMITMENT_STATUS}")
    op.execute(f"CREATE VIEW keep_rate AS {KEEP_RATE}")
    op.execute("UPDATE sync_state SET mapping_hash = NULL")


def downgrade() -> None:
    op.execute("DROP VIEW keep_rate")
    op.execute("DROP VIEW commitment_status")
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
    op.execute(f"CREATE VIEW commitment_status AS {COMMITMENT_STATUS_0002}")
    op.execute(f"CREATE VIEW keep_rate AS {KEEP_RATE_0005}")
