"""``/v1/jobs``: submit a search, follow it, read its trials and result, get the model."""

from __future__ import annotations

import dataclasses
from typing import Any, BinaryIO

from flask import Response, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wsgi import wrap_file

from api.auth import current_owner
from api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from api.idempotency import idempotent, json_body_fingerprint
from api.key_watch import WhileGranted, hold_for_request
from api.responses import errors, page_body
from api.schemas import JobListArgsSchema, ModelArgsSchema, TrialListArgsSchema
from api.services import service
from models.documents import (
    DryRunSchema,
    ExtendSchema,
    ImportanceSchema,
    JobPageSchema,
    JobSchema,
    ResultSchema,
    SearchSpecSchema,
    TrialPageSchema,
)
from models.store import idempotency
from models.store.jobs import JobFilter
from models.store.records import Job
from models.store.storage import CHUNK

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/v1/jobs",
    description="Submit searches and read their progress, trials and results.",
)


def _withdraw(response: Response) -> None:
    """Undo a submit whose response could not be remembered (see ``idempotent``); a dry
    run made nothing to undo."""
    job_id = response.get_json().get("id")
    if job_id is not None:
        service().withdraw_job(current_owner(), job_id)


@blp.route("")
class Jobs(MethodView):
    @blp.doc(operationId="listJobs")
    @blp.arguments(JobListArgsSchema, location="query")
    @blp.response(200, JobPageSchema)
    @errors(blp, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List jobs, newest first unless sorted; filter by status, dataset and tag."""
        where = JobFilter(
            status=args.get("status"), dataset_id=args.get("dataset_id"), tags=args.get("tag")
        )
        page = service().list_jobs(
            current_owner(), args["limit"], args.get("cursor"), where, args["sort"]
        )
        return page_body(page, args)

    @idempotent("submitJob", fingerprint=json_body_fingerprint, discard=_withdraw)
    @blp.doc(operationId="submitJob", parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(
        SearchSpecSchema,
        example={
            "dataset_id": "ds_0190f3a2b7c41e2f9a0b3c4d5e6f",
            "target": "target",
            "estimator": "decision_tree",
            "strategy": "grid",
            "param_space": {"max_depth": [2, 4, 8, None], "min_samples_leaf": [1, 5, 10]},
            "cv": {"folds": 5, "kind": "stratified", "shuffle": False},
            "test_size": 0,
        },
    )
    @blp.response(
        202,
        JobSchema,
        headers={"Location": {"description": "the job's URL", "schema": {"type": "string"}}},
    )
    @blp.alt_response(
        200,
        schema=DryRunSchema,
        description="dry_run: the spec passed a submit's checks; how long it would take. "
        "No job was made",
    )
    @errors(blp, 400, 408, 409, 415, 422)
    def post(self, body: dict[str, Any]) -> Any:
        """Submit a search; a worker runs it. With `dry_run`, check it and estimate how long
        it would take (a calibration fit of a few seconds at most) without running it."""
        if body.pop("dry_run", False):
            estimate, warnings = service().estimate_job(current_owner(), body)
            answer = {"estimate": dataclasses.asdict(estimate), "warnings": warnings}
            return jsonify(DryRunSchema().dump(answer))
        job = service().submit_job(current_owner(), body)
        return job, 202, {"Location": f"/v1/jobs/{job.id}"}


@blp.route("/<job_id>")
class JobById(MethodView):
    @blp.doc(operationId="getJob")
    @blp.response(200, JobSchema)
    @errors(blp, 404)
    def get(self, job_id: str) -> Job:
        """One job: status, progress, and the best so far."""
        return service().get_job(current_owner(), job_id)

    @blp.doc(operationId="deleteJob")
    @blp.response(204)
    @errors(blp, 404)
    def delete(self, job_id: str) -> None:
        """Delete a job with its trials, result and model files (a queued or running job
        stops first); its model is then neither downloadable nor predictable."""
        service().delete_job(current_owner(), job_id)


@blp.route("/<job_id>/cancel")
class JobCancel(MethodView):
    @blp.doc(operationId="cancelJob")
    @blp.response(200, JobSchema)
    @errors(blp, 404, 409)
    def post(self, job_id: str) -> Job:
        """Stop a queued or running job; the trials so far are kept."""
        return service().cancel_job(current_owner(), job_id)


def _extend_fingerprint() -> str:
    """An extension's fingerprint: the job it extends and its body."""
    return idempotency.fingerprint_json(
        {"job_id": request.view_args.get("job_id"), "body": request.get_json(silent=True)}
    )


@blp.route("/<job_id>/extend")
class JobExtend(MethodView):
    @idempotent("extendJob", fingerprint=_extend_fingerprint)
    @blp.doc(operationId="extendJob", parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(ExtendSchema, example={"n_trials": 10})
    @blp.response(202, JobSchema)
    @errors(blp, 400, 404, 409, 415, 422, 429)
    def post(self, body: dict[str, Any], job_id: str) -> Job:
        """Go on with a job: more trials, more time, or both.

        Its trials keep their numbers and new ones follow, the strategy learning from every
        one. A running job is extended in place; a job that succeeded, or was cancelled,
        is queued again (a failed one is not: 409). Its result and model are replaced only
        by a better candidate. 409 for a grid with every point tried, and for n_trials on a
        halving search.
        """
        return service().extend_job(
            current_owner(), job_id, body.get("n_trials"), body.get("timeout_s")
        ), 202


@blp.route("/<job_id>/trials")
class JobTrials(MethodView):
    @blp.doc(operationId="listTrials")
    @blp.arguments(TrialListArgsSchema, location="query")
    @blp.response(200, TrialPageSchema)
    @errors(blp, 404, 422)
    def get(self, args: dict[str, Any], job_id: str) -> dict[str, Any]:
        """List a job's trials so far, by number unless sorted; filter by state (and an
        auto job's by family).

        By number is the order they were proposed in; `sort=-mean_score` is best first.
        """
        page = service().list_trials(
            current_owner(),
            job_id,
            args["limit"],
            args.get("cursor"),
            sort=args["sort"],
            states=args.get("state"),
            family=args.get("estimator"),
        )
        return page_body(page, args)


@blp.route("/<job_id>/importance")
class JobImportance(MethodView):
    @blp.doc(operationId="getImportance")
    @blp.response(200, ImportanceSchema)
    @errors(blp, 404)
    def get(self, job_id: str) -> dict[str, Any]:
        """How much each parameter mattered to the job's score (fANOVA).

        Over the scored trials so far, while the job runs too; empty, with the reason in
        `detail`, until at least two trials have a score and a parameter varies.
        """
        found = service().importance(current_owner(), job_id)
        return {"job_id": job_id, **dataclasses.asdict(found)}


@blp.route("/<job_id>/result")
class JobResult(MethodView):
    @blp.doc(operationId="getResult")
    @blp.response(200, ResultSchema)
    @errors(blp, 404, 409)
    def get(self, job_id: str) -> Job:
        """Best parameters and scores, and the model's metadata (409 until succeeded)."""
        return service().finished_job(current_owner(), job_id)


@blp.route(
    "/<job_id>/model",
    # here, not in the doc below, whose parameters would replace the query's
    parameters=[
        {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "an ETag from an earlier download",
            "schema": {"type": "string"},
        }
    ],
)
class JobModel(MethodView):
    @blp.doc(
        operationId="downloadModel",
        responses={
            "200": {
                "description": "the fitted Pipeline as a joblib, skops or ONNX file "
                "(application/octet-stream for each)",
                "headers": {
                    "X-Content-SHA256": {
                        "schema": {"type": "string"},
                        "description": "sha256 of the file",
                    },
                    "ETag": {"schema": {"type": "string"}, "description": "the quoted sha256"},
                    "Content-Disposition": {
                        "schema": {"type": "string"},
                        "description": "attachment; filename=<job id>.<format>",
                    },
                },
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            },
            "304": {"description": "Not Modified: the If-None-Match ETag is current"},
        },
    )
    @blp.arguments(ModelArgsSchema, location="query")
    @errors(blp, 404, 409, 422)
    def get(self, args: dict[str, Any], job_id: str) -> Response:
        """Download the trained pipeline (preprocessing + estimator) as a file.

        joblib by default (a pickle); with ``format=skops`` a file that loads without
        unpickling: ``skops.io.load(f, trusted=<the result's model.skops.trusted_types>)``;
        with ``format=onnx`` an ONNX graph of the whole pipeline with one named input per
        column (``onnxruntime.InferenceSession(f)``; the result's ``model.onnx`` lists
        them), or a 409 saying why the pipeline has none.
        """
        svc = service()
        job = svc.finished_job(current_owner(), job_id)
        stream, file = svc.open_model(job, args["format"])
        return _download(stream, f"{job.id}.{args['format']}", file["sha256"], file["size_bytes"])


def _download(stream: BinaryIO, filename: str, sha256: str, size: int) -> Response:
    """``stream`` as an attachment, sent a chunk at a time (a model in S3 is never held
    whole in memory); ``If-None-Match`` with its sha256 gets 304, ``Range`` gets 206."""
    response = Response(
        wrap_file(request.environ, stream, CHUNK),
        mimetype="application/octet-stream",
        direct_passthrough=True,
    )
    response.content_length = size
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["X-Content-SHA256"] = sha256
    response.set_etag(sha256)
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    try:
        response = response.make_conditional(request, accept_ranges=True, complete_length=size)
    except RequestedRangeNotSatisfiable:
        stream.close()
        raise
    # a download lasts as long as its client reads: it stops if the key is revoked meanwhile
    response.response = WhileGranted(response.response, hold_for_request())
    return response
