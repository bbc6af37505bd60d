"""The SDK facade's pieces that need no service: problems as exceptions, the event
stream's parsing, what a spec is sent as, and the [model] extra's pins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
import tuneforge
from tuneforge.errors import problem_from
from tuneforge.events import frames, parse
from tuneforge.specs import spec_body
from tuneforge_client.models import SearchSpec

ROOT = Path(__file__).resolve().parents[2]


def problem(status: int, body: object = None, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, tuneforge.BadRequest),
        (401, tuneforge.Unauthorized),
        (403, tuneforge.Forbidden),
        (404, tuneforge.NotFound),
        (408, tuneforge.RequestTimeout),
        (409, tuneforge.Conflict),
        (413, tuneforge.PayloadTooLarge),
        (422, tuneforge.ValidationError),
        (429, tuneforge.RateLimited),
        (500, tuneforge.ServerError),
        (502, tuneforge.ServerError),
        (503, tuneforge.ServiceUnavailable),
        (418, tuneforge.ProblemError),
    ],
)
def test_each_status_raises_its_class(status, cls):
    error = problem_from(problem(status, {"title": "T", "status": status, "detail": "why"}))
    assert type(error) is cls and isinstance(error, tuneforge.ProblemError)
    assert (error.status, error.title, error.detail) == (status, "T", "why")


def test_a_validation_problem_names_each_field_and_reason():
    body = {
        "type": "about:blank",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "the request is invalid: cv.folds, target",
        "errors": {"cv.folds": ["must be at least 2"], "target": ["no column 'y'"]},
    }
    error = problem_from(problem(422, body))
    assert error.errors == body["errors"]
    assert str(error).splitlines() == [
        "422 Unprocessable Entity: the request is invalid: cv.folds, target",
        "  cv.folds: must be at least 2",
        "  target: no column 'y'",
    ]


def test_rate_limited_carries_retry_after():
    error = problem_from(problem(429, {"detail": "slow down"}, **{"Retry-After": "3"}))
    assert isinstance(error, tuneforge.RateLimited) and error.retry_after == 3.0


def test_service_unavailable_carries_retry_after_and_is_a_server_error():
    # given the database out of reach: 503 with Retry-After
    error = problem_from(
        problem(503, {"detail": "the database is out of reach"}, **{"Retry-After": "5"})
    )
    # then the error says when to try again, and is still caught as a server error
    assert isinstance(error, tuneforge.ServiceUnavailable) and error.retry_after == 5.0
    assert isinstance(error, tuneforge.ServerError)
    assert problem_from(problem(503, {})).retry_after is None


def job_document(status: str) -> dict:
    return {"id": "job_1", "status": status, "dataset_id": "ds_1"}


def test_wait_rides_through_a_short_outage_waiting_as_told(monkeypatch):
    # given a job that answers 503 (Retry-After: 2) twice while being polled, then succeeds
    answers = [
        problem(503, {"status": 503, "detail": "out of reach"}, **{"Retry-After": "2"}),
        problem(503, {"status": 503, "detail": "out of reach"}, **{"Retry-After": "2"}),
    ]
    slept: list[float] = []
    monkeypatch.setattr(tuneforge.client.time, "sleep", slept.append)
    client = tuneforge.Client("http://tuneforge.test")

    def handle(request: httpx.Request) -> httpx.Response:
        return answers.pop(0) if answers else httpx.Response(200, json=job_document("succeeded"))

    client._http = httpx.Client(
        base_url="http://tuneforge.test", transport=httpx.MockTransport(handle)
    )
    # when the caller waits for it
    with monkeypatch.context() as patched:
        patched.setattr(tuneforge.client.Job, "from_dict", lambda body: _Job(**body))
        job = client.wait("job_1")
    # then the outage is waited out as the service asked, and the job returned
    assert job.status == "succeeded" and slept == [2.0, 2.0]


class _Job:
    def __init__(self, **fields: object) -> None:
        self.__dict__.update(fields)


def test_wait_gives_up_on_an_outage_at_its_timeout(monkeypatch):
    monkeypatch.setattr(tuneforge.client.time, "sleep", lambda _s: None)
    client = tuneforge.Client("http://tuneforge.test")
    down = problem(503, {"status": 503, "detail": "out of reach"}, **{"Retry-After": "5"})
    client._http = httpx.Client(
        base_url="http://tuneforge.test", transport=httpx.MockTransport(lambda _r: down)
    )
    with pytest.raises(tuneforge.ServiceUnavailable):
        client.wait("job_1", timeout=0)


def test_a_body_that_is_not_a_problem_still_raises_by_status():
    # a proxy's HTML page in front of the service
    error = problem_from(httpx.Response(502, text="<html>Bad Gateway</html>"))
    assert isinstance(error, tuneforge.ServerError)
    assert (error.status, error.title, error.errors) == (502, "Bad Gateway", {})
    assert "Bad Gateway" in error.detail


TRIAL = {
    "number": 0,
    "state": "succeeded",
    "mean_score": 0.96,
    "params": {"n_neighbors": 5},
    "fold_scores": [0.96],
    "std_score": 0.0,
    "fit_time_s": 0.1,
    "score_time_s": 0.1,
    "error": None,
    "metrics": {},
    "rung": None,
    "resource": None,
    "started_at": None,
    "finished_at": "2026-01-01T00:00:00+00:00",
    "worker": None,
    "inherited_from": None,
}


def test_an_event_stream_parses_into_typed_events_with_resume_ids():
    stream = (
        "retry: 1000\n\n"
        f"id: 1.-.-\nevent: trial\ndata: {json.dumps(TRIAL)}\n\n"
        'id: 1.-.0\nevent: best\ndata: {"best_trial": 0, "best_score": 0.96, "best_params": {}}\n\n'
        "id: 2.x.0\nevent: novel\ndata: {}\n\n"
        'id: 3.succeeded.0\nevent: end\ndata: {"status": "succeeded"}\n\n'
    )
    lines = stream.splitlines()
    read = list(frames(lines))
    assert read[0].retry_ms == 1000 and parse(read[0]) is None
    events = [event for event in map(parse, read) if event is not None]
    assert [type(e) for e in events] == [
        tuneforge.TrialEvent,
        tuneforge.BestEvent,
        tuneforge.EndEvent,
    ]  # an unknown kind is skipped
    trial, best, end = events
    assert (trial.id, trial.data.number, trial.data.mean_score) == ("1.-.-", 0, 0.96)
    assert (best.data.best_trial, best.data.best_score) == (0, 0.96)
    assert end.data.status == "succeeded" and end.event == "end"


def test_a_spec_is_sent_as_plain_json_whatever_it_is_built_from():
    spec = SearchSpec(dataset_id="ds_1", target="y", estimator="knn", strategy="random")
    assert spec_body(spec) == {
        "dataset_id": "ds_1",
        "target": "y",
        "estimator": "knn",
        "strategy": "random",
    }
    space = {"k": {"type": "int", "low": 1, "high": 3}, "w": ["a", "b"]}
    assert spec_body({"param_space": space}, {"scoring": ("f1", "recall")}) == {
        "param_space": {"k": {"type": "int", "low": 1, "high": 3}, "w": ["a", "b"]},
        "scoring": ["f1", "recall"],
    }


def test_the_model_extra_pins_the_scikit_learn_the_server_trains_with():
    lock = (ROOT / "requirements.lock").read_text()
    sklearn = re.search(r"^scikit-learn==(\S+)", lock, re.M).group(1)
    setup = (ROOT / "sdk" / "python" / "setup.py").read_text()
    extra = re.search(r'extras_require=\{\s*"model": \[(.*?)\]', setup, re.S).group(1)
    assert f'"scikit-learn=={sklearn}"' in extra
    assert {"joblib", "pandas", "skops", "numpy"} <= set(re.findall(r'"([a-z-]+)[>=<]', extra))
    assert '"tuneforge": ["py.typed"]' in setup
    assert "entry_points" not in setup  # `tuneforge` is the server's command
    assert '"click >= 8.1"' in setup  # the facade's commands


def service_that(jobs_answer, delete_status: int, seen: list[str]) -> tuneforge.Client:
    """A client whose service answers POST /v1/jobs with ``jobs_answer()`` and a dataset's
    DELETE with ``delete_status``, recording each request as ``METHOD path``."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            return jobs_answer()
        if delete_status == 204:
            return httpx.Response(204)
        return problem(delete_status, {"status": delete_status, "detail": "in use by job_1"})

    client = tuneforge.Client("http://tuneforge.test")
    client._http = httpx.Client(
        base_url="http://tuneforge.test", transport=httpx.MockTransport(handle)
    )
    return client


