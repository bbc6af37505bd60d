"""``/v1/datasets``: upload a CSV (multipart, or the raw body), list, get, delete."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any, BinaryIO

from flask import Response, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import UnsupportedMediaType

from api.auth import current_owner
from api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from api.idempotency import idempotent
from api.inputs import text_trouble
from api.responses import errors, page_body
from api.schemas import DatasetDeleteArgsSchema, DatasetListArgsSchema
from api.services import service
from models.documents import DatasetPageSchema, DatasetSchema
from models.documents.labels import TAGS_DESCRIPTION
from models.engine.labels import check_tags
from models.exceptions import DatasetError, TooLarge
from models.store.records import Dataset
from models.store.storage import CHUNK

CHUNK_PAUSE_S = 0.0005
# A dataset's name, as its column holds it (PostgreSQL refuses a longer one).
MAX_NAME_LENGTH: int = Dataset.__table__.c.name.type.length
# Names up to this long go into an upload's idempotency fingerprint as they are.
SHORT_NAME = 64

blp = Blueprint(
    "datasets",
    __name__,
    url_prefix="/v1/datasets",
    description="Upload tables and read their profiles.",
)

# A raw body is read as CSV under its own types and as plain bytes: openapi.yaml
# describes it as ``application/octet-stream``, the one raw body type that client
# generators (openapi-python-client among them) take without a warning.
RAW_TYPES = ("text/csv", "application/csv", "application/octet-stream")
UPLOAD_DESCRIPTION = (
    "The reader detects the encoding (UTF-8, else Windows-1252 or Latin-1; UTF-16 with a "
    "byte-order mark), the separator (`,` `;` tab `|`) and a decimal comma; text columns "
    "that are mostly numbers (thousands separators, a few odd cells such as `n/a` or `-`, "
    "which become missing) are read as numbers, and NUL bytes are left out. Each guess is "
    "listed in the dataset's `warnings`, and a job reads the table the same way. A header "
    "that repeats a column name is refused with 422, naming the name and its columns: "
    "rename one and upload again."
)
TAGS_HOW = " (comma-separated, or the field repeated)"
UPLOAD_BODY = {
    "required": True,
    "description": "The table as CSV: a multipart form with field `file` (and optional "
    "`name` and `tags`), or the raw CSV as the body, sent as `application/octet-stream` or "
    "with its own type `text/csv` (name and tag it with `?name=` and `?tags=`). Without a "
    "name, a multipart upload is named after its file, a raw one after its id.",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "name": {"type": "string", "maxLength": MAX_NAME_LENGTH},
                    "tags": {"type": "string", "description": TAGS_DESCRIPTION + TAGS_HOW},
                },
            },
        },
        "application/octet-stream": {
            "schema": {"type": "string", "format": "binary", "contentMediaType": "text/csv"},
            "example": "sepal_length,species\n5.1,setosa\n6.2,virginica\n",
        },
    },
}
NAME_PARAM = {
    "name": "name",
    "in": "query",
    "required": False,
    "description": "a name for a raw upload",
    "schema": {"type": "string", "maxLength": MAX_NAME_LENGTH},
}
TAGS_PARAM = {
    "name": "tags",
    "in": "query",
    "required": False,
    "description": "tags for a raw upload: " + TAGS_DESCRIPTION + TAGS_HOW,
    "schema": {"type": "string"},
}


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk
        # Under gevent, a read with data waiting does not yield: a fast client's 100 MB
        # would be received, hashed and written in one go (0.4 s here) while the process's
        # other requests wait. A pause lets them run between chunks (sleep(0) would not:
        # it runs the greenlets ready to run, not the event loop that readies them).
        time.sleep(CHUNK_PAUSE_S)


def _upload() -> tuple[Iterator[bytes], str | None, tuple[str, ...]]:
    """The uploaded bytes as a stream of chunks, the dataset's name, and its tags."""
    mimetype = request.mimetype
    if mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise DatasetError("a multipart upload needs the CSV in field 'file'", field="file")
        tags = _tags(request.form.getlist("tags"))
        given = request.form.get("name")
        if given:
            return _chunks(upload.stream), _name(given), tags
        # a file's own name, however long the client's path made it, is shortened to fit
        filename = upload.filename[-MAX_NAME_LENGTH:] if upload.filename else None
        return _chunks(upload.stream), _name(filename), tags
    if mimetype in RAW_TYPES:
        tags = _tags(request.args.getlist("tags"))
        return _chunks(request.stream), _name(request.args.get("name")), tags
    raise UnsupportedMediaType(
        "send the CSV as multipart/form-data (field 'file') or as the raw body "
        f"(application/octet-stream or text/csv), not {mimetype!r}"
    )


