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
    """What Python, pip and the linters write into sdk/python when the client is imported,
    installed (`pip install ./sdk/python` builds in place) or checked: never generated,
    never committed."""
    parts = relative.parts
    return (
        "__pycache__" in parts
        or parts[0] in {"build", "dist", ".ruff_cache", ".mypy_cache", ".pytest_cache"}
        or any(part.endswith(".egg-info") for part in parts)
    )


def is_hand_written(relative: Path) -> bool:
    """The ``tuneforge`` facade is written by people; generate.py carries it over."""
    return relative.parts[0] == "tuneforge"


def files(root: Path, committed: bool = False) -> dict[str, bytes]:
    """Every file under root, by relative path (of a committed tree: the generated ones)."""
    found = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        skip = committed and (is_artifact(relative) or is_hand_written(relative))
        if path.is_file() and not skip:
            found[relative.as_posix()] = path.read_bytes()
    return found


def test_sdk_is_what_the_generator_makes_of_openapi_yaml(tmp_path):
    fresh = tmp_path / "python"
    load_generator().generate(fresh, ROOT / "openapi.yaml")
    # every generated file counts; only build artifacts next to the committed ones do not
    expected, committed = files(fresh), files(SDK, committed=True)
    assert expected, "the generator wrote nothing"
    missing = sorted(expected.keys() - committed.keys())
    extra = sorted(committed.keys() - expected.keys())
    changed = sorted(p for p in expected.keys() & committed.keys() if expected[p] != committed[p])
    assert not (missing or extra or changed), (
        "sdk/python is stale (it is not what openapi-python-client generates from "
        f"openapi.yaml): run `make sdk`\n  missing: {missing}\n  extra: {extra}\n"
        f"  differing: {changed}"
    )
