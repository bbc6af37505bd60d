"""``GET /v1/jobs/{id}/card``: a job's model card, as JSON or as Markdown.

The route belongs to the jobs blueprint (``api/__init__.py`` imports this module before
registering it). ``Accept: text/markdown`` (preferred over JSON) gets the Markdown page;
anything else gets the JSON document, which ``ModelCardSchema`` describes.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView

from api.auth import current_owner
from api.jobs import blp
from api.responses import errors
from api.services import service
from models.documents.model_card import ModelCardSchema, render_markdown

MARKDOWN = "text/markdown"


@blp.route("/<job_id>/card")
class JobCard(MethodView):
    @blp.doc(
        operationId="getModelCard",
        responses={
            "200": {
                "description": "the model card: JSON, or Markdown for `Accept: text/markdown`",
                "content": {
                    "application/json": {"schema": ModelCardSchema},
                    MARKDOWN: {"schema": {"type": "string"}},
                },
            }
        },
    )
    @blp.response(200, ModelCardSchema)
    @errors(blp, 404, 409)
    def get(self, job_id: str) -> Any:
        """A job's model card, as JSON or as Markdown (409 until the job has a result).

        The data, its columns and how each was treated, the task and scorer, the CV kind
        and folds with the scores' spread, the test score, the best parameters, the trials
        run, failed and pruned, the time spent, the library versions, the data and leak
        warnings, and the intended use and limits.
        """
        card = service().model_card(current_owner(), job_id)
        if request.accept_mimetypes.best_match(["application/json", MARKDOWN]) == MARKDOWN:
            text = render_markdown(card)
            response = Response(text, mimetype=MARKDOWN)
            response.headers.set("Content-Disposition", "inline", filename=f"{job_id}-card.md")
            return response
        return card
