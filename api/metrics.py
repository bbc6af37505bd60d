"""``GET /metrics``: the service's metrics in Prometheus' text format.

Public, like ``/healthz``: it holds counts and timings only (jobs by status, trials,
requests by route template, task outcomes), never an id, a tenant's name or a parameter.
Put it behind the proxy's access rules if even the counts should stay inside. What it
shows and where each number comes from: ``models/plumbing/metrics.py``.
"""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.services import service
from models.plumbing.metrics import exposition, metrics_dir

blp = Blueprint("metrics", __name__, description="Operational metrics for Prometheus.")

EXAMPLE = (
    "# HELP tuneforge_jobs Jobs in each status, every tenant.\n"
    "# TYPE tuneforge_jobs gauge\n"
    'tuneforge_jobs{status="running"} 3.0\n'
)
RESPONSES = {
    "200": {
        "description": "Prometheus' text exposition format: jobs by status, "
        "trials in flight, trials recorded and their durations, HTTP request durations and "
        "Celery task outcomes, from this API and every worker sharing its data dir.",
        "content": {"text/plain": {"schema": {"type": "string"}, "example": EXAMPLE}},
    }
}


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(operationId="getMetrics", responses=RESPONSES)
    def get(self) -> Response:
        """The service's metrics, for Prometheus to scrape."""
        svc = service()
        body, content_type = exposition(metrics_dir(svc.settings.data_dir), svc)
        return Response(body, content_type=content_type)
