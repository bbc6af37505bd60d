"""The webhook worker's Celery app: ``celery -A tasks.webhook_worker worker`` on the
webhook queue with a threads pool (``tuneforge webhook-worker`` runs it).

Only deliveries: no search task and no recovery sweep (the search workers run that). A
delivery waits on a receiver most of its time, so threads, many of them, are the pool.
"""

from models.settings import Settings
from tasks import monitoring, webhooks  # noqa: F401  (tasks, signals)
from tasks.app import make_celery

app = make_celery(Settings.from_env())
