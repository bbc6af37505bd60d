"""Where studies' planners live and do their work: in this process, or in one of their own.

A suggestion's CPU work is the strategy's (TPE's proposal: 5-30 ms of Python). In the
API's gevent process that work held the GIL its event loop needs, so every other request
(``/healthz`` too) waited while clients asked. :class:`ProcessPlanners` keeps the
planners in a child process instead (one per API process, started at its first ask, gone
when the socket to it closes): the API sends the trials a planner was not told yet and
waits on the socket, a greenlet's wait, while the child works on the other core.
:class:`LocalPlanners` keeps them here (what tests, scripts and a threaded server use).

Either way the database stays the one source of truth. A planner is told only trials the
caller read under the study's lock; on any failure the caller forgets the study and its
next ask tells a fresh planner everything. The API's side of :class:`ProcessPlanners`
keeps which trials each child planner was told (``recorded``), so it asks the database
for exactly what :meth:`~models.engine.study.Planner.sync` needs; a child that lost a
planner (restarted, or its least recently used dropped) answers so, and the caller tries
its ask again with a fresh one (:class:`PlannerLost`).

The wire is the child's socket: a 4-byte length and a JSON object each way, never a
pickle (the parameters and values in it are the clients').
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol

from models.engine.study import FINAL_STATES, KnownTrial, Planner, not_told
from models.store.records import Study

Proposed = tuple[list[tuple[int, dict[str, Any]]], bool]
# Planners kept per process (least recently used out): one per study being asked. The
# child keeps more than the API's side remembers, so it seldom answers "lost".
PLANNERS = 256
CHILD_PLANNERS = 2 * PLANNERS
# How long the API waits for the child's answer before it gives up on it.
ANSWER_TIMEOUT_S = 60.0
# The child's niceness above its API process's (see main()).
PLANNER_NICE = 10
_LENGTH = struct.Struct(">I")
_ROOT = Path(__file__).resolve().parent.parent


class PlannerLost(Exception):
    """The child has no planner for the study (or no longer runs): ask again, fresh."""


class Planners(Protocol):
    """What :class:`~models.study_service.Studies` asks of a study's planner."""

    def unknown(self, study: Study, known: Iterable[Any]) -> set[int]:
        """The numbers of ``known`` recorded and not yet told the study's planner."""

    def propose(self, study: Study, whole: list[Any], next_number: int, want: int) -> Proposed:
        """Tell the planner ``whole`` (see :meth:`Planner.sync`), then up to ``want`` new
        trials numbered from ``next_number``, and whether the strategy is exhausted."""

    def intermediate(
        self, study: Study, whole: list[Any], number: int, step: int, value: float
    ) -> bool:
        """Tell the planner ``whole``, then trial ``number``'s value at ``step``: whether
        its pruner would stop the trial."""

    def forget(self, study_id: str) -> None:
        """Drop the study's planner (after a failure, or the study deleted)."""


