"""Predictions from a finished job's model: rows read as its dataset was, the model loaded
from its own skops file, and the answer.

:class:`Schema` is what the model takes: its training columns, each one's type from the
dataset's profile, and the dataset's recorded :class:`~models.engine.reading.Reading`.
:func:`rows_frame` (JSON rows) and :func:`csv_blocks` with :func:`csv_frame` (a CSV body,
a block of whole records at a time) check rows against it and :func:`conform` reads
their values with the reader's rules (a decimal comma, thousands separators, the
dataset's encoding): a missing column or a value that is not of its column's type is a
:class:`RowsError` naming it; columns the model does not take are ignored and listed.

:func:`load_model` reads a model only from the key this service wrote it to, checks the
file's sha256 against the one recorded when it was saved, and builds it with
``skops.io.loads`` trusting exactly the types the result lists: nothing is unpickled.
:class:`ModelCache` keeps the latest few per process. Loading and predicting are CPU work:
each function takes a ``run`` callable to compute in (the API passes its thread pool), so
this module knows nothing of how the caller serves requests.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from models.engine.guesses import is_text
from models.engine.numbers import as_numbers
from models.engine.reading import ENCODING_NAMES, SNIFF_BYTES, Reading, sniff_delimiter
from models.exceptions import Conflict, RowsError
from models.store.artifacts import SKOPS_FORMAT, model_key
from models.store.storage import Storage

# pandas' own words for booleans (``read_csv`` reads these as True and False): a boolean
# column read from the dataset holds True and False where its file had them.
BOOLEAN_WORDS = {
    "True": True,
    "TRUE": True,
    "true": True,
    "False": False,
    "FALSE": False,
    "false": False,
}
NUMBER_DTYPES = ("integer", "float")
# A CSV record longer than this (one quoted field spanning megabytes) is refused: blocks
# are cut at record ends, and one record must fit in memory.
MAX_RECORD_CHARS = 16 * 1024 * 1024
_SEP_LINE = re.compile(r"sep=(?P<sep>[,;\t|])[ \t]*\r?\n", re.IGNORECASE)


@dataclass(frozen=True)
class Schema:
    """The columns a model takes, how each was typed, and how its dataset was read.

    ``dtypes`` maps a column to its profile dtype (``integer``, ``float``, ``boolean``,
    ``string``); a column without one (the dataset was deleted) is taken as given.
    ``unused`` are the training columns the preprocessing drops (identifiers, free text):
    rows may leave them out.
    """

    features: list[str]
    dtypes: dict[str, str]
    reading: Reading
    unused: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls,
        model_metadata: dict[str, Any],
        profiles: list[dict[str, Any]] | None,
        warnings: list[dict[str, Any]] | None,
        unused: Iterable[str] = (),
    ) -> Schema:
        """The schema of a job's model (its result's ``model``), from its dataset's column
        profiles and warnings (None when the dataset is gone)."""
        features = [str(c) for c in model_metadata["feature_columns"]]
        if profiles is None:
            return cls(features, {}, Reading(), frozenset(unused))
        dtypes = {p["name"]: p["dtype"] for p in profiles if p["name"] in features}
        return cls(features, dtypes, Reading.recorded(warnings, profiles), frozenset(unused))

    @property
    def required(self) -> list[str]:
        return [c for c in self.features if c not in self.unused]


@dataclass
class Answer:
    """Predictions for some rows, and for a classifier its classes and each row's
    probabilities (in ``classes`` order) when the estimator gives them."""

    predictions: list[Any]
    classes: list[Any] | None = None
    probabilities: list[list[float]] | None = None
    ignored_columns: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"predictions": self.predictions}
        if self.classes is not None:
            out["classes"] = self.classes
        if self.probabilities is not None:
            out["probabilities"] = self.probabilities
        out["ignored_columns"] = self.ignored_columns
        return out


# Reading rows ---------------------------------------------------------------------------


def ignored(columns: Iterable[Any], schema: Schema) -> list[str]:
    """The given columns the model does not take, in their order."""
    features = set(schema.features)
    return [str(c) for c in columns if str(c) not in features]


def check_columns(columns: Iterable[Any], schema: Schema) -> None:
    """:class:`RowsError` naming the first training column missing from ``columns``."""
    given = {str(c) for c in columns}
    missing = [c for c in schema.required if c not in given]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise RowsError(
            f"the rows lack the column{'s' if len(missing) > 1 else ''} {names} the model "
            f"was trained on (it takes {', '.join(repr(c) for c in schema.required)})",
            field=missing[0],
        )


def rows_frame(rows: Any, schema: Schema, max_rows: int) -> tuple[pd.DataFrame, list[str]]:
    """JSON ``rows`` (a list of objects, column to value) as a frame of the model's columns
    read with the dataset's rules, and the columns ignored. :class:`RowsError` naming the
    field (``rows``, ``rows.3``, ``rows.3.age``) for anything else."""
    if not isinstance(rows, list):
        raise RowsError("rows must be a list of objects, one per row", field="rows")
    if not rows:
        raise RowsError("rows must hold at least one row", field="rows")
    if len(rows) > max_rows:
        raise RowsError(
            f"rows holds {len(rows)} rows; at most {max_rows} are taken as JSON (send a "
            "CSV body for more: it is read and answered a block at a time)",
            field="rows",
        )
    required = set(schema.required)
    extra: dict[str, None] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise RowsError(
                f"rows.{i} must be an object (column name to value), not {type(row).__name__}",
                field=f"rows.{i}",
            )
        lacking = required.difference(row)
        if lacking:
            if i == 0:
                check_columns(row, schema)
            name = min(lacking, key=schema.features.index)
            raise RowsError(
                f"rows.{i} lacks the column {name!r} the model was trained on "
                "(null is a missing value)",
                field=f"rows.{i}.{name}",
            )
        for name, value in row.items():
            if isinstance(value, dict | list):
                raise RowsError(
                    f"rows.{i}.{name} must be a number, a string, true, false or null, not "
                    f"{'an object' if isinstance(value, dict) else 'a list'}",
                    field=f"rows.{i}.{name}",
                )
        extra.update(dict.fromkeys(c for c in row if c not in schema.features))
    features = [c for c in schema.features if c in required or any(c in r for r in rows)]
    frame = pd.DataFrame.from_records(rows, columns=features)
    return conform(frame, schema, lambda i, c: f"rows.{i}.{c}"), list(extra)


def conform(
    frame: pd.DataFrame, schema: Schema, where: Callable[[int, str], str], first_row: int = 0
) -> pd.DataFrame:
    """``frame``'s training columns, in training order, each read as its dataset read it:
    numbers from text with the column's decimal mark (:func:`as_numbers`, the upload's
    reader), text as text, pandas' boolean words as booleans; a column the preprocessing
    drops and the rows leave out is all missing. ``where(row, column)`` names a cell in an
    error (rows counted from ``first_row``)."""
    out = {}
    for name in schema.features:
        if name not in frame.columns:
            out[name] = pd.Series(np.nan, index=frame.index, dtype=object)
            continue
        values = frame[name]
        dtype = schema.dtypes.get(name)
        if dtype in NUMBER_DTYPES:
            values = _numbers(values, schema.reading.decimal_of(name), name, where, first_row)
        elif dtype == "string":
            values = _text(values)
        elif dtype == "boolean" and is_text(values):
            values = values.replace(BOOLEAN_WORDS)
        out[name] = values
    return pd.DataFrame(out, index=frame.index)


def _numbers(
    values: pd.Series, decimal: str, name: str, where: Callable[[int, str], str], first_row: int
) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        raise RowsError(
            f"column {name!r} holds numbers, not true/false", field=where(first_row, name)
        )
    if not is_text(values):
        return values
    if _all_text(values):  # a CSV's cells: no need to look at each
        strings = values.notna().to_numpy()
        booleans = np.zeros(len(values), dtype=bool)
    else:
        booleans, strings = _of_type(values, (bool, np.bool_)), _of_type(values, str)
    if booleans.any():
        row = first_row + int(booleans.argmax())
        raise RowsError(f"column {name!r} holds numbers, not true/false", field=where(row, name))
    numbers = pd.to_numeric(values.where(~strings), errors="coerce").astype(float)
    if strings.any():
        text = values[strings]
        parsed = as_numbers(text, decimal, force=True).values.astype(float)
        unread = (parsed.isna() & (text.str.strip() != "")).to_numpy()
        if unread.any():
            at = int(np.flatnonzero(strings)[unread.argmax()])
            raise RowsError(
                f"column {name!r} holds numbers: {values.iloc[at]!r} cannot be read as one"
                + (" (its decimal mark is a comma)" if decimal == "," else ""),
                field=where(first_row + at, name),
            )
        numbers[strings] = parsed.to_numpy()
    return numbers


def _all_text(values: pd.Series) -> bool:
    """Whether every value that is not missing is a string (pandas looks, in C)."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def _of_type(values: pd.Series, kind: type | tuple[type, ...]) -> np.ndarray:
    """Which of ``values`` are instances of ``kind``."""
    return np.fromiter((isinstance(v, kind) for v in values), dtype=bool, count=len(values))


