"""The lease protocol and recovery queries, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from models.exceptions import Conflict, NotFound, QuotaExceeded, SpecError
from models.store import jobs, trial_runs
from models.store.records import Dataset, Job, JobStatus, utcnow
from tests.backends import on_every_database
from tests.unit.store_helpers import SPEC, add_dataset

pytestmark = on_every_database


def submit(session) -> str:
    add_dataset(session, "default", SPEC.dataset_id)
    return jobs.submit_job(session, "default", SPEC, max_active=1000).id


def test_only_one_run_can_claim_a_job(sessions):
    with sessions() as session:
        job_id = submit(session)
        first = jobs.claim_job(session, job_id, "a", ttl_s=60)
        assert first is not None
        assert jobs.claim_job(session, job_id, "b", ttl_s=60) is None
        assert session.get(Job, job_id).attempts == 1


def attempts(session, job_id: str) -> int:
    return session.scalar(select(Job.attempts).where(Job.id == job_id))


def started(session) -> str:
    """A job whose first trials were chosen: it runs (one attempt)."""
    job_id = submit(session)
    assert trial_runs.begin_advance(session, job_id) is not None
    assert attempts(session, job_id) == 1
    return job_id


def test_concluding_a_running_job_is_not_another_attempt(sessions):
    with sessions() as session:
        job_id = started(session)
        assert jobs.claim_job(session, job_id, "a", ttl_s=60) is not None
        assert attempts(session, job_id) == 1


def test_a_conclusion_taken_over_after_its_lease_lapsed_is_another_attempt(sessions):
    with sessions() as session:
        job_id = started(session)
        jobs.claim_job(session, job_id, "a", ttl_s=60)
        session.execute(update(Job).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
        assert jobs.claim_job(session, job_id, "b", ttl_s=60) is not None
        assert attempts(session, job_id) == 2


def test_a_conclusion_handed_back_and_started_again_is_another_attempt(sessions):
    with sessions() as session:
        job_id = started(session)
        lease = jobs.claim_job(session, job_id, "a", ttl_s=60)
        assert jobs.release_job(session, lease)  # its worker stopped mid-refit
        assert jobs.claim_job(session, job_id, "b", ttl_s=60) is not None
        assert attempts(session, job_id) == 2


def test_a_lapsed_lease_can_be_claimed_and_the_old_run_is_shut_out(sessions):
    with sessions() as session:
        job_id = submit(session)
        old = jobs.claim_job(session, job_id, "a", ttl_s=60)
        session.execute(update(Job).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
        session.commit()
        new = jobs.claim_job(session, job_id, "b", ttl_s=60)
        assert new is not None and new.token != old.token
        assert not jobs.renew_lease(session, old, 60)
        assert jobs.renew_lease(session, new, 60)
        assert session.get(Job, job_id).attempts == 2


def test_release_puts_the_job_back_in_the_queue(sessions):
    with sessions() as session:
        job_id = submit(session)
        lease = jobs.claim_job(session, job_id, "a", ttl_s=60)
        assert jobs.release_job(session, lease)
        assert session.get(Job, job_id).status == JobStatus.QUEUED
        assert jobs.claim_job(session, job_id, "b", ttl_s=60) is not None


def test_a_job_that_cannot_run_fails_with_its_reason_and_no_lease(sessions):
    with sessions() as session:
        job_id = submit(session)
    with sessions.begin() as session:
        failed = jobs.fail_job(session, job_id, "LookupError: the dataset was deleted")
    assert failed is not None and failed.status == JobStatus.FAILED
    with sessions() as session:
        job = session.get(Job, job_id)
        assert job.error == "LookupError: the dataset was deleted" and job.finished_at
        assert job.lease_owner is None and job.lease_token is None and job.attempts == 0
        # and a job that has ended is not failed again
        assert jobs.fail_job(session, job_id, "again") is None


def test_a_job_being_concluded_is_not_failed_under_its_concluder(sessions):
    with sessions() as session:
        job_id = submit(session)
    with sessions.begin() as session:
        lease = jobs.claim_job(session, job_id, "w", ttl_s=60)
        assert jobs.fail_job(session, job_id, "LookupError: the job was deleted") is None
        assert jobs.finish_job(session, lease, JobStatus.SUCCEEDED)
    with sessions() as session:
        assert session.get(Job, job_id).status == JobStatus.SUCCEEDED


def test_recovery_finds_old_queued_and_lapsed_running_jobs_once(sessions):
    with sessions() as session:
        fresh, stale_queued, lapsed, healthy = (submit(session) for _ in range(4))
        for job_id in (lapsed, healthy):
            jobs.claim_job(session, job_id, "w", ttl_s=60)
        long_ago = utcnow() - timedelta(hours=1)
        session.execute(update(Job).where(Job.id == stale_queued).values(enqueued_at=long_ago))
        session.execute(
            update(Job)
            .where(Job.id == lapsed)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1), enqueued_at=long_ago)
        )
        session.commit()
        # when the sweep looks for jobs queued more than five minutes ago
        found = jobs.jobs_to_recover(session, utcnow() - timedelta(minutes=5))
        # then the stale queued one and the lapsed running one are sent, once
        assert sorted(found) == sorted([stale_queued, lapsed])
        assert jobs.jobs_to_recover(session, utcnow() - timedelta(minutes=5)) == []
        assert fresh not in found and healthy not in found


def test_cancelling_a_finished_job_is_a_conflict(sessions):
    with sessions() as session:
        job_id = submit(session)
        lease = jobs.claim_job(session, job_id, "a", ttl_s=60)
        assert jobs.finish_job(session, lease, JobStatus.SUCCEEDED)
        with pytest.raises(Conflict, match="already finished"):
            jobs.cancel_job(session, "default", job_id)


def test_jobs_are_invisible_to_other_owners(sessions):
    with sessions() as session:
        job_id = submit(session)
        with pytest.raises(NotFound):
            jobs.get_job(session, "someone-else", job_id)
        assert jobs.list_jobs(session, "someone-else", 10, None).items == []


def test_a_tenant_at_its_quota_gets_no_more_jobs_from_simultaneous_submits(sessions):
    # given eight submits of one tenant arriving together, with a quota of two active jobs
    quota, callers = 2, 8
    with sessions() as session:
        add_dataset(session, "acme", SPEC.dataset_id)
    start = threading.Barrier(callers)

    def submit_one(_):
        with sessions() as session:
            start.wait()
            try:
                return jobs.submit_job(session, "acme", SPEC, max_active=quota).id
            except QuotaExceeded:
                return None

    # when they all count the tenant's active jobs and insert theirs at once
    with ThreadPoolExecutor(callers) as pool:
        accepted = [job_id for job_id in pool.map(submit_one, range(callers)) if job_id]
    # then exactly the quota is accepted, and the database holds just those jobs
    assert len(accepted) == quota
    with sessions() as session:
        stored = session.scalars(select(Job.id).where(Job.owner == "acme")).all()
    assert sorted(stored) == sorted(accepted)


def test_no_job_is_recorded_on_a_dataset_that_is_gone_or_not_the_owners(sessions):
    with sessions() as session:
        add_dataset(session, "someone-else", SPEC.dataset_id)
        # a dataset of another tenant, then none at all
        for _ in range(2):
            with pytest.raises(SpecError) as refused:
                jobs.submit_job(session, "default", SPEC, max_active=10)
            assert refused.value.field == "dataset_id"
            session.execute(delete(Dataset))
            session.commit()
        assert session.scalars(select(Job.id)).all() == []


def test_no_lease_parameter_is_named_like_a_column():
    """SQLAlchemy adds a parameter named like a column to an UPDATE's SET clause: a lease
    parameter called ``owner`` would hand the job to its worker's name."""
    from models.store import leases
    from models.store.records import TrialRun

    lease = leases.Lease("job", 0, "token", "host:1", utcnow())
    names = set(leases.params(lease, 60))
    for table in (Job, TrialRun):
        assert not names & set(table.__table__.columns.keys()), table


