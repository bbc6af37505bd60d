"""Dependencies run one way.

``models/`` imports neither Flask nor Celery; ``tasks/`` does not import ``api/``; and
inside ``models/``, the engine (``models/engine``) imports no database code and nothing
from the store (``models/store``), so a search can run with no database at all. The
plumbing (``models/plumbing``: logs, metrics, keys, rate limits, the webhook HTTP client)
knows nothing of searches: it imports no engine, documents or service (the key ring reads
its keys through the store).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(package: str) -> dict[str, set[str]]:
    """Each module of ``package`` and the absolute module names it imports."""
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names |= {f"{node.module}.{alias.name}" for alias in node.names}
        found[str(path.relative_to(ROOT))] = names
    return found


def offenders(package: str, forbidden: set[str]) -> dict[str, set[str]]:
    def bad(name: str) -> bool:
        return any(name == f or name.startswith(f + ".") for f in forbidden)

    found = {}
    for path, names in imported_modules(package).items():
        hits = {n for n in names if bad(n)}
        if hits:
            found[path] = hits
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("models", {"flask", "flask_smorest", "celery", "kombu", "billiard", "api", "tasks"}),
        ("tasks", {"flask", "flask_smorest", "api"}),
        ("models/engine", {"sqlalchemy", "alembic", "models.store", "models.service"}),
        (
            "models/plumbing",
            {
                "models.engine",
                "models.documents",
                "models.service",
                "models.job_run",
            },
        ),
    ],
)
def test_dependencies_run_one_way(package, forbidden):
    assert offenders(package, forbidden) == {}


def test_the_check_sees_a_forbidden_import(tmp_path, monkeypatch):
    """Given a module that imports the store from the engine, the check names it."""
    engine = tmp_path / "models" / "engine"
    engine.mkdir(parents=True)
    (engine / "bad.py").write_text("from models.store.records import Job\nimport sqlalchemy\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    found = offenders("models/engine", {"sqlalchemy", "models.store"})
    assert found == {
        "models/engine/bad.py": {"sqlalchemy", "models.store.records", "models.store.records.Job"}
    }
