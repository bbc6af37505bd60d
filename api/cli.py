"""``tuneforge serve | api | worker | db upgrade``: start the service's processes.

``api`` runs the Flask app under gunicorn, ``worker`` runs one Celery worker, and
``serve`` runs both and stops both cleanly on Ctrl-C or SIGTERM. Each first brings the
database to the newest schema, as ``db upgrade`` does alone (safe when several start at
once), then gives each role its metrics folder (``models/metrics.py``) and its log
format (``models/logs.py``). ``worker-health`` is the worker container's health check.
Every setting comes from ``TUNEFORGE_*`` variables (see the README).
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time

import click

from models import heartbeat, logs
from models.engine.isolation import die_with_parent
from models.metrics import MULTIPROCESS_VARIABLE, claim_source, metrics_dir
from models.settings import Settings
from models.store.migrate import upgrade

STOP_GRACE_S = 30


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_command(settings: Settings) -> list[str]:
    """The gunicorn command line for the API."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        f"{settings.host}:{settings.port}",
        "--workers",
        str(settings.api_workers),
        "--worker-class",
        "api.server.ProblemThreadWorker",
        "--threads",
        "4",
        "--timeout",
        "120",
        "--graceful-timeout",
        "20",
        # logging (the app writes the access log itself) and the metrics' bookkeeping
        "--config",
        "python:api.gunicorn_config",
        "api:create_app()",
    ]


def worker_command(settings: Settings) -> list[str]:
    """The Celery worker command line."""
    quiet = ["--quiet"] if settings.log_format == "json" else []  # no banner: it is not JSON
    return [
        sys.executable,
        "-m",
        "celery",
        *quiet,
        "-A",
        "tasks.worker",
        "worker",
        "--concurrency",
        str(settings.worker_concurrency),
        "--queues",
        "tuneforge",
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        "--hostname",
        "tuneforge@%h",
    ]


def _check_exposure(settings: Settings) -> None:
    if not settings.api_keys and not _is_loopback(settings.host):
        raise click.UsageError(
            f"TUNEFORGE_HOST={settings.host} is not a loopback address: set "
            "TUNEFORGE_API_KEYS so that callers must authenticate"
        )


def _settings() -> Settings:
    """The settings from the environment, the log format checked before anything; this
    process logs in that format from here on (the migrations included)."""
    settings = Settings.from_env()
    try:
        logs.configure(settings.log_format)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    return settings


def _prepare(settings: Settings) -> str:
    """Create the data dir and migrate the database; returns the schema revision."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return upgrade(settings.database_url)


def _environment(settings: Settings, role: str) -> dict[str, str]:
    """The environment for ``role``'s processes: their own metrics folder (a new source,
    locked while any of them lives; see ``models/metrics.py``)."""
    source = claim_source(metrics_dir(settings.data_dir), role)
    return {**os.environ, MULTIPROCESS_VARIABLE: str(source)}


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM (a graceful stop) when ``serve`` dies."""
    die_with_parent(signal.SIGTERM)


@click.group()
def main() -> None:
    """tuneforge: hyperparameter tuning as a service."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema; print the revision reached."""
    revision = _prepare(Settings.from_env())
    click.echo(f"tuneforge: database at revision {revision}")


@main.command()
def api() -> None:
    """Run the HTTP API under gunicorn."""
    settings = _settings()
    _check_exposure(settings)
    _prepare(settings)
    os.execve(sys.executable, api_command(settings), _environment(settings, "api"))


@main.command()
def worker() -> None:
    """Run one Celery worker (TUNEFORGE_WORKER_CONCURRENCY processes)."""
    settings = _settings()
    _prepare(settings)
    os.execve(sys.executable, worker_command(settings), _environment(settings, "worker"))


@main.command("worker-health")
def worker_health() -> None:
    """Exit 0 if this host's worker is alive and connected (its heartbeat is recent)."""
    settings = Settings.from_env()
    seconds = heartbeat.age(heartbeat.heartbeat_file(settings.data_dir))
    if seconds is None or seconds > heartbeat.HEALTHY_WITHIN_SECONDS:
        last = "never" if seconds is None else f"{seconds:.0f} s ago"
        raise click.ClickException(f"no recent worker heartbeat (last: {last})")
    click.echo(f"tuneforge: worker alive (heartbeat {seconds:.0f} s ago)")


@main.command()
def serve() -> None:
    """Run the API and a worker together until interrupted."""
    settings = _settings()
    _check_exposure(settings)
    _prepare(settings)
    click.echo(
        f"tuneforge: API on http://{settings.host}:{settings.port}, data in "
        f"{settings.data_dir}, broker {settings.broker_url}",
        err=True,
    )
    # Each child gets its own session: a terminal's Ctrl-C reaches only this process, which
    # then stops the children gracefully (SIGTERM) rather than letting SIGINT interrupt
    # them mid-request. They also get SIGTERM if this process dies without cleaning up.
    procs = [
        subprocess.Popen(
            command,
            env=_environment(settings, role),
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        for role, command in (("api", api_command(settings)), ("worker", worker_command(settings)))
    ]
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and all(p.poll() is None for p in procs):
        time.sleep(0.2)
    if not stopping:
        click.echo("tuneforge: a process exited; stopping the other", err=True)
        stop(signal.SIGTERM, None)
    deadline = time.monotonic() + STOP_GRACE_S
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    codes = [p.returncode for p in procs]
    sys.exit(0 if stopping and all(c in (0, -signal.SIGTERM) for c in codes) else 1)


if __name__ == "__main__":
    main()
