"""Server-Sent Events for a job's progress, resumable with Last-Event-ID."""

from __future__ import annotations

import json

import pytest

from api.services import service
from models.engine.evaluate import TrialOutcome
from models.engine.strategies import Candidate
from models.store import events, jobs, trial_runs
from models.store.records import JobStatus, TrialState

CSV = b"x,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(30))


def parse(body: str) -> list[tuple[str, str, dict]]:
    frames = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            frames.append((fields["event"], fields["id"], json.loads(fields["data"])))
    return frames


@pytest.fixture
def finished_job(client, app):
    dataset = client.post("/v1/datasets", data=CSV, content_type="text/csv").json
    job = client.post(
        "/v1/jobs",
        json={"dataset_id": dataset["id"], "target": "y", "estimator": "knn", "n_trials": 2},
    ).json
    with app.app_context(), service().sessions.begin() as session:
        # two trials chosen, run and recorded as workers do, then the job concluded
        assert trial_runs.begin_advance(session, job["id"]) is not None
        candidates = [Candidate({"n_neighbors": 1}), Candidate({"n_neighbors": 2})]
        trial_runs.add(session, job["id"], enumerate(candidates))
        for number, score in enumerate([0.6, 0.8]):
            lease = trial_runs.claim(session, job["id"], number, "test", 60).lease
            outcome = TrialOutcome(
                candidates[number].params, TrialState.SUCCEEDED, [score], score, 0.0
            )
            assert trial_runs.record(session, lease, outcome, candidates[number])
        lease = jobs.claim_job(session, job["id"], "test", 60)
        assert jobs.finish_job(session, lease, JobStatus.SUCCEEDED)
    return job["id"]


def test_a_finished_job_streams_its_history_and_ends(client, finished_job):
    response = client.get(f"/v1/jobs/{finished_job}/events")
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    assert body.startswith("retry: 1000\n\n")
    kinds = [kind for kind, _, _ in parse(body)]
    assert kinds == ["trial", "trial", "best", "status", "end"]
    frames = parse(body)
    assert [f[2]["number"] for f in frames[:2]] == [0, 1]
    assert frames[2][2]["best_trial"] == 1 and frames[3][2]["status"] == "succeeded"


def test_last_event_id_resumes_after_what_was_seen(client, finished_job):
    first = parse(client.get(f"/v1/jobs/{finished_job}/events").get_data(as_text=True))
    after_first_trial = first[0][1]
    resumed = parse(
        client.get(
            f"/v1/jobs/{finished_job}/events", headers={"Last-Event-ID": after_first_trial}
        ).get_data(as_text=True)
    )
    assert [k for k, _, _ in resumed] == ["trial", "best", "status", "end"]
    assert resumed[0][2]["number"] == 1
    # and a client that saw everything only learns that the stream is over
    last = parse(
        client.get(
            f"/v1/jobs/{finished_job}/events", headers={"Last-Event-ID": first[-1][1]}
        ).get_data(as_text=True)
    )
    assert [k for k, _, _ in last] == ["end"]


@pytest.mark.parametrize("cursor", ["9" * 30 + ".-.-", "1.-." + "9" * 30, "٣.-.-", "-1.-.-"])
def test_a_last_event_id_of_numbers_no_column_holds_starts_from_the_beginning(
    client, finished_job, cursor
):
    url = f"/v1/jobs/{finished_job}/events"
    whole = parse(client.get(url).get_data(as_text=True))
    again = parse(client.get(url, headers={"Last-Event-ID": cursor}).get_data(as_text=True))
    assert again == whole


def test_events_of_an_unknown_job_are_a_404_problem(client):
    response = client.get("/v1/jobs/job_nope/events")
    assert response.status_code == 404 and response.content_type == "application/problem+json"


def test_a_queued_job_stream_is_bounded(tmp_path):
    from api import create_app
    from models.settings import Settings
    from models.store.migrate import upgrade

    settings = Settings(data_dir=tmp_path, events_stream_seconds=1)
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    dataset = client.post("/v1/datasets", data=CSV, content_type="text/csv").json
    job = client.post(
        "/v1/jobs", json={"dataset_id": dataset["id"], "target": "y", "estimator": "knn"}
    ).json
    frames = parse(client.get(f"/v1/jobs/{job['id']}/events").get_data(as_text=True))
    assert [k for k, _, _ in frames] == ["status"] and frames[0][2]["status"] == "queued"


CANDIDATES = [Candidate({"n_neighbors": 1}), Candidate({"n_neighbors": 2})]


@pytest.fixture
def running_job(client, app):
    """A job whose two trials both run, as two workers' slots would."""
    dataset = client.post("/v1/datasets", data=CSV, content_type="text/csv").json
    job = client.post(
        "/v1/jobs",
        json={"dataset_id": dataset["id"], "target": "y", "estimator": "knn", "n_trials": 2},
    ).json["id"]
    with app.app_context(), service().sessions.begin() as session:
        assert trial_runs.begin_advance(session, job) is not None
        trial_runs.add(session, job, enumerate(CANDIDATES))
    return job


def record(session, job: str, number: int) -> None:
    lease = trial_runs.claim(session, job, number, "test", 60).lease
    outcome = TrialOutcome(CANDIDATES[number].params, TrialState.SUCCEEDED, [0.5], 0.5, 0.0)
    assert trial_runs.record(session, lease, outcome, CANDIDATES[number])
    session.commit()


def test_a_trial_recorded_before_an_earlier_one_waits_for_it_and_none_is_skipped(app, running_job):
    """With two slots, trial 1 may end before trial 0: the stream sends 0 then 1."""
    with app.app_context(), service().sessions() as session:
        record(session, running_job, 1)
        seen, cursor, _ = events.poll(session, "default", running_job, events.Cursor())
        assert [e.kind for e in seen if e.kind == "trial"] == []  # 1 waits for 0
        record(session, running_job, 0)
        seen, cursor, _ = events.poll(session, "default", running_job, cursor)
        assert [e.record.number for e in seen if e.kind == "trial"] == [0, 1]
        again, _, _ = events.poll(session, "default", running_job, cursor)
        assert [e for e in again if e.kind == "trial"] == []


def test_an_ended_job_sends_every_trial_it_recorded_past_a_gap(client, app, running_job):
    """A cancelled job's unfinished trial never comes: the ones after it are sent at the end."""
    with app.app_context(), service().sessions() as session:
        record(session, running_job, 1)
    assert client.post(f"/v1/jobs/{running_job}/cancel").status_code == 200
    with app.app_context(), service().sessions() as session:
        seen, _, ended = events.poll(session, "default", running_job, events.Cursor())
    assert ended and [e.record.number for e in seen if e.kind == "trial"] == [1]