class _Cache:
    """Planners by study id, least recently used out (safe across threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[str, Planner] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, study_id: str) -> Planner | None:
        with self._lock:
            planner = self._items.get(study_id)
            if planner is not None:
                self._items.move_to_end(study_id)
            return planner

    def put(self, study_id: str, planner: Planner) -> Planner:
        with self._lock:
            self._items[study_id] = planner
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return planner

    def pop(self, study_id: str) -> None:
        with self._lock:
            self._items.pop(study_id, None)


def _propose(planner: Planner, whole: list[Any], next_number: int, want: int) -> Proposed:
    planner.sync(whole)
    return planner.propose(next_number, want)


def _intermediate(planner: Planner, whole: list[Any], number: int, step: int, value: float) -> bool:
    planner.sync(whole)
    return planner.tell_intermediate(number, step, value)


class LocalPlanners:
    """Planners in this process."""

    def __init__(self) -> None:
        self._cache = _Cache(PLANNERS)

    def _planner(self, study: Study) -> Planner:
        return self._cache.get(study.id) or self._cache.put(study.id, Planner.for_spec(study.spec))

    def unknown(self, study: Study, known: Iterable[Any]) -> set[int]:
        return self._planner(study).unknown(known)

    def propose(self, study: Study, whole: list[Any], next_number: int, want: int) -> Proposed:
        return _propose(self._planner(study), whole, next_number, want)

    def intermediate(
        self, study: Study, whole: list[Any], number: int, step: int, value: float
    ) -> bool:
        return _intermediate(self._planner(study), whole, number, step, value)

    def forget(self, study_id: str) -> None:
        self._cache.pop(study_id)


class ProcessPlanners:
    """Planners in a child process (see the module's docstring). One request at a time
    goes over its socket; under gevent the lock and the socket are gevent's, so a request
    waiting for the child waits as a greenlet."""

    def __init__(self) -> None:
        self._told: OrderedDict[str, set[int]] = OrderedDict()  # study -> numbers recorded
        self._lock = threading.Lock()
        self._child: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None

    # What Studies asks ----------------------------------------------------------------------

    def unknown(self, study: Study, known: Iterable[Any]) -> set[int]:
        with self._lock:
            return not_told(self._told.get(study.id, set()), known)

    def propose(self, study: Study, whole: list[Any], next_number: int, want: int) -> Proposed:
        answer = self._ask(study, whole, {"op": "propose", "next": next_number, "want": want})
        return [(n, p) for n, p in answer["items"]], answer["exhausted"]

    def intermediate(
        self, study: Study, whole: list[Any], number: int, step: int, value: float
    ) -> bool:
        ask = {"op": "intermediate", "number": number, "step": step, "value": value}
        return self._ask(study, whole, ask)["stop"]

    def forget(self, study_id: str) -> None:
        with self._lock:
            self._told.pop(study_id, None)

    def start(self) -> None:
        """Start the child now, and wait until it can answer (its imports take a second or
        two: better before a request takes a study's lock than while it holds it)."""
        with self._lock:
            if self._sock is None:
                self._start_child()

    def close(self) -> None:
        """Stop the child (it also stops by itself when this process's end of its socket
        closes)."""
        with self._lock:
            self._stop_child()

    # The child -----------------------------------------------------------------------------

    def _ask(self, study: Study, whole: list[Any], request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            told = self._told.get(study.id)
            request["study"] = study.id
            request["spec"] = study.spec if told is None else None
            request["rows"] = [_row(t) for t in whole]
            answer = self._exchange(request)
            if answer.get("lost"):
                self._told.pop(study.id, None)
                raise PlannerLost(f"the planner process has no planner for study {study.id}")
            if "error" in answer:
                self._told.pop(study.id, None)
                raise RuntimeError(f"the planner process failed: {answer['error']}")
            told = self._told.setdefault(study.id, set()) if told is None else told
            told.update(t.number for t in whole if t.state in FINAL_STATES)
            self._told.move_to_end(study.id)
            while len(self._told) > PLANNERS:
                self._told.popitem(last=False)
            return answer

    def _exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        """One request and its answer; a child that fails to answer is stopped, everything
        it was told forgotten, and the caller told to ask again (:class:`PlannerLost`)."""
        sock = self._sock or self._start_child()
        try:
            _send(sock, request)
            return _receive(sock)
        except (OSError, EOFError) as exc:
            self._stop_child()
            raise PlannerLost(f"the planner process stopped answering ({exc})") from exc

    def _start_child(self) -> socket.socket:
        ours, theirs = socket.socketpair()
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(_ROOT), os.environ.get("PYTHONPATH")])),
            "OMP_NUM_THREADS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
        try:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "models.study_planners", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                env=env,
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        ours.settimeout(ANSWER_TIMEOUT_S)
        self._sock = ours
        try:
            _receive(ours)  # ready
        except (OSError, EOFError) as exc:
            self._stop_child()
            raise PlannerLost(f"the planner process did not start ({exc})") from exc
        return ours

    def _stop_child(self) -> None:
        self._told.clear()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self._child is not None:
            self._child.kill()
            self._child.wait()
            self._child = None


def _row(trial: KnownTrial) -> dict[str, Any]:
    return {
        "number": trial.number,
        "params": trial.params,
        "state": trial.state,
        "value": trial.value,
        "intermediate": trial.intermediate,
    }


def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    body = json.dumps(message, allow_nan=False).encode()
    sock.sendall(_LENGTH.pack(len(body)) + body)


def _receive(sock: socket.socket) -> dict[str, Any]:
    (length,) = _LENGTH.unpack(_read(sock, _LENGTH.size))
    return json.loads(_read(sock, length))


def _read(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the socket")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# The child's side ---------------------------------------------------------------------------


def serve(sock: socket.socket) -> None:
    """Say ready, then answer requests until the other end closes the socket."""
    cache = _Cache(CHILD_PLANNERS)
    Planner.for_spec(_WARM_UP)  # TPE's imports, before the first request waits on them
    _send(sock, {"ready": True})
    while True:
        try:
            request = _receive(sock)
        except EOFError:
            return
        _send(sock, _answer(cache, request))


_WARM_UP = {
    "space": {"x": {"type": "float", "low": 0, "high": 1}},
    "direction": "minimize",
    "strategy": "bayesian",
    "n_trials": 1,
}


def _answer(cache: _Cache, request: dict[str, Any]) -> dict[str, Any]:
    study_id = request["study"]
    if request["spec"] is not None:
        planner = cache.put(study_id, Planner.for_spec(request["spec"]))
    elif (planner := cache.get(study_id)) is None:
        return {"lost": True}
    whole = [SimpleNamespace(**row) for row in request["rows"]]
    try:
        if request["op"] == "propose":
            items, exhausted = _propose(planner, whole, request["next"], request["want"])
            return {"items": items, "exhausted": exhausted}
        number, step, value = request["number"], request["step"], request["value"]
        return {"stop": _intermediate(planner, whole, number, step, value)}
    except Exception as exc:  # the API's caller reports it; this planner is not trusted
        cache.pop(study_id)
        return {"error": f"{type(exc).__name__}: {exc}"}


def main(argv: list[str]) -> None:
    # The API's process stops this one by closing the socket; a terminal's Ctrl-C reaches
    # the whole process group, and the API's shutdown is the one to answer it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Below the API's processes: when the cores are busy, a suggestion waits, not the event
    # loop that answers every other request.
    os.nice(PLANNER_NICE)
    sock = socket.socket(fileno=int(argv[1]))
    sock.setblocking(True)  # made under gevent, the parent's end was non-blocking
    serve(sock)


if __name__ == "__main__":
    main(sys.argv)
