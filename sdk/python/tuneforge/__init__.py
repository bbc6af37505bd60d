"""tuneforge: hyperparameter tuning as a service, from Python.

>>> import tuneforge                                               # doctest: +SKIP
>>> with tuneforge.Client("http://127.0.0.1:8000") as api:
...     run = api.tune("breast_cancer.csv", target="target", estimator="knn", n_trials=5)
...     run.model.predict(rows)

:class:`Client` wraps the generated ``tuneforge_client`` (still importable, for the
operations this layer does not wrap) and returns its models.
"""

from tuneforge import errors
from tuneforge.bound import BoundJob as Job
from tuneforge.client import DEFAULT_API, ENDED, Client, TuneResult
from tuneforge.errors import *  # noqa: F403  (every exception, as errors.__all__ lists them)
from tuneforge.events import BestEvent, EndEvent, Event, StatusEvent, TrialEvent
from tuneforge.studies import Study, StudyTrial

__all__ = [
    "DEFAULT_API",
    "ENDED",
    "BestEvent",
    "Client",
    "EndEvent",
    "Event",
    "Job",
    "StatusEvent",
    "Study",
    "StudyTrial",
    "TrialEvent",
    "TuneResult",
]
__all__ += errors.__all__
