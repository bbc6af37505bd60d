"""Dry runs' estimates in the database, so that a submit on any API process finds them.

``dry_run_estimates`` holds one estimate per owner, dataset and fingerprint of the
resolved spec, with its ``created_at`` (the sweep purges those older than a day). Only a
new table: code before this revision runs against it unchanged (its estimates were in
each process's memory).

Revision ID: 0013_dry_run_estimates
Revises: 0012_study_events
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_dry_run_estimates"
down_revision = "0012_study_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dry_run_estimates",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("estimate", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("owner", "dataset_id", "fingerprint"),
    )


def downgrade() -> None:
    op.drop_table("dry_run_estimates")
