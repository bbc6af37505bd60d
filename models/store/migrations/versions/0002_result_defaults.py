"""Old job results get the fields today's result document always has.

Results written before multi-metric scoring and pruning lack ``scores`` and
``n_pruned_trials``; they get ``{}`` and ``0``, the values such a run would have had, so
readers no longer patch them in.

Revision ID: 7900d3c1ea0d
Revises: 6426a2eb81bb
Create Date: 2025-06-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "7900d3c1ea0d"
down_revision = "6426a2eb81bb"
branch_labels = None
depends_on = None

DEFAULTS = {"scores": {}, "n_pruned_trials": 0}
# Rows read per round trip: bounds memory on a database with many finished jobs.
PAGE = 500

jobs = sa.table("jobs", sa.column("id", sa.String(40)), sa.column("result", sa.JSON))


def upgrade() -> None:
    # In Python rather than SQL: JSON functions differ between SQLite and PostgreSQL, and
    # the table holds one row per job, not per trial.
    connection = op.get_bind()
    last_id = ""
    while True:
        page = connection.execute(
            sa.select(jobs.c.id, jobs.c.result)
            .where(jobs.c.id > last_id, jobs.c.result.is_not(None))
            .order_by(jobs.c.id)
            .limit(PAGE)
        ).all()
        if not page:
            break
        for job_id, result in page:
            if isinstance(result, dict) and not DEFAULTS.keys() <= result.keys():
                connection.execute(
                    jobs.update().where(jobs.c.id == job_id).values(result={**DEFAULTS, **result})
                )
        last_id = page[-1].id


def downgrade() -> None:
    # Nothing to undo: the defaults are what the older code assumed for a missing field.
    pass
