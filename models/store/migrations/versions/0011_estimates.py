"""Estimates: the time a dry run estimated for a job, kept beside its actual time.

``jobs`` gains ``estimate`` (JSON, null when no dry run of the same spec preceded the
submit, and for every job stored before). It only adds a column: code before this
revision runs against it unchanged.

Revision ID: 0011_estimates
Revises: 0010_studies
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_estimates"
down_revision = "0010_studies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("estimate", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("jobs", "estimate")
