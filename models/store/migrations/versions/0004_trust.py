"""Keys in the database, warnings on datasets and jobs, sizes past 2 GiB.

``api_keys`` holds each key's SHA-256 digest (never the key) and its tenant, managed with
``tuneforge keys``; ``datasets.warnings`` and ``jobs.warnings`` say what the reader guessed
and what the spec check found (see :class:`models.store.records.Dataset`);
``datasets.size_bytes`` becomes a 64-bit integer.

Revision ID: 4c1d2e3f5a6b
Revises: 3b8f1c2d4e5a
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4c1d2e3f5a6b"
down_revision = "3b8f1c2d4e5a"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("revoked_at", Timestamp, nullable=True),
    )
    op.create_index("ix_api_keys_owner", "api_keys", ["owner"])
    op.add_column("datasets", sa.Column("warnings", sa.JSON(), nullable=True))
    op.add_column("jobs", sa.Column("warnings", sa.JSON(), nullable=True))
    with op.batch_alter_table("datasets") as batch:
        batch.alter_column(
            "size_bytes", existing_type=sa.Integer(), type_=sa.BigInteger(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("datasets") as batch:
        batch.alter_column(
            "size_bytes", existing_type=sa.BigInteger(), type_=sa.Integer(), nullable=False
        )
    op.drop_column("jobs", "warnings")
    op.drop_column("datasets", "warnings")
    op.drop_index("ix_api_keys_owner", "api_keys")
    op.drop_table("api_keys")
