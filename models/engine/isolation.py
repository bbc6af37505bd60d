"""Trials run in a long-lived child process, so that a cancel or a deadline can stop one
mid-fit instead of waiting for scikit-learn to return.

:class:`TrialProcess` forks a child once and sends it one call at a time over a pipe.
While the child computes, the parent polls ``should_stop``; when it turns true the child
is killed (:class:`Stopped` is raised) and the next call forks a fresh one. A child that
dies mid-call (out of memory, a segfault in native code) raises :class:`TrialCrashed`.

The child inherits the parent's memory when it is forked: the data a call needs (its
*context*, e.g. a job's training data) is registered with the call and the child looks
it up by key, so a job's table is never copied through the pipe. A call whose context
the child did not inherit forks a new child first. What the child keeps between calls
(each job's preprocessed folds) stays warm for the next trial; a fresh child per trial
cost 20 to 40 ms here (the fork, copy-on-write faults, the exit).

Results come back pickled: bytes that our own child wrote, never anything a client sent.

GNU OpenMP (which scikit-learn's wheels use) is not fork-safe: a child forked from a
process whose OpenMP thread pool exists hangs at its first parallel region. So the
parent keeps OpenMP to one thread (it then never starts a pool), and so does the child
(:data:`TRIAL_THREADS`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import signal
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from multiprocessing.connection import Connection, Pipe
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")
POLL_SECONDS = 0.1
# OpenMP threads per trial. Parallelism comes from worker processes
# (TUNEFORGE_WORKER_CONCURRENCY); more threads per trial than cores to spare made
# HistGradientBoosting 10x slower here (GNU OpenMP spin-waits) and was no faster alone.
TRIAL_THREADS = 1
# Contexts a parent keeps registered for its child (each is shared memory, not a copy).
CONTEXTS = 8
PR_SET_PDEATHSIG = 1
# How often a child checks that its parent is alive (it exits once it is not).
ORPHAN_CHECK_SECONDS = 0.5


class Stopped(Exception):
    """The call was interrupted because the job must stop."""


class TrialCrashed(Exception):
    """The child process died or raised before returning a result."""


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


# In a child: its end of the pipe (for ask); in the parent, for calls run inline: the
# parent's answer to a question.
_to_parent: Connection | None = None
_answer_inline: Callable[..., Any] | None = None


def ask(*question: Any) -> Any:
    """From inside a call: the parent's ``on_ask(*question)`` (e.g. "prune after this
    fold?", answered by the strategy, which lives in the parent)."""
    if _to_parent is None:
        if _answer_inline is None:
            raise RuntimeError("ask() outside a TrialProcess call")
        return _answer_inline(*question)
    _to_parent.send(("ask", question))
    return _to_parent.recv()


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = str(signum)
        return f"killed by {name}" + (" (out of memory?)" if signum == signal.SIGKILL else "")
    return f"exit code {os.WEXITSTATUS(status)}"


def _exit_when_orphaned(parent: int) -> None:
    # Not PR_SET_PDEATHSIG: that fires when the *thread* that forked ends, which in a
    # threaded caller would kill a healthy child between two calls.
    while os.getppid() == parent:
        threading.Event().wait(ORPHAN_CHECK_SECONDS)
    os._exit(0)


