"""gunicorn's settings for ``tuneforge api`` (``--config python:api.gunicorn_config``):
how its processes log, and prometheus-client's bookkeeping when a worker process exits."""

from __future__ import annotations

import logging
from typing import Any

from models.plumbing import logs, metrics
from models.settings import Settings

logconfig_dict = logs.dict_config(Settings.from_env().log_format)
logging.captureWarnings(True)  # Python's warnings as log records too (workers inherit it)
# gunicorn's control socket (for gunicornc, unused here) would be one more thread in the
# master and one path (~/.gunicorn/gunicorn.ctl) shared by every API on the host.
control_socket_disable = True


def child_exit(server: Any, worker: Any) -> None:
    """A worker process exited: drop its live gauges from the metrics.

    Called from the arbiter's main loop, not from its SIGCHLD handler: gunicorn's handlers
    only queue the signal (``Arbiter.signal``), so this may touch files and take locks.
    """
    metrics.process_exited(worker.pid)
