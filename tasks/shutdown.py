"""How a worker's main process stops: its signal handlers only write the signal's number
to a pipe, and a thread does the stopping.

Celery's own handlers do their work inside the handler: they print, send
``worker_shutting_down`` (whose receivers then run there too) and, on a second Ctrl-C,
cancel requests and stop the pool. Python runs a handler in the main thread between two
bytecodes, wherever that thread was, including inside an earlier handler: a SIGTERM that
arrived while the first one's receiver was inside ``threading.Event.set`` blocked on the
lock the interrupted frame held, and the worker stayed in "Warm shutdown", its pool and
trial processes with it, for as long as anyone watched (issue 16). So a handler here does
what cannot wait on anything: ``os.write`` to a pipe. A thread reads it and starts the
stop, the warm one and the deadline each in a thread of its own, so that nothing the warm
stop waits for can hold the deadline or a second Ctrl-C.

What the signals mean (the README's "Stopping, crashes and restarts" says the same):

- SIGTERM, SIGINT or SIGHUP: a warm stop. The worker takes no further task, each pool
  process hands its trial back to the queue (:mod:`tasks.recovery`, on
  ``worker_shutting_down``), and the process exits 0 once its running tasks returned.
  More of them change nothing (systemd and ``kill -TERM -PGID`` send one to every
  process, and ``tuneforge serve`` another), except a second SIGINT.
- A second SIGINT (Ctrl-C twice) or SIGQUIT: stop now. The pool and trial processes are
  killed and the process exits 1; their trials' leases lapse and the recovery sweep queues
  them again (nothing is lost, and nothing recorded twice).
- Whatever happens meanwhile, :data:`WORKER_STOP_GRACE_S` after the first signal the
  worker stops now, as above.
- SIGUSR1: every thread's stack in the log (Celery's "cry" handler, done here instead).

A pool process dies with its main process (Celery sets PR_SET_PDEATHSIG, SIGKILL, in each;
and, should the thread that forked it have ended first, it exits by itself within
``ORPHAN_CHECK_SECONDS`` of its main process's death), and its trial process then does the
same (:mod:`models.engine.isolation`): nothing of a dead worker goes on running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import threading
import time
import warnings
from typing import Any

from celery import bootsteps, signals
from celery.apps.worker import Worker as CeleryWorker
from celery.exceptions import SecurityWarning
from celery.utils.debug import cry
from celery.worker import state

from models.engine.isolation import exit_when_orphaned

log = logging.getLogger(__name__)

# A worker's stop, from its first signal to its exit, takes at most this long: then it
# kills what is left and exits. A warm stop took 3 to 7 s here (the consumer's loop ends,
# then a trial hands itself back within 0.1 s); a webhook delivery in flight may take
# TUNEFORGE_WEBHOOK_TIMEOUT_SECONDS (10 s by default) to finish.
WORKER_STOP_GRACE_S = 20
# The consumer's loop ends within this of being told to: Celery's loop for transports
# without asynchronous I/O (the embedded broker's) waits up to 2 s for messages, and once
# more after the request.
CONSUMING_STOPS_WITHIN_S = 6
EX_OK = 0
EX_FAILURE = 1
WARM = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
HANDLED = (*WARM, signal.SIGQUIT, signal.SIGUSR1)
# The start of Celery's warning to a worker run as root (celery.platforms.ROOT_DISCOURAGED).
RUN_AS_ROOT = "You're running the worker with superuser privileges"


class Worker(CeleryWorker):
    """Celery's worker, with the signal handling described above (``make_celery`` makes it
    the app's ``Worker``, which ``celery worker`` runs)."""

    def on_before_init(self, **kwargs: Any) -> None:
        """Celery's start, without its warning to a worker run as root while the worker
        accepts JSON only.

        The warning is about pickle: a worker that unpickles messages as root runs as root
        whatever code a broker's writer sends (Celery refuses to start so). Ours accepts
        JSON only (``make_celery``), so running as root is the user's own choice (``make
        run`` as root in a container), which the warning printed twice at every ``serve``
        start, eight lines each; the image runs as an unprivileged user.
        """
        with warnings.catch_warnings():
            if set(self.app.conf.accept_content) <= {"json", "application/json"}:
                warnings.filterwarnings("ignore", RUN_AS_ROOT, SecurityWarning)
            super().on_before_init(**kwargs)

    def install_platform_tweaks(self, worker: Any) -> None:
        """Install this module's handlers instead of Celery's (none of which is needed:
        SIGHUP's restart-by-exec is the supervisor's job, ``tuneforge serve``'s or the
        container's)."""
        StopSignals(worker).install()


