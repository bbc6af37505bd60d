"""The OpenAPI document (generated from the schemas), ``/openapi.yaml`` and ``/docs``.

Error responses are documented as ``application/problem+json``, the shape
``api/errors.py`` produces.
"""

from __future__ import annotations

import http
from pathlib import Path

import swagger_ui_bundle
import yaml
from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from api.auth import SECURITY, SECURITY_SCHEMES
from api.errors import PROBLEM_JSON
from api.links import LinksPlugin
from api.schemas import ProblemSchema

SWAGGER_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
DESCRIPTION = """Hyperparameter tuning as a service: upload a CSV table, submit a search
spec, and a worker runs the search; read progress, every trial, the best parameters,
and download the trained scikit-learn Pipeline.

Errors are `application/problem+json` (RFC 9457); validation errors name each field in
`errors`. Lists are newest first and paginated with `limit` and `cursor`; follow `next`.
"""

CONFIG = {
    "API_TITLE": "tuneforge",
    "API_VERSION": "1.0.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "/docs",
    "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",
    "API_SPEC_OPTIONS": {
        "info": {"description": DESCRIPTION, "license": {"name": "MIT"}},
        "servers": [{"url": "/"}],
        "components": {"securitySchemes": SECURITY_SCHEMES},
        "security": SECURITY,
    },
}


class ProblemApi(Api):
    """flask-smorest's Api with every error response documented as problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = "application/json"
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_JSON
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def spec_yaml(api: Api) -> str:
    """The OpenAPI document as YAML, exactly as ``make openapi`` writes it."""
    return yaml.safe_dump(api.spec.to_dict(), sort_keys=False, allow_unicode=True)


def init_app(app: Flask) -> ProblemApi:
    app.config.update(CONFIG)
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [LinksPlugin()]})
    docs = Blueprint("docs_assets", __name__)

    @docs.get("/openapi.yaml")
    def openapi_yaml() -> Response:
        return Response(spec_yaml(api), mimetype="application/yaml")

    @docs.get("/docs/assets/<path:filename>")
    def swagger_assets(filename: str) -> Response:
        return send_from_directory(SWAGGER_ASSETS, filename, max_age=86400)

    app.register_blueprint(docs)
    return api


def write(path: str) -> None:
    """Write the document the code generates to ``path`` (``make openapi``)."""
    import tempfile

    from api import create_app
    from models.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(data_dir=tmp))
        text = spec_yaml(app.extensions["flask-smorest"]["apis"][""]["ext_obj"])
    Path(path).write_text(text, encoding="utf-8")
