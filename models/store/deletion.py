"""Deleting jobs and datasets, with every row and file they left: on request, and by age.

A job's rows go in one transaction: the job, and with it (``ON DELETE CASCADE``) its
trials, its trials in flight and its tags, and the Idempotency-Keys whose remembered
answer names it (a retried submit would otherwise replay a job that is gone). Its model
files go once that is committed, in every format a model is stored in
(:data:`~models.store.artifacts.STORED_FORMATS`), on the local folder or S3 alike.

A job still queued or running is cancelled first, in a transaction of its own (as a cancel
on request is): every write a worker makes is conditional on the job running and on its
lease on the job's row or on a trial's row (:mod:`models.store.leases`), so from then on
none lands. A trial that runs stops at its next heartbeat; a worker that is concluding
the job (refitting, saving the model) finds its finish refused and deletes the files it
wrote itself (:meth:`models.job_run.JobRunner._conclude`): whichever of the two deletes
comes last, no file is left. The rows then go in the order a worker recording a trial
locks them (its trial in flight, then the job): a delete waits for such a worker's
transaction rather than deadlocking with it on PostgreSQL.

A dataset is deleted only with the jobs made from it (``cascade``), under the tenant's
lock, which a submit takes too: a job submitted at that moment is either deleted with
the others or refused as one whose dataset is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session

from models.exceptions import Conflict
from models.store import estimates
from models.store.artifacts import delete_model
from models.store.datasets import get_dataset
from models.store.idempotency import IdempotencyRecord
from models.store.jobs import cancelled_values, get_job
from models.store.records import (
    ACTIVE,
    Dataset,
    Job,
    Trial,
    TrialRun,
    utcnow,
)
from models.store.storage import Storage
from models.store.tenant_lock import lock_tenant

log = logging.getLogger(__name__)

# A 409 lists at most this many of the dataset's jobs by id (and says how many more).
LISTED_JOBS = 20
# Each retention sweep deletes at most this many jobs and datasets: a first sweep over a
# long history is spread over several, each a short transaction.
PURGE_BATCH = 200


def delete_job(session: Session, storage: Storage, owner: str, job_id: str) -> None:
    """Delete ``owner``'s job ``job_id`` (:class:`~models.exceptions.NotFound` if none),
    whatever its status: its rows, then its model files."""
    get_job(session, owner, job_id)
    _cancel(session, owner, [job_id])
    _delete_job_rows(session, owner, [job_id])
    session.commit()
    delete_model(storage, job_id)


def delete_dataset(
    session: Session, storage: Storage, owner: str, dataset_id: str, *, cascade: bool = False
) -> list[str]:
    """Delete a dataset and its file; with ``cascade``, the jobs made from it first (as
    :func:`delete_job` does). Without, a dataset that jobs were made from is a
    :class:`~models.exceptions.Conflict` naming them (and the ``cascade`` parameter).
    Returns the ids of the jobs deleted."""
    lock_tenant(session, owner)
    record = get_dataset(session, owner, dataset_id)
    job_ids = list(
        session.scalars(
            select(Job.id).where(Job.owner == owner, Job.dataset_id == dataset_id).order_by(Job.id)
        )
    )
    if job_ids and not cascade:
        raise Conflict(_in_use(dataset_id, job_ids), field="cascade")
    if job_ids:
        # Cancelled in a transaction of their own; a job submitted meanwhile is refused (the
        # tenant's lock is taken again below) or deleted with the others.
        _cancel(session, owner, job_ids)
        session.expunge_all()  # read again below, as the new transaction sees them
        lock_tenant(session, owner)
        job_ids = list(
            session.scalars(select(Job.id).where(Job.owner == owner, Job.dataset_id == dataset_id))
        )
        record = get_dataset(session, owner, dataset_id)
    _delete_job_rows(session, owner, job_ids)
    _forget_answers_naming(session, owner, [dataset_id])
    session.delete(record)
    session.commit()
    for job_id in job_ids:
        delete_model(storage, job_id)
    storage.delete(record.storage_key)
    return job_ids


def _in_use(dataset_id: str, job_ids: Sequence[str]) -> str:
    listed = ", ".join(job_ids[:LISTED_JOBS])
    more = len(job_ids) - LISTED_JOBS
    if more > 0:
        listed += f" and {more} more"
    jobs = "job" if len(job_ids) == 1 else f"{len(job_ids)} jobs"
    return (
        f"dataset {dataset_id} has {jobs} made from it: {listed}; delete them first, or "
        "delete the dataset with cascade=true to delete them with it"
    )


def _cancel(session: Session, owner: str, job_ids: Sequence[str]) -> None:
    """Cancel those of the jobs still queued or running, and commit: no worker writes to
    them afterwards. No webhook is sent: the job will be gone."""
    session.execute(
        update(Job)
        .where(Job.owner == owner, Job.id.in_(list(job_ids)), Job.status.in_(ACTIVE))
        .values(**cancelled_values(utcnow()))
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _delete_job_rows(session: Session, owner: str, job_ids: Sequence[str]) -> None:
    """The jobs' rows, their trials in flight first, then their trials (their tags
    cascade), and the remembered answers that name them."""
    if not job_ids:
        return
    ids = list(job_ids)
    for table in (TrialRun, Trial):
        session.execute(
            delete(table).where(table.job_id.in_(ids)).execution_options(synchronize_session=False)
        )
    session.execute(
        delete(Job)
        .where(Job.owner == owner, Job.id.in_(ids))
        .execution_options(synchronize_session=False)
    )
    _forget_answers_naming(session, owner, job_ids)


def _forget_answers_naming(session: Session, owner: str, ids: Sequence[str]) -> None:
    """Drop ``owner``'s Idempotency-Keys whose remembered answer holds one of ``ids`` (a
    job's or a dataset's: random, so found in no other answer by chance), and the dry
    runs' estimates made on them (a dataset's)."""
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        estimates.forget_datasets(session, owner, list(chunk))
        session.execute(
            delete(IdempotencyRecord)
            .where(
                IdempotencyRecord.owner == owner,
                or_(*(IdempotencyRecord.body.contains(i, autoescape=True) for i in chunk)),
            )
            .execution_options(synchronize_session=False)
        )


@dataclass
class Purged:
    """What one retention sweep deleted, by owner and id."""

    jobs: list[tuple[str, str]] = field(default_factory=list)
    datasets: list[tuple[str, str]] = field(default_factory=list)


def purge_older_than(session: Session, storage: Storage, before: datetime) -> Purged:
    """Delete the jobs that finished before ``before``, then the datasets created before
    it that no job is left on (at most :data:`PURGE_BATCH` of each): the retention sweep
    (``TUNEFORGE_RETENTION_DAYS``). Jobs queued or running are never purged, nor their
    datasets."""
    purged = Purged()
    old_jobs = session.execute(
        select(Job.owner, Job.id)
        .where(Job.status.not_in(ACTIVE), Job.finished_at < before)
        .order_by(Job.finished_at)
        .limit(PURGE_BATCH)
    ).all()
    for owner, job_id in old_jobs:
        _delete_job_rows(session, owner, [job_id])
        purged.jobs.append((owner, job_id))
    session.commit()
    for _, job_id in purged.jobs:
        delete_model(storage, job_id)
    unused = session.execute(
        select(Dataset.owner, Dataset.id)
        .where(Dataset.created_at < before, ~exists().where(Job.dataset_id == Dataset.id))
        .order_by(Dataset.created_at)
        .limit(PURGE_BATCH)
    ).all()
    for owner, dataset_id in unused:
        # Under the tenant's lock, as a delete on request: a job submitted on it meanwhile
        # keeps it (the check is made again), and one submitted after finds it gone.
        lock_tenant(session, owner)
        record = session.get(Dataset, dataset_id)
        in_use = session.scalar(select(exists().where(Job.dataset_id == dataset_id)))
        if record is None or in_use:
            session.rollback()
            continue
        _forget_answers_naming(session, owner, [dataset_id])
        session.delete(record)
        session.commit()
        storage.delete(record.storage_key)
        purged.datasets.append((owner, dataset_id))
    return purged
