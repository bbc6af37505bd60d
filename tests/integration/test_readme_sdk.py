"""The README's SDK example, run as written in a fresh virtual environment.

A new user copies the install line and the example; so does this test: a new venv,
``pip install "sdk/python[model]"`` (the packages from PyPI, through pip's cache), the
README's first Python block with the live service's URL, and mypy over it with that
venv's packages. One venv serves the whole session: creating it is most of the cost.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
README_URL = "http://127.0.0.1:8000"


def readme_example() -> str:
    """The first ``python`` block of the README's "Python SDK" section."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Python SDK\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's Python SDK section has no python example"
    return match.group(1)


def run(command: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TUNEFORGE_")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="session")
def fresh_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with only ``tuneforge-client[model]`` installed, as the README says."""
    base = tmp_path_factory.mktemp("fresh")
    # a copy, so that building it leaves nothing in the working tree
    source = base / "python"
    shutil.copytree(
        ROOT / "sdk" / "python",
        source,
        ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".*_cache"),
    )
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
    python = base / "venv" / "bin" / "python"
    installed = run([str(python), "-m", "pip", "install", "-q", f"{source}[model]"], base, 900)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    print(f"fresh venv with tuneforge-client[model]: {time.monotonic() - started:.0f} s")
    return python


@pytest.fixture
def workdir(tmp_path: Path, breast_cancer_csv: bytes) -> Path:
    (tmp_path / "breast_cancer.csv").write_bytes(breast_cancer_csv)
    return tmp_path


def test_the_readme_example_runs_as_written(fresh_python, shared_service, workdir):
    # given the README's example pointed at the live service
    example = readme_example()
    assert README_URL in example
    (workdir / "example.py").write_text(example.replace(README_URL, shared_service.url))

    # when it runs in the fresh venv
    done = run([str(fresh_python), "example.py"], workdir, 300)

    # then the job succeeded, the best kNN is printed, and the model predicted five rows
    assert done.returncode == 0, done.stdout + done.stderr
    status_line, predictions = done.stdout.strip().splitlines()[-2:]
    assert status_line.startswith("succeeded {'n_neighbors': "), done.stdout
    assert re.fullmatch(r"\[[01]( [01]){4}\]", predictions), done.stdout


def mypy(fresh_python: Path, source: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """mypy (the dev venv's) over ``source`` as user code, with the fresh venv's packages;
    pandas ships no types, so only its untyped import is let through."""
    (folder / "example.py").write_text(source)
    command = [sys.executable, "-m", "mypy", "--python-executable", str(fresh_python)]
    options = ["--disable-error-code", "import-untyped", "--no-incremental", "example.py"]
    return run(command + options, folder, 300)


def test_the_readme_example_type_checks(fresh_python, tmp_path):
    # when mypy checks the example, nothing is reported
    checked = mypy(fresh_python, readme_example(), tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # and the SDK's types were read (not skipped): a misuse of a result is caught
    broken = readme_example().replace("result.best_score)", "result.best_score + 'x')")
    assert broken != readme_example()
    misuse = mypy(fresh_python, broken, tmp_path)
    assert misuse.returncode == 1 and 'Unsupported operand types for + ("float"' in misuse.stdout


def test_a_typo_in_the_readme_example_raises_naming_the_field(
    fresh_python, shared_service, workdir
):
    # given the example with the target misspelt
    example = readme_example().replace(README_URL, shared_service.url)
    assert 'target="target"' in example
    (workdir / "typo.py").write_text(example.replace('target="target"', 'target="targte"'))

    # when it runs
    done = run([str(fresh_python), "typo.py"], workdir, 120)

    # then it stops with a ValidationError that names the field and the wrong value
    assert done.returncode == 1, done.stdout + done.stderr
    last = done.stderr.strip().splitlines()
    error = "\n".join(line for line in last if not line.startswith(" "))
    assert "tuneforge.errors.ValidationError: 422" in error, done.stderr
    assert "target: the dataset has no column 'targte'" in done.stderr
