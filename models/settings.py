"""Every ``TUNEFORGE_*`` environment variable, read in one place.

Both the API and the worker build their configuration from :class:`Settings`; nothing
else reads the environment. Each field is one variable, ``TUNEFORGE_<FIELD NAME>``, read
by the parser for the field's type, so a default is written once: in the dataclass. A
variable that is unset or blank leaves its field at the default.
"""

from __future__ import annotations

import dataclasses
import math
import os
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.plumbing.keys import parse_entries

PREFIX = "TUNEFORGE_"
# TUNEFORGE_RETENTION_DAYS at most: ten years, far below what a datetime can subtract.
MAX_RETENTION_DAYS = 3650
# Where the CPU quota of this process's cgroup is read (cgroup v2): the unified hierarchy,
# and this process's place in it (the ``0::/path`` line).
CGROUP_ROOT = Path("/sys/fs/cgroup")
OWN_CGROUP = Path("/proc/self/cgroup")


def available_cores() -> int:
    """The cores this process may use: the CPUs it may run on (``sched_getaffinity``:
    ``taskset``, ``docker --cpuset-cpus``) or its cgroup's CPU quota (``docker --cpus``,
    Kubernetes' CPU limit), whichever is smaller; at least 1.

    ``os.cpu_count()`` counts the host's CPUs, which a container or a pinned process
    cannot all use: more worker processes than cores make trials wait on each other and a
    quota throttle them all. A fractional quota is rounded down (1.5 CPUs: 1 slot), as
    Go's automaxprocs does, so that the slots never outrun it.
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    quota = _cgroup_cpu_quota()
    if quota is not None:
        cores = min(cores, math.floor(quota))
    return max(1, cores)


def _cgroup_cpu_quota() -> float | None:
    """The tightest ``cpu.max`` quota (in CPUs) from this process's cgroup up to the root
    of the hierarchy; ``None`` without cgroup v2 or without a quota."""
    try:
        lines = OWN_CGROUP.read_text().splitlines()
    except OSError:
        return None
    relative = next((line[3:] for line in lines if line.startswith("0::")), None)
    if relative is None:
        return None
    folder = CGROUP_ROOT / relative.strip().lstrip("/")
    quotas = [q for q in map(_quota, [folder, *folder.parents]) if q is not None]
    return min(quotas, default=None)


def _quota(folder: Path) -> float | None:
    """The quota ``folder/cpu.max`` sets (``"150000 100000"``: 1.5 CPUs; ``"max …"``:
    none), or ``None`` without one (the root has no such file; nor do folders above it)."""
    if folder != CGROUP_ROOT and CGROUP_ROOT not in folder.parents:
        return None
    try:
        limit, period = (folder / "cpu.max").read_text().split()[:2]
        cpus = int(limit) / int(period)
    except (OSError, ValueError, ZeroDivisionError):  # "max", or not what the kernel writes
        return None
    return cpus if cpus > 0 else None


def _positive_int(variable: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError as exc:
        raise ValueError(f"{variable} must be an integer, got {raw.strip()!r}") from exc
    if value <= 0:
        raise ValueError(f"{variable} must be positive, got {value}")
    return value


def _flag(variable: str, raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes")


def _text(variable: str, raw: str) -> str:
    return raw


def _path(variable: str, raw: str) -> Path:
    return Path(raw)


def _keys(variable: str, raw: str) -> tuple[str, ...]:
    """Comma-separated; each item stripped, blank items dropped."""
    return tuple(key.strip() for key in raw.split(",") if key.strip())


# How a variable's text becomes a field's value, by the field's type; ``variable`` names
# the variable in error messages.
_PARSERS: dict[Any, Callable[[str, str], Any]] = {
    int: _positive_int,
    bool: _flag,
    str: _text,
    Path: _path,
    tuple[str, ...]: _keys,
}


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; see the README's configuration table."""

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("var")
    database_url: str = ""
    broker_url: str = ""
    storage_url: str = ""
    s3_endpoint_url: str = ""
    storage_cache_mb: int = 2048
    # Worker processes on this machine, each one trial at a time: one per available core.
    worker_concurrency: int = field(default_factory=available_cores)
    # Worker slots across every machine, a job's default max_parallel: 0 counts them from
    # the search workers' heartbeats (models/worker_slots.py); a number overrides the count.
    # max_parallel: the most trials one job may run at once.
    worker_slots: int = 0
    max_parallel: int = 16
    api_workers: int = 2
    # Per API process: open connections at most (each idle one costs a greenlet and a
    # file descriptor, not a thread), and how long a client may take to send a request
    # head before it is answered 408 (slow-header clients; api/server.py); a request body
    # gets as long, plus a second per 64 KiB it holds.
    api_connections: int = 1000
    header_timeout_seconds: int = 10
    body_timeout_seconds: int = 30
    api_keys: tuple[str, ...] = field(default_factory=tuple)
    # Without API keys, the Host names answered besides the loopback ones (api/loopback.py).
    allowed_hosts: tuple[str, ...] = field(default_factory=tuple)
    # Per-tenant quotas (429 with Retry-After past them): queued or running jobs, stored
    # dataset megabytes, and requests per second per API key (bursts of twice that).
    tenant_max_jobs: int = 20
    # Studies (ask and tell, api/studies.py): active ones per tenant, trials one may plan,
    # and the longest lease a client may ask for on a suggested trial.
    tenant_max_studies: int = 20
    study_max_trials: int = 10_000
    study_max_lease_seconds: int = 86_400
    tenant_max_storage_mb: int = 10_240
    rate_limit_per_second: int = 50
    max_upload_mb: int = 100
    max_rows: int = 1_000_000
    max_columns: int = 2_000
    max_trials: int = 500
    max_job_seconds: int = 6 * 3600
    # One trial (and the refit): memory it may allocate beyond the job's data, shared with
    # its worker (at most the machine's), and the longest it may run; past either it fails.
    trial_memory_mb: int = 4096
    trial_seconds: int = 900
    lease_seconds: int = 30
    webhook_secret: str = ""
    events_stream_seconds: int = 25
    webhook_allow_private: bool = False
    # Webhook deliveries: one attempt's whole deadline (connect to the last header byte),
    # and the threads of the webhook worker (`tuneforge webhook-worker`), apart from searches.
    webhook_timeout_seconds: int = 10
    webhook_concurrency: int = 8
    # Logs and metrics (models/plumbing/): auto (text on a terminal, else json) | json |
    # text; 0: no worker port.
    log_format: str = "auto"
    metrics_port: int = 0
    # Finished jobs, and datasets no job is left on, are deleted this many days after
    # (models/store/deletion.py, by the workers' sweep); 0: kept until deleted.
    retention_days: int = 0
    # Predictions over HTTP (api/predictions.py): models kept loaded per API process (least
    # recently used out), and the most rows one JSON answer holds (CSV answers stream).
    predict_cache_models: int = 8
    predict_max_rows: int = 10_000

    def __post_init__(self) -> None:
        data_dir = Path(self.data_dir).resolve()
        object.__setattr__(self, "data_dir", data_dir)
        if not self.database_url:
            object.__setattr__(self, "database_url", f"sqlite:///{data_dir / 'tuneforge.db'}")
        if not self.broker_url:
            object.__setattr__(self, "broker_url", "filesystem://")
        if not self.storage_url:
            object.__setattr__(self, "storage_url", f"file://{data_dir / 'artifacts'}")
        parse_entries(self.api_keys)  # a malformed list is refused here, before any start
        if not 0 <= self.retention_days <= MAX_RETENTION_DAYS:
            raise ValueError(
                f"{PREFIX}RETENTION_DAYS must be at most {MAX_RETENTION_DAYS} (ten years), "
                f"got {self.retention_days}"
            )

    @property
    def broker_is_embedded(self) -> bool:
        """True when the broker is kombu's filesystem transport in the data dir."""
        return self.broker_url.startswith("filesystem://")

    @property
    def broker_dir(self) -> Path:
        """Where the embedded broker keeps its messages."""
        return self.data_dir / "broker"

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from ``TUNEFORGE_*`` variables (``os.environ`` by default)."""
        env = os.environ if env is None else env
        types = typing.get_type_hints(cls)
        values = {}
        for f in dataclasses.fields(cls):
            parse = _PARSERS[types[f.name]]
            variable = PREFIX + f.name.upper()
            raw = env.get(variable, "")
            if raw.strip():
                values[f.name] = parse(variable, raw)
        return cls(**values)
