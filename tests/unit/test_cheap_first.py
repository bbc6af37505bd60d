"""A job whose trial may not finish well within its ``timeout_s`` starts with the
estimator's cheap configuration: decided once at submit (by the dry run's estimate, or the
table's cells), kept in its spec, so that its first trial is the same however often its
strategy is built again; every other job proposes what it did before."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.engine import auto
from models.engine.estimate import starts_cheap
from models.engine.search import replay
from models.engine.spec import SearchSpec, resolve_spec
from models.engine.training import cheap_point, make_search_strategy, prepare, space_dims
from models.exceptions import SpecError
from models.service import _estimate_key
from models.store import estimates
from models.store.records import JobStatus
from tests.unit.engine_helpers import OWNER, job_and_trials, run, submit, upload

COLUMNS = [
    {"name": "x", "dtype": "float", "n_missing": 0, "n_unique": 90},
    {"name": "c", "dtype": "string", "n_missing": 0, "n_unique": 3},
    {"name": "y", "dtype": "integer", "n_missing": 0, "n_unique": 2},
]


def resolve(**overrides: Any) -> SearchSpec:
    raw = {"dataset_id": "ds_1", "target": "y", "estimator": "random_forest"} | overrides
    return resolve_spec(raw, COLUMNS, 100, max_trials=500, max_job_seconds=3600)


def _frame(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {"x": x, "c": rng.choice(["a", "b", "c"], n), "y": (x + rng.normal(size=n) > 0).astype(int)}
    )


def _firsts(spec: SearchSpec, n: int) -> list[dict[str, Any]]:
    strategy = make_search_strategy(spec, prepare(spec, _frame(), COLUMNS))
    proposed = []
    for number in range(n):
        candidate = strategy.propose(number)
        strategy.pending(number, candidate)
        proposed.append(candidate.params)
    return proposed


def test_a_trial_over_a_quarter_of_the_budget_starts_cheap_by_the_estimate_or_the_cells():
    spec = resolve(timeout_s=10)
    assert starts_cheap(spec, {"seconds_per_trial": 2.6}, 100, 3)
    assert not starts_cheap(spec, {"seconds_per_trial": 2.4}, 50_000, 21)  # the estimate wins
    # no dry run: 50,000 rows of 21 columns, 5 folds, is guessed at 5 s a trial
    assert starts_cheap(spec, None, 50_000, 21)
    assert not starts_cheap(resolve(timeout_s=60), None, 50_000, 21)
    assert not starts_cheap(spec, None, 569, 31)
    # a grid, halving and a warm start keep their own first trials
    assert not starts_cheap(resolve(timeout_s=10, strategy="grid"), None, 50_000, 21)
    halving = resolve(timeout_s=10, strategy="halving", halving={"n_candidates": 9})
    assert not starts_cheap(halving, None, 50_000, 21)
    warm = dataclasses.replace(spec, warm_start=object())  # any parent
    assert not starts_cheap(warm, None, 50_000, 21)


@pytest.mark.parametrize("strategy", ["random", "bayesian"])
def test_a_job_that_starts_cheap_proposes_the_cheap_point_first_then_as_before(strategy):
    spec = resolve(strategy=strategy, n_trials=6)
    cheap = dataclasses.replace(spec, cheap_first=True)
    first = _firsts(cheap, 3)
    # the forest's 10 trees of depth 8, brought into its space (at least 50 trees)
    assert first[0] == cheap_point(cheap, space_dims(cheap))
    assert first[0]["n_estimators"] == 50 and first[0]["max_depth"] == 8
    assert first[0] not in first[1:]
    # built again (a resumed job): the same first trial
    assert _firsts(cheap, 1) == first[:1]


def test_an_auto_job_that_starts_cheap_tries_its_first_familys_cheap_point_then_each_family():
    spec = dataclasses.replace(resolve(estimator="auto", n_trials=12), cheap_first=True)
    dims = space_dims(spec)
    names = spec.param_space[auto.FAMILY]["choices"]
    proposed = _firsts(spec, len(names))
    assert proposed[0] == cheap_point(spec, dims)
    assert auto.split(proposed[0])[0] == names[0] == "hist_gradient_boosting"
    # its default space tunes neither max_iter nor max_depth: the cheap point is its
    # defaults, the first point an auto job tries anyway, and is not tried twice
    assert proposed == auto.first_points(dims, spec.task)
    # a space that tunes them gets the cheap values (20 iterations of depth 4)
    space = spec.param_space | {
        "hist_gradient_boosting.max_iter": {
            "type": "int",
            "low": 10,
            "high": 500,
            "when": {"estimator": ["hist_gradient_boosting"]},
        }
    }
    tuned = dataclasses.replace(spec, param_space=space)
    assert auto.split(_firsts(tuned, 1)[0])[1]["max_iter"] == 20


def test_a_job_without_a_short_budget_proposes_exactly_what_it_did():
    for strategy in ("random", "bayesian"):
        spec = resolve(strategy=strategy, n_trials=6)
        assert not spec.cheap_first
        again = SearchSpec.from_dict(
            {k: v for k, v in spec.to_dict().items() if k != "cheap_first"}
        )
        assert _firsts(spec, 4) == _firsts(again, 4)


def test_the_submit_decides_from_the_dry_runs_estimate_and_the_job_keeps_the_decision(service):
    dataset_id = upload(service, _frame(200))
    body = {"target": "y", "estimator": "random_forest", "n_trials": 2, "timeout_s": 60}
    plain = service.get_job(OWNER, submit(service, dataset_id, **body))
    assert plain.spec["cheap_first"] is False
    # a dry run estimated 20 s a trial for this spec
    dataset = service.get_dataset(OWNER, dataset_id)
    spec = SearchSpec.from_dict(plain.spec)
    with service.sessions() as session:
        estimates.remember(
            session,
            OWNER,
            dataset_id,
            _estimate_key(dataset, spec),
            {"seconds_per_trial": 20.0, "seconds": 45.0, "trials_in_budget": 2},
        )
    job_id = submit(service, dataset_id, **body)
    assert service.get_job(OWNER, job_id).spec["cheap_first"] is True
    assert run(service, job_id) is not None
    job, trials = job_and_trials(service, job_id)
    assert job.status == JobStatus.SUCCEEDED
    kept = SearchSpec.from_dict(job.spec)
    assert trials[0].params == cheap_point(kept, space_dims(kept))
    assert trials[0].mean_score is not None
    # the strategy built again from the store (a resumed job) agrees with what ran
    strategy = make_search_strategy(kept, prepare(kept, _frame(200), COLUMNS))
    replay(strategy, trials[:1], [])
    assert strategy.propose(1).params == trials[1].params


def test_a_jobs_spec_that_starts_cheap_is_a_request_that_makes_the_same_spec(service):
    # given a job the service decided starts cheap (its dry run estimated 20 s a trial)
    dataset_id = upload(service, _frame(200))
    body = {"target": "y", "estimator": "random_forest", "n_trials": 2, "timeout_s": 60}
    spec = resolve_spec(
        {"dataset_id": dataset_id, **body}, COLUMNS, 200, max_trials=500, max_job_seconds=3600
    )
    with service.sessions() as session:
        key = _estimate_key(service.get_dataset(OWNER, dataset_id), spec)
        estimates.remember(session, OWNER, dataset_id, key, {"seconds_per_trial": 20.0})
    first = service.get_job(OWNER, submit(service, dataset_id, **body))
    assert first.spec["cheap_first"] is True
    # when its spec is submitted again as it is, the new job's spec is the same
    again = service.submit_job(OWNER, dict(first.spec))
    assert again.spec == first.spec
    # and a client may say either way itself
    said = submit(service, dataset_id, **body, cheap_first=False)
    assert service.get_job(OWNER, said).spec["cheap_first"] is False


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [({"strategy": "grid"}, "strategy"), ({"strategy": "halving"}, "strategy")],
)
def test_a_cheap_first_trial_is_refused_where_the_first_trials_are_the_strategys(overrides, reason):
    with pytest.raises(SpecError) as info:
        resolve(cheap_first=True, **overrides)
    assert "cheap_first" in info.value.errors and reason in str(info.value.errors)
