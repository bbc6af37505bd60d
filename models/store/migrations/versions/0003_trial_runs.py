"""Trials fanned out over the workers: trials in flight, and who ran each trial.

``trial_runs`` holds the trials sent to the workers and not recorded yet; ``trials``
gains ``worker`` and ``started_at``; ``jobs`` gains ``advanced_at`` (see
:class:`models.store.records.Job`); specs of earlier jobs get ``max_parallel: 1``, as
they ran.

Revision ID: 3b8f1c2d4e5a
Revises: 7900d3c1ea0d
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3b8f1c2d4e5a"
down_revision = "7900d3c1ea0d"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trial_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "job_id", sa.String(40), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("rung", sa.Integer(), nullable=True),
        sa.Column("resource", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("enqueued_at", Timestamp, nullable=False),
        sa.Column("worker", sa.String(255), nullable=True),
        sa.Column("started_at", Timestamp, nullable=True),
        sa.Column("lease_token", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", Timestamp, nullable=True),
        sa.UniqueConstraint("job_id", "number"),
    )
    op.create_index("ix_trial_runs_job_id", "trial_runs", ["job_id"])
    op.add_column("trials", sa.Column("worker", sa.String(255), nullable=True))
    op.add_column("trials", sa.Column("started_at", Timestamp, nullable=True))
    op.add_column("jobs", sa.Column("advanced_at", Timestamp, nullable=True))
    # Jobs submitted before fan-out ran their trials one at a time: say so in their spec.
    jobs = sa.table("jobs", sa.column("id", sa.String(40)), sa.column("spec", sa.JSON))
    connection = op.get_bind()
    for job_id, spec in connection.execute(sa.select(jobs.c.id, jobs.c.spec)).all():
        if spec is not None and "max_parallel" not in spec:
            connection.execute(
                jobs.update().where(jobs.c.id == job_id).values(spec={**spec, "max_parallel": 1})
            )


def downgrade() -> None:
    op.drop_column("jobs", "advanced_at")
    op.drop_column("trials", "started_at")
    op.drop_column("trials", "worker")
    op.drop_index("ix_trial_runs_job_id", "trial_runs")
    op.drop_table("trial_runs")
