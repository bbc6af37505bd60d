"""Save the fitted pipeline, as a joblib file and as a skops file, and describe it.

Only the service writes these files and only the service's own fitted pipelines go in;
clients download them, nothing a client uploads is ever unpickled.

The joblib file is a pickle: loading it runs whatever it names, so a client should load
only a file it trusts. The skops file loads without pickle: ``skops.io.load`` builds only
the types it is told to trust, and the metadata lists exactly those this file needs
(:func:`trusted_types`), each one scikit-learn's, numpy's, scipy's, LightGBM's, XGBoost's
or ours. Both are written when the job finishes, so the API never loads a model to convert
it.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import platform
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import joblib
import numpy
import pandas
import scipy
import sklearn
from sklearn.pipeline import Pipeline

from models.engine.onnx_export import export_onnx
from models.exceptions import Conflict
from models.store.storage import CHUNK, Storage

MODEL_FORMAT = "joblib"  # the default download
SKOPS_FORMAT = "skops"
ONNX_FORMAT = "onnx"  # where the pipeline converts (models/engine/onnx_export.py)
MODEL_FORMATS = (MODEL_FORMAT, SKOPS_FORMAT, ONNX_FORMAT)
# Above this size of the joblib file, no ONNX export is tried: a tree ensemble's graph is
# about as large (protobuf caps it at 2 GiB) and converting 17 MiB took 7 s here.
ONNX_MAX_SOURCE_BYTES = 256 * 2**20
# Every format a job's model may be stored in: deleting a job (models/store/deletion.py)
# leaves none of them behind.
STORED_FORMATS = MODEL_FORMATS
# Where the types a skops file may ask its loader to trust come from: the libraries a
# pipeline is made of, and our own package. A client chooses values, never types.
TRUSTED_MODULES = ("sklearn", "numpy", "scipy", "lightgbm", "xgboost", "models")
# And single types of the standard library: a LightGBM model keeps an ordered dict (a dict
# that remembers its order, nothing that runs code).
TRUSTED_STANDARD_TYPES = ("collections.OrderedDict",)


def model_key(job_id: str, format: str = MODEL_FORMAT) -> str:
    """Where a job's model lives in storage, in ``format``."""
    return f"models/{job_id}.{format}"


