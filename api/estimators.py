"""``/v1/estimators``: the catalog of estimators that jobs may use."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from models.documents import EstimatorListSchema
from models.engine.catalog import CATALOG
from models.engine.spec import SCORERS

blp = Blueprint(
    "estimators",
    __name__,
    url_prefix="/v1/estimators",
    description="The allow-list of estimators, their parameters and default spaces, and the "
    "scorers of each task.",
)


@blp.route("")
class Estimators(MethodView):
    @blp.doc(operationId="listEstimators")
    @blp.response(200, EstimatorListSchema)
    def get(self) -> dict[str, Any]:
        """Every estimator a job may use, in catalog order (the list is not paginated), and
        the scorers of each task."""
        scorers = {task: list(names) for task, names in SCORERS.items()}
        return {"items": list(CATALOG.values()), "scorers": scorers}
