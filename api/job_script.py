"""``GET /v1/jobs/{id}/script``: a finished job's search as one standalone Python file.

Its route joins ``jobs.blp``; the file is written by :mod:`models.engine.replay_script`.
"""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from api.auth import current_owner
from api.jobs import blp
from api.responses import errors
from api.services import service
from models.engine.replay_script import MEDIA_TYPE
from models.job_script import job_script


@blp.route("/<job_id>/script")
class JobScript(MethodView):
    @blp.doc(
        operationId="downloadScript",
        responses={
            "200": {
                "description": "the search as a standalone Python file (pandas, numpy and "
                "scikit-learn only): `python <job id>.py data.csv` prints the cross-validation "
                "score on the job's folds as its last line; `--fit model.joblib` fits on every "
                "training row and saves the model",
                "headers": {
                    "Content-Disposition": {
                        "schema": {"type": "string"},
                        "description": "attachment; filename=<job id>.py",
                    }
                },
                "content": {MEDIA_TYPE: {"schema": {"type": "string"}}},
            }
        },
    )
    @errors(blp, 404, 409)
    def get(self, job_id: str) -> Response:
        """Download the search as plain code: one Python file (409 until it has a result).

        The file reads the CSV as the service did, rebuilds the pipeline with the best
        parameters as literals, and cross-validates it on the job's folds.
        """
        text = job_script(service(), current_owner(), job_id)
        response = Response(text, mimetype=MEDIA_TYPE)
        response.headers.set("Content-Disposition", "attachment", filename=f"{job_id}.py")
        return response
