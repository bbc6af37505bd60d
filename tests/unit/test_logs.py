"""Logs: one JSON object per line with the job and trial in hand, from the API (its access
log), the worker (Celery's signals) and the service (a failed job says so)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from prometheus_client import REGISTRY

from models.plumbing import logs
from models.plumbing.logs import JsonFormatter, TextFormatter
from models.settings import Settings
from models.store.records import JobStatus
from tasks import monitoring
from tests.unit.engine_helpers import run, submit, upload


class Lines:
    """What a logger wrote through one formatter, as text."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def json(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]


def capture(
    formatter: logging.Formatter, name: str = "tests.logs", level: int = logging.INFO
) -> Iterator[Lines]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    logger.setLevel(level)
    try:
        yield Lines(stream)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as a person's stderr is."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def json_lines() -> Iterator[Lines]:
    yield from capture(JsonFormatter())


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the logging set-up back as it was after a test that reconfigures it."""
    root = logging.getLogger()
    names = ("gunicorn.error", "gunicorn.access", *logs.QUIETER, *logs.QUIETER_ON_A_TERMINAL)
    saved = {name: logging.getLogger(name) for name in names}
    state = {
        logger: (logger.handlers[:], logger.level, logger.propagate)
        for logger in [root, *saved.values()]
    }
    yield
    for logger, (handlers, level, propagate) in state.items():
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate
    logging.captureWarnings(False)


def test_a_json_line_holds_the_record_the_context_and_the_extra_fields(json_lines):
    log = logging.getLogger("tests.logs")
    with logs.context(job_id="job_1", trial=3):
        log.warning("slow\ntrial %d", 3, extra={"seconds": 2.5, "path": Path("/x"), "none": None})
    (line,) = json_lines.text.splitlines()  # one line, though the message has two
    document = json.loads(line)
    assert document["time"].endswith("+00:00") and document["level"] == "WARNING"
    assert document["logger"] == "tests.logs" and document["message"] == "slow\ntrial 3"
    assert isinstance(document["process"], int)
    assert document["job_id"] == "job_1" and document["trial"] == 3
    assert document["seconds"] == 2.5 and document["path"] == "/x"  # str of a non-JSON value
    assert "none" not in document


def test_an_exception_is_serialised_into_the_same_line(json_lines):
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        logging.getLogger("tests.logs").exception("boom")
    (document,) = json_lines.json()
    assert document["level"] == "ERROR" and document["message"] == "boom"
    assert (
        document["exception"].startswith("Traceback")
        and "ZeroDivisionError" in (document["exception"])
    )


def test_the_context_ends_with_its_block(json_lines):
    log = logging.getLogger("tests.logs")
    with logs.context(job_id="job_1"):
        with logs.context(trial=0):
            log.info("inner")
        log.info("outer")
    log.info("after")
    inner, outer, after = json_lines.json()
    assert (inner["job_id"], inner["trial"]) == ("job_1", 0)
    assert outer["job_id"] == "job_1" and "trial" not in outer
    assert "job_id" not in after


def test_a_text_line_is_time_level_short_logger_message_fields_and_the_traceback_below():
    for lines in capture(TextFormatter(), "models.job_run"):
        try:
            raise ValueError("bad")
        except ValueError:
            with logs.context(job_id="job_9"):
                logging.getLogger("models.job_run").error("failed", exc_info=True)
        first, *rest = lines.text.splitlines()
        assert re.fullmatch(r"\d\d:\d\d:\d\d ERROR   job_run   failed job_id=job_9", first)
        assert rest[0].startswith("Traceback") and rest[-1] == "ValueError: bad"


@pytest.mark.parametrize(
    ("logger", "short"),
    [
        ("tuneforge.access", "access"),
        ("tasks.shutdown", "shutdown"),
        ("models.store.migrate", "migrate"),
        ("celery.app.trace", "celery"),
        ("gunicorn.error", "gunicorn"),
        ("py.warnings", "warnings"),
    ],
)
def test_a_terminal_names_our_loggers_by_their_module_and_others_by_their_package(logger, short):
    assert logs.short_name(logger) == short


@pytest.mark.parametrize(
    ("setting", "stream", "expected"),
    [
        ("auto", Terminal(), "text"),
        ("auto", io.StringIO(), "json"),  # a file, a pipe, a log collector
        ("json", Terminal(), "json"),
        ("text", io.StringIO(), "text"),
    ],
    ids=["auto-terminal", "auto-not-a-terminal", "json-terminal", "text-not-a-terminal"],
)
def test_the_format_is_text_on_a_terminal_and_json_elsewhere_unless_set(setting, stream, expected):
    assert logs.chosen(setting, stream) == expected


@pytest.mark.parametrize("closed", [True, False])
def test_a_stream_that_cannot_say_is_not_a_terminal(closed):
    class Writer:  # a file-like object with no isatty, or a closed file
        def write(self, text: str) -> int:
            return len(text)

    stream: object = io.StringIO() if closed else Writer()
    if closed:
        stream.close()
    assert logs.chosen("auto", stream) == "json"


@pytest.mark.parametrize("bad", ["xml", "JSON", ""])
def test_an_unknown_log_format_is_refused_naming_the_variable(bad):
    with pytest.raises(ValueError, match="TUNEFORGE_LOG_FORMAT must be auto, json or text"):
        logs.formatter(bad)


def test_configure_on_a_terminal_writes_one_readable_line_per_record(root_logging):
    # given the default format, and stderr a terminal
    terminal = Terminal()
    logs.configure(Settings().log_format, "INFO", terminal)
    # when the API logs a request
    logging.getLogger("tuneforge.access").info(
        "GET /v1/jobs 200",
        extra={"method": "GET", "path": "/v1/jobs", "status": 200, "duration_ms": 1.5},
    )
    # then the line is readable: no JSON, the request's parts said once, its time kept
    (line,) = terminal.getvalue().splitlines()
    assert re.fullmatch(r"\d\d:\d\d:\d\d INFO    access    GET /v1/jobs 200 duration_ms=1.5", line)


def test_a_terminal_line_does_not_repeat_what_its_message_says():
    for lines in capture(TextFormatter(), "tasks.search"):
        with logs.context(job_id="job_1", trial=1):
            logging.getLogger("tasks.search").info(
                "job %s trial %d: %s", "job_1", 1, "recorded", extra={"outcome": "recorded"}
            )
            # a value that appears only inside another word is not said: trial 1 of job_12
            logging.getLogger("tasks.search").info("job_12 v1.1 trial 12: recorded")
        said, unsaid = (line.split(" ", 1)[1] for line in lines.text.splitlines())
        assert said == "INFO    search    job job_1 trial 1: recorded"
        assert unsaid == "INFO    search    job_12 v1.1 trial 12: recorded job_id=job_1 trial=1"


@pytest.mark.parametrize(("stream", "shown"), [(Terminal(), False), (io.StringIO(), True)])
def test_celerys_lines_for_each_task_are_left_to_json(root_logging, stream, shown):
    # given a worker's logging on a terminal, or on a pipe to a log collector
    logs.configure("auto", "INFO", stream)
    # when Celery says a task was received and succeeded, and one failed
    logging.getLogger("celery.worker.strategy").info("Task tuneforge.run_trial[1] received")
    logging.getLogger("celery.app.trace").info("Task tuneforge.run_trial[1] succeeded")
    logging.getLogger("celery.app.trace").error("Task tuneforge.run_trial[2] raised")
    # then a terminal shows the failure only (the search logs each trial itself)
    text = stream.getvalue()
    assert ("received" in text, "succeeded" in text, "raised" in text) == (shown, shown, True)


def test_gunicorn_on_a_terminal_logs_text_and_elsewhere_json(root_logging, monkeypatch):
    for stderr, formatter in ((Terminal(), "TextFormatter"), (io.StringIO(), "JsonFormatter")):
        monkeypatch.setattr(sys, "stderr", stderr)
        config = logs.dict_config("auto")
        assert config["formatters"]["tuneforge"]["()"].endswith(formatter)


def test_configure_sends_every_record_and_python_warnings_as_json(root_logging):
    stream = io.StringIO()
    logging.captureWarnings(False)  # start from Python's own warning display
    logs.configure("json", "INFO", stream)
    logging.getLogger("any.module").info("hello")
    logging.getLogger("alembic.runtime.plugins").info("setup plugin x")  # quietened
    warnings.warn("careful", UserWarning, stacklevel=1)
    hello, warned = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert hello["message"] == "hello" and hello["logger"] == "any.module"
    assert warned["logger"] == "py.warnings" and "careful" in warned["message"]


def test_gunicorn_logs_through_the_json_handler_and_its_access_log_is_off(root_logging, capsys):
    # given gunicorn's logging configured as `tuneforge api` configures it
    logging.config.dictConfig(logs.dict_config("json"))
    # when gunicorn logs a line and an access line
    logging.getLogger("gunicorn.error").info("Booting worker with pid: 42")
    logging.getLogger("gunicorn.access").info("GET / 200")
    # then only the first is written, as JSON, on stderr
    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line)["message"] == "Booting worker with pid: 42"


# The API's access log ----------------------------------------------------------------------


@pytest.fixture
def access_lines() -> Iterator[Lines]:
    yield from capture(JsonFormatter(), "tuneforge.access")


def test_each_request_is_logged_once_with_its_route_status_job_and_time(client, access_lines):
    # when a client asks for a job that does not exist
    assert client.get("/v1/jobs/job_missing").status_code == 404
    # then one access line names the route template, the job and the status
    (document,) = access_lines.json()
    assert document["message"] == "GET /v1/jobs/job_missing 404"
    assert document["route"] == "/v1/jobs/<job_id>" and document["job_id"] == "job_missing"
    assert document["status"] == 404 and document["duration_ms"] >= 0
    assert document["tenant"] == "default"


def test_a_submitted_job_is_named_in_its_access_line(client, service, access_lines):
    dataset_id = upload(
        service, pd.DataFrame({"x": range(60), "z": [i % 7 for i in range(60)], "y": [0, 1] * 30})
    )
    spec = {"dataset_id": dataset_id, "target": "y", "estimator": "knn", "n_trials": 2}
    response = client.post("/v1/jobs", json=spec)
    assert response.status_code == 202
    (document,) = access_lines.json()
    assert document["route"] == "/v1/jobs" and document["job_id"] == response.json["id"]


def test_a_request_refused_for_want_of_a_key_is_still_logged_and_timed(settings, access_lines):
    from api import create_app
    from models.store.migrate import upgrade

    upgrade(settings.database_url)
    app = create_app(type(settings)(data_dir=settings.data_dir, api_keys=("k",)))
    assert app.test_client().get("/v1/jobs").status_code == 401
    (document,) = access_lines.json()
    assert document["status"] == 401 and document["route"] == "/v1/jobs"
    assert document["duration_ms"] > 0


@pytest.fixture
def debug_access_lines() -> Iterator[Lines]:
    yield from capture(JsonFormatter(), "tuneforge.access", logging.DEBUG)


POLL = {"X-Tuneforge-Poll": "dashboard"}


def test_the_dashboards_polls_are_logged_at_debug_and_other_requests_at_info(
    client, debug_access_lines
):
    # given the dashboard's timed refresh of the jobs list, and the same read by a person
    assert client.get("/v1/jobs", headers=POLL).status_code == 200
    assert client.get("/v1/jobs").status_code == 200
    # then the poll's line is at DEBUG, naming the poller, and the other at INFO
    polled, asked = debug_access_lines.json()
    assert (polled["level"], polled["poll"]) == ("DEBUG", "dashboard")
    assert asked["level"] == "INFO" and "poll" not in asked


def test_a_poll_that_fails_is_logged_at_info(client, debug_access_lines):
    assert client.get("/v1/jobs/job_missing", headers=POLL).status_code == 404
    (document,) = debug_access_lines.json()
    assert document["level"] == "INFO" and document["status"] == 404


def test_only_a_get_can_be_a_poll(client, debug_access_lines):
    # a client cannot hide a change it makes by calling it a poll
    response = client.post("/v1/jobs", json={"dataset_id": "ds_x"}, headers=POLL)
    assert response.status_code == 422
    (document,) = debug_access_lines.json()
    assert document["level"] == "INFO" and document["method"] == "POST"


# The worker: Celery's signals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (["job_1"], {}, {"job_id": "job_1", "trial": None}),
        (["job_1", 4], {}, {"job_id": "job_1", "trial": 4}),
        ([], {"job_id": "job_2", "number": 0}, {"job_id": "job_2", "trial": 0}),
        ([], {}, {"job_id": None, "trial": None}),
        ([17], {}, {"job_id": None, "trial": None}),
    ],
)
def test_a_tasks_ids_come_from_its_arguments(args, kwargs, expected):
    assert monitoring.ids_of(args, kwargs) == expected


class FakeTask:
    name = "tuneforge.run_trial"


def test_a_task_logs_with_its_ids_and_is_counted_by_outcome(json_lines):
    # given a run_trial task starting on trial 2 of a job
    labels = {"task": FakeTask.name, "outcome": "failed"}
    before = REGISTRY.get_sample_value("tuneforge_celery_tasks_total", labels) or 0
    monitoring._enter_task(task_id="t-1", args=["job_7", 2], kwargs={})
    logging.getLogger("tests.logs").info("inside")
    # when it returns the run outcome "failed"
    monitoring._leave_task(task_id="t-1", task=FakeTask(), retval="failed", state="SUCCESS")
    logging.getLogger("tests.logs").info("after")
    # then its lines carried its ids until it ended, and its outcome was counted
    inside, after = json_lines.json()
    assert (inside["job_id"], inside["trial"]) == ("job_7", 2)
    assert "job_id" not in after
    assert REGISTRY.get_sample_value("tuneforge_celery_tasks_total", labels) == before + 1


@pytest.mark.parametrize(
    ("retval", "state", "outcome"),
    [("recorded", "SUCCESS", "recorded"), (ValueError("x"), "FAILURE", "failure")],
)
def test_a_tasks_outcome_is_what_it_returned_or_else_how_it_ended(retval, state, outcome):
    assert monitoring.outcome_of(retval, state) == outcome


def test_a_failed_job_is_logged_at_warning_with_its_error(service, caplog):
    # given a job every trial of which fails
    dataset_id = upload(service, pd.DataFrame({"x": np.arange(40.0), "y": np.arange(40) % 2}))
    job_id = submit(
        service,
        dataset_id,
        target="y",
        estimator="knn",
        strategy="grid",
        param_space={"n_neighbors": [300]},
        test_size=0,
    )
    # when it runs
    with caplog.at_level(logging.WARNING, logger="models.service"):
        assert run(service, job_id) == JobStatus.FAILED
    # then a warning says the job failed, and why
    (record,) = [r for r in caplog.records if r.getMessage().startswith(f"job {job_id} failed")]
    assert record.levelno == logging.WARNING and "every trial failed" in record.getMessage()
    assert record.job_id == job_id


def test_a_job_that_succeeds_says_so_with_its_best_score(service, caplog):
    dataset_id = upload(service, pd.DataFrame({"x": np.arange(40.0), "y": np.arange(40) % 2}))
    job_id = submit(service, dataset_id, target="y", estimator="knn", n_trials=2, test_size=0)
    with caplog.at_level(logging.INFO, logger="models.service"):
        assert run(service, job_id) == JobStatus.SUCCEEDED
    (record,) = [r for r in caplog.records if r.getMessage().startswith(f"job {job_id} ")]
    assert record.levelno == logging.INFO
    assert re.fullmatch(
        rf"job {job_id} succeeded: best score 0\.\d{{4}} after 2 trials", record.getMessage()
    )