def _name(name: str | None) -> str | None:
    if name and (reason := text_trouble(name)) is not None:
        raise DatasetError(f"a dataset's name {reason}", field="name")
    if name and len(name) > MAX_NAME_LENGTH:
        raise DatasetError(
            f"a dataset's name is at most {MAX_NAME_LENGTH} characters; this one has {len(name)}",
            field="name",
        )
    g.upload_name = name
    return name


def _tags(given: list[str]) -> tuple[str, ...]:
    """The tags of an upload, each value comma-separated (blanks left out), checked."""
    tags = check_tags([t.strip() for v in given for t in v.split(",") if t.strip()], DatasetError)
    g.upload_tags = tags
    return tags


def _fingerprint(sha256: str) -> str:
    """An upload is the same request when it sent the same bytes under the same name (the
    name it gave, if any: without one, each dataset is named after its own id) and tags. A
    long name is kept as its digest: the stored fingerprint has room for 200 characters;
    with tags, the name and tags are (both forms are longer than any name kept as it is)."""
    name = g.get("upload_name") or ""
    tags = g.get("upload_tags") or ()
    if tags:
        labels = json.dumps([name, list(tags)])
        name = "tags:" + hashlib.sha256(labels.encode()).hexdigest()
    elif len(name) > SHORT_NAME:
        name = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
    return f"{sha256}:{name}"


def _upload_fingerprint(response: Response) -> str:
    """The fingerprint of an upload that was stored: its dataset's sha256 and name."""
    return _fingerprint(response.get_json()["sha256"])


def _body_fingerprint() -> str:
    """The fingerprint of a retried upload, from its body alone: its bytes are hashed, not
    stored, so a retry of a finished upload neither parses the table again nor needs room
    in the storage quota for a second copy."""
    chunks, _, _ = _upload()
    limit = service().settings.max_upload_bytes
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:  # as storing it would
            raise TooLarge(f"the upload exceeds the limit of {limit} bytes")
        digest.update(chunk)
    return _fingerprint(digest.hexdigest())


def _discard_copy(response: Response) -> None:
    """An upload whose answer could not be remembered keeps nothing."""
    service().delete_dataset(current_owner(), response.get_json()["id"])


@blp.route("")
class Datasets(MethodView):
    @blp.doc(operationId="listDatasets")
    @blp.arguments(DatasetListArgsSchema, location="query")
    @blp.response(200, DatasetPageSchema)
    @errors(blp, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List datasets, newest first (by creation time) unless sorted by name."""
        page = service().list_datasets(
            current_owner(), args["limit"], args.get("cursor"), args["sort"]
        )
        return page_body(page, args)

    @idempotent(
        "uploadDataset",
        fingerprint_of_response=_upload_fingerprint,
        fingerprint_of_body=_body_fingerprint,
        discard=_discard_copy,
    )
    @blp.doc(
        requestBody=UPLOAD_BODY,
        parameters=[NAME_PARAM, TAGS_PARAM, IDEMPOTENCY_KEY],
        operationId="uploadDataset",
        description=UPLOAD_DESCRIPTION,
    )
    @blp.response(
        201,
        DatasetSchema,
        headers={
            "Location": {"description": "the new dataset's URL", "schema": {"type": "string"}}
        },
    )
    @errors(blp, 400, 408, 409, 413, 415, 422)
    def post(self) -> Any:
        """Upload a CSV table; answers with its profile."""
        chunks, name, tags = _upload()
        record = service().upload_dataset(current_owner(), chunks, name, tags)
        return record, 201, {"Location": f"/v1/datasets/{record.id}"}


@blp.route("/<dataset_id>")
class DatasetById(MethodView):
    @blp.doc(operationId="getDataset")
    @blp.response(200, DatasetSchema)
    @errors(blp, 404)
    def get(self, dataset_id: str) -> Dataset:
        """One dataset's profile."""
        return service().get_dataset(current_owner(), dataset_id)

    @blp.doc(operationId="deleteDataset")
    @blp.arguments(DatasetDeleteArgsSchema, location="query")
    @blp.response(204)
    @errors(blp, 404, 409, 422)
    def delete(self, args: dict[str, Any], dataset_id: str) -> None:
        """Delete a dataset and its file: a 409 listing the jobs made from it, unless
        `cascade=true`, which deletes them too (as `DELETE /v1/jobs/{id}` does)."""
        service().delete_dataset(current_owner(), dataset_id, cascade=args["cascade"])
