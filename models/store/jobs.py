"""Jobs and trials in the database: submit, read, cancel, and concluding under a lease.

The database is the source of truth for job state; the broker only carries what to do
next ("advance job X", "run trial N of job X", "deliver job X's webhook"). The worker
that concludes a job holds the job's lease (:mod:`models.store.leases`), so a cancelled
job or one taken over after its worker died is never overwritten by a stale run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.orm import Session

from models.engine.auto import FAMILY
from models.engine.labels import Labels
from models.engine.spec import SearchSpec
from models.exceptions import Conflict, NotFound, QuotaExceeded, SpecError
from models.store import datasets, leases, list_order, refits, trial_order, warm_starts
from models.store.leases import Lease
from models.store.pages import Page
from models.store.records import (
    ACTIVE,
    Job,
    JobStatus,
    JobTag,
    RefitState,
    StoppedReason,
    Trial,
    TrialRun,
    listed,
    new_id,
    utcnow,
)
from models.store.tenant_lock import lock_tenant
from models.store.warm_starts import Inheritance

# A tenant at its quota of active jobs: jobs take a while to end, try again in 30 s.
ACTIVE_RETRY_AFTER = 30
UNLABELLED = Labels()


def check_active_quota(session: Session, owner: str, max_active: int) -> None:
    """:class:`QuotaExceeded` when the tenant has ``max_active`` jobs queued or running
    (``TUNEFORGE_TENANT_MAX_JOBS``): before a job is submitted, or one that ended runs
    again (an extension)."""
    active = session.scalar(
        select(func.count(Job.id)).where(Job.owner == owner, Job.status.in_(ACTIVE))
    )
    if active >= max_active:
        raise QuotaExceeded(
            f"the tenant has {active} jobs queued or running, its quota "
            f"(TUNEFORGE_TENANT_MAX_JOBS={max_active}); wait for one to end or cancel one",
            retry_after=ACTIVE_RETRY_AFTER,
        )


def submit_job(
    session: Session,
    owner: str,
    spec: SearchSpec,
    max_active: int,
    warnings: list[dict[str, Any]] | None = None,
    labels: Labels = UNLABELLED,
    inheritance: Inheritance | None = None,
    estimate: dict[str, Any] | None = None,
) -> Job:
    """Record a queued job for ``spec`` (with what checking it against the data found, what
    people call it and what a dry run estimated), and the trials a warm start inherits
    (``inheritance``, see :mod:`models.store.warm_starts`); the caller enqueues it.
    ``QuotaExceeded`` when ``owner`` already has ``max_active`` jobs queued or running;
    :class:`SpecError` naming ``dataset_id`` when the dataset was deleted since the spec
    was checked.

    Both are checked under the tenant's lock, as the insert is: a delete of the dataset
    (which takes it too) comes wholly before the submit, or sees its job and is refused.
    """
    lock_tenant(session, owner)
    # The dataset's name, not its row: the lock is held for as little as can be. A name is
    # never empty, so ``None`` is "no such dataset".
    dataset = datasets.Dataset
    dataset_name = session.scalar(
        select(dataset.name).where(dataset.id == spec.dataset_id, dataset.owner == owner)
    )
    if dataset_name is None:
        raise SpecError(f"no dataset {spec.dataset_id!r}", field="dataset_id")
    check_active_quota(session, owner, max_active)
    now = utcnow()
    job = Job(
        id=new_id("job"),
        owner=owner,
        dataset_id=spec.dataset_id,
        spec=spec.to_dict(),
        status=JobStatus.QUEUED,
        trials_total=inheritance.total if inheritance else spec.n_trials,
        trials_completed=0,
        trials_inherited=0,
        created_at=now,
        enqueued_at=now,
        attempts=0,
        warnings=warnings,
        name=labels.name,
        tags=list(dict.fromkeys(labels.tags)),
        dataset_name=dataset_name,
        estimate=estimate,
    )
    session.add(job)
    session.flush()  # the job's row first: its tags' rows refer to it
    session.add_all(JobTag(job_id=job.id, tag=tag) for tag in job.tags)
    if inheritance and inheritance.trials:
        inherited = warm_starts.copies(job.id, inheritance)
        session.add_all(inherited)
        warm_starts.seed_job(job, inherited)
    session.commit()
    return job


def withdraw_job(session: Session, owner: str, job_id: str) -> None:
    """Delete a job, its trials and its trials in flight (their rows cascade)."""
    session.delete(get_job(session, owner, job_id))
    session.commit()


def get_job(session: Session, owner: str, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None or job.owner != owner:
        raise NotFound(f"no job {job_id!r}")
    return job


@dataclass(frozen=True)
class JobFilter:
    """Which of an owner's jobs a list holds: those in one of ``status``, those of
    ``dataset_id``, those carrying every one of ``tags``; a filter not given keeps every
    job."""

    status: list[str] | None = None
    dataset_id: str | None = None
    tags: list[str] | None = None


EVERY_JOB = JobFilter()


def list_jobs(
    session: Session,
    owner: str,
    limit: int,
    cursor: str | None,
    where: JobFilter = EVERY_JOB,
    sort: str = list_order.NEWEST,
) -> Page[Job]:
    """The owner's jobs that pass ``where``, in ``sort`` order (one of
    :data:`~models.store.list_order.JOB_SORTS`; newest first by default)."""
    stmt = select(Job).where(Job.owner == owner)
    if where.status:
        stmt = stmt.where(Job.status.in_(where.status))
    if where.dataset_id:
        stmt = stmt.where(Job.dataset_id == where.dataset_id)
    for tag in where.tags or ():
        # through ix_job_tags_tag: the jobs with the tag, not every job's tags
        stmt = stmt.where(exists().where(JobTag.tag == tag, JobTag.job_id == Job.id))
    return list_order.sorted_page(session, stmt, Job, sort, limit, cursor, list_order.JOB_SORTS)


def list_trials(
    session: Session,
    owner: str,
    job_id: str,
    limit: int,
    cursor: str | None,
    *,
    sort: str = trial_order.DEFAULT_SORT,
    states: list[str] | None = None,
    family: str | None = None,
) -> Page[Trial]:
    """A job's trials in ``sort`` order (see :mod:`models.store.trial_order`), only those
    in ``states`` and, for an auto job, of ``family`` when given; the cursor carries the
    last row's sort key."""
    get_job(session, owner, job_id)
    stmt = select(Trial).where(Trial.job_id == job_id)
    if family:
        # A job has at most TUNEFORGE_MAX_TRIALS trials: read in JSON, no index needed.
        stmt = stmt.where(Trial.params[FAMILY].as_string() == family)
    return trial_order.trial_page(session, stmt, Trial, limit, cursor, sort, states)


