"""The lock files: ``requirements.lock`` is what the service runs (``make run`` and the image
install only it), ``requirements-dev.lock`` the same versions plus the tools that test it
(``make test`` installs it on top), and ``make lock`` writes both from ``pyproject.toml``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "requirements.lock"
DEV = ROOT / "requirements-dev.lock"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==(?P<version>[^\s\\]+)", re.M)


def pins(lock: Path) -> dict[str, str]:
    """Each package the lock pins, by canonical name: its version."""
    return {canonicalize_name(m["name"]): m["version"] for m in PIN.finditer(lock.read_text())}


def names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def makefile_recipe(target: str) -> list[str]:
    """The recipe lines of ``target`` in the Makefile, ``$(BIN)/`` dropped."""
    text = (ROOT / "Makefile").read_text()
    block = re.search(rf"^{re.escape(target)}:[^\n]*\n((?:\t[^\n]*\n)+)", text, re.M)
    assert block, f"no rule for {target} in the Makefile"
    return [line.strip().replace("$(BIN)/", "") for line in block[1].splitlines()]


def test_every_runtime_dependency_is_in_the_runtime_lock():
    missing = names(PROJECT["dependencies"]) - set(pins(RUNTIME))
    assert missing == set(), "run `make lock`"


def test_no_development_tool_is_in_the_runtime_lock():
    # (none of them is a dependency of a runtime package either: the image stays lean)
    tools = names(PROJECT["optional-dependencies"]["dev"]) - names(PROJECT["dependencies"])
    assert tools & set(pins(RUNTIME)) == set()
    assert tools <= set(pins(DEV))


def test_the_dev_lock_has_each_runtime_package_at_the_same_version():
    # `make test` installs it over `make run`'s environment: it must change nothing there,
    # so the tests run the versions the image ships
    runtime, dev = pins(RUNTIME), pins(DEV)
    assert {name: (version, dev.get(name)) for name, version in runtime.items()} == {
        name: (version, version) for name, version in runtime.items()
    }


@pytest.mark.parametrize("lock", [RUNTIME, DEV], ids=lambda p: p.name)
def test_every_pinned_package_has_its_hashes(lock):
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text().split("\n", 2)[2])
    assert entries and all("--hash=sha256:" in entry for entry in entries if PIN.match(entry))


def test_make_lock_writes_both_locks_with_the_commands_their_headers_name():
    # given the commands `make lock` runs
    recipe = makefile_recipe("lock")
    # then each lock names one of them (uv writes its command line, without -q, on top)
    for lock in (RUNTIME, DEV):
        header = lock.read_text().splitlines()[1].lstrip("# ").strip()
        assert header in [line.replace(" -q", "") for line in recipe], lock.name
    # and the dev lock is resolved within the runtime lock's versions
    assert any(f"-c {RUNTIME.name}" in line and DEV.name in line for line in recipe)


def test_make_run_installs_the_runtime_lock_only_and_make_test_the_dev_lock_on_top():
    text = (ROOT / "Makefile").read_text()
    runtime = makefile_recipe("$(RUNTIME)")
    assert any(f"-r {RUNTIME.name}" in line for line in runtime)
    assert not any(DEV.name in line for line in runtime)
    assert any(f"-r {DEV.name}" in line for line in makefile_recipe("$(STAMP)"))
    assert re.search(r"^\$\(STAMP\): \$\(RUNTIME\) ", text, re.M)
    assert re.search(r"^run: \$\(RUNTIME\)$", text, re.M)
    assert re.search(r"^test: \$\(STAMP\)", text, re.M)
