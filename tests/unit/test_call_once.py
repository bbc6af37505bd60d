"""``call_once``: one call in a child forked for it, waited on cooperatively under gevent
(the API's upload reader)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from models.engine.isolation import TrialCrashed, call_once

ROOT = Path(__file__).resolve().parents[2]


def where(n: int) -> tuple[int, list[int]]:
    return os.getpid(), list(range(n))


def fails() -> None:
    raise ValueError("no such column")


def dies() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def test_the_call_runs_in_another_process_and_returns_its_result():
    pid, result = call_once(where, 3)
    assert pid != os.getpid() and result == [0, 1, 2]


def test_an_exception_in_the_call_is_trial_crashed_with_its_text():
    with pytest.raises(TrialCrashed, match="ValueError: no such column"):
        call_once(fails)


def test_a_child_that_dies_is_trial_crashed_with_the_signal():
    with pytest.raises(TrialCrashed, match="killed by SIGKILL"):
        call_once(dies)


def test_under_gevent_other_greenlets_run_while_the_child_computes():
    # given a gevent-patched process (as the API's worker is) with a greenlet ticking
    # every 10 ms, when a call computes for a second in the child
    script = textwrap.dedent(
        """
        from gevent import monkey; monkey.patch_all()
        import time, gevent
        from models.engine.isolation import call_once

        def compute():
            end = time.monotonic() + 1
            while time.monotonic() < end:
                pass
            return "done"

        gaps = []
        def tick():
            last = time.monotonic()
            while True:
                gevent.sleep(0.01)
                gaps.append(time.monotonic() - last)
                last = time.monotonic()

        gevent.spawn(tick)
        gevent.sleep(0.05)
        print(call_once(compute), len(gaps), max(gaps))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    # then it returns its result, and the greenlet kept ticking meanwhile
    result, ticks, longest_gap = done.stdout.split()
    assert result == "done"
    assert int(ticks) > 50 and float(longest_gap) < 0.1, done.stdout


def signals_itself(names: list[str]) -> str:
    """As systemd's stop or ``kill -TERM -PGID`` would: stop signals to the child too."""
    for name in names:
        os.kill(os.getpid(), getattr(signal, name))
    return "answered"


def test_stop_signals_leave_the_call_to_its_caller():
    # the caller stops it if need be; an upload is not answered "could not read" for a stop
    assert call_once(signals_itself, ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"] * 3) == "answered"


def test_the_child_dies_with_the_process_that_waits_for_it(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from models.engine.isolation import call_once

        def report_and_sleep():
            print(os.getpid(), flush=True)
            time.sleep(60)

        call_once(report_and_sleep)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    # when the waiting process is killed, as the OOM killer or a SIGKILL would
    parent.kill()
    parent.wait()
    # then the child does not go on computing
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _running(child):
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
