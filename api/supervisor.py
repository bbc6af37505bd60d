"""``tuneforge serve``'s supervisor: it runs each role (the API, a worker, a webhook worker)
as a process of its own, starts again one that exits, and stops them all on a signal.

- **A role that exits before it ever came up** cannot start (the port taken, a bad
  setting): starting it again would fail the same way, forever. ``serve`` stops the other
  roles gracefully and exits 1, with one line naming the role and its exit code (the
  role's own output says why). A role is up once its probe says so (``Role.is_up``; see
  ``api/role_probes.py``), or, without a probe, once it stayed alive :data:`UP_AFTER_S`.
- **A role that exits after it was up once** (a crash, a SIGKILL, an out-of-memory kill)
  is started again after :data:`RESTART_FIRST_DELAY_S`, doubling at each exit in a row up
  to :data:`RESTART_MAX_DELAY_S`, for as long as ``serve`` runs, even if each new start
  fails at once (a crash loop: what killed it may pass, a database or broker back); a
  role that stayed up :data:`STABLE_AFTER_S` starts over from the first delay. The other
  roles go on serving meanwhile. Each exit and each start is logged. What the dead role
  left in its process group (a gunicorn worker still holding the port, a pool process) is
  killed first.
- **SIGTERM, SIGINT or SIGHUP:** a graceful stop. Each role's main process gets SIGTERM and
  stops within its own grace period (``API_STOP_GRACE_S``, ``WORKER_STOP_GRACE_S``). After
  :data:`SERVE_STOP_GRACE_S`, what is left of any role is killed. More SIGTERMs change
  nothing (systemd and ``kill -TERM -PGID`` send one to every process).
- **A second SIGINT (Ctrl-C twice) or SIGQUIT:** stop now: every role's process group is
  killed, and ``serve`` exits 1.

Each role runs in a session of its own, so a terminal's Ctrl-C reaches only this process
(which stops the roles gracefully), and ``killpg`` reaches a role's whole tree (gunicorn's
workers, the pool and trial processes). A role's processes get SIGTERM if this process
dies without stopping them (PR_SET_PDEATHSIG).

Signal handlers write the signal's number to a pipe, nothing else; the loop below reads
it (a handler runs wherever the main thread was, and must not wait on anything that code
may hold: see ``tasks/shutdown.py``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("tuneforge.serve")

RESTART_FIRST_DELAY_S = 1.0
RESTART_MAX_DELAY_S = 30.0
# A role up this long counts as healthy: its next exit is restarted after the first delay.
STABLE_AFTER_S = 60.0
# A role without a probe is up (it has started) once it stayed alive this long.
UP_AFTER_S = 5.0
# How often the loop looks at its roles when no signal wakes it.
POLL_S = 0.2
# How often a role not up yet is probed (the API's probe is an HTTP request).
PROBE_EVERY_S = 0.5
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@dataclass
class Role:
    """One supervised process: its name, command line and environment, how to tell it is
    up (``is_up``; ``None``: alive :data:`UP_AFTER_S`), and its state."""

    name: str
    command: list[str]
    env: dict[str, str]
    is_up: Callable[[Role], bool] | None = None
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    # the start's wall-clock time, for probes that compare it to a file's mtime
    started_wall: float = 0.0
    # whether it was ever up: from then on, an exit is restarted rather than fatal
    was_up: bool = False
    probed_at: float = 0.0
    exits_in_a_row: int = 0
    restart_at: float | None = None
    starts: int = 0

    def delay(self) -> float:
        """The wait before the next start, after ``exits_in_a_row`` exits in a row."""
        return min(RESTART_MAX_DELAY_S, RESTART_FIRST_DELAY_S * 2 ** (self.exits_in_a_row - 1))


class Supervisor:
    """Runs ``roles`` until a stop signal; see the module's docstring."""

    def __init__(
        self, roles: list[Role], grace_s: float, preexec_fn: Callable[[], None] | None = None
    ) -> None:
        self.roles = roles
        self.grace_s = grace_s
        self.preexec_fn = preexec_fn
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self._interrupts = 0

    def on_signal(self, signum: int, _frame: object) -> None:
        """The handler: the signal's number into the pipe, nothing else."""
        with contextlib.suppress(BlockingIOError):
            os.write(self._write, bytes([signum]))

    def run(self) -> int:
        """Start every role, keep them up until a stop signal, stop them; the exit code:
        0 if every role stopped within its grace period, 1 otherwise, and 1 when a role
        could not start (it exited before it ever came up: the others are stopped)."""
        for signum in (*STOP_SIGNALS, signal.SIGQUIT):
            signal.signal(signum, self.on_signal)
        for role in self.roles:
            self._start(role)
        while True:
            signals = self._wait(POLL_S)
            if signals:
                break
            failed = self._look_after_roles()
            if failed is not None:
                self._stop()
                log.error("exiting 1: %s could not start (see its output above)", failed.name)
                return 1
        if self._now(signals):
            return self._kill_all("stop now")
        return self._stop()

    # running ------------------------------------------------------------------------

    def _wait(self, seconds: float) -> list[int]:
        """The signals received within ``seconds`` (an empty list when none came)."""
        ready, _, _ = select.select([self._read], [], [], seconds)
        return list(os.read(self._read, 4096)) if ready else []

    def _now(self, signals: list[int]) -> bool:
        """Whether ``signals`` ask to stop at once: SIGQUIT, or a second SIGINT."""
        self._interrupts += signals.count(signal.SIGINT)
        return signal.SIGQUIT in signals or self._interrupts > 1

    def _start(self, role: Role) -> None:
        role.proc = subprocess.Popen(
            role.command, env=role.env, start_new_session=True, preexec_fn=self.preexec_fn
        )
        role.started_at = time.monotonic()
        role.started_wall = time.time()
        role.probed_at = 0.0
        role.restart_at = None
        role.starts += 1
        if role.starts > 1:
            log.warning("%s started again (pid %d)", role.name, role.proc.pid)

    def _look_after_roles(self) -> Role | None:
        """Restart the roles that exited; the role that could not start, if one."""
        now = time.monotonic()
        for role in self.roles:
            if role.proc is not None and role.proc.poll() is not None:
                # it may have come up since the last probe (a worker's heartbeat stays);
                # not the time alive: it exited some time before ``now``
                came_up = role.is_up is not None and role.is_up(role)
                if not (role.was_up or came_up):
                    self._could_not_start(role)
                    return role
                role.was_up = True
                self._exited(role, now)
            elif role.proc is not None and not role.was_up:
                self._probe(role, now)
            if role.restart_at is not None and now >= role.restart_at:
                self._start(role)
        return None

    def _probe(self, role: Role, now: float) -> None:
        if role.is_up is not None and now - role.probed_at < PROBE_EVERY_S:
            return
        role.probed_at = now
        if role.is_up is None:
            role.was_up = now - role.started_at >= UP_AFTER_S
        else:
            role.was_up = role.is_up(role)
        if role.was_up:
            log.info("%s is up (after %.0f s)", role.name, now - role.started_at)

    def _could_not_start(self, role: Role) -> None:
        assert role.proc is not None
        code = role.proc.returncode
        _kill_group(role.proc.pid)
        role.proc = None
        log.error("%s could not start (%s); stopping the other roles", role.name, _describe(code))

    def _exited(self, role: Role, now: float) -> None:
        assert role.proc is not None
        code, pid = role.proc.returncode, role.proc.pid
        _kill_group(pid)  # what it left: workers, pool and trial processes
        up = now - role.started_at
        role.exits_in_a_row = 1 if up >= STABLE_AFTER_S else role.exits_in_a_row + 1
        role.restart_at = now + role.delay()
        role.proc = None
        log.error(
            "%s exited (%s) after %.0f s; starting it again in %g s (exit %d in a row)",
            role.name,
            _describe(code),
            up,
            role.delay(),
            role.exits_in_a_row,
        )

    # stopping -----------------------------------------------------------------------

    def _stop(self) -> int:
        """SIGTERM to each role, then wait for them, up to ``grace_s``; a second SIGINT or
        a SIGQUIT meanwhile, or the grace period over, kills what is left."""
        log.info("stopping every role (at most %g s)", self.grace_s)
        running = [r for r in self.roles if r.proc is not None]
        for role in running:
            assert role.proc is not None
            with contextlib.suppress(ProcessLookupError):
                role.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        clean = True
        while running:
            left = deadline - time.monotonic()
            if left <= 0:
                return self._kill_all(f"still running {self.grace_s:g} s after the stop")
            if self._now(self._wait(min(POLL_S, left))):
                return self._kill_all("stop now")
            for role in list(running):
                assert role.proc is not None
                code = role.proc.poll()
                if code is None:
                    continue
                _kill_group(role.proc.pid)
                running.remove(role)
                clean = clean and code in (0, -signal.SIGTERM)
                log.info("%s stopped (%s)", role.name, _describe(code))
        return 0 if clean else 1

    def _kill_all(self, reason: str) -> int:
        log.warning("%s: killing every role's processes", reason)
        for role in self.roles:
            if role.proc is not None:
                _kill_group(role.proc.pid)
                role.proc.wait()
        return 1


def _kill_group(pgid: int) -> None:
    """SIGKILL every process left in a role's process group (its session)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
