"""Generate the Python SDK from openapi.yaml with openapi-python-client.

``make sdk`` runs this to rewrite ``sdk/python``; tests/unit/test_sdk_fresh.py calls
:func:`generate` on a temporary folder and compares the two, so both go through here.

The output depends only on openapi.yaml, ``sdk/python-config.yaml`` and the locked
versions of openapi-python-client and ruff (the generator's post-hooks format the code
with the ruff of this interpreter's environment, without a cache).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi.yaml"
CONFIG = ROOT / "sdk" / "python-config.yaml"
TARGET = ROOT / "sdk" / "python"


def generate(output: Path, spec: Path = SPEC) -> str:
    """Write the client project into ``output`` (which must not exist yet).

    Returns the generator's messages (its warnings); raises RuntimeError if it fails.
    """
    bin_dir = Path(sys.executable).parent
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    if shutil.which("ruff", path=path) is None:
        # without ruff the generator still writes (unformatted) code, and only warns
        raise RuntimeError(f"ruff is not installed next to {sys.executable}")
    command = [
        sys.executable,
        "-m",
        "openapi_python_client",
        "generate",
        "--path",
        str(spec),
        "--config",
        str(CONFIG),
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
    shutil.rmtree(TARGET, ignore_errors=True)
    staging.rename(TARGET)
    print(messages)


if __name__ == "__main__":
    main()
