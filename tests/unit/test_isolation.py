"""The trial process: calls run in a long-lived child that a stop kills at once, that
survives a call which raises, is replaced when it dies, sees only the contexts it was
forked with, asks its parent mid-call, leaves stopping to its parent and leaves when it
dies, and ends a call that goes past its memory or time limit."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from models.engine import isolation
from models.engine.isolation import LimitExceeded, Stopped, TrialCrashed, TrialProcess


def pid_and(value: object, *args: object) -> tuple[int, object, tuple[object, ...]]:
    return os.getpid(), value, args


def sleep_for(_value: object, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def raise_value_error(_value: object) -> None:
    raise ValueError("no such parameter")


def allocate(_value: object, mb: int) -> int:
    return len(bytearray(mb * 1024 * 1024))


def raise_memory_error(_value: object) -> None:
    raise MemoryError


def die(_value: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def ask_twice(value: int) -> list[object]:
    return [isolation.ask("fold", 0, value), isolation.ask("fold", 1, value + 1)]


def open_fds(_value: object) -> list[int]:
    return sorted(int(fd) for fd in os.listdir("/proc/self/fd"))


def never() -> bool:
    return False


@pytest.fixture
def process():
    trials = TrialProcess()
    yield trials
    trials.close()


@pytest.fixture
def limited():
    """``limited(memory_mb=..., seconds=...)``: a trial process with those limits."""
    made = []

    def make(**limits: float) -> TrialProcess:
        made.append(TrialProcess(**limits))
        return made[-1]

    yield make
    for trials in made:
        trials.close()


def test_calls_run_in_one_child_with_the_context_it_inherited(process):

    first = process.call(pid_and, 1, 2, context=("a", {"rows": 10}), should_stop=never)
    second = process.call(pid_and, 3, context=("a", {"rows": 10}), should_stop=never)

    assert first[0] == second[0] != os.getpid()
    assert first[1:] == ({"rows": 10}, (1, 2))
    assert second[1:] == ({"rows": 10}, (3,))


def test_a_context_registered_after_the_fork_gets_a_fresh_child_that_inherits_it(process):

    before = process.call(pid_and, context=("a", "table a"), should_stop=never)
    after = process.call(pid_and, context=("b", "table b"), should_stop=never)
    again = process.call(pid_and, context=("a", "table a"), should_stop=never)

    assert after[0] != before[0] and after[1] == "table b"
    assert again[0] == after[0] and again[1] == "table a"  # the new child has both


def test_a_stop_kills_the_call_within_the_poll_interval_and_the_next_call_works(process):
    deadline = time.monotonic() + 0.3
    started = time.monotonic()

    with pytest.raises(Stopped):
        process.call(
            sleep_for, 30, context=("a", None), should_stop=lambda: time.monotonic() > deadline
        )

    assert time.monotonic() - started < 0.3 + 2 * isolation.POLL_SECONDS + 0.5
    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) > 0


def test_a_call_that_raises_is_a_crash_and_the_child_serves_the_next_call(process):
    pid = process.call(sleep_for, 0, context=("a", None), should_stop=never)

    with pytest.raises(TrialCrashed, match="ValueError: no such parameter"):
        process.call(raise_value_error, context=("a", None), should_stop=never)

    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) == pid


def test_a_child_that_dies_mid_call_is_a_crash_and_is_replaced(process):
    pid = process.call(sleep_for, 0, context=("a", None), should_stop=never)

    with pytest.raises(TrialCrashed, match="killed by SIGKILL"):
        process.call(die, context=("a", None), should_stop=never)

    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) not in (pid, 0)


def test_a_child_killed_between_calls_is_replaced_before_the_next(process):
    pid = process.call(sleep_for, 0, context=("a", None), should_stop=never)
    os.kill(pid, signal.SIGKILL)
    wait_dead(pid)

    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) != pid


def wait_dead(pid: int, timeout: float = 30) -> None:
    """Until child ``pid`` can be waited for, left for its owner to reap (a busy machine
    takes a while to end every thread of a killed process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is not None:
            return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} still alive after SIGKILL")


def test_the_child_asks_the_parent_mid_call(process):
    asked = []

    def answer(*question):
        asked.append(question)
        return len(asked) == 2

    answers = process.call(ask_twice, context=("a", 5), should_stop=never, on_ask=answer)

    assert answers == [False, True]
    assert asked == [("fold", 0, 5), ("fold", 1, 6)]


def test_the_child_keeps_none_of_the_parents_sockets_or_files(process, tmp_path):
    with socket.socket() as sock, (tmp_path / "f").open("w") as f:
        theirs = {sock.fileno(), f.fileno()}
        fds = process.call(open_fds, context=("a", None), should_stop=never)

    assert not theirs & set(fds)
    assert len(fds) <= 5  # stdin, stdout, stderr, its pipe, and listdir's own


