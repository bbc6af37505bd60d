"""A small cache for answers that are slow to compute and asked for again and again (a
job's parameter importance, which a dashboard polls every few seconds).

Each key is computed once even when several requests ask at the same moment: the first
computes, the others wait for it (under the API's gevent worker ``threading`` is
cooperative, so waiting blocks only that request). Only the newest :attr:`size` answers
are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Memo(Generic[V]):
    """The last ``size`` answers of ``compute()`` by key, each computed once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, V] = OrderedDict()
        self._running: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def peek(self, key: Hashable) -> V | None:
        """The answer remembered for ``key``, if any; nothing is computed."""
        with self._lock:
            return self._answers.get(key)

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The answer for ``key``: remembered, awaited from whoever computes it now, or
        computed here (an error is raised to this caller and not remembered)."""
        while True:
            with self._lock:
                if key in self._answers:
                    self._answers.move_to_end(key)
                    return self._answers[key]
                running = self._running.get(key)
                if running is None:
                    self._running[key] = threading.Event()
                    break
            running.wait()  # then look again: the computation may have failed
        try:
            answer = compute()
            with self._lock:
                self._answers[key] = answer
                while len(self._answers) > self.size:
                    self._answers.popitem(last=False)
            return answer
        finally:
            with self._lock:
                self._running.pop(key).set()
