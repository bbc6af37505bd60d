"""Study events: what a study's ``/events`` stream sends, in the order it happened.

A job's events are read off its rows (its trials are final once written); a study's
cannot be: a lease is handed out, lapses and is handed out again, leaving no trace in the
trial's row. So each study appends its events to ``study_events`` in the transaction
that makes them happen, numbered from 1 per study (``seq``, the stream's resume id).
Only a new table: code before this revision runs against it unchanged.

Revision ID: 0012_study_events
Revises: 0011_estimates
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_study_events"
down_revision = "0011_estimates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "study_id",
            sa.String(40),
            sa.ForeignKey("studies.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("study_id", "seq"),
    )


def downgrade() -> None:
    op.drop_table("study_events")
