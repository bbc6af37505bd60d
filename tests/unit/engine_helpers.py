"""Helpers for engine tests: upload a DataFrame, submit a spec, run the job in-process,
each through the service core, as the API and the worker call it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from models.job_run import RunOutcome, StopFlag
from models.service import Service
from models.store import jobs
from models.store.records import Job, Trial

OWNER = "default"


def upload(service: Service, df: pd.DataFrame) -> str:
    return service.upload_dataset(OWNER, [df.to_csv(index=False).encode()], "t").id


def submit(service: Service, dataset_id: str, **spec: Any) -> str:
    return service.submit_job(OWNER, {"dataset_id": dataset_id, **spec}).id


def run(service: Service, job_id: str, stop: StopFlag | None = None) -> RunOutcome:
    outcome = service.run_to_end(job_id, "test-worker", stop)
    assert outcome is not RunOutcome.SKIPPED, "the job should be claimable"
    return outcome


def job_and_trials(service: Service, job_id: str) -> tuple[Job, list[Trial]]:
    with service.sessions() as session:
        return session.get(Job, job_id), jobs.finished_trials(session, job_id)