def finished_trials(session: Session, job_id: str) -> list[Trial]:
    """Every trial recorded for ``job_id``, in number order."""
    return list(session.scalars(select(Trial).where(Trial.job_id == job_id).order_by(Trial.number)))


def best_and_time_spent(session: Session, job: Job) -> tuple[list[float | None] | None, float]:
    """A job's best trial's fold scores (``None`` without one), and the seconds its trials
    spent fitting and scoring, every one together."""
    folds = None
    if job.best_trial is not None:
        folds = session.scalar(
            select(Trial.fold_scores).where(Trial.job_id == job.id, Trial.number == job.best_trial)
        )
    spent = session.scalar(
        select(func.coalesce(func.sum(Trial.fit_time_s + Trial.score_time_s), 0.0)).where(
            Trial.job_id == job.id
        )
    )
    return folds, float(spent)


def cancelled_values(now: datetime) -> dict[str, Any]:
    """What cancelling a queued or running job writes: cancelled, finished ``now``, and
    no lease on it (every worker's next write is refused)."""
    return {
        "status": JobStatus.CANCELLED,
        "finished_at": now,
        "stopped_reason": StoppedReason.CANCELLED,
        "lease_token": None,
        "lease_expires_at": None,
    }


def cancel_job(session: Session, owner: str, job_id: str) -> Job:
    """Mark a queued or running job cancelled; its trials are kept. With a scored trial,
    its best candidate is to be refit (``refit_state`` refitting: the caller sends the job
    to the workers, :mod:`models.store.refits`). A second cancel while that refit runs
    stops it; :class:`Conflict` once the job has ended otherwise."""
    job = get_job(session, owner, job_id)
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE))
        .values(
            **cancelled_values(now),
            refit_state=case((Job.best_trial.is_not(None), RefitState.REFITTING), else_=None),
            enqueued_at=now,
        )
    )
    cancelled = result.rowcount == 1 or refits.stop(session, job_id)
    session.commit()
    session.refresh(job)
    if not cancelled:
        raise Conflict(f"job {job_id} has already finished ({job.status})")
    return job


def deadline_of(started_at: datetime, deadline_at: datetime | None, timeout_s: float) -> datetime:
    """When a job stops starting trials: the ``deadline_at`` an extension set, else
    ``timeout_s`` after it started."""
    return deadline_at if deadline_at is not None else started_at + timedelta(seconds=timeout_s)


def eta_seconds(job: Job, now: datetime | None = None) -> float | None:
    """Seconds a running job still needs: the mean time per trial so far times the trials
    left, and never past its deadline. ``None`` until a trial has finished. Trials a warm
    start inherited took no time here: only the job's own count."""
    ran = job.trials_completed - (job.trials_inherited or 0)
    if job.status != JobStatus.RUNNING or ran <= 0 or job.started_at is None:
        return None
    now = now or utcnow()
    elapsed = max(0.0, (now - job.started_at).total_seconds())
    left = max(0, job.trials_total - job.trials_completed)
    estimate = elapsed / ran * left
    timeout_s = job.spec.get("timeout_s", elapsed + estimate)
    until_deadline = (deadline_of(job.started_at, job.deadline_at, timeout_s) - now).total_seconds()
    return round(max(0.0, min(estimate, until_deadline)), 1)


def duration_seconds(job: Job, now: datetime | None = None) -> float | None:
    """Seconds from the job's start to its end, or to ``now`` while it has not ended;
    ``None`` until it starts."""
    if job.started_at is None:
        return None
    end = job.finished_at or now or utcnow()
    return round(max(0.0, (end - job.started_at).total_seconds()), 1)


