"""Warm start (``models.engine.warm_start``, ``models.store.warm_starts``): which parent
trials fit a new space, how the strategies go on after them, and a warm-started job run
through the service core, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from models.engine.catalog import CATALOG, CLASSIFICATION
from models.engine.search import plan_next, replay
from models.engine.space import parse_space, sample
from models.engine.spec import SearchSpec
from models.engine.states import TrialState
from models.engine.strategies import make_strategy
from models.engine.warm_start import differences, misfit, seeded_strategy, select
from models.exceptions import SpecError
from models.store.records import Job, Trial
from tests.unit.engine_helpers import OWNER, job_and_trials, run, submit, upload

TREE = CATALOG["decision_tree"].params[CLASSIFICATION]


def space(raw: dict[str, Any], params=TREE):
    return parse_space(raw, params)


NARROW = space(
    {
        "max_depth": {"type": "int", "low": 2, "high": 6},
        "criterion": ["gini", "entropy"],
    }
)


# The fitting filter ------------------------------------------------------------------


def test_a_trial_inside_the_narrowed_space_fits():
    assert misfit({"max_depth": 4, "criterion": "gini"}, NARROW) is None
    assert misfit({"max_depth": 2, "criterion": "entropy"}, NARROW) is None  # bounds included


def test_a_value_outside_the_narrowed_range_does_not_fit_and_says_why():
    reason = misfit({"max_depth": 9, "criterion": "gini"}, NARROW)
    assert reason is not None and "max_depth=9" in reason and "2 to 6" in reason


def test_a_parameter_not_searched_here_or_left_at_its_default_does_not_fit():
    extra = misfit({"max_depth": 4, "criterion": "gini", "min_samples_leaf": 3}, NARROW)
    assert extra is not None and "min_samples_leaf is not searched here" in extra
    missing = misfit({"max_depth": 4}, NARROW)
    assert missing is not None and "criterion" in missing and "default" in missing


def test_categorical_choices_are_matched_by_json_value():
    dims = space({"max_depth": [2, 4, None], "criterion": ["gini"]})
    assert misfit({"max_depth": None, "criterion": "gini"}, dims) is None
    assert misfit({"max_depth": 3, "criterion": "gini"}, dims) is not None
    assert misfit({"max_depth": 4, "criterion": "entropy"}, dims) is not None
    # A parent's int range value fits a categorical of the same values, not of floats.
    assert misfit({"max_depth": 4.5, "criterion": "gini"}, dims) is not None


def test_conditional_space_fits_only_where_the_parameter_applies():
    dims = space(
        {
            "criterion": ["gini", "entropy"],
            "max_depth": {"type": "int", "low": 1, "high": 10, "when": {"criterion": ["gini"]}},
        }
    )
    assert misfit({"criterion": "gini", "max_depth": 3}, dims) is None
    assert misfit({"criterion": "entropy"}, dims) is None
    applies_not = misfit({"criterion": "entropy", "max_depth": 3}, dims)
    assert applies_not is not None and "does not apply" in applies_not
    assert misfit({"criterion": "gini"}, dims) is not None  # max_depth applies: must be set


@dataclass
class Parent:
    """A parent's trial as the store reads it."""

    number: int
    params: dict
    state: str = TrialState.SUCCEEDED
    mean_score: float | None = 0.5
    rung: int | None = None
    inherited_job_id: str | None = None
    inherited_number: int | None = None
    fold_scores: list = dataclasses.field(default_factory=list)
    resource: int | None = None


def test_select_keeps_scored_fitting_trials_and_names_the_others():
    trials = [
        Parent(0, {"max_depth": 3, "criterion": "gini"}, mean_score=0.8),
        Parent(1, {"max_depth": 12, "criterion": "gini"}, mean_score=0.9),
        Parent(2, {"max_depth": 4, "criterion": "gini"}, state=TrialState.FAILED, mean_score=None),
        Parent(3, {"max_depth": 5, "criterion": "entropy"}, state=TrialState.PRUNED),
        Parent(4, {"max_depth": 6, "criterion": "entropy"}, mean_score=0.7),
    ]
    chosen = select([("job_a", trials)], NARROW, limit=100)
    assert [(i.job_id, i.number) for i in chosen.trials] == [("job_a", 0), ("job_a", 4)]
    (warning,) = chosen.warnings
    assert warning["code"] == "warm_start_unfit"
    assert warning["job_id"] == "job_a" and warning["trials"] == [1]
    assert "#1 (max_depth=12" in warning["message"]


