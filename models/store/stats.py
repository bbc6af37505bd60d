"""Counts across every tenant, for the operators' metrics (``models/plumbing/metrics.py``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.store.records import Job, JobStatus, TrialRun
from models.store.trial_runs import QUEUED, RUNNING


def job_counts(session: Session) -> dict[str, int]:
    """How many jobs are in each status (every status named, zeros included)."""
    counts = dict(session.execute(select(Job.status, func.count()).group_by(Job.status)).all())
    return {str(status): counts.get(status, 0) for status in JobStatus}


def trials_in_flight(session: Session) -> dict[str, int]:
    """How many trials are queued for a worker, and how many are running."""
    rows = session.execute(select(TrialRun.state, func.count()).group_by(TrialRun.state))
    counts = dict(rows.all())
    return {state: counts.get(state, 0) for state in (QUEUED, RUNNING)}
