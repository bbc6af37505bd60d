"""``tuneforge serve``'s supervisor (api/supervisor.py) on stand-in roles: a role that exits
before it ever came up ends ``serve`` with 1, the others stopped; one that was up once is
started again after a delay that doubles up to a cap, and starts over once the role stayed
up a while; the others run on; a SIGTERM stops everything."""

from __future__ import annotations

import contextlib
import itertools
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from api.supervisor import RESTART_FIRST_DELAY_S, RESTART_MAX_DELAY_S, Role
from tests.integration.conftest import ROOT

SCRIPT = textwrap.dedent(
    """
    import logging, os, sys
    from api import supervisor
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    supervisor.STABLE_AFTER_S = {stable}
    supervisor.UP_AFTER_S = {up_after}
    python = sys.executable
    # the crashing role stays up {first_up} s on its first start, {up} s on the next ones
    crash = (
        "import os, sys, time; seen = os.path.exists(sys.argv[1]); open(sys.argv[1], 'a').close();"
        "time.sleep({up} if seen else {first_up}); exit(3)"
    )
    roles = [
        supervisor.Role("steady", [python, "-c", "import time; time.sleep(60)"], {{}}),
        supervisor.Role("crashing", [python, "-c", crash, {marker!r}], {{}}, {is_up}),
    ]
    sys.stdout.flush()
    sys.exit(supervisor.Supervisor(roles, grace_s=10).run())
    """
)


def supervise(
    tmp_path: Path,
    seconds: float,
    stable: float,
    up: float,
    first_up: float | None = None,
    up_after: float = 0.3,
    probe: bool = False,
) -> tuple[int, list[str]]:
    """Run the stand-in roles ``seconds`` (or until the supervisor exits), then SIGTERM.
    With ``probe``, the crashing role is up once it has started (its marker file exists)."""
    first_up = up if first_up is None else first_up
    marker = str(tmp_path / "crashing-started")
    is_up = f"lambda role: os.path.exists({marker!r})" if probe else "None"
    script = SCRIPT.format(
        stable=stable, up=up, first_up=first_up, up_after=up_after, marker=marker, is_up=is_up
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=seconds)
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    return proc.returncode, out.splitlines()


def test_the_delay_doubles_from_the_first_up_to_the_cap():
    role = Role("r", [], {})
    delays = []
    for exits in range(1, 10):
        role.exits_in_a_row = exits
        delays.append(role.delay())
    assert delays[0] == RESTART_FIRST_DELAY_S
    assert all(b == min(2 * a, RESTART_MAX_DELAY_S) for a, b in itertools.pairwise(delays))
    assert delays[-1] == RESTART_MAX_DELAY_S


def test_a_role_that_exits_before_it_ever_came_up_ends_serve_with_1_and_stops_the_others(
    tmp_path,
):
    # the port taken, a bad setting: starting it again would fail again, forever
    code, lines = supervise(tmp_path, seconds=30, stable=60, up=0, up_after=5)
    assert code == 1
    assert "crashing could not start (exit code 3); stopping the other roles" in lines
    assert lines[-1] == "exiting 1: crashing could not start (see its output above)"
    assert not any(line.startswith("crashing started again") for line in lines)
    assert "steady stopped (killed by SIGTERM)" in lines


def test_a_role_whose_probe_says_it_came_up_is_started_again_though_it_died_at_once(tmp_path):
    # it came up and died between two looks (a worker killed right after its first beat)
    code, lines = supervise(tmp_path, seconds=4, stable=60, up=0, up_after=60, probe=True)
    assert not any("could not start" in line for line in lines)
    assert any(line.startswith("crashing started again") for line in lines)
    assert code == 0


def test_a_role_that_was_up_then_keeps_exiting_is_started_again_later_each_time(tmp_path):
    # up once (alive 2 s > UP_AFTER_S), then a crash loop: it exits at once on every restart
    code, lines = supervise(tmp_path, seconds=9, stable=60, up=0, first_up=2)
    exits = [line for line in lines if line.startswith("crashing exited (exit code 3)")]
    delays = [re.search(r"again in (\S+) s", line).group(1) for line in exits[:3]]
    assert delays == ["1", "2", "4"]
    assert any(line.startswith("crashing started again") for line in lines)
    assert not any(line.startswith("steady exited") for line in lines)
    # the stop: the steady role stopped by its SIGTERM, the crashing one not restarted
    assert "steady stopped (killed by SIGTERM)" in lines and code == 0


def test_a_role_that_stayed_up_a_while_starts_over_from_the_first_delay(tmp_path):
    _, lines = supervise(tmp_path, seconds=8, stable=1, up=2)
    exits = [line for line in lines if line.startswith("crashing exited (exit code 3)")]
    assert len(exits) >= 2
    assert all("again in 1 s (exit 1 in a row)" in line for line in exits)