def test_a_process_inherited_through_a_fork_does_not_use_its_parents_child(process):
    parent_child = process.call(sleep_for, 0, context=("a", None), should_stop=never)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked test process
        try:
            child = process.call(sleep_for, 0, context=("a", None), should_stop=never)
            os.write(write, str(child).encode())
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    os.close(write)
    theirs = int(os.read(read, 64))
    os.close(read)

    assert theirs != parent_child
    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) == parent_child


def test_the_child_leaves_when_its_parent_is_killed(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, sys, time
        sys.path.insert(0, {str(Path(__file__).parents[2])!r})
        from models.engine.isolation import TrialProcess
        from tests.unit.test_isolation import sleep_for
        process = TrialProcess()
        process.call(sleep_for, 0, context=("a", None), should_stop=lambda: False)
        print(process._pid, flush=True)
        process.call(sleep_for, 60, context=("a", None), should_stop=lambda: False)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
        if "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]:
            break  # exited; a zombie until init reaps it
        time.sleep(0.05)
    assert (
        not Path(f"/proc/{child}").exists()
        or "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
    )


def test_a_call_past_the_memory_limit_fails_with_that_reason_and_the_next_call_works(limited):
    process = limited(memory_mb=200)
    pid = process.call(sleep_for, 0, context=("a", None), should_stop=never)
    assert process.call(allocate, 100, context=("a", None), should_stop=never) == 100 * 2**20

    with pytest.raises(LimitExceeded, match="the trial exceeded the memory limit of 200 MB"):
        process.call(allocate, 400, context=("a", None), should_stop=never)

    assert process.call(allocate, 100, context=("a", None), should_stop=never) == 100 * 2**20
    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) != pid


class XGBoostError(Exception):
    """Named as XGBoost's own, which it raises when an allocation fails."""


def fail_an_allocation_natively(_value: object) -> None:
    raise XGBoostError("bad_malloc: Failed to allocate 190464000 bytes.")


def fit_deep_xgboost_trees(X: object) -> str:
    from models.engine.catalog import CATALOG, REGRESSION

    model = CATALOG["xgboost"].build(REGRESSION, 0).set_params(n_estimators=2, max_depth=32)
    model.fit(X, X[:, 0])
    return "fitted"


def test_a_native_librarys_failed_allocation_is_the_memory_limit_too(limited):
    # given a trial process with a memory limit
    process = limited(memory_mb=100)
    # when a call fails as a native library does when an allocation fails past the limit
    # then it is the memory limit, as a MemoryError would be, and the next call works
    with pytest.raises(LimitExceeded, match="the trial exceeded the memory limit of 100 MB"):
        process.call(fail_an_allocation_natively, context=("a", None), should_stop=never)
    assert process.call(allocate, 10, context=("a", None), should_stop=never) == 10 * 2**20


def test_an_xgboost_fit_past_the_memory_limit_is_ended_with_that_reason(limited):
    # given a table the fit bins into more memory than the limit allows
    import numpy as np

    X = np.random.default_rng(0).normal(size=(3000, 300))
    process = limited(memory_mb=100)
    # when XGBoost fits it, then the trial is past the memory limit, not a library error
    with pytest.raises(LimitExceeded, match="the trial exceeded the memory limit of 100 MB"):
        process.call(fit_deep_xgboost_trees, context=("X", X), should_stop=never)


def test_a_memory_error_without_a_limit_is_a_crash_that_says_so(process):
    with pytest.raises(TrialCrashed, match="the trial ran out of memory") as raised:
        process.call(raise_memory_error, context=("a", None), should_stop=never)

    assert not isinstance(raised.value, LimitExceeded)
    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) > 0


def test_a_call_past_the_time_limit_is_killed_with_that_reason_and_the_next_call_works(limited):
    process = limited(seconds=0.3)
    started = time.monotonic()

    with pytest.raises(LimitExceeded, match=r"the trial exceeded the time limit of 0\.3 s"):
        process.call(sleep_for, 30, context=("a", None), should_stop=never)

    assert time.monotonic() - started < 0.3 + 2 * isolation.POLL_SECONDS + 0.5
    assert process.call(sleep_for, 0.1, context=("a", None), should_stop=never) > 0


def signal_self_then_sleep(_value: object, names: list[str]) -> int:
    """As systemd's stop or ``kill -TERM -PGID`` would: stop signals to the child too."""
    for name in names:
        os.kill(os.getpid(), getattr(signal, name))
    time.sleep(0.2)
    return os.getpid()


def test_stop_signals_meant_for_the_service_leave_a_call_to_its_parent(process):
    # given stop signals reaching the child mid-call, several of each
    names = ["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"] * 3
    # then the call ends as it would have (its parent alone stops it, and hands it back)
    pid = process.call(signal_self_then_sleep, names, context=("a", None), should_stop=never)
    assert process.call(sleep_for, 0, context=("a", None), should_stop=never) == pid
