"""Helpers for engine tests: upload a DataFrame, submit a spec, run the job in-process."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from models import datasets, jobs
from models.records import Job, Trial
from models.runner import JobRun, StopFlag
from models.settings import Settings
from models.spec import resolve_spec
from models.storage import Storage

OWNER = "default"


def upload(
    sessions: sessionmaker[Session], storage: Storage, settings: Settings, df: pd.DataFrame
) -> str:
    with sessions() as session:
        record = datasets.create_dataset(
            session,
            storage,
            settings,
            owner=OWNER,
            chunks=[df.to_csv(index=False).encode()],
            name="t",
        )
        return record.id


def submit(
    sessions: sessionmaker[Session], settings: Settings, dataset_id: str, **spec: Any
) -> str:
    with sessions() as session:
        dataset = datasets.get_dataset(session, OWNER, dataset_id)
        resolved = resolve_spec(
            {"dataset_id": dataset_id, **spec},
            dataset.columns,
            dataset.n_rows,
            max_trials=settings.max_trials,
            max_job_seconds=settings.max_job_seconds,
        )
        return jobs.submit_job(session, OWNER, resolved).id


def run(
    sessions: sessionmaker[Session], storage: Storage, job_id: str, stop: StopFlag | None = None
) -> str:
    with sessions() as session:
        lease = jobs.claim_job(session, job_id, "test-worker", ttl_s=60)
    assert lease is not None, "the job should be claimable"
    return JobRun(
        sessions, storage, lease, stop or StopFlag(), max_rows=10**6, max_columns=1000
    ).run()


def job_and_trials(sessions: sessionmaker[Session], job_id: str) -> tuple[Job, list[Trial]]:
    with sessions() as session:
        return session.get(Job, job_id), jobs.finished_trials(session, job_id)