def test_select_keeps_one_copy_of_each_origin_and_the_best_under_the_limit():
    first = [Parent(0, {"max_depth": 3, "criterion": "gini"}, mean_score=0.6)]
    # job_b inherited job_a's trial 0 as its own 0, then ran two of its own.
    second = [
        Parent(0, {"max_depth": 3, "criterion": "gini"}, 0.6, None, "job_a", 0),
        Parent(1, {"max_depth": 4, "criterion": "gini"}, mean_score=0.9),
        Parent(2, {"max_depth": 5, "criterion": "gini"}, mean_score=0.7),
    ]
    chosen = select([("job_a", first), ("job_b", second)], NARROW, limit=100)
    assert [(i.job_id, i.number) for i in chosen.trials] == [
        ("job_a", 0),
        ("job_b", 1),
        ("job_b", 2),
    ]
    limited = select([("job_a", first), ("job_b", second)], NARROW, limit=2)
    assert [(i.job_id, i.number) for i in limited.trials] == [("job_b", 1), ("job_b", 2)]
    assert limited.warnings[-1]["code"] == "warm_start_limit"


def test_a_parent_without_scored_trials_is_named():
    chosen = select([("job_q", [])], NARROW, limit=10)
    assert chosen.trials == [] and chosen.warnings[0]["code"] == "warm_start_unscored"


# Comparable parents ------------------------------------------------------------------


def resolved(**changes: Any) -> SearchSpec:
    base = SearchSpec.from_dict(
        {
            "dataset_id": "ds_1",
            "target": "y",
            "task": "classification",
            "estimator": "decision_tree",
            "strategy": "random",
            "param_space": {"max_depth": {"type": "int", "low": 1, "high": 9, "log": False}},
            "n_trials": 5,
            "timeout_s": 60,
            "cv": {"folds": 3, "kind": "stratified", "shuffle": True, "random_state": 0},
            "scoring": "roc_auc",
            "test_size": 0.2,
            "random_state": 0,
        }
    )
    cv = changes.pop("cv", {})
    return dataclasses.replace(base, cv=dataclasses.replace(base.cv, **cv), **changes)


def test_a_parent_with_another_space_strategy_or_trial_count_is_comparable():
    child = resolved(strategy="bayesian", n_trials=40, param_space={})
    assert differences(child, "job_p", resolved()) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scoring": "accuracy"}, "scoring"),
        ({"dataset_id": "ds_2"}, "dataset_id"),
        ({"target": "z"}, "target"),
        ({"estimator": "random_forest"}, "estimator"),
        ({"test_size": 0.3}, "test_size"),
        ({"random_state": 1}, "random_state"),
        ({"exclude_columns": ["a"]}, "exclude_columns"),
        ({"cv": {"folds": 5}}, "cv.folds"),
        ({"cv": {"kind": "kfold"}}, "cv.kind"),
        ({"cv": {"random_state": 7}}, "cv.random_state"),
    ],
)
def test_a_parent_scored_otherwise_is_refused_naming_the_field(changes, field):
    (error,) = differences(resolved(), "job_p", resolved(**changes))
    assert error.field == field and "job_p" in error.detail


# Strategies after inherited trials ---------------------------------------------------

BAYES_SPACE = space(
    {
        "max_depth": {"type": "int", "low": 1, "high": 30},
        "min_samples_leaf": {"type": "int", "low": 1, "high": 50, "log": True},
        "criterion": ["gini", "entropy"],
    }
)


def past(number: int, params: dict) -> Parent:
    depth = params.get("max_depth") or 40
    return Parent(number, params, mean_score=1 / (1 + abs(depth - 7)), fold_scores=[0.5, 0.6])


