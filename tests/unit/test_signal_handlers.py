"""A signal handler survives a second signal arriving anywhere inside it.

Python runs a handler in the main thread between two bytecodes, wherever that thread was,
inside an earlier run of the same handler too. A handler that takes a lock (``Event.set``
does) then waits forever for the lock the interrupted run holds: a worker stayed in "Warm
shutdown" for 48 minutes (issue 16). Signals cannot be timed to land on a given line, so
each test calls the handler and, at every line it runs (in whatever it calls, too), calls
it again, as a signal arriving there would. Each runs in a child process, whose handlers
and stopped workers are its own.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from tests.integration.conftest import ROOT

REENTER = textwrap.dedent(
    """
    import os, signal, sys, threading

    def reenter_at_every_line(handler, signum):
        nested = 0

        def trace(frame, event, arg):
            nonlocal nested
            if event == "line" and nested == 0:
                nested += 1
                try:
                    handler(signum, frame)
                finally:
                    nested -= 1
            return trace

        def run():
            sys.settrace(trace)
            try:
                handler(signum, None)
            finally:
                sys.settrace(None)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(10)
        return not thread.is_alive()
    """
)

WORKER = """
from celery import signals
import tasks.worker
try:  # the handlers alone, not the thread that acts on what they write
    import tasks.shutdown
    tasks.shutdown.StopSignals._watch = lambda self: None
except ImportError:
    pass
worker = tasks.worker.app.Worker(hostname="t@h", pool_cls="solo", quiet=True)
worker.install_platform_tweaks(worker)
returned = reenter_at_every_line(signal.getsignal(signal.{name}), signal.{name})
print("returned" if returned else "blocked", flush=True)
os._exit(0)
"""

POOL_PROCESS = """
from models.job_run import StopFlag
from tasks import search
stop = StopFlag()
with search._stop_on_shutdown(stop):
    returned = reenter_at_every_line(signal.getsignal(signal.{name}), signal.{name})
print("returned, stopping" if returned and stop.is_set() else "blocked", flush=True)
os._exit(0)
"""


def run(script: str, tmp_path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", REENTER + script],
        cwd=ROOT,
        env={"TUNEFORGE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr


@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"])
def test_the_worker_main_processs_handlers_survive_a_signal_at_any_line(name, tmp_path):
    assert run(WORKER.format(name=name), tmp_path) == "returned"


@pytest.mark.parametrize("name", ["SIGTERM", "SIGURG"])
def test_a_pool_processs_handlers_survive_a_signal_at_any_line(name, tmp_path):
    assert run(POOL_PROCESS.format(name=name), tmp_path) == "returned, stopping"


STOPPING = """
import os, signal, sys, threading, time
from celery import signals
from celery.worker import state
from tasks import shutdown

calls = []

def shutting_down(**_):
    calls.append(1)
    if {hang}:
        threading.Event().wait()  # a warm stop that never ends

signals.worker_shutting_down.connect(shutting_down, weak=False)

class Worker:
    hostname = "t@h"

shutdown.StopSignals(Worker(), grace_s={grace}).install()
for name in {signals!r}:
    os.kill(os.getpid(), getattr(signal, name))
    time.sleep(0.003)
time.sleep(1)
print(len(calls), state.should_stop, flush=True)
time.sleep(60)
"""


def stop_worker(signals: list[str], grace: float, hang: bool) -> tuple[int, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", STOPPING.format(signals=signals, grace=grace, hang=hang)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, done.stdout.strip(), time.monotonic() - started


def test_repeated_sigterms_make_one_warm_stop_bounded_by_the_grace_period():
    code, out, _ = stop_worker(["SIGTERM"] * 5, grace=3, hang=True)
    # one warm stop asked (shutting down sent once, the consumer told to stop), and, as it
    # never ends, the process stopped at the end of the grace period
    assert out == "1 0" and code == 1


def test_a_second_sigint_stops_at_once():
    code, out, took = stop_worker(["SIGINT", "SIGINT"], grace=50, hang=True)
    assert out == "" and code == 1 and took < 50
