"""The live progress of a job on a terminal: one line, a bar, trials done, best score, ETA.

On a terminal the line is redrawn in place (``\\r``), at most every ``min_interval``
seconds, so a fast job does not flood a slow terminal; anywhere else (a log file, CI) it
is a plain line whenever something changed, at most every ``plain_interval`` seconds, as
``\\r`` frames would pile up there as one unreadable line.

Everything here reads the job as the API serves it (a ``dict``), so it is tested without
a service.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TextIO

BAR_WIDTH = 24


def format_duration(seconds: float | None) -> str:
    """``42s``, ``3m05s``, ``1h02m``; ``?`` when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "?"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def format_score(score: float | None) -> str:
    """Four decimals, as the API's examples show scores; ``-`` when there is none yet."""
    return "-" if score is None else f"{score:.4f}"


def estimate_eta(done: int, total: int, elapsed_s: float) -> float | None:
    """Seconds left if the remaining trials take as long as the finished ones did.

    ``None`` until a trial has finished (nothing to go by); ``0`` once all are done.
    """
    if total <= 0 or done <= 0 or elapsed_s < 0:
        return None
    if done >= total:
        return 0.0
    return elapsed_s / done * (total - done)


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """``[#########---------------]``: ASCII, so any terminal encoding can show it."""
    filled = 0 if total <= 0 else min(width, width * max(done, 0) // total)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def progress_line(job: Mapping[str, Any], eta_s: float | None = None) -> str:
    """One line for ``job``: status, bar, ``done/total trials``, best score and ETA.

    ``eta_s`` overrides the job's own ``progress.eta_s`` (the CLI estimates one while the
    service has none yet); finished jobs show no ETA.
    """
    progress = job.get("progress") or {}
    done, total = int(progress.get("trials_completed", 0)), int(progress.get("trials_total", 0))
    status = str(job.get("status", "?"))
    parts = [
        f"{status:<9}",
        bar(done, total),
        f"{done}/{total} trials",
        f"best {format_score(job.get('best_score'))}",
    ]
    if status in ("queued", "running"):
        eta = progress.get("eta_s") if eta_s is None else eta_s
        parts.append(f"ETA {format_duration(eta)}")
    return "  ".join(parts)


def plain_line(job: Mapping[str, Any], eta_s: float | None = None) -> str:
    """The line written where the output is not a terminal (a log keeps every one)."""
    return f"tuneforge: job {job.get('id')} {progress_line(job, eta_s)}"


class ProgressView:
    """Draws a job's progress on ``stream`` as updates come in (:meth:`update`).

    ``clock`` is injectable so that the throttling is tested without sleeping.
    """

    def __init__(
        self,
        stream: TextIO,
        is_tty: bool,
        min_interval: float = 0.25,
        plain_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.is_tty = is_tty
        self.min_interval = min_interval
        self.plain_interval = plain_interval
        self.clock = clock
        self._last_drawn_at: float | None = None
        self._last_line = ""
        self._last_shown: tuple[Any, ...] | None = None
        self._on_line = False  # a \r frame is on screen, not yet ended by a newline
        self._first_done: tuple[float, int] | None = None  # when the first trial was seen

    def update(self, job: Mapping[str, Any]) -> None:
        """Show ``job`` when a frame is due, and always its last state once it has ended."""
        now = self.clock()
        key = _change_key(job)
        changed = key != self._last_shown
        ended = job.get("status") not in ("queued", "running")
        interval = self.min_interval if self.is_tty else self.plain_interval
        due = self._last_drawn_at is None or now - self._last_drawn_at >= interval
        # a terminal's frame is redrawn when due (the ETA moves); a log line only on change
        show = (due or (ended and changed)) if self.is_tty else (changed and (due or ended))
        eta = self._local_eta(job, now)
        if not show:
            return
        if self.is_tty:
            line = progress_line(job, eta)
            padding = " " * max(0, len(self._last_line) - len(line))  # erase a longer frame
            self.stream.write("\r" + line + padding)
            self._last_line = line
            self._on_line = True
        else:
            self.stream.write(plain_line(job, eta) + "\n")
        self.stream.flush()
        self._last_drawn_at = now
        self._last_shown = key

    def finish(self) -> None:
        """End the redrawn line (before anything else is written to the terminal)."""
        if self._on_line:
            self.stream.write("\n")
            self.stream.flush()
            self._on_line = False
            self._last_line = ""

    def _local_eta(self, job: Mapping[str, Any], now: float) -> float | None:
        """The service's ETA when it has one; else one from the trials this view saw."""
        progress = job.get("progress") or {}
        if progress.get("eta_s") is not None:
            return None  # progress_line uses the service's
        done = int(progress.get("trials_completed", 0))
        if done > 0 and self._first_done is None:
            self._first_done = (now, done)
        if self._first_done is None:
            return None
        since, at = self._first_done
        return estimate_eta(done - at, int(progress.get("trials_total", 0)) - at, now - since)


def _change_key(job: Mapping[str, Any]) -> tuple[Any, ...]:
    progress = job.get("progress") or {}
    return (job.get("status"), progress.get("trials_completed"), job.get("best_score"))
