"""keep_rate view: kept counts only commitments due by the board's last sync, as the reports count them

Revision ID: 0005
Revises: 0004

The reports' keep rate (domain.rules.keep_rate) counts commitments whose deadline falls in the period, which
ends at the as-of date; 0002's view also counted commitments kept early whose deadline was still ahead, so a
SQL user saw one more "kept" than the reports. Those are now left out (done before being due, they are neither
judged nor open); `open` still counts every commitment not yet due. Each board's as-of date is its cadence
row's `as_of` (the local date of its last sync); a board without one keeps every deadline, as before.
"""
from alembic import op

revision = '0005'
down_revision = '0004'
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

DUE_BY_SYNC = f"""
        SELECT c.person,{_COUNTS}
        FROM commitments c
        LEFT JOIN board_cadence bc ON bc.board_id = c.board_id
        WHERE c.deadline IS NOT NULL AND c.status_at_sync IS NOT NULL
          AND NOT (c.status_at_sync IN ('kept', 'done_undated') AND bc.as_of IS NOT NULL AND c.deadline > bc.as_of)
        GROUP BY c.person"""

EVERY_DEADLINE = f"""
        SELECT c.person,{_COUNTS}
        FROM commitments c
        WHERE c.deadline IS NOT NULL AND c.status_at_sync IS NOT NULL
        GROUP BY c.person"""


def upgrade() -> None:
    op.execute("DROP VIEW keep_rate")
    op.execute(f"CREATE VIEW keep_rate AS {DUE_BY_SYNC}")


def downgrade() -> None:
    op.execute("DROP VIEW keep_rate")
    op.execute(f"CREATE VIEW keep_rate AS {EVERY_DEADLINE}")
