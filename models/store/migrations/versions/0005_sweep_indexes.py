"""Every periodic sweep reads through an index, however many jobs have finished.

``jobs`` gains ``webhook_state`` (the delivery's state, until now inside the ``webhook``
JSON; null without a ``webhook_url``) with a partial index on its unsettled states, which
the webhook sweep reads, and a partial index on the jobs queued or running, which the job
sweep reads; ``idempotency_keys.expires_at`` is indexed for the purge (see
:class:`models.store.records.Job`). The trial sweep reads ``trial_runs``, which holds the
trials in flight only (a trial's row goes when it is recorded).

Revision ID: f52b7bdfa6a0
Revises: 4c1d2e3f5a6b
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "f52b7bdfa6a0"
down_revision = "4c1d2e3f5a6b"
branch_labels = None
depends_on = None

# The index holds the deliveries the sweep looks at; the states as this revision knows them.
UNSETTLED = sa.text("webhook_state IN ('pending', 'delivering', 'retrying')")
ACTIVE = sa.text("status IN ('queued', 'running')")
# Rows read per round trip: bounds memory on a database with many finished jobs.
PAGE = 500

jobs = sa.table(
    "jobs",
    sa.column("id", sa.String(40)),
    sa.column("spec", sa.JSON),
    sa.column("webhook", sa.JSON),
    sa.column("webhook_state", sa.String(16)),
)


def upgrade() -> None:
    op.add_column("jobs", sa.Column("webhook_state", sa.String(16), nullable=True))
    for job_id, spec, webhook in _pages(sa.select(jobs.c.id, jobs.c.spec, jobs.c.webhook)):
        if not (spec or {}).get("webhook_url"):
            continue
        stored = dict(webhook or {})
        state = stored.pop("state", None) or _state_of(stored)
        op.get_bind().execute(
            jobs.update()
            .where(jobs.c.id == job_id)
            .values(webhook_state=state, webhook=stored or None)
        )
    op.create_index(
        "ix_jobs_webhook_unsettled",
        "jobs",
        ["webhook_state"],
        sqlite_where=UNSETTLED,
        postgresql_where=UNSETTLED,
    )
    op.create_index(
        "ix_jobs_active", "jobs", ["status"], sqlite_where=ACTIVE, postgresql_where=ACTIVE
    )
    op.create_index("ix_idempotency_keys_expires_at", "idempotency_keys", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_expires_at", "idempotency_keys")
    op.drop_index("ix_jobs_active", "jobs")
    op.drop_index("ix_jobs_webhook_unsettled", "jobs")
    # The state goes back into the JSON, where the code before this revision reads it.
    query = sa.select(jobs.c.id, jobs.c.webhook, jobs.c.webhook_state).where(
        jobs.c.webhook_state.is_not(None)
    )
    for job_id, webhook, state in _pages(query):
        op.get_bind().execute(
            jobs.update()
            .where(jobs.c.id == job_id)
            .values(webhook={**(webhook or {}), "state": state})
        )
    op.drop_column("jobs", "webhook_state")


def _pages(query: sa.Select[Any]) -> Any:
    """The rows of ``query``, in id order, ``PAGE`` at a time."""
    connection = op.get_bind()
    last_id = ""
    while True:
        page = connection.execute(
            query.where(jobs.c.id > last_id).order_by(jobs.c.id).limit(PAGE)
        ).all()
        yield from page
        if not page:
            return
        last_id = page[-1].id


def _state_of(stored: dict[str, Any]) -> str:
    """The state of a delivery stored without one: ``pending`` if never attempted; a row
    written before states were kept held attempts, last_status, last_error and
    delivered_at only, and whatever retry it had planned is long over."""
    if not stored:
        return "pending"
    if stored.get("delivered_at"):
        return "delivered"
    if (stored.get("last_error") or "").startswith("refused"):
        return "refused"
    return "failed"