def library_versions() -> dict[str, str]:
    """The versions this process trains with: a model file needs the same to load."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "joblib": joblib.__version__,
        "skops": importlib.metadata.version("skops"),
    }


def _model_library_version(pipeline: Pipeline) -> dict[str, str]:
    """The version of the library beyond scikit-learn the model comes from (LightGBM,
    XGBoost: a class of theirs or a subclass of one), which loading it also needs."""
    classes = type(pipeline.steps[-1][1]).__mro__
    libraries = {c.__module__.split(".")[0] for c in classes} & {"lightgbm", "xgboost"}
    return {lib: importlib.import_module(lib).__version__ for lib in sorted(libraries)}


def trusted_types(path: Path) -> list[str]:
    """The types ``skops.io.load`` must be told to trust to load the skops file at ``path``
    (those beyond skops' own defaults), sorted.

    Raises ``ValueError`` if one comes from outside :data:`TRUSTED_MODULES`: the service's
    pipelines hold no such thing, so it would be a bug, not a file to serve.
    """
    import skops.io  # here, not at the top: it takes seconds, and only saving needs it

    types = sorted(skops.io.get_untrusted_types(file=path))
    foreign = [
        t
        for t in types
        if t.split(".", 1)[0] not in TRUSTED_MODULES and t not in TRUSTED_STANDARD_TYPES
    ]
    if foreign:
        raise ValueError(f"the skops file would need its loader to trust {foreign}")
    return types


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def save_model(
    pipeline: Pipeline,
    storage: Storage,
    job_id: str,
    *,
    features: list[str],
    target: str,
    onnx_rows: tuple[pandas.DataFrame, str] | None = None,
) -> dict[str, Any]:
    """Write ``pipeline`` to the job's joblib and skops keys; return its metadata (the
    joblib file's sha256 and size, the skops file's and its trusted types, the library
    versions, the columns).

    With ``onnx_rows`` (held-back rows and where they come from, see
    :func:`models.engine.onnx_export.check_rows`) the pipeline is also converted to ONNX,
    checked on those rows and, where it converts and predicts alike, written to the job's
    onnx key; the metadata's ``onnx`` says which, and why not.
    """
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(1) as writer:
        path = Path(tmp) / "model.joblib"
        joblib.dump(pipeline, path)
        # Stored (and fsync'd) while skops serialises: the wait on the disk overlaps the work.
        stored_later = writer.submit(storage.put_stream, model_key(job_id), _chunks(path))
        skops_path = Path(tmp) / "model.skops"
        import skops.io  # (see trusted_types)

        skops.io.dump(pipeline, skops_path)
        trusted = trusted_types(skops_path)
        skops_stored = storage.put_stream(model_key(job_id, SKOPS_FORMAT), _chunks(skops_path))
        onnx = _save_onnx(pipeline, storage, job_id, onnx_rows, path.stat().st_size)
        stored = stored_later.result()
    classes = getattr(pipeline, "classes_", None)
    versions = library_versions() | _model_library_version(pipeline)
    return {
        "format": MODEL_FORMAT,
        "sha256": stored.sha256,
        "size_bytes": stored.size_bytes,
        "sklearn_version": versions["scikit-learn"],
        "joblib_version": versions["joblib"],
        "versions": versions,
        "skops": {
            "sha256": skops_stored.sha256,
            "size_bytes": skops_stored.size_bytes,
            "trusted_types": trusted,
        },
        "onnx": onnx,
        "feature_columns": features,
        "target": target,
        "classes": [c.item() if hasattr(c, "item") else c for c in classes]
        if classes is not None
        else None,
    }


def _save_onnx(
    pipeline: Pipeline,
    storage: Storage,
    job_id: str,
    rows: tuple[pandas.DataFrame, str] | None,
    joblib_bytes: int,
) -> dict[str, Any]:
    """The ONNX export's record, its file stored when it is available."""
    if rows is None:
        return {"available": False, "reason": "no held-back rows were given to check it on"}
    if joblib_bytes > ONNX_MAX_SOURCE_BYTES:
        return {
            "available": False,
            "reason": f"the model is {joblib_bytes / 2**20:.0f} MiB as joblib; ONNX files are "
            f"made for models up to {ONNX_MAX_SOURCE_BYTES // 2**20} MiB (a graph cannot "
            "exceed 2 GiB, and converting a forest that size takes minutes)",
        }
    exported = export_onnx(pipeline, *rows)
    info = dict(exported.info)
    if exported.model is not None:
        graph = exported.model
        pieces = (graph[i : i + CHUNK] for i in range(0, len(graph), CHUNK))
        stored = storage.put_stream(model_key(job_id, ONNX_FORMAT), pieces)
        info |= {"sha256": stored.sha256, "size_bytes": stored.size_bytes}
    info["seconds"] = round(exported.seconds, 3)
    return info


def onnx_file(job_id: str, model: dict[str, Any]) -> dict[str, Any]:
    """The described ONNX file of a job's ``model`` metadata; :class:`Conflict` saying why
    when there is none (it did not convert, failed its check, or predates ONNX files)."""
    onnx = model.get(ONNX_FORMAT)
    if onnx is None:
        raise Conflict(
            f"job {job_id!r} has no onnx file: its model was saved before ONNX files were written",
            field="format",
        )
    if not onnx.get("available"):
        raise Conflict(
            f"job {job_id!r} has no onnx file: {onnx.get('reason', 'it did not convert')}",
            field="format",
        )
    return onnx


def delete_model(storage: Storage, job_id: str) -> None:
    """Delete the job's model files, in every format (none is missing: no error)."""
    for format in STORED_FORMATS:
        storage.delete(model_key(job_id, format))
