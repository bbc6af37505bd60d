"""``tuneforge serve | api | worker | webhook-worker | db upgrade``: start the service's
processes.

``api`` runs the Flask app under gunicorn, ``worker`` runs one Celery worker for
searches, ``webhook-worker`` one for webhook deliveries (threads, apart from searches),
and ``serve`` runs all three, starts again any that exits once it was up (exits 1 if one
cannot start), and stops them cleanly on Ctrl-C or SIGTERM (``api/supervisor.py``). Each
first brings the database to the newest schema, as ``db upgrade`` does alone (safe when several
start at once), then gives each role its metrics folder (``models/plumbing/metrics.py``) and its
log format (``models/plumbing/logs.py``). ``worker-health`` is the workers' container health check.
Every setting comes from ``TUNEFORGE_*`` variables (see the README).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click

from api.client_commands import WithClientCommands
from api.role_probes import api_is_up, worker_is_up
from api.supervisor import Role, Supervisor
from models.engine.isolation import die_with_parent
from models.exceptions import NotFound
from models.plumbing import liveness, logs
from models.plumbing.keyring import KeyRing
from models.plumbing.keys import check_tenant
from models.plumbing.metrics import MULTIPROCESS_VARIABLE, claim_source, metrics_dir
from models.settings import Settings
from models.store.db import make_engine, make_sessionmaker
from models.store.migrate import upgrade
from tasks.app import QUEUE, WEBHOOK_QUEUE
from tasks.shutdown import WORKER_STOP_GRACE_S

if TYPE_CHECKING:
    from models.service import Service

log = logging.getLogger("tuneforge.serve")

# How long a stop may take, from SIGTERM to the last process's exit (the README's
# "Stopping, crashes and restarts"). The API's: gunicorn's graceful timeout, after which
# it kills its workers (an event stream lasts up to TUNEFORGE_EVENTS_STREAM_SECONDS, 25 s,
# and is cut then; the client reconnects). A worker's: tasks/shutdown.py. serve's: the
# longest of its roles', and a margin for their own kills; then it kills what is left.
API_STOP_GRACE_S = 20
SERVE_STOP_GRACE_S = max(API_STOP_GRACE_S, WORKER_STOP_GRACE_S) + 5


def start_line(settings: Settings) -> str:
    """What ``serve`` says first: where the API, the dashboard and the docs are, and what
    runs the searches."""
    host = settings.host if settings.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
    url = f"http://{host}:{settings.port}"
    if ":" in host:
        url = f"http://[{host}]:{settings.port}"
    slots = settings.worker_concurrency
    return (
        f"starting the API at {url} (dashboard {url}/ui, API docs {url}/docs) and "
        f"{slots} worker slot{'s' if slots != 1 else ''} (TUNEFORGE_WORKER_CONCURRENCY); "
        f"data in {settings.data_dir}"
    )


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
        # one greenlet per connection: slow clients and event streams hold no thread
        # (api/server.py; the README's "Why gevent")
        "--worker-class",
        "api.server.ProblemGeventWorker",
        "--worker-connections",
        str(settings.api_connections),
        "--timeout",
        "120",
        "--graceful-timeout",
        str(API_STOP_GRACE_S),
        # logging (the app writes the access log itself) and the metrics' bookkeeping
        "--config",
        "python:api.gunicorn_config",
        "api:create_app()",
    ]


def worker_command(settings: Settings) -> list[str]:
    """The search worker's command line: Celery's prefork pool, on the search queue only."""
    pool = ["--concurrency", str(settings.worker_concurrency)]
    return _celery_worker(settings, "tasks.worker", QUEUE, pool, "tuneforge@%h")


def webhook_worker_command(settings: Settings) -> list[str]:
    """The webhook worker's command line: a pool of threads, on the webhook queue only."""
    pool = ["--pool", "threads", "--concurrency", str(settings.webhook_concurrency)]
    return _celery_worker(settings, "tasks.webhook_worker", WEBHOOK_QUEUE, pool, "webhooks@%h")


def _celery_worker(
    settings: Settings, app: str, queue: str, pool: list[str], hostname: str
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "celery",
        # No banner: twenty lines that are not a log record (nor JSON); `serve`'s start
        # line says where things are, and the worker logs "ready" when it is.
        "--quiet",
        "-A",
        app,
        "worker",
        *pool,
        "--queues",
        queue,
        "--loglevel",
        "INFO",
        "--without-mingle",
        "--without-gossip",
        "--without-heartbeat",
        "--hostname",
        hostname,
    ]


def _check_exposure(settings: Settings) -> None:
    """Refuse to listen beyond loopback while callers need no key (the database migrated)."""
    if _is_loopback(settings.host):
        return
    engine = make_engine(settings.database_url)
    try:
        if KeyRing(make_sessionmaker(engine), settings.api_keys).required():
            return
    finally:
        engine.dispose()
    raise click.UsageError(
        f"TUNEFORGE_HOST={settings.host} is not a loopback address: create a key "
        "(tuneforge keys create --tenant NAME) or set TUNEFORGE_API_KEYS so that callers "
        "must authenticate"
    )


@contextlib.contextmanager
def _service(settings: Settings) -> Iterator[Service]:
    # Imported here: the service core loads scikit-learn and pandas (about 1.5 s), which
    # `api`, `worker` and `serve` would pay before their exec for nothing.
    from models.service import Service

    svc = Service.from_settings(settings)
    try:
        yield svc
    finally:
        svc.close()


def _read_settings() -> Settings:
    """The settings from the environment; a malformed one stops the command, saying why."""
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


