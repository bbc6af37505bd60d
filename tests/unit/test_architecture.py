"""Dependencies run one way: models/ imports neither Flask nor Celery; tasks/ not api/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imported_roots(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        roots = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                roots.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = roots
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("models", {"flask", "flask_smorest", "celery", "kombu", "billiard", "api", "tasks"}),
        ("tasks", {"flask", "flask_smorest", "api"}),
    ],
)
def test_dependencies_run_one_way(package, forbidden):
    offenders = {
        path: roots & forbidden
        for path, roots in imported_roots(package).items()
        if roots & forbidden
    }
    assert offenders == {}
