"""Run one trial in a forked child process, so that a cancel or a deadline can stop it
mid-fit instead of waiting for scikit-learn to return.

The parent polls ``should_stop`` while the child computes; when it turns true the child is
killed and :class:`Stopped` is raised. The result comes back pickled over a pipe: bytes
that our own forked child wrote, never anything a client sent.

GNU OpenMP (which scikit-learn's wheels use) is not fork-safe: a child forked from a
process whose OpenMP thread pool exists hangs at its first parallel region. So the
parent keeps OpenMP to one thread (it then never starts a pool), and so does each child
(:data:`TRIAL_THREADS`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import pickle
import select
import signal
from collections.abc import Callable
from typing import TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")
POLL_SECONDS = 0.1
# OpenMP threads per trial. Parallelism comes from worker processes
# (TUNEFORGE_WORKER_CONCURRENCY); more threads per trial than cores to spare made
# HistGradientBoosting 10x slower here (GNU OpenMP spin-waits) and was no faster alone.
TRIAL_THREADS = 1
PR_SET_PDEATHSIG = 1


class Stopped(Exception):
    """The trial was interrupted because the job must stop."""


class TrialCrashed(Exception):
    """The trial's process died or raised before returning a result."""


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """In a child process: ask Linux to send ``signum`` when the parent dies."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signum)
    except (OSError, AttributeError):  # not Linux: the child outlives a killed parent
        pass


_parent_limited = False


def _single_threaded_openmp_in_parent() -> None:
    global _parent_limited
    if not _parent_limited:
        threadpool_limits(limits=1, user_api="openmp")
        _parent_limited = True


def _child(fn: Callable[[], T], write_fd: int) -> None:
    """In the child: compute, write the pickled result, and leave without cleanup."""
    try:
        die_with_parent()
        threadpool_limits(limits=TRIAL_THREADS, user_api="openmp")
        for signum in (signal.SIGTERM, signal.SIGURG, signal.SIGUSR2):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            payload = pickle.dumps(("ok", fn()))
        except BaseException as exc:
            payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_fd, "wb") as out:
            out.write(payload)
    finally:
        # No atexit handlers, no flushing the parent's buffers, no closing its connections.
        os._exit(0)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        name = signal.Signals(signum).name if signum in signal.Signals else str(signum)
        return f"killed by {name}" + (" (out of memory?)" if signum == signal.SIGKILL else "")
    return f"exit code {os.WEXITSTATUS(status)}"


def run_isolated(fn: Callable[[], T], should_stop: Callable[[], bool]) -> T:
    """``fn()`` computed in a child process; :class:`Stopped` if ``should_stop`` turns true."""
    if not hasattr(os, "fork"):  # not POSIX: run inline, stoppable only between trials
        return fn()
    _single_threaded_openmp_in_parent()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(fn, write_fd)
    os.close(write_fd)
    chunks: list[bytes] = []
    try:
        while True:
            ready, _, _ = select.select([read_fd], [], [], POLL_SECONDS)
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            elif should_stop():
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise Stopped
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        raise TrialCrashed(f"the trial's process died ({_describe(status)})")
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "error":
        raise TrialCrashed(value)
    return value
