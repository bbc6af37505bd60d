"""The app's :class:`~models.service.Service`, built once in :func:`api.create_app`;
handlers call it for everything they do."""

from __future__ import annotations

from flask import Flask, current_app

from models.service import Service

EXTENSION = "tuneforge"


def service() -> Service:
    """The service of the app handling this request."""
    return current_app.extensions[EXTENSION]


def init_app(app: Flask, svc: Service) -> None:
    app.extensions[EXTENSION] = svc
