"""Re-sending what the broker may have lost: the database decides what still needs a step.

No transport keeps a message that a killed worker had taken, and Redis may restart
empty; so the workers' sweep (``tasks.recovery``) asks the store which jobs wait for an
``advance`` and which trials wait for a worker, and sends each again. A duplicate is
harmless: advancing is locked per job, and a trial is claimed once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from models.dispatch import Dispatch, send_advance, send_trial
from models.store import estimates, idempotency, jobs, refits, trial_runs


def recover(
    sessions: sessionmaker[Session],
    dispatch: Dispatch,
    queued_before: datetime,
    idle_before: datetime | None = None,
) -> list[str]:
    """Send again the jobs and trials whose message may be lost (see
    :func:`~models.store.jobs.jobs_to_recover` and
    :func:`~models.store.trial_runs.to_recover`); drop expired Idempotency-Keys and dry runs'
    estimates. Returns the ids of the jobs sent."""
    with sessions() as session:
        ids = jobs.jobs_to_recover(session, queued_before, idle_before)
        # A cancelled job's refit of its best whose worker died, or whose message was lost.
        ids += refits.to_recover(session, queued_before)
        session.commit()
        lost_trials = trial_runs.to_recover(session, queued_before)
        idempotency.purge_expired(session)
        estimates.purge_expired(session)
    for job_id in ids:
        send_advance(dispatch, sessions, job_id)
    for job_id, number in lost_trials:
        send_trial(dispatch, job_id, number)
    return ids