def test_bayesian_proposes_after_inherited_trials_what_it_would_after_running_them():
    ran = make_strategy("random", BAYES_SPACE, 12, 3)
    history = [past(n, ran.propose(n).params) for n in range(12)]
    own = make_strategy("bayesian", BAYES_SPACE, 12 + 4, 9)
    replay(own, history)
    seeded = seeded_strategy("bayesian", BAYES_SPACE, 4, 9, [t.params for t in history])
    replay(seeded, history)
    assert seeded.total == 16
    for number in range(12, 16):
        mine, theirs = seeded.propose(number), own.propose(number)
        assert mine == theirs
        seeded.pending(number, mine)
        own.pending(number, theirs)
    assert seeded.propose(16) is None
    # TPE learnt from them: untold, it proposes its random start-up draw instead.
    untold = seeded_strategy("bayesian", BAYES_SPACE, 4, 9, [t.params for t in history])
    told = seeded_strategy("bayesian", BAYES_SPACE, 4, 9, [t.params for t in history])
    replay(told, history)
    assert told.propose(12) != untold.propose(12)


def test_grid_does_not_run_inherited_candidates_again():
    dims = space({"max_depth": [2, 4, 8], "criterion": ["gini", "entropy"]})
    inherited = [{"criterion": "gini", "max_depth": 4}, {"criterion": "entropy", "max_depth": 8}]
    strategy = seeded_strategy("grid", dims, 6, 0, inherited)
    replay(strategy, [past(n, p) for n, p in enumerate(inherited)])
    plan = plan_next(strategy, taken={0, 1}, in_flight=0, max_parallel=10)
    proposed = [c.params for _, c in plan.start]
    assert [n for n, _ in plan.start] == [2, 3, 4, 5] and plan.exhausted
    assert len(proposed) == 4 and not any(p in inherited for p in proposed)
    assert strategy.total == 6


def test_random_draws_new_distinct_candidates():
    dims = space({"max_depth": [2, 4, 8], "criterion": ["gini", "entropy"]})
    inherited = [{"criterion": "gini", "max_depth": 4}]
    strategy = seeded_strategy("random", dims, 3, 0, inherited)
    proposed = [strategy.propose(n).params for n in (1, 2, 3)]
    assert strategy.propose(4) is None
    assert inherited[0] not in proposed and len({repr(sorted(p.items())) for p in proposed}) == 3


def test_random_draws_as_trials_need_them_what_a_whole_draw_would_give():
    dims = space(
        {
            "max_depth": {"type": "int", "low": 1, "high": 30},
            "ccp_alpha": {"type": "float", "low": 0.0, "high": 0.1},
        }
    )
    inherited = sample(dims, 5, 1)  # another seed's trials
    whole = [c for c in sample(dims, 30 + 5, 0) if c not in inherited][:30]
    strategy = seeded_strategy("random", dims, 30, 0, inherited)
    assert strategy.total == 35
    assert [strategy.propose(n).params for n in range(5, 35)] == whole
    assert strategy.propose(35) is None and strategy.propose(4) is None
    # a budget-bound job plans thousands and runs a few: nothing drawn up front
    huge = seeded_strategy("random", dims, 50_000_000, 0, inherited)
    assert huge.total == 50_000_005 and huge.propose(5).params == whole[0]
    # a space of fewer points than planned: every point left, counted
    small = seeded_strategy("random", BAYES_SPACE, 50_000_000, 0, inherited[:0])
    assert small.total == 30 * 50 * 2


# A warm-started job through the service core -----------------------------------------

pytestmark = pytest.mark.every_database

PARENT = {
    "target": "y",
    "estimator": "decision_tree",
    "strategy": "random",
    "n_trials": 6,
    "random_state": 3,
    "cv": {"folds": 3},
    "test_size": 0.2,
    "param_space": {"max_depth": {"type": "int", "low": 1, "high": 12}},
}


@pytest.fixture
def table_id(service):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(150, 3)), columns=["a", "b", "c"])
    df["y"] = ((df["a"] + df["b"] + rng.normal(0, 0.5, 150)) > 0).astype(int)
    return upload(service, df)


