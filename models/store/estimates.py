"""Dry runs' estimates, kept in the database for the submits that follow them.

A dry run (``POST /v1/jobs`` with ``dry_run``) answers from one API process and the
submit after it may reach another: in a process's memory the submit found the estimate
about half the time. Each row is one estimate, keyed by owner, dataset and a fingerprint
of what the estimate depends on (the table's content and the resolved spec); a dry run
of the same spec again answers from it, and a submit stores it on its job.

Bounded: an estimate older than :data:`TTL` is not used and the workers' sweep deletes
it (:func:`purge_expired`); an owner keeps its newest :data:`KEEP_PER_OWNER`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.store.records import Base, UTCDateTime, utcnow

# Past a day the machine, the table's neighbours and the code may all have changed.
TTL = timedelta(hours=24)
# Dry runs an owner keeps: a client sizing a job tries a few specs, not hundreds.
KEEP_PER_OWNER = 100


class DryRunEstimate(Base):
    __tablename__ = "dry_run_estimates"
    __table_args__ = (UniqueConstraint("owner", "dataset_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    dataset_id: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(64))
    estimate: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Indexed for the sweep that purges expired estimates (:func:`purge_expired`).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def fingerprint_of(dataset_sha256: str, spec: dict[str, Any]) -> str:
    """What an estimate depends on besides its owner and dataset id: the table's content
    and the resolved spec (its parallelism included)."""
    body = json.dumps([dataset_sha256, spec], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def find(session: Session, owner: str, dataset_id: str, fingerprint: str) -> dict[str, Any] | None:
    """The estimate a dry run of the same spec stored less than :data:`TTL` ago, if any."""
    return session.scalar(
        select(DryRunEstimate.estimate).where(
            DryRunEstimate.owner == owner,
            DryRunEstimate.dataset_id == dataset_id,
            DryRunEstimate.fingerprint == fingerprint,
            DryRunEstimate.created_at >= utcnow() - TTL,
        )
    )


def remember(
    session: Session, owner: str, dataset_id: str, fingerprint: str, estimate: dict[str, Any]
) -> None:
    """Store ``estimate`` (replacing an expired one of the same key), then drop the owner's
    estimates beyond its newest :data:`KEEP_PER_OWNER`. Two processes storing the same
    key at once: the first one's row stays (both measured the same spec)."""
    session.execute(
        delete(DryRunEstimate).where(
            DryRunEstimate.owner == owner,
            DryRunEstimate.dataset_id == dataset_id,
            DryRunEstimate.fingerprint == fingerprint,
        )
    )
    session.add(
        DryRunEstimate(
            owner=owner, dataset_id=dataset_id, fingerprint=fingerprint, estimate=estimate
        )
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return
    beyond = (
        select(DryRunEstimate.id)
        .where(DryRunEstimate.owner == owner)
        .order_by(DryRunEstimate.created_at.desc(), DryRunEstimate.id.desc())
        .offset(KEEP_PER_OWNER)
    )
    session.execute(
        delete(DryRunEstimate)
        .where(DryRunEstimate.id.in_(list(session.scalars(beyond))))
        .execution_options(synchronize_session=False)
    )
    session.commit()


def forget_datasets(session: Session, owner: str, dataset_ids: list[str]) -> None:
    """Drop the estimates made on ``owner``'s ``dataset_ids`` (deleted with them; not
    committed)."""
    session.execute(
        delete(DryRunEstimate)
        .where(DryRunEstimate.owner == owner, DryRunEstimate.dataset_id.in_(dataset_ids))
        .execution_options(synchronize_session=False)
    )


def purge_expired(session: Session) -> int:
    """Delete the estimates older than :data:`TTL`; returns how many."""
    result = session.execute(
        delete(DryRunEstimate).where(DryRunEstimate.created_at < utcnow() - TTL)
    )
    session.commit()
    return result.rowcount
