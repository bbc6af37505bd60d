"""Limits that hold across hosts: the workers' heartbeats with their slots, and the API
keys' request buckets, both in the database every host shares.

``worker_beats`` holds one row per live search worker (its slots and last beat: see
:mod:`models.store.worker_beats`), from which a job's default ``max_parallel`` is counted;
``rate_buckets`` one row per API key that made a request (a digest of the key, and when
its bucket is full again: see :mod:`models.store.rate_buckets`). Both only add tables:
code before this revision runs against it unchanged.

Revision ID: 5435b14aa8b3
Revises: 9d2e4b6a8c10
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "5435b14aa8b3"
down_revision = "9d2e4b6a8c10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "worker_beats",
        sa.Column("worker", sa.String(255), primary_key=True),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("due_at", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("rate_buckets")
    op.drop_table("worker_beats")
