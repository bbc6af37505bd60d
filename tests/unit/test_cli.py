"""The command line's part in operations: the processes' command lines, their log format,
and ``tuneforge worker-health`` (the worker container's health check)."""

from __future__ import annotations

import importlib
import logging
import os
import time

import pytest
from click.testing import CliRunner

from api.launcher import api_command, main, start_line, webhook_worker_command, worker_command
from models.plumbing import liveness
from models.settings import Settings
from tasks import monitoring
from tasks.app import ADVANCE, DELIVER_WEBHOOK, RUN_TRIAL, make_celery


def test_the_api_runs_gunicorn_with_the_projects_logging_and_metrics_settings(tmp_path):
    command = api_command(Settings(data_dir=tmp_path))
    assert command[command.index("--config") + 1] == "python:api.gunicorn_config"
    assert "--access-logfile" not in command  # the app writes the access log itself
    try:
        config = importlib.import_module("api.gunicorn_config")
    finally:
        logging.captureWarnings(False)  # what importing it turned on, for gunicorn
    assert callable(config.child_exit) and config.logconfig_dict["root"]["handlers"]


def test_the_api_serves_each_connection_in_a_greenlet_up_to_the_configured_number(tmp_path):
    command = api_command(Settings(data_dir=tmp_path, api_connections=700))
    assert command[command.index("--worker-class") + 1] == "api.server.ProblemGeventWorker"
    assert command[command.index("--worker-connections") + 1] == "700"
    assert "--threads" not in command


@pytest.mark.parametrize("log_format", ["auto", "json", "text"])
def test_the_workers_print_no_banner_in_any_log_format(tmp_path, log_format):
    settings = Settings(data_dir=tmp_path, log_format=log_format)
    for command in (worker_command(settings), webhook_worker_command(settings)):
        # a global option of the celery command: before the sub-command
        assert command.index("--quiet") < command.index("worker")


@pytest.mark.parametrize(
    ("host", "base"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123"),
        ("0.0.0.0", "http://127.0.0.1:8123"),  # every address: loopback is one of them
        ("::1", "http://[::1]:8123"),
    ],
)
def test_serves_start_line_says_where_the_api_the_dashboard_and_the_docs_are(tmp_path, host, base):
    settings = Settings(data_dir=tmp_path, host=host, port=8123, worker_concurrency=3)
    line = start_line(settings)
    assert f"the API at {base} " in line
    assert f"dashboard {base}/ui" in line and f"API docs {base}/docs" in line
    assert "3 worker slots" in line and str(settings.data_dir) in line


def option(command, name):
    return command[command.index(name) + 1]


def test_searches_and_webhooks_are_consumed_by_separate_workers(tmp_path):
    # given the settings of a host with 3 search processes and 5 webhook threads
    settings = Settings(data_dir=tmp_path, worker_concurrency=3, webhook_concurrency=5)
    search, webhooks = worker_command(settings), webhook_worker_command(settings)
    # then the search worker takes only searches, with its prefork processes
    assert option(search, "-A") == "tasks.worker" and option(search, "--queues") == "tuneforge"
    assert option(search, "--concurrency") == "3" and "--pool" not in search
    # and the webhook worker only deliveries, on threads, under a node name of its own
    assert option(webhooks, "-A") == "tasks.webhook_worker"
    assert option(webhooks, "--queues") == "tuneforge.webhooks"
    assert option(webhooks, "--pool") == "threads" and option(webhooks, "--concurrency") == "5"
    assert option(webhooks, "--hostname") != option(search, "--hostname")


def test_deliveries_are_routed_to_the_webhook_queue_and_searches_are_not(tmp_path):
    app = make_celery(Settings(data_dir=tmp_path))
    route = app.amqp.router.route
    assert route({}, DELIVER_WEBHOOK)["queue"].name == "tuneforge.webhooks"
    for name in (ADVANCE, RUN_TRIAL):
        assert route({}, name)["queue"].name == "tuneforge"


