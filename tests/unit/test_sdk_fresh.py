"""sdk/python is what openapi-python-client generates from the committed openapi.yaml."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
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


def test_the_standard_generator_takes_openapi_yaml_without_a_warning(tmp_path):
    # given the committed openapi.yaml, as anyone would generate a client from it: the
    # standard openapi-python-client with its default settings (ruff, which its default
    # post-hooks run, next to this interpreter)
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    command = [sys.executable, "-m", "openapi_python_client", "generate"]
    output_path = tmp_path / "client"
    command += ["--path", str(ROOT / "openapi.yaml"), "--output-path", str(output_path)]
    # when it generates
    done = subprocess.run(
        command, env={**env, "NO_COLOR": "1"}, capture_output=True, text=True, check=False
    )
    # then it writes the client and has nothing to warn about (it warns of any operation
    # it could not generate whole, such as a body of a media type it does not support)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert (output_path / "tuneforge_client" / "client.py").is_file(), output
    assert output.strip() == f"Generating {output_path}", output


def test_the_project_generation_has_no_warning_either(tmp_path):
    # sdk/generate.py reads openapi.yaml with sdk/python-config.yaml (and reads event
    # streams as text): it must not need to hide a warning either
    assert load_generator().generate(tmp_path / "python", ROOT / "openapi.yaml") == (
        f"Generating {tmp_path / 'python'}"
    )