def test_claiming_runs_and_concluding_leaves_the_job_its_owner(sessions):
    from models.engine.evaluate import TrialOutcome
    from models.engine.strategies import Candidate
    from models.store import trial_runs

    with sessions() as session:
        job_id = submit(session)
    with sessions.begin() as session:
        locked = trial_runs.begin_advance(session, job_id)
        trial_runs.add(session, job_id, [(0, Candidate({"n_neighbors": 3}, 1, 40))])
    with sessions.begin() as session:
        claimed = trial_runs.claim(session, job_id, 0, "host:1", 60)
        assert trial_runs.claim(session, job_id, 0, "host:2", 60) is None  # held
    # the claim read the trial's candidate and its job's start
    assert claimed.candidate == Candidate({"n_neighbors": 3}, 1, 40)
    assert claimed.job_started_at == locked.started_at
    outcome = TrialOutcome({"n_neighbors": 3}, "succeeded", [0.5], 0.5, 0.0)
    with sessions.begin() as session:
        recorded = trial_runs.record(session, claimed.lease, outcome, claimed.candidate)
        assert trial_runs.record(session, claimed.lease, outcome, claimed.candidate) is None
    assert recorded.job.trials_completed == 1
    with sessions.begin() as session:
        lease = jobs.claim_job(session, job_id, "host:3", 60)
        assert jobs.renew_lease(session, lease, 60)
        assert jobs.finish_job(session, lease, JobStatus.SUCCEEDED)
    with sessions() as session:
        job = session.get(Job, job_id)
    assert (job.owner, job.lease_owner, job.status) == ("default", "host:3", "succeeded")
    assert (job.best_trial, job.best_score, job.trials_completed) == (0, 0.5, 1)