def interrupted():
    raise KeyboardInterrupt


@pytest.mark.parametrize(
    ("delete_status", "note"),
    [
        (204, "the upload ds_1 made for this call was removed"),
        (409, "the upload ds_1 stays: a job was submitted on it"),
        (503, "the upload ds_1 could not be removed: 503"),
    ],
    ids=["no-job-yet", "job-created", "service-down"],
)
def test_ctrl_c_during_the_submit_removes_the_upload_unless_a_job_took_it(delete_status, note):
    # given Ctrl-C while the search on a table uploaded for it is being submitted
    seen: list[str] = []
    client = service_that(interrupted, delete_status, seen)
    # when the interrupt reaches the submit
    with pytest.raises(KeyboardInterrupt) as info:
        client._submit_on_upload("ds_1", {"target": "y"})
    # then the upload is deleted (the service refuses while a queued job needs it), and a
    # note on the interrupt says what became of it
    assert seen == ["POST /v1/jobs", "DELETE /v1/datasets/ds_1"]
    assert any(n.startswith(note) for n in info.value.__notes__), info.value.__notes__


@pytest.mark.parametrize(("status", "deletes"), [(422, True), (500, False)])
def test_a_refused_submit_removes_its_upload_but_a_server_error_leaves_it(status, deletes):
    seen: list[str] = []
    body = {"status": status, "detail": "no", "errors": {"target": ["no column 'y'"]}}
    client = service_that(lambda: problem(status, body), 204, seen)
    with pytest.raises(tuneforge.ProblemError) as info:
        client._submit_on_upload("ds_1", {"target": "y"})
    assert info.value.status == status
    assert ("DELETE /v1/datasets/ds_1" in seen) is deletes