# The worker's side: concluding a job under its lease (see models.store.leases). These
# write in the caller's transaction and never commit.


# ``attempts`` counts the job's starts: the first, and each after its run was handed back
# (queued again) or taken over (a lease that lapsed). Concluding a job that runs, which
# every job does once, is no new attempt. SET reads the row as it was before the UPDATE.
_CLAIM = leases.claiming(
    Job,
    Job.status.in_(ACTIVE),
    returning=(Job.extra_trials, Job.deadline_at),  # what an extension changes
    status=JobStatus.RUNNING,
    started_at=func.coalesce(Job.started_at, leases.NOW),
    attempts=Job.attempts
    + case((or_(Job.status == JobStatus.QUEUED, Job.lease_token.is_not(None)), 1), else_=0),
)
_RENEW = leases.renewing(Job, Job.status == JobStatus.RUNNING)
_RELEASE = leases.ending(
    Job,
    Job.status == JobStatus.RUNNING,
    status=JobStatus.QUEUED,
    lease_owner=None,
    enqueued_at=leases.NOW,
)


def claim_job(session: Session, job_id: str, worker: str, ttl_s: int) -> Lease | None:
    """Take ``job_id`` to conclude it (refit the best, save the model, finish): if it is
    queued, or running with no one concluding it, or its concluder's lease lapsed. The
    lease reads the job's ``extra_trials`` and ``deadline_at``: an extension since the
    search looked done changes one of them."""
    return leases.claim(session, _CLAIM, job_id, None, worker, ttl_s)


def renew_lease(session: Session, lease: Lease, ttl_s: int) -> bool:
    """Extend the lease; ``False`` once the job was cancelled or taken over."""
    return leases.renew(session, _RENEW, lease, ttl_s)


def finish_job(session: Session, lease: Lease, status: JobStatus, **values: Any) -> bool:
    """End the run with ``status``; ``False`` if the lease was lost meanwhile."""
    finishing = leases.ending(
        Job, Job.status == JobStatus.RUNNING, status=status, finished_at=utcnow(), **values
    )
    return leases.end(session, finishing, lease)


def release_job(session: Session, lease: Lease) -> bool:
    """Give the job back to the queue (the worker is shutting down); trials are kept."""
    return leases.end(session, _RELEASE, lease)


def fail_job(session: Session, job_id: str, error: str) -> Job | None:
    """Fail a job that cannot run (its data is gone, its spec no longer reads), unless it
    has ended or a worker is concluding it; the failed job, or ``None``."""
    now = utcnow()
    failed = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(ACTIVE), leases.free(Job, now))
        .values(
            status=JobStatus.FAILED,
            error=error,
            finished_at=now,
            lease_token=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if failed.rowcount != 1:
        return None
    return session.get(Job, job_id, populate_existing=True)


def jobs_to_recover(
    session: Session, queued_before: datetime, idle_before: datetime | None = None
) -> list[str]:
    """Jobs whose next step may be lost: queued long ago, running with a lapsed concluding
    lease, or running with nothing in flight and no one concluding them since
    ``idle_before`` (a worker died between recording a trial and choosing the next).

    Each returned job's ``enqueued_at`` is reset, so a job is not re-sent on every sweep.
    Sending a job twice is harmless: choosing trials is locked per job.
    """
    now = utcnow()
    idle_before = idle_before or queued_before
    nothing_in_flight = ~exists().where(TrialRun.job_id == Job.id)
    ids = list(
        session.scalars(
            select(Job.id).where(
                # Through the partial index ix_jobs_active: the jobs in flight, not every job
                # ever run (tests/unit/test_sweep_plans.py).
                listed(Job.status, ACTIVE),
                or_(
                    and_(
                        Job.status == JobStatus.RUNNING,
                        Job.lease_expires_at < now,
                        or_(Job.enqueued_at.is_(None), Job.enqueued_at < Job.lease_expires_at),
                    ),
                    and_(
                        Job.status == JobStatus.QUEUED,
                        or_(Job.enqueued_at.is_(None), Job.enqueued_at < queued_before),
                    ),
                    and_(
                        Job.status == JobStatus.RUNNING,
                        Job.lease_token.is_(None),
                        nothing_in_flight,
                        or_(Job.advanced_at.is_(None), Job.advanced_at < idle_before),
                        or_(Job.enqueued_at.is_(None), Job.enqueued_at < idle_before),
                    ),
                ),
            )
        )
    )
    if ids:
        session.execute(update(Job).where(Job.id.in_(ids)).values(enqueued_at=now))
        session.commit()
    return ids


def mark_unsent(session: Session, job_id: str) -> None:
    """Note that the broker did not take the active job ``job_id``'s message: the next
    sweep sends it again at once (an unset ``enqueued_at`` is always due), not after the
    wait that lets a message in the broker be taken first."""
    session.execute(
        update(Job).where(Job.id == job_id, Job.status.in_(ACTIVE)).values(enqueued_at=None)
    )
