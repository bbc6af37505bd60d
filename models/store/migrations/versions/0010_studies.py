"""Studies: ask and tell over HTTP, for objectives the client computes.

``studies`` holds a study (its space, direction, strategy and counters); ``study_trials``
each trial handed out: leased to a client until ``lease_expires_at``, then recorded once
(``state`` succeeded, failed or pruned, with its ``value``). Only new tables: code before
this revision runs against it unchanged.

Revision ID: 0010_studies
Revises: 0009_warm_start
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_studies"
down_revision = "0009_warm_start"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False, index=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("trials_total", sa.Integer(), nullable=False),
        sa.Column("trials_completed", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("best_value", sa.Float(), nullable=True),
        sa.Column("best_params", sa.JSON(), nullable=True),
        sa.Column("best_trial", sa.Integer(), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("finished_at", Timestamp, nullable=True),
        sa.Column("advanced_at", Timestamp, nullable=True),
    )
    op.create_table(
        "study_trials",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "study_id",
            sa.String(40),
            sa.ForeignKey("studies.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("intermediate", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("lease_token", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", Timestamp, nullable=True),
        sa.Column("leases", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("started_at", Timestamp, nullable=False),
        sa.Column("finished_at", Timestamp, nullable=True),
        sa.UniqueConstraint("study_id", "number"),
    )


def downgrade() -> None:
    op.drop_table("study_trials")
    op.drop_table("studies")