@signals.worker_process_init.connect
def _exit_with_the_main_process(**_: Any) -> None:
    exit_when_orphaned(os.getppid())


class StopSignals:
    """The main process's stop signals: a handler writing to a pipe, threads acting."""

    def __init__(self, worker: Any, grace_s: float = WORKER_STOP_GRACE_S) -> None:
        self.worker = worker
        self.grace_s = grace_s
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self._stopping = False
        self._interrupts = 0

    def install(self) -> None:
        """Start the thread, then route the signals to the pipe."""
        threading.Thread(target=self._watch, daemon=True, name="tuneforge-stop").start()
        for signum in HANDLED:
            signal.signal(signum, self.on_signal)

    def on_signal(self, signum: int, _frame: Any) -> None:
        """The handler: the signal's number into the pipe, nothing else. A full pipe (64 KiB
        of signals not yet read) drops this one: the thread has plenty to act on."""
        with contextlib.suppress(BlockingIOError):
            os.write(self._write, bytes([signum]))

    def _watch(self) -> None:
        while True:
            select.select([self._read], [], [])
            for signum in os.read(self._read, 4096):
                try:
                    self._act(signal.Signals(signum))
                except Exception:  # the thread must live on, for a second Ctrl-C
                    log.exception("acting on signal %d failed", signum)

    def _act(self, signum: signal.Signals) -> None:
        if signum == signal.SIGUSR1:
            log.warning("stacks of every thread, on SIGUSR1:\n%s", cry())
            return
        if signum == signal.SIGINT:
            self._interrupts += 1
        if signum == signal.SIGQUIT or self._interrupts > 1:
            self._stop_now(f"{signum.name} received")
        if not self._stopping:
            self._stopping = True
            # Each in a thread of its own: whatever the warm stop waits for delays neither
            # the deadline nor this thread's answer to a second Ctrl-C.
            threading.Thread(target=self._stop_at_deadline, daemon=True).start()
            threading.Thread(target=self._stop_warm, args=(signum,), daemon=True).start()

    def _stop_warm(self, signum: signal.Signals) -> None:
        log.info(
            "%s received: warm stop (at most %g s): no new task, running ones handed back",
            signum.name,
            self.grace_s,
        )
        state.should_stop = EX_OK  # the consumer's loop raises WorkerShutdown at its next turn
        self._wait_until_consuming_stopped()
        signals.worker_shutting_down.send(
            sender=self.worker.hostname, sig=signum.name, how="Warm", exitcode=EX_OK
        )

    def _wait_until_consuming_stopped(self) -> None:
        """Until the consumer's loop has ended (the worker's blueprint leaves RUN), at most
        :data:`CONSUMING_STOPS_WITHIN_S`.

        Only then are the pool processes told to hand their trials back: a trial sent back
        to the queue earlier was taken again by this very worker, whose pool processes,
        stopping, dropped it (its message acknowledged, the trial left for a recovery
        sweep minutes later). Meanwhile the running trials go on, and one that ends is
        recorded.
        """
        blueprint = getattr(self.worker, "blueprint", None)
        deadline = time.monotonic() + CONSUMING_STOPS_WITHIN_S
        while blueprint is not None and blueprint.state == bootsteps.RUN:
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)

    def _stop_at_deadline(self) -> None:
        time.sleep(self.grace_s)
        self._stop_now(f"still running {self.grace_s:g} s after the first stop signal")

    def _stop_now(self, reason: str) -> None:
        """Kill every descendant (the pool processes and their trial processes), exit 1.

        Logged from a thread waited for a second at most: a main thread stuck while holding
        the log handler's lock must not hold this stop too.
        """
        for pid in descendants(os.getpid()):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        message = "stopped now (%s): the pool and trial processes killed"
        logger = threading.Thread(target=log.warning, args=(message, reason), daemon=True)
        logger.start()
        logger.join(1)
        os._exit(EX_FAILURE)


def children(pid: int) -> list[int]:
    """The living children of process ``pid`` (see :func:`descendants`)."""
    return _children_by_parent().get(pid, [])


def descendants(pid: int) -> list[int]:
    """Every living descendant of process ``pid``, children first (Linux' ``/proc``; an
    empty list elsewhere), read without touching billiard's own bookkeeping."""
    by_parent = _children_by_parent()
    found, queue = [], [pid]
    while queue:
        for child in by_parent.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def _children_by_parent() -> dict[int, list[int]]:
    by_parent: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    # "pid (comm) state ppid …": comm may hold spaces and parentheses
                    parent = int(f.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            by_parent.setdefault(parent, []).append(int(entry.name))
    return by_parent
