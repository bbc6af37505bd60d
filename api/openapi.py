"""The OpenAPI document (generated from the schemas), ``/openapi.yaml`` and ``/docs``.

Error responses are documented as ``application/problem+json``, the shape
``api/errors.py`` produces.
"""

from __future__ import annotations

import http
from pathlib import Path
from typing import Any

import swagger_ui_bundle
import yaml
from apispec import BasePlugin
from flask import Blueprint, Flask, Response, send_from_directory
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from marshmallow import fields

from api.auth import SECURITY, SECURITY_SCHEMES
from api.errors import PROBLEM_JSON
from api.links import LinksPlugin
from api.schemas import ProblemSchema
from models.documents.fields import CountOrObject, JsonText

SWAGGER_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
DESCRIPTION = """Hyperparameter tuning as a service: upload a CSV table, submit a search
spec, and a worker runs the search; read progress, every trial, the best parameters,
and download the trained scikit-learn Pipeline.

Errors are `application/problem+json` (RFC 9457); validation errors name each field in
`errors`. Besides those each operation lists, any may answer 401 (a key is required), 429
(a rate or quota, with `Retry-After`) and, on a service without keys, 421 (a `Host` that is
not a loopback name) or, to a POST, PUT, PATCH or DELETE, 403 (a browser's request from
another site). Lists are paginated with `limit` and `cursor` (follow `next`): datasets and jobs
newest first, trials by number unless `sort` says otherwise; each operation says its order.
"""

CONFIG = {
    "API_TITLE": "tuneforge",
    "API_VERSION": "1.0.0",
    # 3.1: JSON Schema 2020-12, whose contentMediaType/contentSchema describe the JSON in
    # each event's data (3.2's itemSchema would suit event streams better, but
    # openapi-python-client reads only 3.0 and 3.1).
    "OPENAPI_VERSION": "3.1.0",
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
    """flask-smorest's Api with every error response documented as problem+json.

    flask-smorest registers a response component per HTTP status (``NOT_FOUND`` …) and
    ``DEFAULT_ERROR``, all as ``DEFAULT_RESPONSE_CONTENT_TYPE``; routes refer to them by
    name (``api/responses.py``). It has no public setting for the error responses'
    content type: ``ERROR_SCHEMA`` sets their schema only, and changing
    ``DEFAULT_RESPONSE_CONTENT_TYPE`` would relabel every success response too. Its
    maintainer's answer (flask-smorest PR #223) is to override ``_register_responses``,
    which is what this does; ``tests/unit/test_openapi_problems.py`` fails if that method
    disappears, changes signature or stops being called.
    """

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            content_type = "application/json"
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                content_type = PROBLEM_JSON
            if status in (429, 503):
                response["headers"] = RETRY_AFTER
            prepare_response(response, self.spec, content_type)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, response, lazy=True)


RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


class OutagesPlugin(BasePlugin):
    """Every operation under ``/v1`` may answer 503 (with ``Retry-After``) while the
    database or the storage is out of reach (``models/store/outages.py``): an apispec
    plugin declares it on each, so that no route can forget it."""

    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        if not (path or "").startswith("/v1/"):
            return
        for operation in (operations or {}).values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("503", http.HTTPStatus(503).name)


def json_text2properties(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """An apispec attribute function: a :class:`~models.documents.fields.JsonText` field is
    a string whose content is a JSON document of its schema (a component, by reference)."""
    if not isinstance(field, JsonText):
        return {}
    return {
        "contentMediaType": "application/json",
        "contentSchema": self.resolve_nested_schema(field.schema),
    }


def count_or_object2properties(self: Any, field: fields.Field, **kwargs: Any) -> dict[str, Any]:
    """An apispec attribute function: a :class:`~models.documents.fields.CountOrObject`
    field is its object (a component, by reference) or a whole number."""
    if not isinstance(field, CountOrObject):
        return {}
    return {"oneOf": [self.resolve_nested_schema(field.schema), field.count]}


def spec_yaml(api: Api) -> str:
    """The OpenAPI document as YAML, exactly as ``make openapi`` writes it."""
    return yaml.safe_dump(api.spec.to_dict(), sort_keys=False, allow_unicode=True)


def init_app(app: Flask) -> ProblemApi:
    app.config.update(CONFIG)
    api = ProblemApi(app, spec_kwargs={"extra_plugins": [LinksPlugin(), OutagesPlugin()]})
    api.ma_plugin.converter.add_attribute_function(json_text2properties)
    api.ma_plugin.converter.add_attribute_function(count_or_object2properties)
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
