"""``/v1/estimators``: the catalog of estimators that jobs may use."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from api.schemas import EstimatorListSchema
from models.catalog import CATALOG, describe_param

blp = Blueprint(
    "estimators",
    __name__,
    url_prefix="/v1/estimators",
    description="The allow-list of estimators, their parameters and default spaces.",
)


def estimator_view(name: str) -> dict[str, Any]:
    entry = CATALOG[name]
    return {
        "name": entry.name,
        "title": entry.title,
        "tasks": entry.tasks,
        "params": {
            task: {p: describe_param(spec) for p, spec in params.items()}
            for task, params in entry.params.items()
        },
        "default_space": entry.default_space,
        "resource_params": entry.resource_params,
    }


@blp.route("")
class Estimators(MethodView):
    @blp.doc(operationId="listEstimators")
    @blp.response(200, EstimatorListSchema)
    def get(self) -> dict[str, Any]:
        """Every estimator a job may use."""
        return {"items": [estimator_view(name) for name in CATALOG]}
