"""The workers' consumer: Celery's own, quicker to find a broker that came back."""

from __future__ import annotations

import functools
from typing import Any

import celery.worker.consumer

# After losing the broker, a worker tries it again every this many seconds at most.
RECONNECT_MAX_SECONDS = 5


class Consumer(celery.worker.consumer.Consumer):
    """Celery's consumer, retrying a lost broker every :data:`RECONNECT_MAX_SECONDS` at
    most (the ``worker_consumer`` setting names it).

    Celery waits 2, 4, 6 … up to 30 s between attempts (kombu's defaults, which no setting
    changes), so after an outage of a few minutes a worker would find the broker back up
    to 30 s late, while queued jobs are to start within 30 s of its return.
    """

    def ensure_connected(self, conn: Any) -> Any:
        conn.ensure_connection = functools.partial(
            conn.ensure_connection,
            interval_start=1,
            interval_step=1,
            interval_max=RECONNECT_MAX_SECONDS,
        )
        return super().ensure_connected(conn)
