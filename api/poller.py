"""A poller that runs only while there is something to poll.

:class:`api.watch.SubjectWatch` and :class:`api.key_watch.KeyWatch` each check what the
process's open streams hold (followed jobs, held keys) in one read every few seconds. Their
:class:`LazyPoller` is a thread (a greenlet under the gevent worker) that starts with the
first item and ends when there are none, so an idle process, or a test's app, runs none.
If a check fails (the database is away), the poller logs it and tries again at the next
interval: what the items hold stands meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class LazyPoller(Generic[T]):
    """Calls ``check`` with ``take()``'s items every ``interval`` seconds while it finds any.

    ``take`` is called with ``lock`` held (the lock that guards the owner's items), and
    ``check`` without it; ``failure`` is the log message of a failed check, with ``%d`` for
    the number of items.
    """

    name: str
    interval: float
    lock: threading.Lock
    take: Callable[[], Sequence[T]]
    check: Callable[[Sequence[T]], None]
    failure: str
    _running: bool = field(default=False, init=False)

    def start(self) -> None:
        """Start polling unless it runs already; call with ``lock`` held, after adding an
        item, so that the poller cannot end between the two."""
        if not self._running:
            self._running = True
            threading.Thread(target=self._run, name=self.name, daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            with self.lock:
                items = self.take()
                if not items:
                    self._running = False
                    return
            try:
                self.check(items)
            except Exception:  # the database is away: the items stand, the poller stays
                logger.exception(self.failure, len(items))
