"""What every request must be before a handler reads it: text that can be stored, numbers
that JSON can carry, and JSON of at most :data:`MAX_JSON_BYTES` and :data:`MAX_JSON_DEPTH`
levels that Python can parse.

*Text that can be stored* holds no NUL (PostgreSQL's text cannot hold one, and no id or
name has one) and no lone surrogate: JSON can write one (``"\\udfff"``, or the three
bytes UTF-8 would give it, which ``json.loads`` reads), Python keeps it, and UTF-8 cannot
encode it, so every database driver, log line and webhook raised ``UnicodeEncodeError``
on it (a 500). That holds for the path, each query parameter's name and value, each
header's name and value, and every key and string of a JSON body, however nested.
Multipart fields are decoded by werkzeug as UTF-8 with replacement, so none can hold one;
the dataset's name, from any of them, is checked where it is read (``api/datasets.py``).

*Numbers JSON can carry* are finite and within a double's range: ``NaN``, ``Infinity``
and ``1e400`` (which Python reads as infinity) are not JSON, and an integer of 400 digits
is one no other client could read back; the domain refuses them too
(``models/engine/catalog.py``), this names the field at the door.

*JSON where JSON is taken*: an endpoint whose handler reads a JSON body (flask-smorest's
``arguments`` at the ``json`` location, ``POST /v1/jobs``) takes it as ``application/json``
(parameters such as ``charset`` allowed) or ``application/*+json``, what Flask calls
JSON. Labelled otherwise, its body was read as no body at all, and the answer was a 422
listing every required field as missing; it is a 415 naming the media type received and
the one taken.

The checks run before any handler (``before_request``) and answer as every error does:
a problem naming the field. A JSON body that is not JSON at all is left to the handler's
parser, which says so (400).
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from flask import Flask, Response, current_app, request

from api.errors import problem

MAX_JSON_DEPTH = 32
# A search spec is a few kilobytes; JSON bodies are never uploads.
MAX_JSON_BYTES = 1024 * 1024
NUL = "\x00"
LARGEST = sys.float_info.max


def text_trouble(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL, or a lone surrogate), or ``None``."""
    if NUL in text:
        return "must not contain a NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"must be valid Unicode: it holds a lone surrogate ({escaped(text[exc.start])}) "
            f"at character {exc.start + 1}, which UTF-8 cannot encode"
        )
    return None


def escaped(text: str) -> str:
    """``text`` with each NUL and lone surrogate written as its ``\\uXXXX`` escape: a field
    name every JSON reader takes (some refuse a lone surrogate)."""
    return "".join(f"\\u{ord(c):04x}" if c == NUL or "\ud800" <= c <= "\udfff" else c for c in text)


def number_trouble(value: Any) -> str | None:
    """Why a parsed JSON number is not one JSON can carry, or ``None``."""
    if isinstance(value, float) and not math.isfinite(value):
        return "must be a finite number (NaN, Infinity and numbers beyond 1.8e308 are not JSON)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LARGEST:
        return f"is too large: a number is at most {LARGEST:.4g} in magnitude"
    return None


def _query_trouble() -> tuple[str, str] | None:
    """``(name, reason)`` for the first query parameter whose name or value is not text."""
    for name, value in request.args.items(multi=True):
        if (reason := text_trouble(name) or text_trouble(value)) is not None:
            return escaped(name), reason
    return None


def _header_trouble() -> tuple[str, str] | None:
    """``(name, reason)`` for the first header whose name or value is not text. (A WSGI
    server gives headers as Latin-1 and refuses NULs; a caller in the process may not.)"""
    for name, value in request.headers.items():
        if (reason := text_trouble(name) or text_trouble(value)) is not None:
            return escaped(name), reason
    return None


def _json_trouble(document: Any) -> tuple[str, str] | None:
    """``(field, reason)`` for the first string or key that is not text, number JSON
    cannot carry, or a document too deep."""
    stack: list[tuple[Any, str, int]] = [(document, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return path.split(".")[0], f"nested deeper than {MAX_JSON_DEPTH} levels"
        if isinstance(value, str):
            if (reason := text_trouble(value)) is not None:
                return path or "body", reason
        elif isinstance(value, int | float):
            if (reason := number_trouble(value)) is not None:
                return path or "body", reason
        elif isinstance(value, dict):
            for key, item in value.items():
                name = f"{path}.{escaped(key)}" if path else escaped(key)
                if (reason := text_trouble(key)) is not None:
                    return name, f"a key {reason}"
                stack.append((item, name, depth + 1))
        elif isinstance(value, list):
            stack.extend(
                (item, f"{path}.{i}" if path else str(i), depth + 1) for i, item in enumerate(value)
            )
    return None


def _json_body_problem() -> Response | None:
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


def takes_json_body() -> bool:
    """Whether the handler of this request reads a JSON body (flask-smorest records each
    ``arguments`` on the method, its location under ``in`` once the blueprint is
    registered; ``tests/unit/test_inputs.py`` checks this against openapi.yaml)."""
    view = current_app.view_functions.get(request.endpoint or "")
    handler = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    arguments = getattr(handler, "_apidoc", {}).get("arguments", {})
    return any(
        (parameter.get("in") or parameter.get("location") or "json") == "json"
        for parameter in arguments.get("parameters", [])
    )


def _media_type_problem() -> Response | None:
    if request.is_json or not takes_json_body():
        return None
    got = repr(request.mimetype) if request.mimetype else "no Content-Type"
    reason = f"must be application/json (or application/*+json), not {got}"
    return problem(
        415,
        f"{request.method} {request.path} takes a JSON body: Content-Type {reason}",
        {"Content-Type": [reason]},
    )


def check_request() -> Response | None:
    if text_trouble(request.path) is not None:
        return problem(404, "no such resource: the path holds a NUL or a lone surrogate")
    if (trouble := _query_trouble()) is not None:
        name, reason = trouble
        return problem(422, f"query parameter {name!r} {reason}", {name: [reason]})
    if (trouble := _header_trouble()) is not None:
        name, reason = trouble
        return problem(400, f"header {name!r} {reason}", {name: [reason]})
    if (answer := _media_type_problem()) is not None:
        return answer
    if not request.is_json:
        return None
    return _json_body_problem()


def init_app(app: Flask) -> None:
    app.before_request(check_request)