@pytest.mark.parametrize("role", ["api", "worker", "webhook-worker", "serve"])
def test_an_unknown_log_format_stops_a_role_before_it_starts(role, tmp_path):
    env = {"TUNEFORGE_DATA_DIR": str(tmp_path), "TUNEFORGE_LOG_FORMAT": "xml"}
    result = CliRunner().invoke(main, [role], env=env)
    assert result.exit_code == 2
    assert "TUNEFORGE_LOG_FORMAT must be auto, json or text" in result.output
    assert not (tmp_path / "tuneforge.db").exists()  # nothing was migrated


def worker_health(tmp_path, *options):
    env = {"TUNEFORGE_DATA_DIR": str(tmp_path)}
    return CliRunner().invoke(main, ["worker-health", *options], env=env)


def test_worker_health_fails_before_the_first_heartbeat(tmp_path):
    result = worker_health(tmp_path)
    assert result.exit_code == 1 and "last: never" in result.output


def test_worker_health_passes_after_a_recent_heartbeat(tmp_path):
    liveness.beat(liveness.beat_file(tmp_path.resolve(), liveness.SEARCH))
    result = worker_health(tmp_path)
    assert result.exit_code == 0, result.output
    assert "search worker alive" in result.output


def test_worker_health_fails_when_the_heartbeat_is_stale(tmp_path):
    path = liveness.beat_file(tmp_path.resolve(), liveness.SEARCH)
    liveness.beat(path)
    stale = time.time() - liveness.HEALTHY_WITHIN_SECONDS - 5
    os.utime(path, (stale, stale))
    result = worker_health(tmp_path)
    assert result.exit_code == 1 and "no recent search worker heartbeat" in result.output


def test_only_the_webhook_workers_heartbeat_does_not_make_the_search_worker_healthy(tmp_path):
    # given the webhook worker beats, as under `tuneforge serve`, and the search worker never did
    liveness.beat(liveness.beat_file(tmp_path.resolve(), liveness.WEBHOOKS))
    # then the search worker's check fails and the webhook worker's passes
    search = worker_health(tmp_path)
    assert search.exit_code == 1 and "no recent search worker heartbeat" in search.output
    webhooks = worker_health(tmp_path, "--role", "webhooks")
    assert webhooks.exit_code == 0 and "webhooks worker alive" in webhooks.output


def test_worker_health_refuses_an_unknown_role(tmp_path):
    result = worker_health(tmp_path, "--role", "trials")
    assert result.exit_code == 2 and "'trials' is not one of 'search', 'webhooks'" in result.output


def test_each_worker_beats_in_the_file_of_the_queue_it_consumes(tmp_path):
    # given a worker app consuming the search queue, and one consuming the webhook queue
    search, webhook = (make_celery(Settings(data_dir=tmp_path)) for _ in range(2))
    search.amqp.queues.select(["tuneforge"])
    webhook.amqp.queues.select(["tuneforge.webhooks"])
    # then each is given its own role, so its own heartbeat file
    assert monitoring.role_of(search) == liveness.SEARCH
    assert monitoring.role_of(webhook) == liveness.WEBHOOKS
    search_file = liveness.beat_file(tmp_path, liveness.SEARCH)
    assert search_file != liveness.beat_file(tmp_path, liveness.WEBHOOKS)


def test_the_api_computes_on_one_openmp_thread_and_the_worker_as_configured(settings, monkeypatch):
    # GNU OpenMP is not fork-safe once a team started, and the API forks its readers and
    # its CSV predictions: whatever the caller's OMP_NUM_THREADS, the API's is 1.
    from api.launcher import _environment

    monkeypatch.setenv("OMP_NUM_THREADS", "8")
    assert _environment(settings, "api")["OMP_NUM_THREADS"] == "1"
    assert _environment(settings, "worker")["OMP_NUM_THREADS"] == "8"
