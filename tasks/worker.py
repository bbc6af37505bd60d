"""The worker's Celery app: ``celery -A tasks.worker worker`` (``tuneforge worker`` runs it)."""

from models.settings import Settings
from tasks import monitoring, recovery, search, webhooks  # noqa: F401  (tasks, signals)
from tasks.app import make_celery

app = make_celery(Settings.from_env())
