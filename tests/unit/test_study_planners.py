"""Studies' planners in a process of their own (models/study_planners.py): the same
suggestions as planners kept here, and nothing lost when that process goes away."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from models.study_planners import LocalPlanners, ProcessPlanners, _receive, _send, serve
from models.study_service import Studies

SPACE = {
    "x": {"type": "float", "low": -5, "high": 5},
    "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    "layers": {"type": "int", "low": 1, "high": 8},
    "act": ["relu", "tanh", "gelu"],
}


def objective(p: dict) -> float:
    return (p["x"] - 1) ** 2 + (p["layers"] - 3) ** 2 + (p["act"] == "tanh") + p["lr"]


@pytest.fixture
def process_planners():
    planners = ProcessPlanners()
    yield planners
    planners.close()


def _study(studies: Studies, strategy: str, n_trials: int = 24) -> str:
    body = {
        "space": SPACE,
        "direction": "minimize",
        "strategy": strategy,
        "n_trials": n_trials,
        "random_state": 3,
    }
    return studies.create("me", body).study.id


def _run(studies: Studies, study_id: str, planners, turns: int, count: int = 2, hook=None):
    """Ask ``count``, report them, ``turns`` times: every trial handed out, in order."""
    handed = []
    for turn in range(turns):
        if hook:
            hook(turn)
        items = studies.suggest("me", study_id, count, planners).items
        handed += [(t.number, t.params) for t in items]
        for t in items:
            studies.report("me", study_id, t.number, {"value": objective(t.params)})
    return handed


@pytest.mark.parametrize("strategy", ["bayesian", "random"])
def test_a_planner_process_suggests_what_a_planner_here_would(
    settings, sessions, process_planners, strategy
):
    studies = Studies(settings, sessions)
    here = _run(studies, _study(studies, strategy), LocalPlanners(), 10)
    there = _run(studies, _study(studies, strategy), process_planners, 10)
    assert len(here) == 20
    assert there == here


def test_a_killed_planner_process_is_started_again_and_loses_nothing(
    settings, sessions, process_planners
):
    studies = Studies(settings, sessions)
    here = _run(studies, _study(studies, "bayesian"), LocalPlanners(), 10)
    pids = []

    def kill_now_and_then(turn: int) -> None:
        if turn in (4, 7):  # the 10 startup trials told, then TPE's
            pids.append(process_planners._child.pid)
            os.kill(process_planners._child.pid, signal.SIGKILL)
            process_planners._child.wait()

    there = _run(studies, _study(studies, "bayesian"), process_planners, 10, hook=kill_now_and_then)
    assert there == here
    assert len(set(pids)) == 2 and process_planners._child.pid not in pids


def test_a_planner_the_process_dropped_is_built_again(settings, sessions, process_planners):
    studies = Studies(settings, sessions)
    here = _run(studies, _study(studies, "bayesian"), LocalPlanners(), 8)
    study_id = _study(studies, "bayesian")
    first = _run(studies, study_id, process_planners, 6)
    # a second API-side memory: the child knows the study, this one thinks it told it all
    other = ProcessPlanners()
    other._sock, other._child = process_planners._sock, process_planners._child
    other._told[study_id] = set(range(12))
    process_planners._sock = process_planners._child = None  # the child is other's now
    try:
        process_planners._told.clear()
        rest = _run(studies, study_id, process_planners, 2)  # a new child: "lost", then fresh
    finally:
        other.close()
    assert first + rest == here


def test_the_pruner_answers_through_the_process(settings, sessions, process_planners):
    studies = Studies(settings, sessions)
    body = {"space": {"x": {"type": "float", "low": 0, "high": 1}}, "direction": "minimize"}
    study_id = studies.create("me", {**body, "strategy": "bayesian", "n_trials": 30}).study.id
    for _ in range(12):  # finished trials whose curve ends low
        (trial,) = studies.suggest("me", study_id, 1, process_planners).items
        for step in range(3):
            studies.intermediate("me", study_id, trial.number, step, 0.1, process_planners)
        studies.report("me", study_id, trial.number, {"value": 0.1})
    (bad,) = studies.suggest("me", study_id, 1, process_planners).items
    stops = [
        studies.intermediate("me", study_id, bad.number, step, 5.0, process_planners)
        for step in range(3)
    ]
    assert stops[-1] is True
    (good,) = studies.suggest("me", study_id, 1, process_planners).items
    assert studies.intermediate("me", study_id, good.number, 0, 0.05, process_planners) is False


def test_the_planner_process_answers_on_a_non_blocking_socket_and_stops_when_it_closes():
    # gevent's sockets are non-blocking, and the child inherits its end's flag
    ours, theirs = socket.socketpair()
    theirs.setblocking(False)
    child = subprocess.Popen(
        [sys.executable, "-m", "models.study_planners", str(theirs.fileno())],
        pass_fds=[theirs.fileno()],
    )
    theirs.close()
    assert _receive(ours) == {"ready": True}
    spec = {"space": SPACE, "direction": "minimize", "strategy": "random", "n_trials": 4}
    _send(ours, {"op": "propose", "study": "s", "spec": spec, "rows": [], "next": 0, "want": 2})
    assert [n for n, _ in _receive(ours)["items"]] == [0, 1]
    ours.close()
    assert child.wait(timeout=60) == 0


def test_a_request_the_planner_cannot_answer_is_an_error_not_a_lost_planner():
    ours, theirs = socket.socketpair()
    spec = {"space": SPACE, "direction": "minimize", "strategy": "bayesian", "n_trials": 4}
    _send(ours, {"op": "propose", "study": "s", "spec": spec, "rows": [], "next": 0, "want": 1})
    _send(ours, {"op": "propose", "study": "t", "spec": None, "rows": [], "next": 0, "want": 1})
    bad = {"number": 0, "state": "succeeded", "value": 1.0}  # no params
    _send(ours, {"op": "propose", "study": "s", "spec": None, "rows": [bad], "next": 1, "want": 1})
    _send(ours, {"op": "propose", "study": "s", "spec": None, "rows": [], "next": 1, "want": 1})
    ours.shutdown(socket.SHUT_WR)
    serve(theirs)
    ready, first, unknown, failed, after = (_receive(ours) for _ in range(5))
    assert ready == {"ready": True}
    assert len(first["items"]) == 1 and first["exhausted"] is False
    assert unknown == {"lost": True}
    assert "error" in failed
    assert after == {"lost": True}  # the planner that failed is not trusted again
