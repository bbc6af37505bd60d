"""sdk/python is what openapi-python-client generates from the committed openapi.yaml."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SDK = ROOT / "sdk" / "python"


def load_generator():
    spec = importlib.util.spec_from_file_location("sdk_generate", ROOT / "sdk" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def is_artifact(relative: Path) -> bool:
    """What Python and pip write into sdk/python when the client is imported or installed
    (`pip install ./sdk/python` builds in place): never generated, never committed."""
    parts = relative.parts
    return (
        "__pycache__" in parts
        or parts[0] in {"build", "dist"}
        or any(part.endswith(".egg-info") for part in parts)
    )


def files(root: Path, skip_artifacts: bool = False) -> dict[str, bytes]:
    """Every file under root, by relative path."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not (skip_artifacts and is_artifact(relative)):
            found[relative.as_posix()] = path.read_bytes()
    return found


def test_sdk_is_what_the_generator_makes_of_openapi_yaml(tmp_path):
    fresh = tmp_path / "python"
    load_generator().generate(fresh, ROOT / "openapi.yaml")
    # every generated file counts; only build artifacts next to the committed ones do not
    expected, committed = files(fresh), files(SDK, skip_artifacts=True)
    assert expected, "the generator wrote nothing"
    missing = sorted(expected.keys() - committed.keys())
    extra = sorted(committed.keys() - expected.keys())
    changed = sorted(p for p in expected.keys() & committed.keys() if expected[p] != committed[p])
    assert not (missing or extra or changed), (
        "sdk/python is stale (it is not what openapi-python-client generates from "
        f"openapi.yaml): run `make sdk`\n  missing: {missing}\n  extra: {extra}\n"
        f"  differing: {changed}"
    )
