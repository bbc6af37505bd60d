"""How ``tuneforge serve`` tells that one of its roles has come up (``api/supervisor.py``).

A role that exits before it ever came up cannot start (the port taken, a bad setting) and
ends ``serve``; one that was up once is started again. So "up" must not be fooled by
somebody else:

- **the API** is up once its own process (gunicorn's arbiter, the role's main process)
  holds the listening socket on the port *and* ``/healthz`` answers 200 there. ``/healthz``
  alone would pass when another service already holds the port, which is just the case to
  catch; the socket alone would pass while the app fails to load in gunicorn's workers.
- **a worker** is up once it wrote its heartbeat (``models/plumbing/liveness.py``) after it was
  started: it has loaded, and it is connected to the broker. An older file, from a worker
  that ran before, does not count.

Linux only (``/proc``), like the rest of ``serve`` (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import http.client
import os
from collections.abc import Callable
from pathlib import Path

from api import POLL_HEADER
from api.supervisor import Role

HEALTHZ_TIMEOUT_S = 1.0
# /proc/net/tcp's state column: 0A is LISTEN.
_LISTEN = "0A"


def api_is_up(host: str, port: int) -> Callable[[Role], bool]:
    """The probe of an API bound to ``host``:``port``."""
    target = _reachable(host)

    def probe(role: Role) -> bool:
        return (
            role.proc is not None
            and listens_on(role.proc.pid, port)
            and _answers_healthz(target, port)
        )

    return probe


def worker_is_up(heartbeat: Path) -> Callable[[Role], bool]:
    """The probe of a worker that beats in ``heartbeat``."""

    def probe(role: Role) -> bool:
        try:
            return heartbeat.stat().st_mtime >= role.started_wall
        except OSError:
            return False

    return probe


def listens_on(pid: int, port: int) -> bool:
    """Whether process ``pid`` itself holds a TCP socket listening on ``port``."""
    listening = _listening_inodes(port)
    if not listening:
        return False
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in listening:
                    return True
    return False


def _listening_inodes(port: int) -> set[str]:
    """``socket:[inode]`` of every TCP socket listening on ``port`` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError), open(table) as lines:
            next(lines, None)  # the header
            for line in lines:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == _LISTEN and int(local.rsplit(":", 1)[1], 16) == port:
                    found.add(f"socket:[{inode}]")
    return found


def _reachable(host: str) -> str:
    """Where to reach a server bound to ``host``: a wildcard address means loopback."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


def _answers_healthz(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=HEALTHZ_TIMEOUT_S)
    try:
        connection.request("GET", "/healthz", headers={POLL_HEADER: "serve"})
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()
