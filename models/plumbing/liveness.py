"""A worker's heartbeat: a file its main process touches while it is connected to the
broker, and that ``tuneforge worker-health`` (the worker container's health check) reads.

``celery inspect ping`` cannot serve as that check: the embedded broker has no remote
control, and on Redis or RabbitMQ it asks every worker at once. The file lives in the
data dir under the worker's role and the host's name: workers in separate containers
sharing a volume each have their own, and so do the search and the webhook worker that
``tuneforge serve`` runs on one host (else either one's beat would pass for the other).
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

BEAT_SECONDS = 10
# Six missed beats: long enough for a broker reconnect, short enough to notice a hang.
HEALTHY_WITHIN_SECONDS = 60

SEARCH = "search"  # tuneforge worker
WEBHOOKS = "webhooks"  # tuneforge webhook-worker
ROLES = (SEARCH, WEBHOOKS)


def beat_file(data_dir: Path, role: str) -> Path:
    """The heartbeat file of this host's worker of ``role`` (one of :data:`ROLES`)."""
    if role not in ROLES:
        raise ValueError(f"unknown worker role {role!r}; expected one of {ROLES}")
    return data_dir / "heartbeats" / f"{role}-worker-{socket.gethostname()}"


def beat(path: Path) -> None:
    """Record that the worker is alive now."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


def age(path: Path) -> float | None:
    """Seconds since the last beat; ``None`` if there has been none."""
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
