"""Small helpers shared by the blueprints: documented error responses and page links."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

from flask import request
from flask_smorest import Blueprint

from models.store.pages import Page


def errors(blp: Blueprint, *codes: int) -> Callable[[Any], Any]:
    """Document the problem+json responses an operation can give."""

    def decorate(view: Any) -> Any:
        for code in codes:
            view = blp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorate


def page_body(page: Page[Any], args: dict[str, Any]) -> dict[str, Any]:
    """A page of a list as the API answers it: its items and the URL of the next page."""
    return {"items": page.items, "next": _next_link(page.next_cursor, args)}


def _next_link(cursor: str | None, args: dict[str, Any]) -> str | None:
    """The URL of the next page: this request's path with the new cursor."""
    if cursor is None:
        return None
    query = {k: _text(v) for k, v in args.items() if v is not None and k != "cursor"}
    query["cursor"] = cursor
    return f"{request.path}?{urlencode(query)}"


def _text(value: Any) -> Any:
    """A query value as it was given: a filter of several values, comma-separated."""
    return ",".join(value) if isinstance(value, list) else value
