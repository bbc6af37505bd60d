"""What every request must be before a handler reads it: no NUL character in its path,
query or JSON strings (PostgreSQL's text cannot hold one, and no id or name has one),
and JSON of at most :data:`MAX_JSON_BYTES` and :data:`MAX_JSON_DEPTH` levels that Python
can parse.

The checks run before any handler (``before_request``) and answer as every error does:
a problem naming the field. A JSON body that is not JSON at
all is left to the handler's parser, which says so (400).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, request

from api.errors import problem

MAX_JSON_DEPTH = 32
# A search spec is a few kilobytes; JSON bodies are never uploads.
MAX_JSON_BYTES = 1024 * 1024
NUL = "\x00"


def _nul_in_query() -> str | None:
    """The first query parameter whose name or value holds a NUL."""
    for name, value in request.args.items(multi=True):
        if NUL in name or NUL in value:
            return name.replace(NUL, "\\0")
    return None


def _json_trouble(document: Any) -> tuple[str, str] | None:
    """``(field, reason)`` for the first string holding a NUL, or a document too deep."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return path.split(".")[0], f"nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(value, str):
            if NUL in value:
                return path or "body", "must not contain a NUL character (\\u0000)"
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{key}" if path else str(key)
                if NUL in key:
                    return name.replace(NUL, "\\u0000"), "a key must not contain NUL (\\u0000)"
                stack.append((item, name, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (item, f"{path}.{i}" if path else str(i), depth + 1) for i, item in enumerate(value)
            )
    return None


def check_request() -> Response | None:
    if NUL in request.path:
        return problem(404, "no such resource: the path holds a NUL character")
    if (name := _nul_in_query()) is not None:
        return problem(
            422,
            f"query parameter {name!r} holds a NUL character",
            {name: ["must not contain a NUL character"]},
        )
    if not request.is_json:
        return None
    request.max_content_length = MAX_JSON_BYTES  # read no more (413), chunked or not
    try:
        document = json.loads(request.get_data(cache=True))
    except RecursionError:
        return problem(400, f"the JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels)")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None  # not JSON: the handler's parser says so, and where
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        return problem(400, f"the JSON body cannot be read: {exc}")
    trouble = _json_trouble(document)
    if trouble is None:
        return None
    field, reason = trouble
    return problem(422, f"the request is invalid: {field} {reason}", {field: [reason]})


def init_app(app: Flask) -> None:
    app.before_request(check_request)
