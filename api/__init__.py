"""The HTTP API: ``create_app(settings=None)`` builds it; nothing is created at import.

Nor is anything of the app imported with this package: every process the CLI starts
(``python -m api.launcher worker`` …) imports it first, and the app's modules (scikit-learn,
pandas, Flask and the rest) took 3 to 4 s of each start (``python -X importtime``).
They load when an app is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from models.settings import Settings

# multipart framing around the file: headers and boundaries
UPLOAD_OVERHEAD = 64 * 1024
# Sent by a client polling on a timer, naming itself (the dashboard, `tuneforge serve`'s
# readiness probe): its successful GETs are logged at DEBUG (api/access.py).
POLL_HEADER = "X-Tuneforge-Poll"


def create_app(settings: Settings | None = None) -> Flask:
    """The Flask app for ``settings`` (read from the environment by default)."""
    from flask import Flask

    from api import (
        access,
        auth,
        dashboard,
        datasets,
        estimators,
        events,  # its route joins jobs.blp: import it before registering
        health,
        inputs,
        job_script,  # noqa: F401  its route joins jobs.blp: import it before registering
        jobs,
        key_watch,
        metrics,
        model_cards,  # noqa: F401  (its route joins jobs.blp: import it before registering)
        openapi,
        predictions,  # its route joins jobs.blp: import it before registering
        studies,
    )
    from api.errors import register_error_handlers
    from api.services import init_app
    from models.service import Service
    from models.settings import Settings
    from tasks.app import CeleryDispatch, make_celery

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + UPLOAD_OVERHEAD
    app.json.sort_keys = False
    dispatch = CeleryDispatch(make_celery(settings), settings)
    init_app(app, Service.from_settings(settings, dispatch))
    events.init_app(app)  # the watcher of the jobs whose events are streamed
    key_watch.init_app(app)  # the watcher of the keys of long-lived responses
    predictions.init_app(app)  # the process's loaded models
    access.init_app(app)  # first: it times every request, those auth refuses too
    auth.init_app(app, settings)
    inputs.init_app(app)
    api = openapi.init_app(app)
    for blueprint in (
        health.blp,
        metrics.blp,
        datasets.blp,
        jobs.blp,
        studies.blp,
        estimators.blp,
    ):
        api.register_blueprint(blueprint)
    app.register_blueprint(dashboard.blp)  # not an API route: not in openapi.yaml
    register_error_handlers(app)
    return app