def test_a_warm_started_job_inherits_fitting_trials_and_runs_only_new_ones(service, table_id):
    parent_id = submit(service, table_id, **PARENT)
    run(service, parent_id)
    _, parent_trials = job_and_trials(service, parent_id)
    narrow = {"max_depth": {"type": "int", "low": 1, "high": 6}}
    fitting = [t for t in parent_trials if t.params["max_depth"] <= 6]
    unfit = [t.number for t in parent_trials if t.params["max_depth"] > 6]
    assert fitting and unfit, "the seed should give trials on both sides of 6"

    child = service.submit_job(
        OWNER,
        {
            "dataset_id": table_id,
            **PARENT,
            "strategy": "bayesian",
            "n_trials": 3,
            "param_space": narrow,
            "warm_start": {"job_ids": [parent_id]},
        },
    )
    assert child.trials_completed == child.trials_inherited == len(fitting)
    assert child.trials_total == len(fitting) + 3
    (warning,) = [w for w in child.warnings if w["code"] == "warm_start_unfit"]
    assert warning["trials"] == unfit and warning["job_id"] == parent_id
    run(service, child.id)

    job, trials = job_and_trials(service, child.id)
    inherited = [t for t in trials if t.inherited_job_id is not None]
    own = [t for t in trials if t.inherited_job_id is None]
    assert [t.number for t in inherited] == list(range(len(fitting)))
    assert [(t.inherited_job_id, t.inherited_number) for t in inherited] == [
        (parent_id, t.number) for t in fitting
    ]
    assert [t.mean_score for t in inherited] == [t.mean_score for t in fitting]
    assert [t.number for t in own] == list(range(len(fitting), len(fitting) + 3))
    assert job.status == "succeeded" and job.trials_completed == job.trials_total
    assert job.best_score >= max(t.mean_score for t in fitting)
    assert job.result["n_trials"] == len(fitting) + 3


def test_a_parent_of_another_tenant_is_refused_as_unknown(service, table_id):
    parent_id = submit(service, table_id, **PARENT)
    with service.sessions() as session:
        session.get(Job, parent_id).owner = "someone-else"
        session.commit()
    request = {"dataset_id": table_id, **PARENT, "warm_start": {"job_ids": [parent_id]}}
    with pytest.raises(SpecError) as theirs:
        service.submit_job(OWNER, request)
    request["warm_start"] = {"job_ids": ["job_" + "0" * 28]}
    with pytest.raises(SpecError) as unknown:
        service.submit_job(OWNER, request)
    assert theirs.value.field == unknown.value.field == "warm_start.job_ids"
    assert theirs.value.detail.replace(parent_id, "X") == unknown.value.detail.replace(
        "job_" + "0" * 28, "X"
    )


def test_a_parent_scored_otherwise_is_refused_and_nothing_is_recorded(service, table_id):
    parent_id = submit(service, table_id, **PARENT)
    request = {
        "dataset_id": table_id,
        **PARENT,
        "cv": {"folds": 4},
        "warm_start": {"job_ids": [parent_id]},
    }
    with pytest.raises(SpecError) as refused:
        service.submit_job(OWNER, request)
    assert refused.value.field == "cv.folds" and parent_id in refused.value.detail
    with service.sessions() as session:
        assert session.query(Job).count() == 1 and session.query(Trial).count() == 0


def test_halving_cannot_be_warm_started(service, table_id):
    parent_id = submit(service, table_id, **PARENT)
    request = {
        "dataset_id": table_id,
        **PARENT,
        "strategy": "halving",
        "warm_start": {"job_ids": [parent_id]},
    }
    with pytest.raises(SpecError) as refused:
        service.submit_job(OWNER, request)
    assert refused.value.field == "strategy"


def test_a_warm_started_grid_runs_only_the_candidates_not_inherited(service, table_id):
    grid = {**PARENT, "strategy": "grid", "param_space": {"max_depth": [1, 2, 3]}}
    parent_id = submit(service, table_id, **grid)
    run(service, parent_id)
    wider = {**grid, "param_space": {"max_depth": [2, 3, 4, 5]}}
    child_id = submit(service, table_id, **wider, warm_start={"job_ids": [parent_id]})
    run(service, child_id)
    job, trials = job_and_trials(service, child_id)
    assert [(t.params["max_depth"], t.inherited_number) for t in trials] == [
        (2, 1),
        (3, 2),
        (4, None),
        (5, None),
    ]
    assert job.status == "succeeded" and job.trials_total == job.trials_completed == 4
    # the same grid again: nothing is left to run, and the job ends with its inherited best
    again_id = submit(service, table_id, **grid, warm_start={"job_ids": [parent_id]})
    run(service, again_id)
    again, trials = job_and_trials(service, again_id)
    assert again.status == "succeeded" and len(trials) == again.trials_inherited == 3
    assert again.result["best_score"] == max(t.mean_score for t in trials)
