"""After the search (issue 19): a cancelled job keeps its best; a job goes on when extended.

In-process, real SQLite and files, no worker: the workers' steps are called here.
"""

from __future__ import annotations

import time

import joblib
import pytest

from models.exceptions import Busy, Conflict, SpecError
from models.job_run import RunOutcome, StopFlag
from models.store import jobs, refits
from models.store.records import JobStatus, RefitState
from tests.unit.engine_helpers import OWNER, job_and_trials, run, submit, upload

QUICK = {"target": "target", "estimator": "knn", "cv": {"folds": 2}, "test_size": 0}
KNN_SPACE = {"n_neighbors": {"type": "int", "low": 1, "high": 60}}


@pytest.fixture
def bc_id(service, breast_cancer):
    return upload(service, breast_cancer.iloc[:200])


def _ran(service, bc_id, **spec):
    job_id = submit(service, bc_id, **{**QUICK, **spec})
    assert run(service, job_id) == JobStatus.SUCCEEDED
    return job_id


def _cancel_after(service, bc_id, n):
    """A job cancelled with ``n`` trials recorded (run here, one trial at a time)."""
    job_id = submit(service, bc_id, **QUICK, n_trials=20, param_space=KNN_SPACE)
    service.advance(job_id)
    for number in range(n):
        service.run_trial(job_id, number, "test-worker", dispatch=_Nothing())
    service.cancel_job(OWNER, job_id)
    return job_id


class _Nothing:
    def advance(self, job_id):
        pass

    def run_trial(self, job_id, number):
        pass

    def deliver_webhook(self, job_id):
        pass

    def ping(self):
        pass


# Every stop keeps the best so far ----------------------------------------------------


def test_cancel_refits_the_best_and_the_job_stays_cancelled(service, storage, bc_id):
    job_id = _cancel_after(service, bc_id, 3)
    job = service.get_job(OWNER, job_id)
    assert job.status == JobStatus.CANCELLED and job.refit_state == RefitState.REFITTING
    with pytest.raises(Busy, match="being refit") as refused:
        service.finished_job(OWNER, job_id)
    assert refused.value.retry_after > 0
    # when a worker takes the job
    assert service.advance(job_id) is RunOutcome.CANCELLED
    # then it has the result and model of its best trial, and is still cancelled
    job, trials = job_and_trials(service, job_id)
    assert job.status == JobStatus.CANCELLED and job.stopped_reason == "cancelled"
    assert job.refit_state == RefitState.DONE and len(trials) == 3
    assert job.trials_total == 20  # the plan it did not finish
    result = service.finished_job(OWNER, job_id).result
    assert result["best_trial"] == job.best_trial and result["n_trials"] == 3
    model = joblib.load(storage.local_copy(job.model_key))
    assert model.get_params()["model__n_neighbors"] == job.best_params["n_neighbors"]
    # and a cancel after the refit is a conflict, as for any ended job
    with pytest.raises(Conflict, match="already finished"):
        service.cancel_job(OWNER, job_id)


def test_a_second_cancel_stops_the_refit_and_the_job_has_no_model(service, sessions, bc_id):
    job_id = _cancel_after(service, bc_id, 2)
    with sessions.begin() as session:
        lease = refits.claim(session, job_id, "refit:w", ttl_s=60)
    # when the job is cancelled again while a worker refits it
    job = service.cancel_job(OWNER, job_id)
    # then the refit is stopped: its worker's next renewal fails, nothing is written
    assert job.refit_state == RefitState.STOPPED and job.status == JobStatus.CANCELLED
    with sessions.begin() as session:
        assert not refits.renew(session, lease, 60)
        assert not refits.finish(session, lease, RefitState.DONE, result={})
    assert service.advance(job_id) is RunOutcome.SKIPPED
    with pytest.raises(Conflict, match="second cancel stopped the refit"):
        service.finished_job(OWNER, job_id)
    with pytest.raises(Conflict, match="already finished"):
        service.cancel_job(OWNER, job_id)


def test_a_cancel_before_any_scored_trial_refits_nothing(service, bc_id):
    job_id = submit(service, bc_id, **QUICK, n_trials=3)
    job = service.cancel_job(OWNER, job_id)
    assert job.refit_state is None
    assert service.advance(job_id) is RunOutcome.SKIPPED
    with pytest.raises(Conflict, match="ended cancelled; it has no result"):
        service.finished_job(OWNER, job_id)


def test_the_sweep_picks_up_a_refit_whose_worker_died(service, sessions, bc_id):
    job_id = _cancel_after(service, bc_id, 2)
    with sessions.begin() as session:  # a worker took the refit, then was killed
        refits.claim(session, job_id, "refit:dead", ttl_s=0)
    time.sleep(0.01)
    # when the sweep runs
    assert service.recover(queued_before=jobs.utcnow()) == [job_id]
    assert service.recover(queued_before=jobs.utcnow()) == []  # sent once, not every sweep
    # then the job it sends is refit by the next worker
    assert service.advance(job_id) is RunOutcome.CANCELLED
    job = service.get_job(OWNER, job_id)
    assert job.refit_state == RefitState.DONE and job.model_key is not None


# Extend ------------------------------------------------------------------------------


