"""Jobs and datasets people can tell apart: names, tags, and the dataset's name on its jobs.

``jobs`` gains ``name``, ``tags`` and ``dataset_name`` (the dataset's name, copied at
submit so that a list of jobs names their datasets without reading them; filled in here
for the jobs whose dataset is still there); ``datasets`` gains ``tags``; ``job_tags``
holds each job's tags as rows, indexed, for the list's tag filter (see
:class:`models.store.records.Job`). Jobs and datasets stored before have no name of their
own (a dataset keeps the one it had) and no tags.

Revision ID: 9d2e4b6a8c10
Revises: f52b7bdfa6a0
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9d2e4b6a8c10"
down_revision = "f52b7bdfa6a0"
branch_labels = None
depends_on = None

jobs = sa.table(
    "jobs",
    sa.column("dataset_id", sa.String(40)),
    sa.column("dataset_name", sa.String(255)),
)
datasets = sa.table("datasets", sa.column("id", sa.String(40)), sa.column("name", sa.String(255)))


def upgrade() -> None:
    op.add_column("jobs", sa.Column("name", sa.String(255), nullable=True))
    op.add_column("jobs", sa.Column("tags", sa.JSON(), nullable=True))
    op.add_column("jobs", sa.Column("dataset_name", sa.String(255), nullable=True))
    op.add_column("datasets", sa.Column("tags", sa.JSON(), nullable=True))
    op.create_table(
        "job_tags",
        sa.Column(
            "job_id",
            sa.String(40),
            sa.ForeignKey("jobs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.String(40), primary_key=True),
    )
    op.create_index("ix_job_tags_tag", "job_tags", ["tag", "job_id"])
    # One statement on both databases: each job takes its dataset's name, if it is there.
    named = sa.select(datasets.c.name).where(datasets.c.id == jobs.c.dataset_id).scalar_subquery()
    op.get_bind().execute(jobs.update().values(dataset_name=named))


def downgrade() -> None:
    op.drop_index("ix_job_tags_tag", "job_tags")
    op.drop_table("job_tags")
    op.drop_column("datasets", "tags")
    op.drop_column("jobs", "dataset_name")
    op.drop_column("jobs", "tags")
    op.drop_column("jobs", "name")
