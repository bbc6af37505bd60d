"""The tables: Dataset, Job, Trial; JobStatus.

Every record carries an ``owner`` (the tenant) so that later auth can scope every query
through :mod:`models.repository` without a schema change.
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from models.engine.labels import MAX_TAG
from models.engine.states import TrialState
from models.plumbing.keys import DEFAULT_OWNER

__all__ = ["DEFAULT_OWNER", "TrialState"]  # re-exported: a row's owner, a trial row's state


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def json_default(value: Any) -> Any:
    """``json.dumps(default=...)`` for documents with datetimes (RFC 3339)."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def new_id(prefix: str) -> str:
    """An opaque id that sorts by creation time (48-bit ms clock + 64 random bits)."""
    return f"{prefix}_{int(time.time() * 1000):012x}{os.urandom(8).hex()}"


class UTCDateTime(TypeDecorator):
    """A DateTime that always comes back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class DeliveryState(enum.StrEnum):
    """Where a job's webhook delivery stands (``models/store/deliveries.py``)."""

    PENDING = "pending"
    DELIVERING = "delivering"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    FAILED = "failed"
    REFUSED = "refused"

    @property
    def final(self) -> bool:
        """No further attempt will be made."""
        return self in (DeliveryState.DELIVERED, DeliveryState.FAILED, DeliveryState.REFUSED)


# The deliveries the recovery sweep looks at: the only ones its index holds.
UNSETTLED = tuple(state.value for state in DeliveryState if not state.final)


def delivery_at_submit(context: DefaultExecutionContext) -> str | None:
    """A new job's ``webhook_state``: ``pending`` when its spec has a ``webhook_url``."""
    spec = context.get_current_parameters().get("spec") or {}
    return DeliveryState.PENDING.value if spec.get("webhook_url") else None


class StoppedReason(enum.StrEnum):
    """Why a finished search stopped proposing candidates (a job's ``stopped_reason``)."""

    COMPLETED = "completed"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"


class Base(DeclarativeBase):
    pass


