"""``/v1/jobs``: submit a search, follow it, read its trials and result, get the model."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from api import events
from api.auth import current_owner
from api.idempotency import PARAMETER as IDEMPOTENCY_KEY
from api.idempotency import key_from_request, refusal, remember, replay
from api.responses import errors, next_link
from api.schemas import (
    JobListArgsSchema,
    JobPageSchema,
    JobSchema,
    PageArgsSchema,
    ResultSchema,
    SearchSpecSchema,
    TrialPageSchema,
)
from api.services import db, services
from models import datasets, idempotency, jobs
from models.exceptions import Conflict, NotFound, SpecError
from models.records import Job, JobStatus
from models.spec import resolve_spec
from tasks.app import enqueue_search, enqueue_webhook

log = logging.getLogger(__name__)

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/v1/jobs",
    description="Submit searches and read their progress, trials and results.",
)


job_view = jobs.job_document
trial_view = jobs.trial_document


def _finished_job(job_id: str) -> Job:
    """The job, if it succeeded; otherwise 409 saying why there is no result."""
    job = jobs.get_job(db(), current_owner(), job_id)
    if job.status == JobStatus.SUCCEEDED:
        return job
    if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
        raise Conflict(f"job {job_id} is {job.status}; the result is ready when it succeeds")
    reason = f": {job.error}" if job.error else ""
    raise Conflict(f"job {job_id} ended {job.status}{reason}; it has no result")


@blp.route("")
class Jobs(MethodView):
    @blp.doc(operationId="listJobs")
    @blp.arguments(JobListArgsSchema, location="query")
    @blp.response(200, JobPageSchema)
    @errors(blp, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List jobs, newest first; filter by status and dataset."""
        page = jobs.list_jobs(
            db(),
            current_owner(),
            args["limit"],
            args.get("cursor"),
            status=args.get("status"),
            dataset_id=args.get("dataset_id"),
        )
        return {
            "items": [job_view(j) for j in page.items],
            "next": next_link(page.next_cursor, args),
        }

    @blp.doc(operationId="submitJob", parameters=[IDEMPOTENCY_KEY])
    @blp.arguments(
        SearchSpecSchema,
        example={
            "dataset_id": "ds_0190f3a2b7c41e2f9a0b3c4d5e6f7a8b",
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
    @errors(blp, 409, 415, 422)
    def post(self, body: dict[str, Any]) -> Any:
        """Submit a search; a worker runs it."""
        session = db()
        key = key_from_request()
        if key is None:
            return self._submit(body)
        fingerprint = idempotency.fingerprint_json(body)
        outcome = idempotency.begin(session, current_owner(), "submitJob", key, fingerprint)
        if (refused := refusal(outcome)) is not None:
            return refused
        if outcome.claim is idempotency.Claim.REPLAY:
            return replay(outcome.record)
        try:
            document, status, headers = self._submit(body)
        except Exception:
            idempotency.abandon(session, outcome.record)
            raise
        remember(session, outcome.record, fingerprint, status, headers, JobSchema().dump(document))
        return document, status, headers

    @staticmethod
    def _submit(body: dict[str, Any]) -> tuple[dict[str, Any], int, dict[str, str]]:
        svc = services()
        session = db()
        try:
            dataset = datasets.get_dataset(session, current_owner(), body["dataset_id"])
        except NotFound as exc:
            raise SpecError(exc.detail, field="dataset_id") from exc
        spec = resolve_spec(
            body,
            dataset.columns,
            dataset.n_rows,
            max_trials=svc.settings.max_trials,
            max_job_seconds=svc.settings.max_job_seconds,
        )
        job = jobs.submit_job(session, current_owner(), spec)
        try:
            enqueue_search(svc.celery, job.id)
        except Exception:
            # The job is safe in the database; the workers' recovery sweep sends it.
            log.warning("could not enqueue job %s; recovery will", job.id, exc_info=True)
        return job_view(job), 202, {"Location": f"/v1/jobs/{job.id}"}


@blp.route("/<job_id>")
class JobById(MethodView):
    @blp.doc(operationId="getJob")
    @blp.response(200, JobSchema)
    @errors(blp, 404)
    def get(self, job_id: str) -> dict[str, Any]:
        """One job: status, progress, and the best so far."""
        return job_view(jobs.get_job(db(), current_owner(), job_id))


@blp.route("/<job_id>/cancel")
class JobCancel(MethodView):
    @blp.doc(operationId="cancelJob")
    @blp.response(200, JobSchema)
    @errors(blp, 404, 409)
    def post(self, job_id: str) -> dict[str, Any]:
        """Stop a queued or running job; the trials so far are kept."""
        job = jobs.cancel_job(db(), current_owner(), job_id)
        if job.spec.get("webhook_url"):
            try:
                enqueue_webhook(services().celery, job.id)
            except Exception:
                log.warning("could not enqueue the webhook of job %s", job.id, exc_info=True)
        return job_view(job)


@blp.route("/<job_id>/trials")
class JobTrials(MethodView):
    @blp.doc(operationId="listTrials")
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, TrialPageSchema)
    @errors(blp, 404, 422)
    def get(self, args: dict[str, Any], job_id: str) -> dict[str, Any]:
        """Every trial so far, in the order they were proposed."""
        page = jobs.list_trials(db(), current_owner(), job_id, args["limit"], args.get("cursor"))
        return {
            "items": [trial_view(t) for t in page.items],
            "next": next_link(page.next_cursor, args),
        }


@blp.route("/<job_id>/result")
class JobResult(MethodView):
    @blp.doc(operationId="getResult")
    @blp.response(200, ResultSchema)
    @errors(blp, 404, 409)
    def get(self, job_id: str) -> dict[str, Any]:
        """Best parameters and scores, and the model's metadata (409 until succeeded)."""
        job = _finished_job(job_id)
        defaults = {"scores": {}, "n_pruned_trials": 0}
        return {"job_id": job.id, "stopped_reason": job.stopped_reason, **defaults, **job.result}


@blp.route("/<job_id>/model")
class JobModel(MethodView):
    @blp.doc(
        operationId="downloadModel",
        responses={
            "200": {
                "description": "the fitted Pipeline as a joblib file",
                "headers": {
                    "X-Content-SHA256": {
                        "schema": {"type": "string"},
                        "description": "sha256 of the file",
                    },
                    "ETag": {"schema": {"type": "string"}, "description": "the quoted sha256"},
                    "Content-Disposition": {
                        "schema": {"type": "string"},
                        "description": "attachment; filename=<job id>.joblib",
                    },
                },
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            },
            "304": {"description": "Not Modified: the If-None-Match ETag is current"},
        },
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
    @errors(blp, 404, 409)
    def get(self, job_id: str) -> Response:
        """Download the trained pipeline (preprocessing + estimator) as a joblib file."""
        job = _finished_job(job_id)
        model = job.result["model"]
        path = services().storage.local_path(job.model_key)
        response = send_file(
            path,
            mimetype="application/octet-stream",
            as_attachment=True,
            download_name=f"{job.id}.{model['format']}",
            etag=model["sha256"],
            conditional=True,
            max_age=0,
        )
        response.headers["X-Content-SHA256"] = model["sha256"]
        return response


events.register(blp)
