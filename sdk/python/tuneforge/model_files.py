"""Loading a downloaded model file; needs the ``[model]`` extra.

A joblib file is a pickle: loading it runs code, so load only files from a service you
trust. A skops file loads without unpickling, trusting exactly the types the job's
result lists (``result.model.skops.trusted_types``). An ONNX file loads as an
``onnxruntime.InferenceSession`` (needs onnxruntime), with one named input per column.

scikit-learn only promises that a model loads in the version that saved it, so the
extra pins the server's version; a mismatch is reported before loading, not after a
wrong prediction.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Any

from tuneforge_client.models import ModelInfo

__all__ = ["VersionSkewWarning", "load"]

EXTRA_HINT = 'loading a model needs the [model] extra: pip install "tuneforge-client[model]"'


class VersionSkewWarning(UserWarning):
    """The model was trained with another scikit-learn than the one loading it."""


def load(path: Path, format: str, info: ModelInfo) -> Any:
    """The fitted pipeline in ``path`` (a ``format`` file the service described in ``info``);
    for ``onnx`` an ONNX Runtime session (``session.run(None, {column: [[value]], ...})``)."""
    if format == "onnx":
        try:
            import onnxruntime
        except ImportError as exc:
            hint = f"an ONNX model runs in onnxruntime: pip install onnxruntime ({exc})"
            raise ImportError(hint) from exc
        return onnxruntime.InferenceSession(str(path))
    _check_versions(info)
    if format == "skops":
        sio = _require("skops.io")
        trusted = info.skops.trusted_types if info.skops is not None else []
        return sio.load(path, trusted=trusted)
    joblib = _require("joblib")
    return joblib.load(path)


def _require(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(f"{EXTRA_HINT} ({exc})") from exc


def _check_versions(info: ModelInfo) -> None:
    sklearn = _require("sklearn")
    trained = info.sklearn_version
    if trained and trained != sklearn.__version__:
        warnings.warn(
            f"the model was trained with scikit-learn {trained} and is loaded with "
            f"{sklearn.__version__}; it may fail or predict differently: "
            f"pip install scikit-learn=={trained}",
            VersionSkewWarning,
            stacklevel=3,
        )