def test_extend_goes_on_from_where_the_job_ended(service, storage, bc_id):
    job_id = _ran(service, bc_id, strategy="bayesian", n_trials=4, param_space=KNN_SPACE)
    before, first = job_and_trials(service, job_id)
    sha = before.result["model"]["sha256"]
    # when it is extended by 3 trials
    job = service.extend_job(OWNER, job_id, 3, None)
    assert job.status == JobStatus.QUEUED and job.trials_total == 7
    assert job.extensions[0]["n_trials"] == 3 and job.extensions[0]["timeout_s"] is None
    assert service.finished_job(OWNER, job_id).result == before.result  # kept meanwhile
    assert run(service, job_id) == JobStatus.SUCCEEDED
    # then its trials are the first ones, unchanged, and 3 new ones
    job, trials = job_and_trials(service, job_id)
    assert [t.number for t in trials] == list(range(7))
    assert [(t.params, t.mean_score) for t in trials[:4]] == [
        (t.params, t.mean_score) for t in first
    ]
    assert job.best_score >= before.best_score and job.result["n_trials"] == 7
    assert job.stopped_reason == "completed" and job.trials_completed == 7
    if job.best_trial == before.best_trial:  # no better candidate: the model is kept
        assert job.result["model"]["sha256"] == sha
    else:
        assert job.result["best_trial"] >= 4


def test_extend_random_draws_points_not_tried(service, bc_id):
    space = {"n_neighbors": [1, 3, 5, 7, 9, 11]}
    job_id = _ran(service, bc_id, strategy="random", n_trials=4, param_space=space)
    service.extend_job(OWNER, job_id, 2, None)
    assert run(service, job_id) == JobStatus.SUCCEEDED
    _, trials = job_and_trials(service, job_id)
    assert sorted(t.params["n_neighbors"] for t in trials) == [1, 3, 5, 7, 9, 11]


def test_extend_a_running_job_in_place(service, bc_id):
    job_id = submit(service, bc_id, **QUICK, n_trials=3, param_space=KNN_SPACE)
    service.advance(job_id)
    job = service.extend_job(OWNER, job_id, 2, 30)
    assert job.status == JobStatus.RUNNING and job.trials_total == 5
    assert job.deadline_at is not None
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    assert [t.number for t in trials] == [0, 1, 2, 3, 4]


def test_extend_a_timed_out_job_with_more_time(service, bc_id):
    job_id = submit(service, bc_id, **QUICK, n_trials=4, param_space=KNN_SPACE)
    service.advance(job_id)
    service.run_trial(job_id, 0, "test-worker", dispatch=_Nothing())
    with service.sessions.begin() as session:  # its deadline passes
        job = jobs.get_job(session, OWNER, job_id)
        job.deadline_at = jobs.utcnow()
    assert run(service, job_id) == JobStatus.SUCCEEDED
    assert service.get_job(OWNER, job_id).stopped_reason == "timeout"
    # when it gets more time only, it runs what its plan had left
    service.extend_job(OWNER, job_id, None, 60)
    assert run(service, job_id) == JobStatus.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    assert len(trials) == 4 and job.stopped_reason == "completed"


def test_extend_is_refused_where_it_cannot_go_on(service, bc_id):
    grid = _ran(service, bc_id, strategy="grid", param_space={"n_neighbors": [1, 3]})
    with pytest.raises(Conflict, match="grid is exhausted"):
        service.extend_job(OWNER, grid, 5, None)
    done = _ran(service, bc_id, n_trials=2, param_space=KNN_SPACE)
    with pytest.raises(Conflict, match="give n_trials"):
        service.extend_job(OWNER, done, None, 60)
    with pytest.raises(SpecError) as over:
        service.extend_job(OWNER, done, service.settings.max_trials, None)
    assert over.value.field == "n_trials"
    with pytest.raises(SpecError) as late:
        service.extend_job(OWNER, done, None, service.settings.max_job_seconds + 1)
    assert late.value.field == "timeout_s"
    halving = submit(service, bc_id, **QUICK, strategy="halving", param_space=KNN_SPACE, n_trials=4)
    with pytest.raises(Conflict, match="halving"):
        service.extend_job(OWNER, halving, 2, None)
    refitting = _cancel_after(service, bc_id, 1)
    with pytest.raises(Busy):
        service.extend_job(OWNER, refitting, 2, None)


def test_a_cancelled_job_with_a_model_can_be_extended(service, bc_id):
    job_id = _cancel_after(service, bc_id, 2)
    service.advance(job_id)
    job = service.extend_job(OWNER, job_id, 2, None)
    assert job.status == JobStatus.QUEUED and job.refit_state is None
    assert run(service, job_id, StopFlag()) == JobStatus.SUCCEEDED
    job, trials = job_and_trials(service, job_id)
    assert len(trials) == 4 and job.model_key is not None


def test_the_job_document_lists_its_extensions(service, bc_id):
    from models.documents import JobSchema

    job_id = _ran(service, bc_id, n_trials=2, param_space=KNN_SPACE)
    job = service.extend_job(OWNER, job_id, 1, 30)
    dumped = JobSchema().dump(job)
    assert dumped["extensions"] == [{"at": job.extensions[0]["at"], "n_trials": 1, "timeout_s": 30}]
    assert dumped["refit"] is None and dumped["deadline_at"] is not None


def test_a_conclude_decided_before_an_extension_goes_on_instead(service, bc_id):
    # given a running job whose search looked done to a worker (its plan as it locked it)
    job_id = submit(service, bc_id, **QUICK, n_trials=2, param_space=KNN_SPACE)
    service.advance(job_id)
    looked_done = (0, None)
    # when it is extended before that worker concludes it
    service.extend_job(OWNER, job_id, 2, None)
    step = service._runner(_Nothing()).conclude(job_id, timed_out=False, plan=looked_done)
    # then the worker does not conclude it but advances it, and the job runs its 4 trials
    assert step.outcome is RunOutcome.ADVANCED and step.ended is None
    assert service.get_job(OWNER, job_id).status == JobStatus.RUNNING
    assert run(service, job_id) == JobStatus.SUCCEEDED
    assert len(job_and_trials(service, job_id)[1]) == 4
