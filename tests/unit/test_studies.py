"""Studies: ask and tell over HTTP (api/studies.py, models/study_service.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import update

from api import create_app
from models.engine.study import Planner, parse_study_space
from models.exceptions import SpecError
from models.settings import Settings
from models.store.migrate import upgrade
from models.store.records import StudyTrial, utcnow
from models.study_service import Studies
from tests.backends import on_every_database

QUADRATIC = {"x": {"type": "float", "low": -5, "high": 5}}


def _create(client, **body):
    body = {"space": QUADRATIC, "direction": "minimize", "n_trials": 6, **body}
    response = client.post("/v1/studies", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _ask(client, study_id, count=1):
    response = client.post(f"/v1/studies/{study_id}/suggestions", json={"count": count})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _tell(client, study_id, number, body):
    return client.post(f"/v1/studies/{study_id}/trials/{number}", json=body)


def _problem_fields(response):
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    return set(response.get_json().get("errors") or {})


def test_ask_and_tell_until_done_minimizing(client):
    study = _create(client, strategy="random", random_state=3)
    assert study["state"] == "running" and study["best"] is None
    values = {}
    while True:
        answer = _ask(client, study["id"], count=4)
        if not answer["items"]:
            break
        for item in answer["items"]:
            values[item["number"]] = (item["params"]["x"] - 1) ** 2
            assert (
                _tell(
                    client, study["id"], item["number"], {"value": values[item["number"]]}
                ).status_code
                == 200
            )
    assert answer["state"] == "completed" and answer["remaining"] == 0
    done = client.get(f"/v1/studies/{study['id']}").get_json()
    best = min(values, key=values.get)
    assert done["best"]["number"] == best and done["best"]["value"] == values[best]
    assert done["counts"]["succeeded"] == 6 and done["state"] == "completed"
    page = client.get(f"/v1/studies/{study['id']}/trials?sort=mean_score&limit=2").get_json()
    assert page["items"][0]["number"] == best and page["next"]


@on_every_database
def test_two_callers_at_once_never_get_the_same_trial(settings):
    upgrade(settings.database_url)
    app = create_app(settings)
    study = _create(app.test_client(), strategy="bayesian", n_trials=40, random_state=1)
    got: list[list[int]] = [[], []]

    def ask(slot: int) -> None:
        client = app.test_client()
        for _ in range(5):
            got[slot] += [t["number"] for t in _ask(client, study["id"], count=4)["items"]]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got[0]) == len(got[1]) == 20
    assert not set(got[0]) & set(got[1])
    assert sorted(got[0] + got[1]) == list(range(40))


@on_every_database
def test_a_lapsed_lease_hands_the_same_trial_out_again_first(client, service):
    study = _create(client, strategy="random", random_state=0)
    first = _ask(client, study["id"], count=2)["items"]
    with service.sessions() as session:
        session.execute(
            update(StudyTrial)
            .where(StudyTrial.number == first[1]["number"])
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    again = _ask(client, study["id"], count=2)["items"]
    assert again[0]["number"] == first[1]["number"] and again[0]["params"] == first[1]["params"]
    assert again[1]["number"] == 2
    trial = client.get(f"/v1/studies/{study['id']}/trials?state=leased").get_json()["items"]
    assert {t["number"]: t["leases"] for t in trial} == {0: 1, 1: 2, 2: 1}
    # the report of the first holder, its lease over, is still taken
    assert _tell(client, study["id"], first[1]["number"], {"value": 1.0}).status_code == 200


@on_every_database
def test_the_study_list_counts_each_studys_trials_by_state_lapsed_apart(client, service):
    one, two = _create(client, strategy="random"), _create(client, strategy="random")
    items = _ask(client, one["id"], count=4)["items"]
    _tell(client, one["id"], items[0]["number"], {"value": 1.0})
    _tell(client, one["id"], items[1]["number"], {"state": "failed", "error": "boom"})
    with service.sessions() as session:  # the third's lease lapsed; the fourth still held
        session.execute(
            update(StudyTrial)
            .where(StudyTrial.study_id == one["id"], StudyTrial.number == items[2]["number"])
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()
    _tell(client, two["id"], _ask(client, two["id"])["items"][0]["number"], {"state": "pruned"})
    listed = {s["id"]: s["counts"] for s in client.get("/v1/studies").get_json()["items"]}
    zero = {"leased": 0, "lapsed": 0, "succeeded": 0, "failed": 0, "pruned": 0}
    held = {"succeeded": 1, "failed": 1, "lapsed": 1, "leased": 1, "not_started": 2}
    assert listed[one["id"]] == zero | held
    assert listed[two["id"]] == zero | {"pruned": 1, "not_started": 5}
    for study in (one, two):
        assert client.get(f"/v1/studies/{study['id']}").get_json()["counts"] == listed[study["id"]]


def test_when_every_trial_is_leased_the_answer_says_wait(client):
    study = _create(client, strategy="random", n_trials=2)
    assert len(_ask(client, study["id"], count=5)["items"]) == 2
    answer = _ask(client, study["id"])
    assert answer["items"] == [] and answer["state"] == "running"
    assert answer["remaining"] == 0 and 0 < answer["retry_after_s"] <= 5


def test_reports_are_idempotent_and_a_different_one_conflicts(client):
    study = _create(client)
    number = _ask(client, study["id"])["items"][0]["number"]
    first = _tell(client, study["id"], number, {"value": 0.5})
    again = _tell(client, study["id"], number, {"value": 0.5})
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    other = _tell(client, study["id"], number, {"value": 0.7})
    assert other.status_code == 409 and "already reported" in other.get_json()["detail"]
    failed = _tell(client, study["id"], number, {"state": "failed", "error": "boom"})
    assert failed.status_code == 409


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1.5", True, None])
def test_a_value_that_is_not_a_finite_number_is_422_naming_value(client, value):
    study = _create(client)
    number = _ask(client, study["id"])["items"][0]["number"]
    raw = '{"value": %s}' % (
        value
        if isinstance(value, str) and value[0] in "NI-"
        else {"1.5": '"1.5"', True: "true", None: "null"}[value]
    )
    response = client.post(
        f"/v1/studies/{study['id']}/trials/{number}", data=raw, content_type="application/json"
    )
    assert response.status_code == 422
    assert "value" in _problem_fields(response)


def test_unknown_trials_and_studies_are_404(client):
    study = _create(client)
    response = _tell(client, study["id"], 3, {"value": 1.0})
    assert response.status_code == 404 and "suggestions" in response.get_json()["detail"]
    assert _tell(client, "st_" + "0" * 28, 0, {"value": 1.0}).status_code == 404
    assert client.get("/v1/studies/st_nope").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"space": {}}, "space"),
        ({"space": {"x": {"type": "int", "low": 5, "high": 1}}}, "space.x"),
        ({"space": {"x": {"type": "float", "low": 0, "high": 1}}, "strategy": "grid"}, "space.x"),
        ({"strategy": "halving"}, "strategy"),
        ({"direction": "up"}, "direction"),
        ({"n_trials": 0}, "n_trials"),
        ({"lease_s": 10**9}, "lease_s"),
        ({"space": {"y": {"type": "int", "low": 1, "high": 3, "when": {"k": ["a"]}}}}, "space.y"),
    ],
)
def test_a_bad_study_is_422_naming_the_field(client, body, field):
    body = {"space": QUADRATIC, "direction": "minimize", "n_trials": 5, **body}
    response = client.post("/v1/studies", json=body)
    assert response.status_code == 422
    assert field in _problem_fields(response), response.get_json()


def test_a_grid_completes_when_every_point_is_tried(client):
    study = _create(client, space={"k": ["a", "b", "c"]}, strategy="grid", n_trials=10)
    assert study["trials_total"] == 3
    items = _ask(client, study["id"], count=10)["items"]
    assert sorted(i["params"]["k"] for i in items) == ["a", "b", "c"]
    for item in items:
        _tell(client, study["id"], item["number"], {"value": 1.0})
    assert _ask(client, study["id"])["state"] == "completed"


def test_a_conditional_space_gives_children_only_where_they_apply(client):
    space = {
        "kernel": ["linear", "poly"],
        "degree": {"type": "int", "low": 2, "high": 5, "when": {"kernel": ["poly"]}},
    }
    study = _create(client, space=space, strategy="bayesian", n_trials=12, random_state=0)
    for _ in range(12):
        (item,) = _ask(client, study["id"])["items"]
        params = item["params"]
        assert ("degree" in params) == (params["kernel"] == "poly")
        _tell(client, study["id"], item["number"], {"value": float(params.get("degree", 0))})


def test_bayesian_minimizes_a_quadratic(client):
    study = _create(client, strategy="bayesian", n_trials=30, random_state=0)
    for _ in range(30):
        (item,) = _ask(client, study["id"])["items"]
        value = (item["params"]["x"] - 1) ** 2
        _tell(client, study["id"], item["number"], {"value": value})
    best = client.get(f"/v1/studies/{study['id']}").get_json()["best"]
    assert best["value"] < 0.1


def test_the_pruner_stops_a_trial_worse_than_the_median(client):
    study = _create(client, strategy="bayesian", n_trials=12, random_state=0)
    for _ in range(6):
        (item,) = _ask(client, study["id"])["items"]
        for step in range(3):
            stop = _tell(
                client, study["id"], item["number"], {"intermediate": {"step": step, "value": 1.0}}
            )
            assert stop.get_json() == {"should_stop": False}
        _tell(client, study["id"], item["number"], {"value": 1.0})
    (item,) = _ask(client, study["id"])["items"]
    body = {"intermediate": {"step": 1, "value": 100.0}}  # minimizing: far worse
    assert _tell(client, study["id"], item["number"], body).get_json() == {"should_stop": True}
    assert _tell(client, study["id"], item["number"], {"state": "pruned"}).status_code == 200


def test_another_tenant_never_sees_a_study(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", api_keys=("acme:k-acme", "other:k-other"))
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    acme, other = {"X-API-Key": "k-acme"}, {"X-API-Key": "k-other"}
    body = {"space": QUADRATIC, "direction": "minimize", "n_trials": 3}
    study = client.post("/v1/studies", json=body, headers=acme).get_json()
    assert client.get(f"/v1/studies/{study['id']}", headers=other).status_code == 404
    url = f"/v1/studies/{study['id']}/suggestions"
    assert client.post(url, json={"count": 1}, headers=other).status_code == 404
    assert client.get("/v1/studies", headers=other).get_json()["items"] == []
    assert len(client.get("/v1/studies", headers=acme).get_json()["items"]) == 1


def test_the_quota_of_running_studies_is_429(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", tenant_max_studies=1)
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    _create(client)
    response = client.post(
        "/v1/studies", json={"space": QUADRATIC, "direction": "minimize", "n_trials": 3}
    )
    assert response.status_code == 429


def test_an_idempotency_key_replays_a_suggestion(client):
    study = _create(client)
    url = f"/v1/studies/{study['id']}/suggestions"
    headers = {"Idempotency-Key": "ask-1"}
    first = client.post(url, json={"count": 2}, headers=headers)
    again = client.post(url, json={"count": 2}, headers=headers)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.get_json() == again.get_json()
    assert _ask(client, study["id"])["items"][0]["number"] == 2


def test_delete_removes_the_study(client):
    study = _create(client)
    assert client.delete(f"/v1/studies/{study['id']}").status_code == 204
    assert client.get(f"/v1/studies/{study['id']}").status_code == 404


def test_a_kept_planner_proposes_what_a_fresh_one_would_know():
    spec = {
        "space": QUADRATIC,
        "direction": "minimize",
        "strategy": "random",
        "n_trials": 5,
        "random_state": 7,
    }
    kept = Planner.for_spec(spec)
    first, _ = kept.propose(0, 2)
    fresh = Planner.for_spec(spec)

    class T:
        def __init__(self, number, params):
            self.number, self.params, self.state, self.value = number, params, "succeeded", 1.0
            self.intermediate = []

    fresh.sync([T(n, p) for n, p in first])
    assert fresh.propose(2, 3)[0] == kept.propose(2, 3)[0]


def test_a_space_of_non_scalar_choices_is_refused():
    with pytest.raises(SpecError) as error:
        parse_study_space({"x": [[1, 2]]})
    assert "space.x" in error.value.errors


def test_a_trial_number_that_is_not_a_number_is_404(client):
    study = _create(client)
    assert _tell(client, study["id"], "x1", {"value": 1.0}).status_code == 404


@on_every_database
@pytest.mark.parametrize("strategy", ["bayesian", "random"])
def test_two_processes_keep_their_planners_in_step_through_the_database(
    settings, sessions, strategy
):
    # two API processes (each its own planner cache) asking and telling in turn
    one, two = Studies(settings, sessions), Studies(settings, sessions)
    body = {"space": QUADRATIC, "direction": "minimize", "n_trials": 16, "strategy": strategy}
    study_id = one.create("me", {**body, "random_state": 5}).study.id
    handed = []
    for turn in range(8):
        process = (one, two)[turn % 2]
        items = process.suggest("me", study_id, 2).items
        handed += [(t.number, repr(t.params)) for t in items]
        (two, one)[turn % 2].report("me", study_id, items[0].number, {"value": 1.0 + turn})
    assert [n for n, _ in handed] == list(range(16))
    assert len({p for _, p in handed}) == 16  # no point handed out twice
    for number in range(1, 16, 2):
        one.report("me", study_id, number, {"value": 0.5})
    done = two.get("me", study_id)
    assert done.study.state == "completed" and done.study.best_value == 0.5
    assert done.study.best_trial == 1


def test_trials_filter_by_several_states_and_refuse_another(client):
    study = _create(client, strategy="random")
    items = _ask(client, study["id"], count=3)["items"]
    _tell(client, study["id"], items[0]["number"], {"value": 2.0})
    _tell(client, study["id"], items[1]["number"], {"state": "failed", "error": "boom"})
    url = f"/v1/studies/{study['id']}/trials"
    page = client.get(f"{url}?state=leased,failed").get_json()
    assert [(t["number"], t["state"]) for t in page["items"]] == [(1, "failed"), (2, "leased")]
    assert page["items"][0]["error"] == "boom"
    response = client.get(f"{url}?state=lost")
    assert response.status_code == 422 and "state" in _problem_fields(response)


def test_importance_weighs_the_parameter_that_moves_the_value(client):
    space = {**QUADRATIC, "noise": {"type": "float", "low": 0, "high": 1}}
    study = _create(client, space=space, strategy="random", n_trials=20, random_state=0)
    for item in _ask(client, study["id"], count=20)["items"]:
        value = (item["params"]["x"] - 1) ** 2 + 0.001 * item["params"]["noise"]
        _tell(client, study["id"], item["number"], {"value": value})
    found = client.get(f"/v1/studies/{study['id']}/importance").get_json()
    assert found["study_id"] == study["id"] and found["n_trials"] == 20
    assert found["importances"][0]["param"] == "x"
