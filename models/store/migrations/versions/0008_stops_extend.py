"""Every stop keeps the best so far, and a search goes on after it ended (issue 19).

``jobs`` gains ``refit_state`` (a cancelled job's refit of its best candidate:
``refitting`` until its model is stored, ``done``, ``stopped`` by a second cancel, or
``failed``; null when there was nothing to refit) with a partial index on ``refitting``,
which the recovery sweep reads to pick up a refit whose worker died; ``extensions``
(``[{at, n_trials, timeout_s}]``, one per ``POST /v1/jobs/{id}/extend``);
``extra_trials`` (the trials those added, beyond the spec's ``n_trials``) and
``deadline_at`` (null: ``started_at`` plus the spec's ``timeout_s``). Columns only: code
before this revision runs against it unchanged.

Revision ID: 0008_stops_extend
Revises: 5435b14aa8b3
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_stops_extend"
down_revision = "5435b14aa8b3"  # 0007_shared_limits
branch_labels = None
depends_on = None

REFITTING = sa.text("refit_state = 'refitting'")


def upgrade() -> None:
    op.add_column("jobs", sa.Column("refit_state", sa.String(16), nullable=True))
    op.add_column("jobs", sa.Column("extensions", sa.JSON(), nullable=True))
    op.add_column(
        "jobs", sa.Column("extra_trials", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("jobs", sa.Column("deadline_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_jobs_refitting",
        "jobs",
        ["refit_state"],
        sqlite_where=REFITTING,
        postgresql_where=REFITTING,
    )


def downgrade() -> None:
    op.drop_index("ix_jobs_refitting", "jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("deadline_at")
        batch.drop_column("extra_trials")
        batch.drop_column("extensions")
        batch.drop_column("refit_state")
