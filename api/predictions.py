"""``POST /v1/jobs/{id}/predictions``: a finished job's model, predicting on rows sent as
JSON or as a CSV body (answered as JSON, or streamed back as CSV).

What is read and how is :mod:`models.predictions`; this module negotiates the body and
the answer, and keeps the process's :class:`~models.predictions.ModelCache`. Loading a
model and predicting are CPU work, done off the event loop so that the process's other
requests (``/healthz``, event streams) are served meanwhile: a model loads, and JSON rows
(a few thousand at most) are predicted, in the gevent hub's pool of native threads
(:func:`offload`); each block of a CSV body is read and predicted in a child process
forked for it (:func:`in_child`), which holds none of this process's GIL.
``bench/predictions.py`` measures ``/healthz`` while predictions run. A CSV body is
spooled to a temporary file a chunk at a time (memory stays bounded, and a client that
sends its whole body before reading the answer, as most do, cannot deadlock against an
answer already streaming), then read, predicted and answered a block of records at a
time.

The route belongs to the jobs blueprint (``api/__init__.py`` imports this module before
registering it).
"""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any
from urllib.parse import quote

from flask import Flask, Response, current_app, request, stream_with_context
from flask.views import MethodView
from marshmallow import fields
from threadpoolctl import threadpool_limits

from api.auth import current_owner
from api.errors import problem
from api.jobs import blp
from api.responses import errors
from api.services import EXTENSION, service
from models.documents.fields import StrictSchema
from models.documents.predictions import PredictionRowsSchema, PredictionsSchema
from models.engine.isolation import call_once
from models.exceptions import NotFound, RowsError
from models.predictions import (
    Answer,
    ModelCache,
    Schema,
    WithoutProbabilities,
    check_columns,
    csv_block_answer,
    csv_block_text,
    csv_blocks,
    csv_format,
    header_columns,
    ignored,
    predict,
    rows_frame,
    split_header,
    unused_columns,
)
from models.store.records import Job
from models.store.storage import CHUNK, read_chunks

MODELS = "tuneforge.models"
CSV_TYPES = ("text/csv", "application/csv", "application/octet-stream")
ANSWER_TYPES = ["application/json", "text/csv"]
IGNORED_HEADER = "X-Ignored-Columns"
CSV_EXAMPLE = "mean radius,mean texture,mean perimeter\n17.99,10.38,122.8\n"
BODY = {
    "required": True,
    "description": 'The rows: JSON `{"rows": [{column: value}, ...]}`, or a CSV table with '
    "a header, sent as `text/csv` (documented as `application/octet-stream`, which client "
    "generators take; `charset=` names its encoding, else the dataset's). A CSV's separator "
    "is found as an upload's is; its numbers use the dataset's decimal mark (a decimal "
    "point when the separator is a comma).",
    "content": {
        "application/json": {"schema": PredictionRowsSchema},
        "application/octet-stream": {
            "schema": {"type": "string", "format": "binary", "contentMediaType": "text/csv"},
            "example": CSV_EXAMPLE,
        },
    },
}
DESCRIPTION = (
    "Rows are checked against the columns the model was trained on: a missing one is a 422 "
    "naming it, a value that is not of its column's type a 422 naming the row and column, "
    "and columns the model does not take are ignored and listed (`ignored_columns`, or the "
    f"`{IGNORED_HEADER}` header of a CSV answer). Values are read as the dataset's were: "
    "numbers written as text with its decimal mark and thousands separators, text as text. "
    "A job's model is loaded from the skops file the service wrote (its sha256 checked) "
    "and kept loaded for the next request.\n\n"
    "With `Accept: text/csv`, a CSV body is answered as CSV, streamed a block of rows at a "
    "time: a `prediction` column and, for a classifier, a `probability_<class>` column per "
    "class. A value that cannot be read after the first block ends the stream early (the "
    "answer is then incomplete: its chunked encoding is not terminated)."
)
RESPONSES = {
    "200": {
        "description": "the predictions, one per row in order: JSON, or (a CSV body with "
        "`Accept: text/csv`) CSV, streamed",
        "headers": {
            IGNORED_HEADER: {
                "description": "a CSV answer's `ignored_columns`, each percent-encoded "
                "(UTF-8), comma-separated",
                "schema": {"type": "string"},
            }
        },
        "content": {
            "application/json": {"schema": PredictionsSchema},
            "text/csv": {
                "schema": {"type": "string"},
                "example": "prediction,probability_0,probability_1\n1,0.04,0.96\n",
            },
        },
    }
}


