"""The search worker's Celery app: ``celery -A tasks.worker worker`` on the search queue
(``tuneforge worker`` runs it)."""

from models.settings import Settings
from tasks import monitoring, recovery, search, webhooks  # noqa: F401  (tasks, signals)
from tasks.app import make_celery

app = make_celery(Settings.from_env())
app.steps["consumer"].add(recovery.SweepOnReconnect)
