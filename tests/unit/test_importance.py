"""Parameter importance: fANOVA over a job's trials, in the engine and over HTTP."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from models.engine import importance
from models.engine.importance import parameter_importance
from models.engine.spec import CVSpec, SearchSpec
from models.store import jobs
from models.store.records import Trial, TrialState
from tests.unit.store_helpers import add_dataset

SPACE = {
    "C": {"type": "float", "low": 1e-3, "high": 1e3, "log": True},
    "degree": {"type": "int", "low": 1, "high": 5, "log": False},
    "max_depth": {"type": "categorical", "choices": [4, None, True, "sqrt"]},
    "tol": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
}


def trials(n: int, score, seed: int = 0) -> list[tuple[dict, float]]:
    """``n`` random points of :data:`SPACE` (``tol`` always the same) and their scores."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        params = {
            "C": float(np.exp(rng.uniform(math.log(1e-3), math.log(1e3)))),
            "degree": int(rng.integers(1, 6)),
            "max_depth": SPACE["max_depth"]["choices"][int(rng.integers(4))],
            "tol": 1e-4,
        }
        out.append((params, score(params) + 0.01 * rng.normal()))
    return out


def shares(result) -> dict[str, float]:
    return {item["param"]: item["importance"] for item in result.importances}


def test_the_parameter_that_decides_the_score_gets_most_of_the_importance():
    # given a score that grows with log C alone, over a log range
    result = parameter_importance(SPACE, trials(60, lambda p: math.log10(p["C"])))
    found = shares(result)
    assert result.method == "fanova" and result.n_trials == 60 and result.detail is None
    assert result.importances[0]["param"] == "C" and found["C"] > 0.8
    assert math.isclose(sum(found.values()), 1.0, abs_tol=1e-6)
    assert [i["importance"] for i in result.importances] == sorted(found.values(), reverse=True)


def test_a_categorical_with_null_true_and_text_choices_can_decide_the_score():
    scores = {4: 0.0, None: 1.0, True: 0.5, "sqrt": 0.2}
    found = shares(parameter_importance(SPACE, trials(60, lambda p: scores[p["max_depth"]])))
    assert max(found, key=found.get) == "max_depth" and found["max_depth"] > 0.8


def test_a_parameter_that_never_varies_is_left_out():
    found = shares(parameter_importance(SPACE, trials(30, lambda p: p["degree"])))
    assert "tol" not in found and set(found) == {"C", "degree", "max_depth"}


def test_with_fewer_than_two_scored_trials_the_list_is_empty_and_says_why():
    one = parameter_importance(SPACE, [*trials(1, lambda p: 1.0), ({"C": 1.0}, None)])
    assert one.importances == [] and one.n_trials == 1 and "fewer than 2" in one.detail


def test_without_a_varying_parameter_the_list_is_empty_and_says_why():
    same = [({"C": 1.0, "degree": 2}, 0.5), ({"C": 1.0, "degree": 2}, 0.7)]
    result = parameter_importance(SPACE, same)
    assert result.importances == [] and "no parameter" in result.detail


def test_equal_scores_give_an_empty_list_not_a_division_by_zero():
    result = parameter_importance(SPACE, [(p, 0.5) for p, _ in trials(10, lambda p: 0.0)])
    assert result.importances == [] and "same score" in result.detail


def test_a_value_outside_the_space_drops_its_trial():
    outside = [({"C": 5e3, "degree": 2, "max_depth": 4}, 9.0), ({"C": 1.0, "degree": 2.5}, 9.0)]
    result = parameter_importance(SPACE, [*outside, *trials(40, lambda p: p["degree"])])
    assert result.n_trials == 40


def test_only_the_best_trials_are_weighed(monkeypatch):
    # given the worst half of the trials decided by degree, the best half by C
    monkeypatch.setattr(importance, "MAX_TRIALS", 30)
    best = trials(30, lambda p: 10 + math.log10(p["C"]), seed=1)
    worst = trials(30, lambda p: -10 - p["degree"], seed=2)
    result = parameter_importance(SPACE, worst + best)
    assert result.n_trials == 30 and result.importances[0]["param"] == "C"


# Over HTTP --------------------------------------------------------------------------------

SPEC = SearchSpec(
    dataset_id="ds_x",
    target="y",
    task="classification",
    estimator="svm",
    strategy="random",
    param_space={k: SPACE[k] for k in ("C", "degree")},
    n_trials=30,
    timeout_s=60,
    cv=CVSpec(5, "stratified", True, 0),
    scoring="accuracy",
    test_size=0.2,
    random_state=0,
)


