"""What a request handler needs: settings, a database session, storage, the Celery client.

Built once per app in :func:`api.create_app`; the session lives for one request.
"""

from __future__ import annotations

from dataclasses import dataclass

from celery import Celery
from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models.settings import Settings
from models.storage import Storage


@dataclass
class Services:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: Storage
    celery: Celery


def services() -> Services:
    return current_app.extensions["tuneforge"]


def db() -> Session:
    """This request's session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = services().sessions()
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def init_app(app: Flask, svc: Services) -> None:
    app.extensions["tuneforge"] = svc
    app.teardown_appcontext(close_db)
