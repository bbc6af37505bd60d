"""A study's events (models/store/study_events.py, GET /v1/studies/{id}/events): what
each ask and report appends, resuming, tenants, and that every event served is what the
OpenAPI document publishes."""

from __future__ import annotations

import json
from datetime import timedelta

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import update

from api import create_app
from models.documents import STUDY_EVENTS
from models.settings import Settings
from models.store import study_events
from models.store.migrate import upgrade
from models.store.records import DEFAULT_OWNER, StudyTrial, utcnow
from tests.unit.test_events import parse
from tests.unit.test_openapi import generated

DOCUMENT = "urn:tuneforge:openapi"
SPACE = {"x": {"type": "float", "low": -5, "high": 5}}
DATA = {
    "suggested": "StudySuggested",
    "lapsed": "StudyLapsed",
    "reported": "StudyReported",
    "best": "StudyNewBest",
    "completed": "StudyCompleted",
}


def _events(client, study_id, last_event_id=None, headers=None):
    headers = dict(headers or {})
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    response = client.get(f"/v1/studies/{study_id}/events", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    return parse(response.get_data(as_text=True))


def _ask(client, study_id, count):
    return client.post(f"/v1/studies/{study_id}/suggestions", json={"count": count}).get_json()


def _tell(client, study_id, number, body):
    response = client.post(f"/v1/studies/{study_id}/trials/{number}", json=body)
    assert response.status_code == 200, response.get_json()


def _lapse(service, number):
    with service.sessions() as session:
        session.execute(
            update(StudyTrial)
            .where(StudyTrial.number == number)
            .values(lease_expires_at=utcnow() - timedelta(seconds=1))
        )
        session.commit()


def _a_study_to_its_end(client, service) -> str:
    body = {"space": SPACE, "direction": "minimize", "n_trials": 3, "strategy": "random"}
    study = client.post("/v1/studies", json=body).get_json()["id"]
    assert [t["number"] for t in _ask(client, study, 2)["items"]] == [0, 1]
    _lapse(service, 1)
    assert [t["number"] for t in _ask(client, study, 2)["items"]] == [1, 2]
    _tell(client, study, 0, {"value": 2.0})
    _tell(client, study, 1, {"state": "failed", "error": "diverged"})
    _tell(client, study, 2, {"value": 1.0})
    return study


def test_asks_and_reports_append_their_events_in_order(client, service):
    study = _a_study_to_its_end(client, service)
    events = _events(client, study)  # the study completed: the stream ends by itself
    assert [kind for kind, _, _ in events] == [
        "suggested",
        "lapsed",
        "suggested",
        "reported",
        "best",
        "reported",
        "reported",
        "best",
        "completed",
    ]
    assert [event_id for _, event_id, _ in events] == [str(n) for n in range(1, 10)]
    data = [d for _, _, d in events]
    assert data[0]["numbers"] == [0, 1] and data[2]["numbers"] == [1, 2]
    assert data[1]["number"] == 1
    assert data[3] == {"number": 0, "state": "succeeded", "value": 2.0, "error": None}
    assert data[5] == {"number": 1, "state": "failed", "value": None, "error": "diverged"}
    assert data[4]["best_trial"] == 0 and data[7]["best_trial"] == 2
    assert data[8]["state"] == "completed" and data[8]["best_value"] == 1.0


def test_a_repeated_report_or_an_empty_answer_appends_nothing(client, service):
    body = {"space": SPACE, "direction": "maximize", "n_trials": 1}
    study = client.post("/v1/studies", json=body).get_json()["id"]
    _ask(client, study, 1)
    assert _ask(client, study, 1)["items"] == []  # every trial leased: no suggested event
    _tell(client, study, 0, {"value": 0.5})
    _tell(client, study, 0, {"value": 0.5})  # the retry of a report
    kinds = [kind for kind, _, _ in _events(client, study)]
    assert kinds == ["suggested", "reported", "best", "completed"]


def test_last_event_id_resumes_after_it_and_a_malformed_one_from_the_start(client, service):
    study = _a_study_to_its_end(client, service)
    resumed = _events(client, study, "7")
    assert [(kind, n) for kind, n, _ in resumed] == [("best", "8"), ("completed", "9")]
    assert _events(client, study, "9") == []  # after the last: the stream just ends
    for malformed in ("not-a-cursor", "-3", "1e3", "٣", "9" * 30):
        assert len(_events(client, study, malformed)) == 9, malformed


def test_every_event_served_is_what_the_openapi_document_publishes(app, client, service):
    registry = Registry().with_resource(
        DOCUMENT, Resource.from_contents(generated(app), default_specification=DRAFT202012)
    )

    def conforms(value: object, name: str) -> None:
        schema = {"$ref": f"{DOCUMENT}#/components/schemas/{name}"}
        Draft202012Validator(schema, registry=registry).validate(value)

    events = _events(client, _a_study_to_its_end(client, service))
    assert {kind for kind, _, _ in events} == set(STUDY_EVENTS)
    for kind, event_id, data in events:
        name = STUDY_EVENTS[kind].__name__.removesuffix("Schema")
        conforms({"event": kind, "id": event_id, "data": json.dumps(data)}, name)
        conforms(data, DATA[kind])


def test_another_tenants_study_and_none_at_all_are_404(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", api_keys=("acme:k-acme", "other:k-other"))
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    body = {"space": SPACE, "direction": "minimize", "n_trials": 1}
    study = client.post("/v1/studies", json=body, headers={"X-API-Key": "k-acme"}).get_json()
    other = client.get(f"/v1/studies/{study['id']}/events", headers={"X-API-Key": "k-other"})
    assert other.status_code == 404 and other.mimetype == "application/problem+json"
    none = client.get("/v1/studies/st_none/events", headers={"X-API-Key": "k-acme"})
    assert none.status_code == 404


def test_the_stream_of_a_study_deleted_meanwhile_is_over(client, service):
    body = {"space": SPACE, "direction": "minimize", "n_trials": 2}
    study = client.post("/v1/studies", json=body).get_json()["id"]
    _ask(client, study, 1)
    assert client.delete(f"/v1/studies/{study}").status_code == 204
    with service.sessions() as session:
        assert study_events.progress(session, [study]) == {}  # its events went with it
    assert service.studies.events(DEFAULT_OWNER, study, 0) == ([], 0, True)
