"""The HTTP API: ``create_app(settings=None)`` builds it; nothing is created at import."""

from __future__ import annotations

from flask import Flask

from api import (
    access,
    auth,
    datasets,
    estimators,
    events,  # its route joins jobs.blp: import it before registering
    health,
    inputs,
    jobs,
    metrics,
    openapi,
)
from api.errors import register_error_handlers
from api.services import init_app
from models.service import Service
from models.settings import Settings
from tasks.app import CeleryDispatch, make_celery

# multipart framing around the file: headers and boundaries
UPLOAD_OVERHEAD = 64 * 1024


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask app for ``settings`` (read from the environment by default)."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + UPLOAD_OVERHEAD
    app.json.sort_keys = False
    dispatch = CeleryDispatch(make_celery(settings), settings)
    init_app(app, Service.from_settings(settings, dispatch))
    events.init_app(app)  # the watcher of the jobs whose events are streamed
    access.init_app(app)  # first: it times every request, those auth refuses too
    auth.init_app(app, settings)
    inputs.init_app(app)
    api = openapi.init_app(app)
    for blueprint in (health.blp, metrics.blp, datasets.blp, jobs.blp, estimators.blp):
        api.register_blueprint(blueprint)
    register_error_handlers(app)
    return app