def _text(values: pd.Series) -> pd.Series:
    """A text column's values as text (a JSON number in a text column as its digits);
    missing values stay missing."""
    if not is_text(values):
        return values.astype(object).where(values.isna(), values.astype(str))
    if _all_text(values):
        return values
    other = values.notna().to_numpy() & ~_of_type(values, str)
    if not other.any():
        return values
    values = values.copy()
    values[other] = values[other].map(str)
    return values


# A CSV body --------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvFormat:
    """How a CSV body is written: its separator (sniffed from its first block, as an
    upload's), its decimal mark and its encoding."""

    sep: str
    decimal: str
    encoding: str


def csv_format(head: str, schema: Schema, encoding: str) -> CsvFormat:
    """A body starting with ``head`` (decoded): the separator :func:`sniff_delimiter`
    finds (or Excel's ``sep=`` line names); the decimal mark the dataset was read with,
    unless the separator is a comma (a decimal point then)."""
    named = _SEP_LINE.match(head)
    sep = named["sep"] if named else sniff_delimiter(head[:SNIFF_BYTES], True)[0]
    decimal = "." if sep == "," else schema.reading.decimal
    return CsvFormat(sep, decimal, encoding)


def csv_blocks(chunks: Iterable[bytes], encoding: str) -> Iterator[str]:
    """The decoded text of a CSV body, cut into blocks of whole records (never inside a
    quoted field); the first block starts with the header. :class:`RowsError` where the
    bytes are not ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)()
    pending = ""
    line = 1
    try:
        for chunk in chunks:
            pending += decoder.decode(chunk.replace(b"\x00", b"") if _one_byte(encoding) else chunk)
            cut = _record_end(pending)
            if cut is None:
                if len(pending) > MAX_RECORD_CHARS:
                    raise RowsError(
                        f"a record of the CSV is longer than {MAX_RECORD_CHARS} characters "
                        "(an unclosed quote?)",
                        field="body",
                    )
                continue
            block, pending = pending[:cut], pending[cut:]
            line += block.count("\n")
            yield block
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        name = ENCODING_NAMES.get(encoding, encoding)
        raise RowsError(
            f"the CSV is not {name} text ({exc.reason}, on line {line} or after); send it "
            "in the dataset's encoding, or name yours: Content-Type: text/csv; charset=...",
            field="body",
        ) from exc
    if pending.strip():
        yield pending


def _one_byte(encoding: str) -> bool:
    return not encoding.lower().replace("_", "-").startswith(("utf-16", "utf-32"))


def _record_end(text: str) -> int | None:
    """Just after the last newline of ``text`` that ends a record: with an even number of
    quotes before it (a doubled quote inside a quoted field counts twice)."""
    quotes = text.count('"')
    end = len(text)
    while (at := text.rfind("\n", 0, end)) >= 0:
        if (quotes - text.count('"', at, len(text))) % 2 == 0:
            return at + 1
        end = at
    return None


def csv_frame(
    block: str, header: str, fmt: CsvFormat, schema: Schema, first_row: int
) -> pd.DataFrame:
    """One block of a CSV body (its records, after ``header``, the body's first line) read
    as the dataset was and conformed (see :func:`conform`); rows are counted from 1 after
    the header, this block's first being ``first_row``."""
    text_columns = [c for c in schema.features if schema.dtypes.get(c) == "string"]
    try:
        frame = pd.read_csv(
            io.StringIO(header + block),
            sep=fmt.sep,
            decimal=fmt.decimal,
            dtype=dict.fromkeys(text_columns, str),
            index_col=False,
            low_memory=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise RowsError(f"the CSV cannot be read: {exc}".strip(), field="body") from exc
    frame.columns = [str(c) for c in frame.columns]
    check_columns(frame.columns, schema)
    reading = replace(schema.reading, decimal=fmt.decimal)
    return conform(frame, replace(schema, reading=reading), _row, first_row)


def _row(row: int, column: str) -> str:
    return f"row {row}: {column}"


def split_header(block: str) -> tuple[str, str]:
    """The first block of a CSV body as its header record (with its newline, after any
    Excel ``sep=`` line) and the rest."""
    named = _SEP_LINE.match(block)
    if named:
        block = block[named.end() :]
    at = 0
    while (at := block.find("\n", at) + 1) > 0:
        if block.count('"', 0, at) % 2 == 0:
            return block[:at], block[at:]
    return block + "\n", ""


# The model ---------------------------------------------------------------------------


def load_model(storage: Storage, job_id: str, model_metadata: dict[str, Any]) -> Any:
    """The job's fitted pipeline, from the skops file this service wrote for it
    (:func:`read_model_file`, then :func:`model_from_file`)."""
    return model_from_file(read_model_file(storage, job_id, model_metadata), model_metadata)


def read_model_file(storage: Storage, job_id: str, model_metadata: dict[str, Any]) -> bytes:
    """The bytes of the job's skops file, as this service wrote them.

    Refused (:class:`Conflict`) when the job has no skops file, or when the file's
    sha256 is not the one recorded when it was written: a file changed since is not
    loaded. Only I/O: the API reads it on its event loop (S3 included), never in a
    thread of gevent's pool, where a greenlet's I/O is not cooperative.
    """
    described = model_metadata.get(SKOPS_FORMAT)
    if not described:
        raise Conflict(
            f"job {job_id}'s model predates skops files, which predictions load; "
            "run the search again to predict over HTTP"
        )
    with storage.open(model_key(job_id, SKOPS_FORMAT)) as f:
        data = f.read()
    if hashlib.sha256(data).hexdigest() != described["sha256"]:
        raise Conflict(
            f"job {job_id}'s model file does not match the sha256 recorded when it was "
            "written; it is not loaded"
        )
    return data


def model_from_file(data: bytes, model_metadata: dict[str, Any]) -> Any:
    """The pipeline a skops file holds, built by ``skops.io.loads`` trusting only the
    result's ``trusted_types`` (no pickle). Only CPU work."""
    import skops.io  # here: it takes seconds to import, and only loading needs it

    return skops.io.loads(data, trusted=list(model_metadata[SKOPS_FORMAT]["trusted_types"]))


def unused_columns(model: Any) -> frozenset[str]:
    """The columns the model's preprocessing drops (``remainder="drop"``): rows may omit
    them."""
    preprocess = getattr(model, "named_steps", {}).get("preprocess")
    if preprocess is None or not hasattr(preprocess, "transformers_"):
        return frozenset()
    used = {
        str(c)
        for name, _, columns in preprocess.transformers_
        if name != "remainder"
        for c in columns
    }
    return frozenset(str(c) for c in preprocess.feature_names_in_ if str(c) not in used)


def call(fn: Callable[..., Any], *args: Any) -> Any:
    """Compute ``fn(*args)`` here (the default ``run``)."""
    return fn(*args)


class ModelCache:
    """The latest ``size`` models loaded in this process, least recently used out; keyed
    by job and file sha256, so a replaced model is never served from the cache."""

    def __init__(self, storage: Storage, size: int) -> None:
        self.storage = storage
        self.size = size
        self._models: OrderedDict[tuple[str, str], Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._models)

    def get(
        self, job_id: str, model_metadata: dict[str, Any], run: Callable[..., Any] = call
    ) -> Any:
        """The job's model unless cached: its file read here, the model built in ``run``."""
        key = (job_id, str((model_metadata.get(SKOPS_FORMAT) or {}).get("sha256")))
        if key in self._models:
            self._models.move_to_end(key)
            return self._models[key]
        data = read_model_file(self.storage, job_id, model_metadata)
        model = run(model_from_file, data, model_metadata)
        self._models[key] = model
        while len(self._models) > self.size:
            self._models.popitem(last=False)
        return model

    def forget(self, job_id: str) -> None:
        """Drop the job's models (it was deleted)."""
        for key in [k for k in self._models if k[0] == job_id]:
            del self._models[key]


class WithoutProbabilities:
    """A model whose answers leave out the classes and probabilities (when not asked)."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, frame: pd.DataFrame) -> Any:
        return self.model.predict(frame)


def _outputs(model: Any, frame: pd.DataFrame) -> tuple[np.ndarray, Any, np.ndarray | None]:
    """The predictions, a classifier's classes (else None) and its probabilities (None
    without ``predict_proba``).

    A pipeline's preprocessing runs once for both, where ``predict`` then ``predict_proba``
    would run it twice: its estimator then gets the same rows ``Pipeline.predict`` would
    give it, so the predictions are the same.
    """
    classes = getattr(model, "classes_", None)
    wants_probabilities = classes is not None and hasattr(model, "predict_proba")
    steps = getattr(model, "steps", None)
    if steps and len(steps) > 1:
        rows, estimator = model[:-1].transform(frame), steps[-1][1]
    else:
        rows, estimator = frame, model
    predictions = estimator.predict(rows)
    probabilities = estimator.predict_proba(rows) if wants_probabilities else None
    return predictions, classes, probabilities


def predict(model: Any, frame: pd.DataFrame) -> Answer:
    """The model's predictions on ``frame``, with probabilities for a classifier that
    gives them."""
    predictions, classes, probabilities = _outputs(model, frame)
    if classes is None:
        return Answer(_plain(predictions))
    listed = None if probabilities is None else np.asarray(probabilities, dtype=float).tolist()
    return Answer(_plain(predictions), _plain(classes), listed)


def _plain(values: np.ndarray) -> list[Any]:
    """numpy values as JSON's (``tolist`` gives Python scalars)."""
    return np.asarray(values).tolist()


def predict_csv(model: Any, frame: pd.DataFrame, header: bool) -> str:
    """The model's predictions on ``frame`` as CSV text: a ``prediction`` column and, for
    a classifier that gives them, a ``probability_<class>`` column per class."""
    predictions, classes, probabilities = _outputs(model, frame)
    out = pd.DataFrame({"prediction": predictions})
    if probabilities is not None:
        for i, name in enumerate(classes):
            out[f"probability_{name}"] = probabilities[:, i]
    return out.to_csv(index=False, header=header, lineterminator="\n")


def header_columns(header: str, fmt: CsvFormat) -> list[str]:
    """The column names of a CSV body's header record."""
    try:
        names = pd.read_csv(io.StringIO(header), sep=fmt.sep, nrows=0, index_col=False).columns
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise RowsError(f"the CSV's header cannot be read: {exc}".strip(), field="body") from exc
    return [str(c) for c in names]


def csv_block_answer(
    model: Any, block: str, header: str, fmt: CsvFormat, schema: Schema, first_row: int
) -> tuple[Answer, int]:
    """One block of a CSV body read (:func:`csv_frame`) and predicted; and its row count."""
    frame = csv_frame(block, header, fmt, schema, first_row)
    if frame.empty:
        return Answer([]), 0
    return predict(model, frame), len(frame)


def csv_block_text(
    model: Any,
    block: str,
    header: str,
    fmt: CsvFormat,
    schema: Schema,
    first_row: int,
    with_header: bool,
) -> tuple[str, int]:
    """One block of a CSV body read (:func:`csv_frame`) and predicted as CSV text
    (:func:`predict_csv`); and its row count."""
    frame = csv_frame(block, header, fmt, schema, first_row)
    if frame.empty:
        return "", 0
    return predict_csv(model, frame, with_header), len(frame)
