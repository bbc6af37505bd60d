"""``tuneforge serve``'s supervisor (api/supervisor.py) on stand-in roles: a role that exits
is started again after a delay that doubles up to a cap, and starts over once the role
stayed up a while; the others run on; a SIGTERM stops everything."""

from __future__ import annotations

import itertools
import re
import signal
import subprocess
import sys
import textwrap
import time

from api.supervisor import RESTART_FIRST_DELAY_S, RESTART_MAX_DELAY_S, Role
from tests.integration.conftest import ROOT

SCRIPT = textwrap.dedent(
    """
    import logging, sys
    from api import supervisor
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    supervisor.STABLE_AFTER_S = {stable}
    python = sys.executable
    roles = [
        supervisor.Role("steady", [python, "-c", "import time; time.sleep(60)"], {{}}),
        supervisor.Role("crashing", [python, "-c", "import time; time.sleep({up}); exit(3)"], {{}}),
    ]
    sys.stdout.flush()
    sys.exit(supervisor.Supervisor(roles, grace_s=10).run())
    """
)


def supervise(seconds: float, stable: float, up: float) -> tuple[int, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT.format(stable=stable, up=up)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    time.sleep(seconds)
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


def test_a_role_that_keeps_exiting_is_started_again_later_each_time_and_the_others_run_on():
    code, lines = supervise(seconds=5, stable=60, up=0)
    exits = [line for line in lines if line.startswith("crashing exited (exit code 3)")]
    delays = [re.search(r"again in (\S+) s", line).group(1) for line in exits[:3]]
    assert delays == ["1", "2", "4"]
    assert any(line.startswith("crashing started again") for line in lines)
    assert not any(line.startswith("steady exited") for line in lines)
    # the stop: the steady role stopped by its SIGTERM, the crashing one not restarted
    assert "steady stopped (killed by SIGTERM)" in lines and code == 0


def test_a_role_that_stayed_up_a_while_starts_over_from_the_first_delay():
    _, lines = supervise(seconds=5, stable=0.5, up=0.6)
    exits = [line for line in lines if line.startswith("crashing exited (exit code 3)")]
    assert len(exits) >= 2
    assert all("again in 1 s (exit 1 in a row)" in line for line in exits)
