"""``/healthz`` (the process is alive) and ``/readyz`` (database and broker reachable)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import problem
from api.responses import errors
from api.schemas import HealthSchema
from api.services import service

blp = Blueprint("health", __name__, description="Liveness and readiness.")


@blp.route("/healthz")
class Health(MethodView):
    @blp.doc(operationId="getHealth")
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, Any]:
        """The API process is up."""
        return {"status": "ok"}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.doc(operationId="getReadiness")
    @blp.response(200, HealthSchema)
    @errors(blp, 503)
    def get(self) -> Any:
        """The database and the broker are reachable."""
        checks = service().readiness()
        if any(v != "ok" for v in checks.values()):
            failing = ", ".join(k for k, v in checks.items() if v != "ok")
            return problem(503, f"not ready: {failing} unreachable")
        return {"status": "ok", "checks": checks}