def record(
    sessions, job_id: str, points: list[tuple[dict, float]], start: int = 0, rung: int | None = None
) -> None:
    with sessions() as session:
        for number, (params, score) in enumerate(points, start):
            session.add(
                Trial(
                    job_id=job_id,
                    number=number,
                    params={k: v for k, v in params.items() if k in SPEC.param_space},
                    state=TrialState.SUCCEEDED,
                    fold_scores=[score] * 5,
                    mean_score=score,
                    rung=rung,
                    resource=None if rung is None else 100 * 3**rung,
                )
            )
        session.commit()


@pytest.fixture
def job_id(client, sessions) -> str:
    with sessions() as session:
        add_dataset(session, "default", SPEC.dataset_id)
        return jobs.submit_job(session, "default", SPEC, max_active=10).id


def test_a_job_without_trials_answers_an_empty_list_with_the_reason(client, job_id):
    response = client.get(f"/v1/jobs/{job_id}/importance")
    assert response.status_code == 200
    assert response.json == {
        "job_id": job_id,
        "method": "fanova",
        "n_trials": 0,
        "importances": [],
        "detail": "fewer than 2 trials with a score so far",
        "rung": None,
    }


def test_the_importance_follows_the_trials_as_they_are_recorded(client, sessions, job_id):
    # given a running job whose score so far depends on C only
    points = trials(40, lambda p: math.log10(p["C"]))
    record(sessions, job_id, points[:20])
    first = client.get(f"/v1/jobs/{job_id}/importance").json
    assert first["n_trials"] == 20 and first["importances"][0]["param"] == "C"
    # when more trials are recorded, the next poll weighs them too
    record(sessions, job_id, points[20:], start=20)
    assert client.get(f"/v1/jobs/{job_id}/importance").json["n_trials"] == 40


def test_a_halving_search_is_weighed_on_its_first_rung_alone(client, sessions, job_id):
    # given a halving search: 30 candidates on 100 rows, whose score follows C, and the 10
    # promoted to 300 rows, scoring higher across the board and following degree there
    first = trials(30, lambda p: math.log10(p["C"]))
    record(sessions, job_id, first, rung=0)
    promoted = [(params, 1 + params["degree"]) for params, _ in first[:10]]
    record(sessions, job_id, promoted, start=30, rung=1)
    # when its importance is asked for
    answer = client.get(f"/v1/jobs/{job_id}/importance").json
    # then only the first rung's trials are weighed, and the answer says so
    assert (answer["n_trials"], answer["rung"]) == (30, 0)
    assert answer["importances"][0]["param"] == "C"


def test_polling_without_new_trials_does_not_compute_again(client, app, sessions, job_id):
    record(sessions, job_id, trials(20, lambda p: p["degree"]))
    service = app.extensions["tuneforge"]
    calls = []
    compute = service._importance.get

    def counted(key, fn):
        return compute(key, lambda: calls.append(key) or fn())

    service._importance.get = counted
    answers = [client.get(f"/v1/jobs/{job_id}/importance").json for _ in range(3)]
    assert answers[0] == answers[1] == answers[2] and calls == [(job_id, 20)]


def test_an_unknown_job_and_another_tenants_job_are_404(client, sessions):
    with sessions() as session:
        add_dataset(session, "someone-else", "ds_theirs")
        their_spec = dataclasses.replace(SPEC, dataset_id="ds_theirs")
        theirs = jobs.submit_job(session, "someone-else", their_spec, max_active=10).id
    for job_id in ("job_0190f3a2b7c41e2f9a0b3c4d5e6f", theirs):
        response = client.get(f"/v1/jobs/{job_id}/importance")
        assert response.status_code == 404 and response.content_type == "application/problem+json"


def test_a_real_grid_with_a_null_choice_is_weighed(service, breast_cancer):
    # given a finished grid search whose max_depth choices include null
    from tests.unit.engine_helpers import OWNER, run, submit, upload

    dataset_id = upload(service, breast_cancer.iloc[:200, [0, 1, 2, 3, -1]])
    job_id = submit(
        service,
        dataset_id,
        target="target",
        estimator="decision_tree",
        strategy="grid",
        param_space={"max_depth": [1, 3, None], "min_samples_leaf": [1, 50]},
        cv={"folds": 3},
    )
    run(service, job_id)
    # then both parameters are weighed over the six trials
    result = service.importance(OWNER, job_id)
    assert result.n_trials == 6 and result.detail is None
    assert {i["param"] for i in result.importances} == {"max_depth", "min_samples_leaf"}
