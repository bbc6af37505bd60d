"""The worker's per-process service, built by Celery's process signals, never at import.

Each prefork pool process builds its own :class:`~models.service.Service` when it starts
(``worker_process_init``): database connections must not cross a fork. The worker's main
process (which runs the recovery sweep) builds one on first use, as does the webhook
worker, whose threads share it (an engine and a session factory are thread-safe).
"""

from __future__ import annotations

import threading
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from models.service import Service
from models.settings import Settings
from tasks.app import CeleryDispatch

_service: Service | None = None
# The webhook worker's threads may ask at once: one builds. A pool process builds in
# worker_process_init without taking it, so a copy inherited from a fork made mid-build
# cannot block it.
_first_use = threading.Lock()


def build(app: Celery) -> Service:
    """Build this process's service (again, after a fork) and return it."""
    global _service
    if _service is not None:
        # Connections inherited across fork belong to the parent: forget, don't close.
        _service.engine.dispose(close=False)
    settings = Settings.from_env()
    _service = Service.from_settings(settings, CeleryDispatch(app, settings))
    return _service


def worker_service(app: Celery) -> Service:
    """This process's service (built on first use where no signal built it)."""
    if _service is not None:
        return _service
    with _first_use:
        return _service if _service is not None else build(app)


@worker_process_init.connect
def _build_in_pool_process(sender: Any = None, **_: Any) -> None:
    from tasks.worker import app

    build(app)
