"""openapi.yaml is the public contract: it must be what the code generates, and valid."""

from __future__ import annotations

from pathlib import Path

import yaml
from openapi_spec_validator import validate

from api.openapi import spec_yaml

ROOT = Path(__file__).resolve().parents[2]
META_ROUTES = {
    "/openapi.json",
    "/openapi.yaml",
    "/docs",
    "/docs/assets/<path:filename>",
    "/static/<path:filename>",
    # the dashboard (api/dashboard.py): pages and files, not the JSON API
    "/",
    "/ui",
    "/ui/",
    "/ui/<path:filename>",
}


def generated(app) -> dict:
    return yaml.safe_load(spec_yaml(app.extensions["flask-smorest"]["apis"][""]["ext_obj"]))


def test_committed_document_is_what_the_code_generates(app):
    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    assert committed == generated(app), "openapi.yaml is stale: run `make openapi`"


def test_document_is_valid_openapi(app):
    validate(generated(app))


def test_served_document_is_the_committed_file(client):
    response = client.get("/openapi.yaml")
    assert response.status_code == 200
    assert response.data.decode() == (ROOT / "openapi.yaml").read_text(encoding="utf-8")
    assert client.get("/openapi.json").json == yaml.safe_load(response.data)


def test_every_route_is_documented(app):
    documented = set()
    for path, operations in generated(app)["paths"].items():
        flask_path = path.replace("{", "<").replace("}", ">")
        documented |= {(flask_path, m.upper()) for m in operations if m != "parameters"}
    served = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.rule not in META_ROUTES
    }
    assert served == documented


def test_every_operation_documents_its_errors_as_problem_json(app):
    document = generated(app)  # generating it takes a second: once, not per response
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation.get("operationId"), (method, path)
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")) or status == "default":
                    ref = response["$ref"].rsplit("/", 1)[-1]
                    content = document["components"]["responses"][ref]["content"]
                    assert list(content) == ["application/problem+json"], (path, status)


def test_the_endpoints_refusing_other_media_types_are_those_the_contract_says_take_json(app):
    # POST /v1/jobs, POST /v1/jobs/{id}/extend and any endpoint that comes to read a JSON
    # body: a body labelled otherwise is a 415 (api/inputs.py), which the contract must list for it
    import re

    from api.inputs import takes_json_body

    committed = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    declared, found = set(), set()
    for path, operations in committed["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "put", "post", "delete", "patch"}:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                declared.add((method, path))
                assert "415" in operation["responses"], (method, path)
            url = re.sub(r"\{[^}]+\}", "x", path)
            with app.test_request_context(url, method=method.upper()):
                if takes_json_body():
                    found.add((method, path))
    assert found == {
        ("post", "/v1/jobs"),
        ("post", "/v1/jobs/{job_id}/extend"),
        ("post", "/v1/studies"),
        ("post", "/v1/studies/{study_id}/suggestions"),
        ("post", "/v1/studies/{study_id}/trials/{number}"),
    }
    # predictions take JSON or CSV, and answer 415 for anything else themselves
    assert declared == found | {("post", "/v1/jobs/{job_id}/predictions")}
