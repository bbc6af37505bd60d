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

A :class:`TrialProcess` may bound each call (:class:`LimitExceeded`, a crash like any
other, so the trial is failed and the next call gets a fresh child):

- ``memory_mb``: what the child may allocate beyond what it inherited (``RLIMIT_DATA``,
  set after the fork). Not ``RLIMIT_AS``, which also counts address space reserved and
  never used: 16 threads here took 1.1 GB of it (glibc's 64 MB arena per thread) and
  140 MB of data. Not the total either: the worker's caches, shared with the child until
  written, would count, and could leave a trial no room at all. An allocation past the
  limit raises ``MemoryError`` (or a native library's error saying so, as XGBoost's does);
  the child then exits with :data:`OUT_OF_MEMORY`. LightGBM does not check its
  allocations: past the limit its child dies of SIGSEGV, a crash like any other.
- ``seconds``: the longest one call may run; the child is killed after it.

A one-off call (an upload's reader, in the API) goes through :func:`call_once`: a child
forked for it alone, which starts no thread and waits on nothing but its computation.
That makes it safe to fork from the API's gevent worker, where the child must never run
gevent's event loop (it has closed the loop's descriptors); the parent's wait is a
``select``, which gevent makes cooperative: the other requests go on meanwhile.

Results come back pickled: bytes that our own child wrote, never anything a client sent.

GNU OpenMP (which scikit-learn's wheels use) is not fork-safe: a child forked from a
process whose OpenMP thread pool exists hangs at its first parallel region. So the
parent keeps OpenMP to one thread (it then never starts a pool), and so does the child
(:data:`TRIAL_THREADS`).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import select
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from multiprocessing.connection import Connection, Pipe
from typing import Any, NoReturn, TypeVar

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
# A child's exit code after a MemoryError (its heap may be spent: it is not reused).
OUT_OF_MEMORY = 86
MB = 1024 * 1024


class Stopped(Exception):
    """The call was interrupted because the job must stop."""


class TrialCrashed(Exception):
    """The child process died or raised before returning a result."""


class LimitExceeded(TrialCrashed):
    """The call went past the process's memory or time limit, and the child was ended."""


def machine_memory_mb() -> int | None:
    """This machine's memory in MB, or its control group's limit if lower (a container's);
    ``None`` where neither can be read."""
    sizes = []
    with contextlib.suppress(ValueError, OSError, AttributeError):
        sizes.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // MB)
    # cgroup v2; "max" when unlimited
    with contextlib.suppress(ValueError, OSError), open("/sys/fs/cgroup/memory.max") as f:
        sizes.append(int(f.read().strip()) // MB)
    return min(sizes) if sizes else None


def _inherited_data_bytes() -> int:
    """The calling process's data (private writable memory), as ``RLIMIT_DATA`` counts it."""
    with contextlib.suppress(OSError), open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    return 0


def _limit_memory(memory_mb: int | None) -> None:
    """In a child: allow ``memory_mb`` more of data than it has now."""
    if memory_mb is None:
        return
    import resource  # POSIX only, as fork is

    limit = _inherited_data_bytes() + memory_mb * MB
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """In a child process: ask Linux to send ``signum`` when the parent dies."""
    try:
        # The running program's own symbols, libc's among them: no search for the library
        # (ctypes.util.find_library runs ldconfig, a process, in a freshly forked child).
        libc = ctypes.CDLL(None, use_errno=True)
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


def exit_when_orphaned(parent: int) -> None:
    """Start a thread that ends this process (``os._exit``) once ``parent`` is no longer
    its parent: it died, whatever killed it (SIGKILL included).

    Not PR_SET_PDEATHSIG: that fires when the *thread* that forked ends, which in a
    threaded parent (billiard forks a pool's replacements from a thread) would kill a
    healthy child.
    """
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


def _leave_stopping_to_the_parent() -> None:
    """In a child: only its parent ends it. A stop signal meant for the service (systemd
    and ``kill -TERM -PGID`` send one to every process, a terminal's Ctrl-C and hang-up
    reach its whole process group) would otherwise kill a fit or a refit, recorded as a
    crashed trial or a failed job, before the parent hands it back."""
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_IGN)
    for signum in (signal.SIGURG, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, signal.SIG_DFL)  # no handler of the parent's runs here


def _serve(
    conn: Connection, contexts: dict[Hashable, Any], parent: int, memory_mb: int | None
) -> None:
    """The child's loop: compute each call, send its result, until the pipe closes."""
    global _to_parent
    try:
        # The parent's objects are never collected here: collecting would write to every
        # page of the parent's heap (copying it) and close the parent's sockets and files.
        gc.freeze()
        os.closerange(3, conn.fileno())
        os.closerange(conn.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
        threadpool_limits(limits=TRIAL_THREADS, user_api="openmp")
        _leave_stopping_to_the_parent()
        exit_when_orphaned(parent)
        _limit_memory(memory_mb)  # last: the setup above is not the calls'
        _to_parent = conn
        while True:
            try:
                fn, key, args = conn.recv()
            except EOFError:
                break
            try:
                reply = ("ok", fn(contexts[key], *args))
            except MemoryError:
                raise
            except BaseException as exc:
                if _failed_allocation(exc):
                    raise MemoryError from exc
                reply = ("error", f"{type(exc).__name__}: {exc}")
            conn.send(reply)
    except MemoryError:  # computing, or sending a large result
        os._exit(OUT_OF_MEMORY)
    finally:
        # No atexit handlers, no flushing the parent's buffers, no closing its connections.
        os._exit(0)


# How native libraries word a failed allocation in the exception they raise for it
# (XGBoost: "bad_malloc: Failed to allocate N bytes"; C++'s std::bad_alloc, which LightGBM's
# and others' C APIs pass on as text): out of memory, as a MemoryError is.
NATIVE_OUT_OF_MEMORY = ("bad_alloc", "bad_malloc", "Failed to allocate")


def _failed_allocation(exc: BaseException) -> bool:
    return not isinstance(exc, KeyboardInterrupt | SystemExit) and any(
        words in str(exc) for words in NATIVE_OUT_OF_MEMORY
    )


class TrialProcess:
    """A child process that runs calls one at a time and can be killed in the middle of one.

    ``call(fn, *args, context=(key, value), ...)`` computes ``fn(value, *args)`` in the
    child; ``fn`` must be a module-level function (it is sent by reference), ``args`` and
    the result picklable. One call at a time: a worker process runs one trial at a time.
    ``memory_mb`` and ``seconds`` bound each call (``None``: no limit).
    """

    def __init__(self, *, memory_mb: int | None = None, seconds: float | None = None) -> None:
        self.memory_mb = memory_mb
        self.seconds = seconds
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
        ``fn`` raises (:class:`LimitExceeded` past the memory or time limit)."""
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
        deadline = None if self.seconds is None else time.monotonic() + self.seconds
        while True:
            if conn.poll(POLL_SECONDS):
                try:
                    kind, payload = conn.recv()
                except (EOFError, OSError):
                    status = self._reap()
                    self.close()
                    raise self._died(status) from None
                if kind == "ask":
                    conn.send(on_ask(*payload) if on_ask is not None else None)
                    continue
                if kind == "error":
                    raise TrialCrashed(payload)
                return payload
            if should_stop():
                self.close()
                raise Stopped
            if deadline is not None and time.monotonic() >= deadline:
                self.close()
                raise LimitExceeded(f"the trial exceeded the time limit of {self.seconds:g} s")

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
            _serve(child_end, self._contexts, parent, self.memory_mb)
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

    def _reap(self) -> int | None:
        """The child's wait status, once it has exited; ``None`` if it was reaped already."""
        if self._pid is None:
            return None
        try:
            _, status = os.waitpid(self._pid, 0)
        except ChildProcessError:
            return None
        finally:
            self._pid = None
        return status

    def _died(self, status: int | None) -> TrialCrashed:
        """What a child that ended mid-call with ``status`` means for the call."""
        if status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == OUT_OF_MEMORY:
            if self.memory_mb is None:
                return TrialCrashed("the trial ran out of memory")
            return LimitExceeded(f"the trial exceeded the memory limit of {self.memory_mb} MB")
        reason = "already reaped" if status is None else _describe(status)
        return TrialCrashed(f"the trial's process died ({reason})")


def call_once(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` computed in a child forked for this call alone, which then exits;
    :class:`TrialCrashed` if the child dies or ``fn`` raises. ``fn`` and the result as
    for :meth:`TrialProcess.call`."""
    _single_threaded_openmp_in_parent()
    read_end, write_end = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        _answer_once(write_end, fn, args, parent)
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as pipe:
            select.select([pipe], [], [])  # cooperative under gevent; the child is computing
            data = pipe.read()  # the child writes its whole answer, then exits
    except BaseException:
        os.kill(pid, signal.SIGKILL)  # e.g. the worker stops: do not wait for the child
        raise
    finally:
        _, status = os.waitpid(pid, 0)
    if not data:
        raise TrialCrashed(f"the process died ({_describe(status)})")
    kind, payload = pickle.loads(data)
    if kind == "error":
        raise TrialCrashed(payload)
    return payload


def _answer_once(
    write_end: int, fn: Callable[..., Any], args: tuple[Any, ...], parent: int
) -> NoReturn:
    """The child of :func:`call_once`: compute, write the pickled answer, exit."""
    try:
        gc.freeze()  # as in _serve: no copying the parent's heap, no closing its files
        os.closerange(3, write_end)
        os.closerange(write_end + 1, os.sysconf("SC_OPEN_MAX"))
        threadpool_limits(limits=TRIAL_THREADS, user_api="openmp")
        _leave_stopping_to_the_parent()
        # The caller waits in this thread until the child has answered, so the thread
        # outlives the child unless the process dies: then so does the child.
        die_with_parent(signal.SIGKILL)
        if os.getppid() != parent:  # it died before the request took effect
            return
        try:
            answer = pickle.dumps(("ok", fn(*args)))
        except BaseException as exc:
            answer = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
        with os.fdopen(write_end, "wb") as out:
            out.write(answer)
    finally:
        os._exit(0)
