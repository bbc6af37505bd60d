"""``POST /v1/jobs/{id}/extend``: the same job goes on with more trials or more time.

Its trials keep their numbers and the new ones follow: the strategy is built for the
spec's ``n_trials`` plus the job's ``extra_trials`` and replays every trial recorded
(:mod:`models.search_states`), so bayesian learns from all of them and random draws
points not tried yet. The job's deadline becomes ``deadline_at``.

- A running (or queued) job is extended in place: ``n_trials`` more trials; a deadline
  ``timeout_s`` later than it was.
- A job that ended (``succeeded``, or ``cancelled`` once its refit is done) is queued
  again: ``n_trials`` more than it recorded (without ``n_trials``, what its plan had
  left), under a new deadline ``timeout_s`` from now (the spec's ``timeout_s`` when not
  given). It counts as active for the tenant's quota again.
- A failed job is not extended (what failed it would fail the extension too): submit
  again.

Refused with :class:`Conflict`: a grid with every point tried, a halving search given
``n_trials`` (its rungs are planned up front), a job with nothing left to run and no
``n_trials``. Each extension is appended to the job's ``extensions``.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from models.exceptions import Busy, Conflict, SpecError
from models.store.jobs import check_active_quota, deadline_of, get_job
from models.store.records import Job, JobStatus, RefitState, utcnow
from models.store.tenant_lock import lock_tenant

REFIT_RETRY_AFTER = 2


def extend_job(
    session: Session,
    owner: str,
    job_id: str,
    *,
    n_trials: int | None,
    timeout_s: int | None,
    max_trials: int,
    max_job_seconds: int,
    max_active: int,
) -> Job:
    """Extend ``job_id`` (see the module's docstring) and commit; the caller sends it to
    the workers. :class:`SpecError` naming ``n_trials`` or ``timeout_s`` past the limits."""
    lock_tenant(session, owner)
    job = get_job(session, owner, job_id)
    session.refresh(job, with_for_update=True)
    status = JobStatus(job.status)
    strategy = job.spec.get("strategy")
    if timeout_s is not None and timeout_s > max_job_seconds:
        raise SpecError(
            f"must be at most {max_job_seconds} (TUNEFORGE_MAX_JOB_SECONDS)", field="timeout_s"
        )
    if status == JobStatus.FAILED:
        raise Conflict(f"job {job_id} failed; a failed job is not extended: submit it again")
    if job.refit_state == RefitState.REFITTING:
        raise Busy(
            f"job {job_id} was cancelled and its best candidate is being refit; "
            "extend it once that is done",
            retry_after=REFIT_RETRY_AFTER,
        )
    if n_trials is not None and strategy == "halving":
        raise Conflict(
            "a halving search plans its rungs up front and cannot take more trials; "
            "extend it with timeout_s only, or submit a new search"
        )
    if strategy == "grid" and job.trials_completed >= job.trials_total:
        raise Conflict(
            f"the grid is exhausted: all {job.trials_total} of its candidates were tried; "
            "submit a search with a wider space"
        )
    now = utcnow()
    adds = 0 if strategy == "grid" else (n_trials or 0)
    if status.finished:
        total = job.trials_completed + adds if adds else job.trials_total
        if total <= job.trials_completed and strategy != "grid":
            raise Conflict(f"job {job_id} ran every trial it planned; give n_trials to run more")
    else:
        total = job.trials_total + adds
    if total > max_trials:
        raise SpecError(
            f"the job would plan {total} trials, over the limit of {max_trials} "
            "(TUNEFORGE_MAX_TRIALS)",
            field="n_trials",
        )
    if status.finished:
        check_active_quota(session, owner, max_active)
        job.status = JobStatus.QUEUED
        job.finished_at = None
        job.stopped_reason = None
        job.error = None
        job.refit_state = None
        job.enqueued_at = now
        job.deadline_at = now + timedelta(seconds=timeout_s or job.spec["timeout_s"])
    elif timeout_s is not None:
        ends = deadline_of(job.started_at or now, job.deadline_at, job.spec["timeout_s"])
        job.deadline_at = ends + timedelta(seconds=timeout_s)
    # A worker concluding the job (the search looked done) stops: the next advance runs
    # the new trials and concludes again.
    job.lease_token = None
    job.lease_expires_at = None
    job.trials_total = total
    job.extra_trials = total - job.spec["n_trials"] if strategy != "grid" else job.extra_trials
    entry = {"at": now.isoformat(), "n_trials": n_trials, "timeout_s": timeout_s}
    job.extensions = [*(job.extensions or []), entry]
    session.commit()
    session.refresh(job)
    return job
