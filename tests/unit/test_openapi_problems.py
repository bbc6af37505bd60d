"""Error responses are documented as problem+json, through the flask-smorest method
``api/openapi.py`` overrides (there is no public setting for it); these tests pin it."""

from __future__ import annotations

import inspect

from flask import Flask
from flask_smorest import Api, Blueprint
from marshmallow import Schema, fields

from api.openapi import ProblemApi
from api.responses import errors

PROBLEM = "application/problem+json"


class ThingSchema(Schema):
    name = fields.String()


def bare_document() -> dict:
    """The document of a one-route app: 200, and 404 and 422 declared as errors."""
    app = Flask(__name__)
    app.config.update(API_TITLE="t", API_VERSION="1", OPENAPI_VERSION="3.0.3")
    api = ProblemApi(app)
    blp = Blueprint("things", __name__, url_prefix="/things")

    @blp.get("/<int:thing_id>")
    @blp.response(200, ThingSchema)
    @errors(blp, 404, 422)
    def get_thing(thing_id: int) -> dict:
        return {"name": "x"}

    api.register_blueprint(blp)
    return api.spec.to_dict()


def resolve(document: dict, response: dict) -> dict:
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    return response


def test_the_overridden_flask_smorest_method_still_exists_with_the_same_signature():
    # If flask-smorest renames or reshapes it, the override would silently do nothing.
    assert "_register_responses" in vars(ProblemApi)
    assert list(inspect.signature(Api._register_responses).parameters) == ["self"]
    assert list(inspect.signature(ProblemApi._register_responses).parameters) == ["self"]


def test_flask_smorest_still_calls_it_so_error_responses_are_problem_json():
    # given an app with one route that declares a success and two errors
    document = bare_document()
    # when its operation's responses are resolved
    responses = document["paths"]["/things/{thing_id}"]["get"]["responses"]
    # then success is JSON and every error, the default one included, is problem+json
    assert list(resolve(document, responses["200"])["content"]) == ["application/json"]
    for status in ("404", "422", "default"):
        content = resolve(document, responses[status])["content"]
        assert list(content) == [PROBLEM], status
        assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def test_every_error_response_of_every_operation_is_problem_json(app):
    # given the service's generated document
    document = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    checked = 0
    # when every 4xx, 5xx and default response of every operation is resolved
    named = list(operations(document))
    for name, operation in named:
        for status, response in operation["responses"].items():
            if not (status.startswith(("4", "5")) or status == "default"):
                continue
            content = resolve(document, response).get("content", {})
            # then each is problem+json with the Problem schema
            assert list(content) == [PROBLEM], (name, status)
            assert content[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
            checked += 1
    assert checked >= len(named)  # at least each operation's default response


def test_every_v1_operation_declares_a_503_with_retry_after(app):
    # given the service's generated document
    document = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    v1 = [(n, op) for n, op in operations(document) if n.split()[1].startswith("/v1/")]
    assert len(v1) >= 10
    # then each operation under /v1 says it may answer 503 (the database or the storage out
    # of reach), a problem with Retry-After
    for name, operation in v1:
        response = resolve(document, operation["responses"].get("503", {}))
        assert list(response.get("content", {})) == [PROBLEM], name
        assert "Retry-After" in response["headers"], name
    # and the probes that must not depend on the database do not
    assert "503" not in document["paths"]["/healthz"]["get"]["responses"]
