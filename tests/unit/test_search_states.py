"""A worker keeps each job's strategy between steps and tells it only what changed
(``models.search_states``): what it proposes must be what a strategy rebuilt from the
store would propose, with one worker or several taking turns."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.dispatch import HeldTrials, NoDispatch
from models.engine.search import plan_next
from models.engine.strategies import make_strategy
from models.search_states import SearchStates
from models.service import Service
from models.store.records import JobStatus
from tests.unit.engine_helpers import job_and_trials, run, submit, upload
from tests.unit.test_search_loop import SPACE, Past, score, simulate

TREES = {
    "target": "y",
    "estimator": "decision_tree",
    "n_trials": 12,
    "random_state": 5,
    "cv": {"folds": 3},
    "param_space": {
        "max_depth": {"type": "int", "low": 1, "high": 12},
        "min_samples_leaf": {"type": "int", "low": 1, "high": 40},
        "criterion": ["gini", "entropy"],
    },
}


@pytest.fixture
def table_id(service):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(240, 4)), columns=["a", "b", "c", "d"])
    df["y"] = ((df["a"] + df["b"] * df["c"] + rng.normal(0, 0.5, 240)) > 0).astype(int)
    return upload(service, df)


def trials_of(service: Service, job_id: str) -> list[tuple]:
    _, trials = job_and_trials(service, job_id)
    return [(t.number, t.params, t.state, t.rung, t.fold_scores) for t in trials]


def worker(service: Service, dispatch=None, kept: int | None = None) -> Service:
    """Another worker process on the same database and storage (its own caches); with
    ``kept=0`` it keeps no strategy between steps: it rebuilds one at every step."""
    other = Service(
        service.settings,
        service.engine,
        service.sessions,
        service.storage,
        dispatch or NoDispatch(),
    )
    if kept is not None:
        other.worker_cache.searches = SearchStates(kept)
    return other


def run_on_workers_taking_turns(
    service: Service, table_id: str, spec: dict[str, Any], seed: int
) -> tuple[str, int]:
    """Submit ``spec`` and run the job on three workers sharing one database, each with its
    own kept strategies, and a broker that hands each trial to the next worker, in an order
    of its own (seeded): how workers share a job in production, which :func:`run` (one
    worker, trials in order) never exercises. Returns the job's id and how many trials ran."""
    broker = HeldTrials()
    workers = [worker(service, broker) for _ in range(3)]
    order = random.Random(seed)
    try:
        job_id = submit(service, table_id, **spec)
        workers[0].advance(job_id)
        turn = 0
        while broker.trials:
            trial = broker.take(order.choice(broker.trials))
            workers[turn % 3].run_trial(*trial, f"w:{turn % 3}")
            turn += 1
    finally:
        for each in workers:
            each.worker_cache.close()
    return job_id, turn


def test_bayesian_told_trial_by_trial_proposes_what_a_rebuilt_one_would():
    # given one strategy kept from step to step (as a worker keeps it), told each result
    kept = make_strategy("bayesian", SPACE, 16, 7)
    recorded: dict[int, Past] = {}
    for number in range(16):
        step = plan_next(kept, taken=set(recorded), in_flight=0, max_parallel=1)
        ((proposed, candidate),) = step.start
        assert proposed == number
        value = score(candidate)
        kept.record(number, candidate, "succeeded", value, [value] * 3)
        recorded[number] = Past(number, candidate.params, "succeeded", value, [value] * 3)
    # then it proposed exactly what a strategy rebuilt before each step proposes
    rebuilt = simulate(lambda: make_strategy("bayesian", SPACE, 16, 7), 1, seed=0)
    assert [(n, t.params) for n, t in sorted(recorded.items())] == [
        (n, t.params) for n, t in sorted(rebuilt.items())
    ]


@pytest.mark.parametrize(
    "search",
    [
        {"strategy": "bayesian"},
        {"strategy": "bayesian", "pruning": True, "cv": {"folds": 4}},
        {"strategy": "halving", "halving": {"n_candidates": 9}, "n_trials": None},
    ],
    ids=["bayesian", "bayesian-pruning", "halving"],
)
def test_a_kept_strategy_gives_the_trials_of_one_rebuilt_at_every_step(service, table_id, search):
    spec = {k: v for k, v in (TREES | search).items() if v is not None}
    rebuilding = worker(service, kept=0)
    try:
        # when the same seeded job runs on a worker that keeps its strategy, and on one
        # that rebuilds it from the store at every step
        kept_job, rebuilt_job = submit(service, table_id, **spec), submit(service, table_id, **spec)
        assert run(service, kept_job) == JobStatus.SUCCEEDED
        assert run(rebuilding, rebuilt_job) == JobStatus.SUCCEEDED
    finally:
        rebuilding.worker_cache.close()
    # then both record exactly the same trials
    assert trials_of(service, kept_job) == trials_of(service, rebuilt_job)
    assert len(trials_of(service, kept_job)) >= 9


@pytest.mark.parametrize(
    ("strategy", "max_parallel"), [("bayesian", 1), ("random", 3), ("halving", 3)]
)
def test_workers_taking_turns_record_what_one_worker_records(
    service, table_id, strategy, max_parallel
):
    search = {"strategy": strategy, "max_parallel": max_parallel}
    if strategy == "halving":
        search |= {"halving": {"n_candidates": 9}, "n_trials": None}
    spec = {k: v for k, v in (TREES | search).items() if v is not None}
    alone = submit(service, table_id, **spec)
    assert run(service, alone) == JobStatus.SUCCEEDED
    # when the same job runs on three workers taking turns
    shared, trials_run = run_on_workers_taking_turns(service, table_id, spec, seed=0)
    # then the job records what one worker alone records (grid, random and halving at any
    # parallelism; bayesian serially), each trial once
    job, _ = job_and_trials(service, shared)
    assert job.status == JobStatus.SUCCEEDED
    assert trials_of(service, shared) == trials_of(service, alone)
    assert trials_run == len(trials_of(service, alone))


def test_bayesian_in_parallel_on_many_workers_never_repeats_a_trial(service, table_id):
    spec = TREES | {"strategy": "bayesian", "max_parallel": 4, "n_trials": 16}
    job_id, _ = run_on_workers_taking_turns(service, table_id, spec, seed=1)
    trials = trials_of(service, job_id)
    assert [t[0] for t in trials] == list(range(16))
    assert len({repr(sorted(t[1].items())) for t in trials}) == 16
