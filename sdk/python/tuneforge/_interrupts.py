"""Ctrl-C while waiting, acted on between requests rather than in the middle of one.

Python raises ``KeyboardInterrupt`` wherever the main thread happens to be; inside an
HTTP call that can be between a lock's acquire and its ``try`` in the connection pool,
and closing the client afterwards then blocks for ever. So while a command waits, SIGINT
only sets a flag, and :meth:`DeferredInterrupts.check` raises at a point the command
chooses (after each poll); :func:`interruptible` restores Python's own handler where a
Ctrl-C must act at once (a prompt).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import Any


class DeferredInterrupts:
    """Within ``with``, Ctrl-C is noted; :meth:`check` raises ``KeyboardInterrupt`` once."""

    def __init__(self) -> None:
        self.pending = False
        self._previous: Any = signal.default_int_handler

    def __enter__(self) -> DeferredInterrupts:
        self._previous = signal.signal(signal.SIGINT, self._note)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        signal.signal(signal.SIGINT, self._previous)

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed since the last check."""
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt

    def _note(self, signum: int, frame: FrameType | None) -> None:
        self.pending = True


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Python's own Ctrl-C (an immediate ``KeyboardInterrupt``) for the block."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
