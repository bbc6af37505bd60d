"""``/v1/datasets``: upload a CSV (multipart or raw ``text/csv``), list, get, delete."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType

from api.auth import current_owner
from api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from api.idempotency import key_from_request, refusal, remember, replay
from api.responses import errors, next_link
from api.schemas import DatasetPageSchema, DatasetSchema, PageArgsSchema
from api.services import db, services
from models import datasets, idempotency
from models.exceptions import DatasetError
from models.storage import CHUNK

blp = Blueprint(
    "datasets",
    __name__,
    url_prefix="/v1/datasets",
    description="Upload tables and read their profiles.",
)

CSV_TYPES = ("text/csv", "application/csv")
UPLOAD_BODY = {
    "required": True,
    "description": "The table as CSV: a multipart form with field `file` (and optional "
    "`name`), or the raw CSV as the body (name it with `?name=`).",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "name": {"type": "string", "maxLength": 255},
                },
            },
        },
        "text/csv": {
            "schema": {"type": "string", "format": "binary"},
            "example": "sepal_length,species\n5.1,setosa\n6.2,virginica\n",
        },
    },
}
NAME_PARAM = {
    "name": "name",
    "in": "query",
    "required": False,
    "description": "a name for a raw text/csv upload",
    "schema": {"type": "string", "maxLength": 255},
}


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _upload() -> tuple[Iterator[bytes], str | None]:
    """The uploaded bytes as a stream of chunks, and the dataset's name."""
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise DatasetError("a multipart upload needs the CSV in field 'file'", field="file")
        return _chunks(upload.stream), request.form.get("name") or upload.filename
    if mimetype in CSV_TYPES:
        return _chunks(request.stream), request.args.get("name")
    raise UnsupportedMediaType(
        f"send the CSV as multipart/form-data (field 'file') or as text/csv, not {mimetype!r}"
    )


def dataset_view(record: datasets.Dataset) -> dict[str, Any]:
    return {
        c: getattr(record, c)
        for c in (
            "id",
            "name",
            "n_rows",
            "n_columns",
            "columns",
            "sha256",
            "size_bytes",
            "created_at",
        )
    }


@blp.route("")
class Datasets(MethodView):
    @blp.doc(operationId="listDatasets")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, DatasetPageSchema)
    @errors(blp, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List datasets, newest first."""
        page = datasets.list_datasets(db(), current_owner(), args["limit"], args.get("cursor"))
        return {
            "items": [dataset_view(d) for d in page.items],
            "next": next_link(page.next_cursor, args),
        }

    @blp.doc(
        requestBody=UPLOAD_BODY,
        parameters=[NAME_PARAM, IDEMPOTENCY_KEY],
        operationId="uploadDataset",
    )
    @blp.response(
        201,
        DatasetSchema,
        headers={
            "Location": {"description": "the new dataset's URL", "schema": {"type": "string"}}
        },
    )
    @errors(blp, 400, 409, 413, 415, 422)
    def post(self) -> Any:
        """Upload a CSV table; answers with its profile."""
        key = key_from_request()
        if key is None:
            return self._create()[0]
        session = db()
        # An upload's fingerprint (its sha256 and name) is known only once it is read.
        outcome = idempotency.begin(session, current_owner(), "uploadDataset", key, None)
        if (refused := refusal(outcome)) is not None:
            return refused
        new = outcome.record if outcome.claim is idempotency.Claim.NEW else None
        try:
            response, fingerprint = self._create()
        except Exception:
            if new is not None:
                idempotency.abandon(session, new)
            raise
        if new is None:  # a retry of a finished upload: keep nothing of this copy
            document = response[0]
            datasets.delete_dataset(session, services().storage, current_owner(), document["id"])
            if idempotency.same_request(outcome.record, fingerprint):
                return replay(outcome.record)
            return refusal(idempotency.Outcome(idempotency.Claim.MISMATCH))
        remember(
            session, new, fingerprint, response[1], response[2], DatasetSchema().dump(response[0])
        )
        return response

    @staticmethod
    def _create() -> tuple[tuple[dict[str, Any], int, dict[str, str]], str]:
        svc = services()
        chunks, name = _upload()
        record = datasets.create_dataset(
            db(), svc.storage, svc.settings, owner=current_owner(), chunks=chunks, name=name
        )
        response = dataset_view(record), 201, {"Location": f"/v1/datasets/{record.id}"}
        return response, f"{record.sha256}:{record.name}"


@blp.route("/<dataset_id>")
class DatasetById(MethodView):
    @blp.doc(operationId="getDataset")
    @blp.response(200, DatasetSchema)
    @errors(blp, 404)
    def get(self, dataset_id: str) -> dict[str, Any]:
        """One dataset's profile."""
        return dataset_view(datasets.get_dataset(db(), current_owner(), dataset_id))

    @blp.doc(operationId="deleteDataset")
    @blp.response(204)
    @errors(blp, 404, 409)
    def delete(self, dataset_id: str) -> None:
        """Delete a dataset (refused while a queued or running job uses it)."""
        datasets.delete_dataset(db(), services().storage, current_owner(), dataset_id)
