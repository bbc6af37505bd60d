"""Baseline: the tables as ``Base.metadata.create_all`` made them before migrations.

A database created before migrations existed is stamped at this revision, not re-created
(see :func:`models.store.migrate.upgrade`), so this must stay exactly that schema.

Revision ID: 6426a2eb81bb
Revises:
Create Date: 2025-06-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "6426a2eb81bb"
down_revision = None
branch_labels = None
depends_on = None

# models.store.records.UTCDateTime stores through this type.
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "datasets",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("storage_key", sa.String(255), nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("n_columns", sa.Integer, nullable=False),
        sa.Column("columns", sa.JSON, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_datasets_owner", "datasets", ["owner"])

    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("dataset_id", sa.String(40), nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("trials_total", sa.Integer, nullable=False),
        sa.Column("trials_completed", sa.Integer, nullable=False),
        sa.Column("best_score", sa.Float, nullable=True),
        sa.Column("best_params", sa.JSON, nullable=True),
        sa.Column("best_trial", sa.Integer, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("model_key", sa.String(255), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("stopped_reason", sa.String(32), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("enqueued_at", Timestamp, nullable=True),
        sa.Column("started_at", Timestamp, nullable=True),
        sa.Column("finished_at", Timestamp, nullable=True),
        sa.Column("lease_owner", sa.String(255), nullable=True),
        sa.Column("lease_token", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", Timestamp, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("webhook", sa.JSON, nullable=True),
    )
    op.create_index("ix_jobs_owner", "jobs", ["owner"])
    op.create_index("ix_jobs_dataset_id", "jobs", ["dataset_id"])
    op.create_index("ix_jobs_status", "jobs", ["status"])

    op.create_table(
        "trials",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "job_id",
            sa.String(40),
            sa.ForeignKey("jobs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("fold_scores", sa.JSON, nullable=False),
        sa.Column("mean_score", sa.Float, nullable=True),
        sa.Column("std_score", sa.Float, nullable=True),
        sa.Column("fit_time_s", sa.Float, nullable=False),
        sa.Column("score_time_s", sa.Float, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("rung", sa.Integer, nullable=True),
        sa.Column("resource", sa.Integer, nullable=True),
        sa.Column("finished_at", Timestamp, nullable=False),
        sa.UniqueConstraint("job_id", "number"),
    )
    op.create_index("ix_trials_job_id", "trials", ["job_id"])

    op.create_table(
        "idempotency_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(200), nullable=True),
        sa.Column("status", sa.Integer, nullable=True),
        sa.Column("headers", sa.JSON, nullable=True),
        sa.Column("body", sa.Text, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.UniqueConstraint("owner", "scope", "key"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_trials_job_id", table_name="trials")
    op.drop_table("trials")
    for column in ("status", "dataset_id", "owner"):
        op.drop_index(f"ix_jobs_{column}", table_name="jobs")
    op.drop_table("jobs")
    op.drop_index("ix_datasets_owner", table_name="datasets")
    op.drop_table("datasets")
