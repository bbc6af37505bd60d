"""Warm start: trials inherited from earlier jobs.

``trials`` gains ``inherited_job_id`` and ``inherited_number``: for a trial a warm start
copied from a parent job, the job and number it was first scored as (null for a job's own
trials); ``jobs`` gains ``trials_inherited``, how many of its recorded trials were
inherited (0 for every job stored before). Both only add columns: code before this
revision runs against it unchanged.

Revision ID: 0009_warm_start
Revises: 5435b14aa8b3 (0007_shared_limits)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_warm_start"
down_revision = "0008_stops_extend"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("trials", sa.Column("inherited_job_id", sa.String(40), nullable=True))
    op.add_column("trials", sa.Column("inherited_number", sa.Integer(), nullable=True))
    op.add_column(
        "jobs",
        sa.Column("trials_inherited", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_column("jobs", "trials_inherited")
    op.drop_column("trials", "inherited_number")
    op.drop_column("trials", "inherited_job_id")