class Dataset(Base):
    __tablename__ = "datasets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str] = mapped_column(String(255))
    n_rows: Mapped[int] = mapped_column(Integer)
    n_columns: Mapped[int] = mapped_column(Integer)
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the reader had to guess (dialect, decimal mark, encoding, odd cells, renamed
    # headers): [{code, message, column?}]; null on datasets stored before warnings.
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    # What people tag it with (models/engine/labels.py); null on datasets stored before.
    tags: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    dataset_id: Mapped[str] = mapped_column(String(40), index=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True, default=JobStatus.QUEUED)
    trials_total: Mapped[int] = mapped_column(Integer, default=0)
    trials_completed: Mapped[int] = mapped_column(Integer, default=0)
    # Of ``trials_completed``, those a warm start inherited (recorded at submit, not run).
    trials_inherited: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What a dry run of the same spec estimated before the submit (models/engine/estimate).
    estimate: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    best_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    best_params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    best_trial: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    model_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    stopped_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The lease: who runs the job and until when; a run whose lease lapsed is reclaimed.
    lease_owner: Mapped[str | None] = mapped_column(String(255), nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Webhook delivery: state, attempts, last_status, last_error, delivered_at,
    # next_retry_at, and the sweep's began_at and resent_at (models/store/deliveries.py).
    webhook: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # The delivery's state, in a column of its own so that the recovery sweep finds the
    # unsettled ones through a partial index (below); null when the spec has no webhook_url.
    webhook_state: Mapped[str | None] = mapped_column(
        String(16), nullable=True, default=delivery_at_submit
    )
    # When the job's next trials were last chosen. Choosing updates it first, which
    # serialises the choosing per job on every database (a row lock; SQLite's write lock).
    advanced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # What checking the spec against the data found (a possible leak …): [{code, message,
    # column?}]; null on jobs submitted before warnings.
    warnings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    # What people call it and tag it with (models/engine/labels.py), to tell jobs apart;
    # the tags are also rows of ``job_tags``, which the list's tag filter reads.
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    tags: Mapped[list[str] | None] = mapped_column(JSON, nullable=True)
    # The dataset's name when the job was submitted: a list of jobs shows it without reading
    # the datasets (a dataset's name never changes), and it outlives the dataset's delete.
    dataset_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # A cancelled job's refit of its best candidate (models/job_stops.py): refitting until
    # its model is stored, then done; stopped by a second cancel; failed; null when the job
    # had no scored trial to refit (or was not cancelled).
    refit_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Each POST /v1/jobs/{id}/extend: [{at, n_trials, timeout_s}] (models/store/extensions.py).
    extensions: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    # The trials the extensions added beyond the spec's n_trials (the strategy plans both).
    extra_trials: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the search stops proposing trials; null: started_at plus the spec's timeout_s.
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RefitState(enum.StrEnum):
    """Where a cancelled job's refit of its best candidate stands (``refit_state``)."""

    REFITTING = "refitting"
    DONE = "done"
    STOPPED = "stopped"  # a second cancel stopped it: the job has no model
    FAILED = "failed"


class JobTag(Base):
    """One tag of a job, so that listing the jobs with a tag reads an index."""

    __tablename__ = "job_tags"
    __table_args__ = (Index("ix_job_tags_tag", "tag", "job_id"),)

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(MAX_TAG), primary_key=True)


class Trial(Base):
    """One evaluated candidate. Written once: ``(job_id, number)`` is unique."""

    __tablename__ = "trials"
    __table_args__ = (UniqueConstraint("job_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))
    fold_scores: Mapped[list[float]] = mapped_column(JSON, default=list)
    mean_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    std_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    fit_time_s: Mapped[float] = mapped_column(Float, default=0.0)
    score_time_s: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Successive halving: which rung, and how much resource (rows or estimator budget).
    rung: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resource: Mapped[int | None] = mapped_column(Integer, nullable=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who ran it ("host:pid") and when it started (null for trials recorded before fan-out).
    worker: Mapped[str | None] = mapped_column(String(255), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A warm start's inherited trial: the job and number it was first scored as (not a
    # foreign key: the parent may be deleted, and this still says where the score came
    # from); null for the job's own trials.
    inherited_job_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    inherited_number: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TrialRun(Base):
    """A trial sent to the workers and not recorded yet: ``queued`` until a worker claims
    it, then ``running`` under that worker's lease. Recording the trial deletes this row in
    the same transaction, so a number is in at most one of the two tables."""

    __tablename__ = "trial_runs"
    __table_args__ = (UniqueConstraint("job_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    rung: Mapped[int | None] = mapped_column(Integer, nullable=True)
    resource: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(16))  # queued | running
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(255), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ApiKey(Base):
    """A tenant's API key, made by ``tuneforge keys create``. Only its SHA-256 digest is
    kept: the key itself is shown once, when it is made. A revoked key stays (its id is
    still listed) but no longer authenticates."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


def listed(column: Any, values: Iterable[str]) -> ColumnElement[bool]:
    """``column IN (values)``, the values written into the SQL rather than bound: SQLite and
    PostgreSQL use a partial index only for a query whose ``WHERE`` they can see implies
    the index's, and a bound value they cannot see."""
    return column.in_(bindparam(None, list(values), expanding=True, literal_execute=True))


# The sweeps' partial indexes, so that their cost does not grow with the jobs finished
# (tests/unit/test_sweep_plans.py; bench/sweeps.py): the jobs queued or running, and the
# unsettled webhook deliveries. Queries reach them through ``listed``.
ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
Index(
    "ix_jobs_active",
    Job.status,
    sqlite_where=Job.status.in_(ACTIVE),
    postgresql_where=Job.status.in_(ACTIVE),
)
# The cancelled jobs whose best candidate is being refit: what the recovery sweep re-sends.
Index(
    "ix_jobs_refitting",
    Job.refit_state,
    sqlite_where=Job.refit_state == RefitState.REFITTING.value,
    postgresql_where=Job.refit_state == RefitState.REFITTING.value,
)
Index(
    "ix_jobs_webhook_unsettled",
    Job.webhook_state,
    sqlite_where=Job.webhook_state.in_(UNSETTLED),
    postgresql_where=Job.webhook_state.in_(UNSETTLED),
)


class StudyState(enum.StrEnum):
    """Where a study stands: trials are suggested while it is ``running``."""

    RUNNING = "running"
    COMPLETED = "completed"  # every trial recorded, or a grid with every point tried


class StudyTrialState(enum.StrEnum):
    """Where a study's trial stands: leased to a client, or recorded as it reported."""

    LEASED = "leased"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    PRUNED = "pruned"


class Study(Base):
    """An ask-and-tell search whose objective the client computes (``api/studies.py``)."""

    __tablename__ = "studies"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    # What was asked: space, metric, direction, strategy, random_state, n_trials, lease_s.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), index=True, default=StudyState.RUNNING)
    # The trials planned: n_trials, or fewer for a grid with fewer points.
    trials_total: Mapped[int] = mapped_column(Integer)
    trials_completed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The best trial as the client reported it (in the metric's own sense, not negated).
    best_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    best_params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    best_trial: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Updated first by whoever hands out trials: it serialises that per study (a row lock
    # on PostgreSQL, the write lock on SQLite), as ``Job.advanced_at`` does for jobs.
    advanced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StudyTrial(Base):
    """A trial handed out to a client: ``leased`` until it reports (or the lease lapses and
    the trial is handed out again, same number and params), then recorded once."""

    __tablename__ = "study_trials"
    __table_args__ = (UniqueConstraint("study_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16))  # leased | succeeded | failed | pruned
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The intermediate values reported, in step order: [[step, value], ...].
    intermediate: Mapped[list[list[float]]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    lease_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    leases: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class StudyEvent(Base):
    """One event of a study's ``/events`` stream, appended when it happens
    (``models/store/study_events.py``); ``seq`` numbers a study's events from 1."""

    __tablename__ = "study_events"
    __table_args__ = (UniqueConstraint("study_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    study_id: Mapped[str] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # suggested | reported | best | lapsed | …
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
