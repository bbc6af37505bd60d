"""Generate the Python SDK from openapi.yaml with openapi-python-client.

``make sdk`` runs this to rewrite ``sdk/python``; tests/unit/test_sdk_fresh.py calls
:func:`generate` on a temporary folder and compares the two, so both go through here.

The output depends only on openapi.yaml, ``sdk/python-config.yaml`` and the locked
versions of openapi-python-client and ruff (the generator's post-hooks format the code
with the ruff of this interpreter's environment, without a cache).

The generator reads the document with one change (:func:`client_view`): an event stream
is read whole, as text. openapi-python-client takes any ``text/*`` body as one ``str``
but would still call ``from_dict`` on it with the schema's model, and an event stream's
schema describes one event, not the body; the event models are generated all the same.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi.yaml"
CONFIG = ROOT / "sdk" / "python-config.yaml"
# The generator's model template, changed so that a map-only object is a dict (see it).
TEMPLATES = ROOT / "sdk" / "templates"
TARGET = ROOT / "sdk" / "python"
# The hand-written facade beside the generated package: never generated, always carried.
HAND_WRITTEN = "tuneforge"
_ARTIFACTS = shutil.ignore_patterns("__pycache__", "*.pyc")
LOCK = ROOT / "requirements.lock"
MODEL_PACKAGES = ("joblib", "numpy", "pandas", "scikit-learn", "skops")
CLICK = "click >= 8.1"


def client_view(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with every ``text/event-stream`` body read as a string (in place)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                stream = response.get("content", {}).get("text/event-stream")
                if stream is not None:
                    stream["schema"] = {"type": "string", "description": "the events, as sent"}
    return document


def generate(output: Path, spec: Path = SPEC) -> str:
    """Write the client project into ``output`` (which must not exist yet).

    Returns the generator's messages (its warnings); raises RuntimeError if it fails.
    """
    bin_dir = Path(sys.executable).parent
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    if shutil.which("ruff", path=path) is None:
        # without ruff the generator still writes (unformatted) code, and only warns
        raise RuntimeError(f"ruff is not installed next to {sys.executable}")
    document = client_view(yaml.safe_load(spec.read_text(encoding="utf-8")))
    with tempfile.TemporaryDirectory() as tmp:
        view = Path(tmp) / "openapi.yaml"
        view.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        messages = _run_generator(view, output, path)
    setup = output / "setup.py"
    setup.write_text(with_facade(setup.read_text(encoding="utf-8")), encoding="utf-8")
    # formatted as the generator's own post-hook formats what it writes
    command = ["ruff", "format", "--no-cache", "--quiet", "setup.py"]
    subprocess.run(command, cwd=output, env={**os.environ, "PATH": path}, check=True)
    return messages


def model_requirements(lock: Path = LOCK) -> list[str]:
    """What loading a downloaded model needs, pinned to what the server trains with.

    A scikit-learn pickle is only promised to load in the version that wrote it (another
    one warns, and may fail or predict differently), so scikit-learn is pinned exactly;
    joblib, pandas, numpy and skops read their own files across minor versions.
    """
    pinned = dict(re.findall(r"^([a-z][a-z0-9-]*)==([^\s;]+)", lock.read_text(), re.M))
    return [
        f"{name}=={pinned[name]}" if name == "scikit-learn" else _same_series(name, pinned[name])
        for name in MODEL_PACKAGES
    ]


def _same_series(name: str, version: str) -> str:
    """``name`` from ``version`` up to its next major (next minor while still 0.x)."""
    major, minor = (int(part) for part in version.split(".")[:2])
    upper = f"{major + 1}" if major else f"0.{minor + 1}"
    return f"{name}>={version},<{upper}"


def with_facade(setup_py: str) -> str:
    """The generated setup.py, also shipping the hand-written package's ``py.typed`` and
    the ``[model]`` extra (the package itself is found by ``find_packages()``)."""
    typed = 'package_data={"tuneforge_client": ["py.typed"]},'
    if typed not in setup_py:
        raise RuntimeError("the generated setup.py changed shape: update sdk/generate.py")
    requires = '"attrs >= 22.2.0"],'
    if requires not in setup_py:
        raise RuntimeError("the generated setup.py changed shape: update sdk/generate.py")
    extra = f'extras_require={{"model": {model_requirements()!r}}},'.replace("'", '"')
    facade = f'package_data={{"tuneforge_client": ["py.typed"], "{HAND_WRITTEN}": ["py.typed"]}},'
    # the facade's commands (python -m tuneforge tune …) are click commands
    setup_py = setup_py.replace(requires, f'"attrs >= 22.2.0", "{CLICK}"],')
    return setup_py.replace(typed, f"{facade}\n    {extra}")


def _run_generator(spec: Path, output: Path, path: str) -> str:
    command = [
        sys.executable,
        "-m",
        "openapi_python_client",
        "generate",
        "--path",
        str(spec),
        "--config",
        str(CONFIG),
        "--custom-template-path",
        str(TEMPLATES),
        "--meta",
        "setup",
        "--output-path",
        str(output),
    ]
    env = {**os.environ, "PATH": path, "NO_COLOR": "1", "TERM": "dumb"}
    proc = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    messages = (proc.stdout + proc.stderr).strip()
    if proc.returncode != 0 or not output.is_dir():
        raise RuntimeError(f"openapi-python-client failed ({proc.returncode}):\n{messages}")
    return messages


def main() -> None:
    """Regenerate sdk/python, replacing it only once the new client is complete."""
    staging = TARGET.with_name(TARGET.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        messages = generate(staging)
    except RuntimeError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        sys.exit(str(exc))
    if (TARGET / HAND_WRITTEN).is_dir():
        shutil.copytree(TARGET / HAND_WRITTEN, staging / HAND_WRITTEN, ignore=_ARTIFACTS)
    shutil.rmtree(TARGET, ignore_errors=True)
    staging.rename(TARGET)
    print(messages)


if __name__ == "__main__":
    main()