def _serve(conn: Connection, contexts: dict[Hashable, Any], parent: int) -> None:
    """The child's loop: compute each call, send its result, until the pipe closes."""
    global _to_parent
    try:
        # The parent's objects are never collected here: collecting would write to every
        # page of the parent's heap (copying it) and close the parent's sockets and files.
        gc.freeze()
        os.closerange(3, conn.fileno())
        os.closerange(conn.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
        threadpool_limits(limits=TRIAL_THREADS, user_api="openmp")
        for signum in (signal.SIGTERM, signal.SIGURG, signal.SIGUSR2):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
        _to_parent = conn
        while True:
            try:
                fn, key, args = conn.recv()
            except EOFError:
                break
            try:
                reply = ("ok", fn(contexts[key], *args))
            except BaseException as exc:
                reply = ("error", f"{type(exc).__name__}: {exc}")
            conn.send(reply)
    finally:
        # No atexit handlers, no flushing the parent's buffers, no closing its connections.
        os._exit(0)


class TrialProcess:
    """A child process that runs calls one at a time and can be killed in the middle of one.

    ``call(fn, *args, context=(key, value), ...)`` computes ``fn(value, *args)`` in the
    child; ``fn`` must be a module-level function (it is sent by reference), ``args`` and
    the result picklable. One call at a time: a worker process runs one trial at a time.
    """

    def __init__(self) -> None:
        self._contexts: OrderedDict[Hashable, Any] = OrderedDict()
        self._pid: int | None = None
        self._conn: Connection | None = None
        self._inherited: frozenset[Hashable] = frozenset()
        self._owner = os.getpid()

    def call(
        self,
        fn: Callable[..., T],
        *args: Any,
        context: tuple[Hashable, Any],
        should_stop: Callable[[], bool],
        on_ask: Callable[..., Any] | None = None,
    ) -> T:
        """``fn(context value, *args)`` computed in the child; :class:`Stopped` if
        ``should_stop`` turns true first, :class:`TrialCrashed` if the child dies or
        ``fn`` raises."""
        key, value = context
        self._contexts[key] = value
        self._contexts.move_to_end(key)
        while len(self._contexts) > CONTEXTS:
            self._contexts.popitem(last=False)
        if not hasattr(os, "fork"):  # not POSIX: run inline, stoppable only between trials
            return self._inline(fn, value, args, on_ask)
        conn = self._ready(key)
        try:
            conn.send((fn, key, args))
        except OSError:  # it died just now: one fresh child
            self.close()
            conn = self._ready(key)
            conn.send((fn, key, args))
        while True:
            if conn.poll(POLL_SECONDS):
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):
                    reason = self._reap()
                    self.close()
                    raise TrialCrashed(f"the trial's process died ({reason})") from None
                if kind == "ask":
                    conn.send(on_ask(*payload) if on_ask is not None else None)
                    continue
                if kind == "error":
                    raise TrialCrashed(payload)
                return payload
            if should_stop():
                self.close()
                raise Stopped

    def close(self) -> None:
        """Kill the child, if there is one (the next call forks another)."""
        if self._pid is not None and self._owner == os.getpid():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            self._reap()
        if self._conn is not None:
            self._conn.close()
        self._pid = self._conn = None

    @staticmethod
    def _inline(fn: Callable[..., T], value: Any, args: tuple[Any, ...], on_ask: Any) -> T:
        global _answer_inline
        _answer_inline = on_ask
        try:
            return fn(value, *args)
        finally:
            _answer_inline = None

    def _ready(self, key: Hashable) -> Connection:
        """The child's pipe, after forking a child if there is none, it died, or it was
        forked before ``key``'s context existed."""
        if self._owner != os.getpid():  # this object was inherited through a fork
            self._pid = self._conn = None
            self._owner = os.getpid()
        if self._pid is not None and (key not in self._inherited or not self._alive()):
            self.close()
        if self._conn is None:
            self._fork()
        assert self._conn is not None
        return self._conn

    def _fork(self) -> None:
        _single_threaded_openmp_in_parent()
        parent_end, child_end = Pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            parent_end.close()
            _serve(child_end, self._contexts, parent)
        child_end.close()
        self._pid, self._conn = pid, parent_end
        self._inherited = frozenset(self._contexts)

    def _alive(self) -> bool:
        assert self._pid is not None
        try:
            pid, _ = os.waitpid(self._pid, os.WNOHANG)
        except ChildProcessError:
            return False
        if pid == 0:
            return True
        self._pid = None
        return False

    def _reap(self) -> str:
        if self._pid is None:
            return "already reaped"
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            return "already reaped"
        finally:
            self._pid = None
        return _describe(status)
