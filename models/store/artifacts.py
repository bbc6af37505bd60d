"""Save the fitted pipeline as a joblib file and describe it.

Only the service writes these files and only the service's own fitted pipelines go in;
clients download them, nothing a client uploads is ever unpickled.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import joblib
import sklearn
from sklearn.pipeline import Pipeline

from models.store.storage import CHUNK, Storage

MODEL_FORMAT = "joblib"


def model_key(job_id: str) -> str:
    """Where a job's model lives in storage."""
    return f"models/{job_id}.{MODEL_FORMAT}"


def _chunks(path: Path):
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def save_model(
    pipeline: Pipeline,
    storage: Storage,
    key: str,
    *,
    features: list[str],
    target: str,
) -> dict[str, Any]:
    """Dump ``pipeline`` to ``key``; return its metadata (sha256, size, versions, columns)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        joblib.dump(pipeline, path)
        stored = storage.put_stream(key, _chunks(path))
    classes = getattr(pipeline, "classes_", None)
    return {
        "format": MODEL_FORMAT,
        "sha256": stored.sha256,
        "size_bytes": stored.size_bytes,
        "sklearn_version": sklearn.__version__,
        "joblib_version": joblib.__version__,
        "feature_columns": features,
        "target": target,
        "classes": [c.item() if hasattr(c, "item") else c for c in classes]
        if classes is not None
        else None,
    }
