"""The app's :class:`~models.service.Service`, built once in :func:`api.create_app`.

Handlers call it for everything they do; :func:`db` is a session for the few reads that
belong to HTTP alone (idempotency records), closed when the request ends.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from models.service import Service

EXTENSION = "tuneforge"


def service() -> Service:
    """The service of the app handling this request."""
    return current_app.extensions[EXTENSION]


def db() -> Session:
    """This request's session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = service().sessions()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask, svc: Service) -> None:
    app.extensions[EXTENSION] = svc
    app.teardown_appcontext(close_db)
