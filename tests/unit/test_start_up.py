"""What a process the CLI starts imports before it execs gunicorn or Celery.

``tuneforge api`` and ``tuneforge worker`` import ``api.launcher`` (and so the ``api`` package),
migrate, then exec the server, which imports what it needs itself. The app's modules
(scikit-learn, pandas, Flask, the service core) took 3 to 4 s of every start when they
came with the package: every end-to-end test paid that twice per service it started.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "pandas", "flask", "flask_smorest", "models.service", "api.jobs")


def modules_after(statement: str) -> set[str]:
    """The HEAVY modules loaded in a fresh interpreter after ``statement``."""
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1])) & set(HEAVY)


def test_the_cli_imports_none_of_the_app():
    assert modules_after("import api.launcher") == set()


def test_the_gunicorn_config_imports_none_of_the_app():
    # gunicorn's master loads it; the app loads in the worker it forks
    assert modules_after("import api.gunicorn_config") == set()


def test_the_check_sees_the_app_once_it_is_loaded():
    assert set(HEAVY) <= modules_after("import api.jobs")