def _settings() -> Settings:
    """The settings from the environment, the log format checked before anything; this
    process logs in that format from here on (the migrations included)."""
    settings = _read_settings()
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
    locked while any of them lives; see ``models/plumbing/metrics.py``). The API computes
    on one OpenMP thread: it forks children to read tables and predict, and GNU OpenMP is
    not fork-safe once a team of threads has started (see models/engine/isolation.py)."""
    source = claim_source(metrics_dir(settings.data_dir), role)
    one_thread = {"OMP_NUM_THREADS": "1"} if role == "api" else {}
    return {**os.environ, MULTIPROCESS_VARIABLE: str(source), **one_thread}


def _worker_is_up(settings: Settings, role: str) -> Callable[[Role], bool]:
    return worker_is_up(liveness.beat_file(settings.data_dir, role))


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM (a graceful stop) when ``serve`` dies."""
    die_with_parent(signal.SIGTERM)


@click.group(cls=WithClientCommands)
def main() -> None:
    """tuneforge: hyperparameter tuning as a service.

    The service's processes (serve, api, worker …) and, from the SDK, its client: tune,
    jobs, datasets (each with --help).
    """


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema; print the revision reached."""
    revision = _prepare(_read_settings())
    click.echo(f"tuneforge: database at revision {revision}")


@main.group()
def keys() -> None:
    """API keys in the database (effective at once, no restart)."""


@keys.command("create")
@click.option("--tenant", required=True, help="The tenant the key acts for.")
def keys_create(tenant: str) -> None:
    """Make a key for TENANT; print it, as the last line. It is shown only this once."""
    settings = _read_settings()
    _prepare(settings)
    try:
        check_tenant(tenant)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--tenant") from exc
    with _service(settings) as svc:
        record, key = svc.keys.create(tenant)
    click.echo(f"tuneforge: key {record.id} for tenant {tenant}; it is shown only this once:")
    click.echo(key)


@keys.command("list")
def keys_list() -> None:
    """List every key: id, tenant, when made, when revoked (never the key)."""
    settings = _read_settings()
    _prepare(settings)
    with _service(settings) as svc:
        records = svc.keys.list()
    click.echo(f"{'ID':<40} {'TENANT':<24} {'CREATED':<25} REVOKED")
    for r in records:
        revoked = r.revoked_at.isoformat(timespec="seconds") if r.revoked_at else "-"
        created = r.created_at.isoformat(timespec="seconds")
        click.echo(f"{r.id:<40} {r.owner:<24} {created:<25} {revoked}")


@keys.command("revoke")
@click.argument("key_id")
def keys_revoke(key_id: str) -> None:
    """Revoke the key KEY_ID (from `keys list`): it stops working at once."""
    settings = _read_settings()
    _prepare(settings)
    with _service(settings) as svc:
        try:
            record = svc.keys.revoke(key_id)
        except NotFound as exc:
            raise click.ClickException(exc.detail) from exc
    click.echo(f"tuneforge: key {record.id} of tenant {record.owner} revoked")


@main.command()
def api() -> None:
    """Run the HTTP API under gunicorn."""
    settings = _settings()
    _prepare(settings)
    _check_exposure(settings)
    os.execve(sys.executable, api_command(settings), _environment(settings, "api"))


@main.command()
def worker() -> None:
    """Run one Celery worker (TUNEFORGE_WORKER_CONCURRENCY processes)."""
    settings = _settings()
    _prepare(settings)
    os.execve(sys.executable, worker_command(settings), _environment(settings, "worker"))


@main.command("webhook-worker")
def webhook_worker() -> None:
    """Run the webhook worker (TUNEFORGE_WEBHOOK_CONCURRENCY threads): deliveries only."""
    settings = _settings()
    _prepare(settings)
    command = webhook_worker_command(settings)
    os.execve(sys.executable, command, _environment(settings, "webhook-worker"))


@main.command("worker-health")
@click.option(
    "--role",
    type=click.Choice(liveness.ROLES),
    default=liveness.SEARCH,
    show_default=True,
    help="search: tuneforge worker; webhooks: tuneforge webhook-worker",
)
def worker_health(role: str) -> None:
    """Exit 0 if this host's worker of ROLE is alive and connected (its heartbeat is recent)."""
    settings = Settings.from_env()
    seconds = liveness.age(liveness.beat_file(settings.data_dir, role))
    if seconds is None or seconds > liveness.HEALTHY_WITHIN_SECONDS:
        last = "never" if seconds is None else f"{seconds:.0f} s ago"
        raise click.ClickException(f"no recent {role} worker heartbeat (last: {last})")
    click.echo(f"tuneforge: {role} worker alive (heartbeat {seconds:.0f} s ago)")


@main.command()
def serve() -> None:
    """Run the API, a worker and a webhook worker together until interrupted; start again
    any of them that exits once it was up, and exit 1 if one cannot start (api/supervisor.py)."""
    settings = _settings()
    _prepare(settings)
    _check_exposure(settings)
    log.info("%s", start_line(settings))
    roles = [
        # Each role's environment (its metrics folder) is claimed once: a restarted role
        # goes on counting where the one before it stopped.
        Role(role, command, _environment(settings, role), is_up)
        for role, command, is_up in (
            ("api", api_command(settings), api_is_up(settings.host, settings.port)),
            ("worker", worker_command(settings), _worker_is_up(settings, liveness.SEARCH)),
            (
                "webhook-worker",
                webhook_worker_command(settings),
                _worker_is_up(settings, liveness.WEBHOOKS),
            ),
        )
    ]
    supervisor = Supervisor(roles, SERVE_STOP_GRACE_S, preexec_fn=_die_with_parent)
    sys.exit(supervisor.run())


if __name__ == "__main__":
    main()
