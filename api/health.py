"""``/healthz`` (the process is alive) and ``/readyz`` (database and broker reachable)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from api.errors import problem
from api.responses import errors
from api.schemas import HealthSchema
from api.services import services

blp = Blueprint("health", __name__, description="Liveness and readiness.")


def _check_database() -> str:
    with services().engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    return "ok"


def _check_broker() -> str:
    svc = services()
    if svc.settings.broker_is_embedded:
        if not (svc.settings.broker_dir / "queue").is_dir():
            raise OSError("the embedded broker's folder is missing")
        return "ok"
    with svc.celery.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


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
        checks: dict[str, str] = {}
        for name, check in (("database", _check_database), ("broker", _check_broker)):
            try:
                checks[name] = check()
            except Exception as exc:
                checks[name] = f"unavailable: {type(exc).__name__}"
        if any(v != "ok" for v in checks.values()):
            failing = ", ".join(k for k, v in checks.items() if v != "ok")
            return problem(503, f"not ready: {failing} unreachable")
        return {"status": "ok", "checks": checks}
