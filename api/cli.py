"""``tuneforge serve | api | worker | db upgrade``: start the service's processes.

``api`` runs the Flask app under gunicorn, ``worker`` runs one Celery worker, and
``serve`` runs both and stops both cleanly on Ctrl-C or SIGTERM. Each first brings the
database to the newest schema, as ``db upgrade`` does alone (safe when several start at
once). Every setting comes from ``TUNEFORGE_*`` variables (see the README).
"""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time

import click

from models.engine.isolation import die_with_parent
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
        "--access-logfile",
        "-",
        "api:create_app()",
    ]


def worker_command(settings: Settings) -> list[str]:
    """The Celery worker command line."""
    return [
        sys.executable,
        "-m",
        "celery",
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


def _prepare(settings: Settings) -> str:
    """Create the data dir and migrate the database; returns the schema revision."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return upgrade(settings.database_url)


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
    settings = Settings.from_env()
    _check_exposure(settings)
    _prepare(settings)
    os.execv(sys.executable, api_command(settings))


@main.command()
def worker() -> None:
    """Run one Celery worker (TUNEFORGE_WORKER_CONCURRENCY processes)."""
    settings = Settings.from_env()
    _prepare(settings)
    os.execv(sys.executable, worker_command(settings))


@main.command()
def serve() -> None:
    """Run the API and a worker together until interrupted."""
    settings = Settings.from_env()
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
        subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)
        for command in (api_command(settings), worker_command(settings))
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