class PredictArgsSchema(StrictSchema):
    probabilities = fields.Boolean(
        load_default=True,
        metadata={
            "description": "a classifier's `classes` and each row's `probabilities` too (or "
            "`probability_<class>` columns), when its estimator gives them"
        },
    )


def init_app(app: Flask) -> None:
    """Give ``app`` its model cache."""
    svc = app.extensions[EXTENSION]
    app.extensions[MODELS] = ModelCache(svc.storage, svc.settings.predict_cache_models)


def models() -> ModelCache:
    return current_app.extensions[MODELS]


def offload(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in gevent's thread pool when this process is gevent's (the request
    waits; the others are served), else here; with OpenMP kept to one thread either way."""
    return in_pool(one_openmp_thread, fn, *args)


def in_pool(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in gevent's thread pool when this process is gevent's, else here."""
    if not under_gevent():
        return fn(*args)
    from gevent import get_hub

    return get_hub().threadpool.apply(fn, args)


def under_gevent() -> bool:
    """Whether this process is gevent's (the API's server patched ``threading``)."""
    try:
        from gevent.monkey import is_module_patched
    except ImportError:  # pragma: no cover - gevent is a dependency of the API
        return False
    return is_module_patched("threading")


def one_openmp_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` with OpenMP kept to one thread in this thread. OpenMP's thread count
    is per thread: a pool thread left at its default (every core) would start an OpenMP
    team in this process (a histogram gradient boosting model's predict does), and GNU
    OpenMP is not fork-safe: every child this process forks later (the CSV blocks, the
    upload reader) would abort at its first parallel region."""
    with threadpool_limits(limits=1, user_api="openmp"):
        return fn(*args)


def in_child(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a child process forked for it (:func:`call_once`, which waits
    cooperatively under gevent): it has the cached model already, and its work holds
    none of this process's GIL, so a big CSV does not slow the requests served meanwhile.
    A :class:`RowsError` raised there is raised here."""
    kind, *value = call_once(_outcome, fn, *args)
    if kind == "refused":
        raise RowsError(value[0], field=value[1])
    return value[0]


def _outcome(fn: Callable[..., Any], *args: Any) -> tuple[Any, ...]:
    try:
        return ("ok", fn(*args))
    except RowsError as exc:
        return ("refused", exc.detail, exc.field)


@blp.route("/<job_id>/predictions")
class JobPredictions(MethodView):
    @blp.doc(
        operationId="predict",
        requestBody=BODY,
        description=DESCRIPTION,
        responses=RESPONSES,
    )
    @blp.arguments(PredictArgsSchema, location="query")
    @errors(blp, 400, 404, 409, 413, 415, 422)
    def post(self, args: dict[str, Any], job_id: str) -> Any:
        """Predict with the job's model on rows sent as JSON or CSV."""
        svc = service()
        owner = current_owner()
        job = svc.finished_job(owner, job_id)
        csv_body = request.mimetype in CSV_TYPES
        if not request.is_json and not csv_body:
            got = repr(request.mimetype) if request.mimetype else "no Content-Type"
            return _media_type_problem(f"must be application/json or text/csv, not {got}")
        charset = request.mimetype_params.get("charset")
        if csv_body and charset and _codec(charset) is None:
            return _media_type_problem(f"names charset {charset!r}, not an encoding Python knows")
        metadata = job.result["model"]
        model = models().get(job.id, metadata, offload)
        schema = _schema(owner, job, model)
        if not args["probabilities"]:
            model = WithoutProbabilities(model)
        if not csv_body:
            return _json_rows(model, schema)
        wants_csv = request.accept_mimetypes.best_match(ANSWER_TYPES) == "text/csv"
        return _csv_body(model, schema, wants_csv)


def _schema(owner: str, job: Job, model: Any) -> Schema:
    """What the job's model takes, read as its dataset was (if the dataset is still here)."""
    try:
        dataset = service().get_dataset(owner, job.dataset_id)
    except NotFound:
        return Schema.of(job.result["model"], None, None, unused_columns(model))
    return Schema.of(job.result["model"], dataset.columns, dataset.warnings, unused_columns(model))


def _json_rows(model: Any, schema: Schema) -> dict[str, Any] | Response:
    body = request.get_json(silent=True)
    if body is None:
        reason = 'is not JSON: send {"rows": [{column: value, ...}, ...]}'
        return problem(400, f"the body {reason}", {"body": [reason]})
    if not isinstance(body, dict) or "rows" not in body:
        raise RowsError('the body must be an object with the rows: {"rows": [...]}', field="rows")
    limit = service().settings.predict_max_rows
    frame, extra = offload(rows_frame, body["rows"], schema, limit)
    answer: Answer = offload(predict, model, frame)
    answer.ignored_columns = extra
    return answer.to_dict()


def _media_type_problem(reason: str) -> Response:
    return problem(
        415,
        f'the rows are JSON ({{"rows": [...]}}) or CSV: Content-Type {reason}',
        {"Content-Type": [reason]},
    )


def _codec(charset: str) -> str | None:
    """Python's name for ``charset``, or None when it knows no such encoding."""
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _encoding(schema: Schema) -> str:
    """The CSV body's encoding: its ``charset`` when it names one, else its dataset's."""
    charset = request.mimetype_params.get("charset")
    return (_codec(charset) if charset else None) or schema.reading.encoding


def _spool() -> IO[bytes]:
    """The request body in a temporary file, read from the client a chunk at a time."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller, or when streamed
    try:
        while chunk := request.stream.read(CHUNK):
            spool.write(chunk)
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    return spool


def _csv_body(model: Any, schema: Schema, wants_csv: bool) -> Any:
    encoding = _encoding(schema)
    spool = _spool()
    try:
        blocks = csv_blocks(read_chunks(spool), encoding)
        first = next(blocks, None)
        if first is None:
            raise RowsError("the CSV body is empty: send a header and rows", field="body")
        fmt = csv_format(first, schema, encoding)
        header, first = split_header(first)
        given = header_columns(header, fmt)
        check_columns(given, schema)
        extra = ignored(given, schema)
        if wants_csv:
            text, n = in_child(csv_block_text, model, first, header, fmt, schema, 1, True)
            stream = _csv_stream(model, blocks, header, fmt, schema, text, 1 + n, spool)
            response = Response(stream_with_context(stream), mimetype="text/csv")
            # percent-encoded: a header holds Latin-1, a column name any character
            response.headers[IGNORED_HEADER] = ",".join(quote(name, safe="") for name in extra)
            return response
        return _csv_as_json(model, first, blocks, header, fmt, schema, extra)
    except BaseException:
        spool.close()
        raise
    finally:
        if not wants_csv:
            spool.close()


def _csv_as_json(
    model: Any,
    first: str,
    blocks: Iterator[str],
    header: str,
    fmt: Any,
    schema: Schema,
    extra: list[str],
) -> dict[str, Any]:
    limit = service().settings.predict_max_rows
    whole = Answer([], ignored_columns=extra)
    row = 1
    for block in _chain(first, blocks):
        part, n = in_child(csv_block_answer, model, block, header, fmt, schema, row)
        row += n
        if row - 1 > limit:
            raise RowsError(
                f"the CSV holds more than {limit} rows, the most one JSON answer holds; ask "
                "for a CSV answer (Accept: text/csv), which streams any number",
                field="body",
            )
        whole.predictions += part.predictions
        if part.classes is not None:
            whole.classes = part.classes
        if part.probabilities is not None:
            whole.probabilities = (whole.probabilities or []) + part.probabilities
    return whole.to_dict()


def _chain(first: str, blocks: Iterator[str]) -> Iterator[str]:
    yield first
    yield from blocks


def _csv_stream(
    model: Any,
    blocks: Iterator[str],
    header: str,
    fmt: Any,
    schema: Schema,
    first_text: str,
    row: int,
    spool: IO[bytes],
) -> Iterator[str]:
    """The CSV answer: the first block's (computed before the answer started, so that its
    errors are a 4xx), then each next block's as it is predicted."""
    try:
        written = bool(first_text)
        if first_text:
            yield first_text
        for block in blocks:
            text, n = in_child(csv_block_text, model, block, header, fmt, schema, row, not written)
            row += n
            written = written or bool(text)
            if text:
                yield text
        if not written:
            yield "prediction\n"
    finally:
        spool.close()
