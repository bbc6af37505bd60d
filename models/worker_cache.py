"""What a worker process keeps between the steps it takes: tables, training data, each
job's search strategy, and the process its trials compute in.

A job's trials on one worker read and split the table once, and choosing its next
trials tells its strategy only what changed (:mod:`models.search_states`). Jobs that
train on the same table the same way share one :class:`TrainingData` (so the trial
process, which keeps each one's preprocessed folds, neither forks again nor preprocesses
again for them: services send many small jobs on one table). Each cache is bounded, least
recently used out.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from models.engine.isolation import TrialProcess, machine_memory_mb
from models.engine.reading import Reading
from models.engine.spec import SearchSpec
from models.engine.tables import read_table
from models.engine.training import TrainingData, prepare
from models.search_states import SearchStates
from models.settings import Settings
from models.store.records import Dataset, Job
from models.store.storage import Storage

CACHED_TABLES = 4
CACHED_JOBS = 8
# The spec's fields that :func:`~models.engine.training.prepare` does not read: jobs that
# differ only in these train on the same rows, folds and template pipeline.
NOT_IN_TRAINING_DATA = (
    "dataset_id",  # the table is named by its content instead
    "cheap_first",
    "strategy",
    "param_space",
    "n_trials",
    "timeout_s",
    "scoring",
    "metrics",
    "halving",
    "pruning",
    "webhook_url",
    "max_parallel",
)


def training_key(spec: SearchSpec, dataset: Dataset, reading: Reading) -> str:
    """What decides the training data ``spec`` makes of ``dataset``: its content, how it
    was read, its column profiles, and the spec's fields
    :func:`~models.engine.training.prepare` reads."""
    fields = {k: v for k, v in spec.to_dict().items() if k not in NOT_IN_TRAINING_DATA}
    return json.dumps(
        [dataset.sha256, repr(reading), dataset.columns, fields], sort_keys=True, default=str
    )


class _Cache(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get_or_make(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class WorkerCache:
    """One worker process's caches and its trial process."""

    def __init__(
        self, sessions: sessionmaker[Session], storage: Storage, settings: Settings
    ) -> None:
        self.sessions = sessions
        self.storage = storage
        self.settings = settings
        self._tables = _Cache(CACHED_TABLES)
        self._training = _Cache(CACHED_JOBS)  # job id: (spec, training data)
        self._prepared = _Cache(CACHED_JOBS)  # training_key: training data
        self.searches = SearchStates(CACHED_JOBS)
        # Where this worker's trials and refits compute (one at a time, killable, bounded).
        machine = machine_memory_mb()
        self.process = TrialProcess(
            memory_mb=min(settings.trial_memory_mb, machine or settings.trial_memory_mb),
            seconds=settings.trial_seconds,
        )

    def close(self) -> None:
        """Stop the trial process."""
        self.process.close()

    def _table(self, dataset: Dataset, reading: Reading) -> pd.DataFrame:
        # Read as the upload was, so training sees the types the profile reports. Keyed by
        # content and reading: two datasets with the same bytes share one copy.
        return self._tables.get_or_make(
            (dataset.sha256, reading),
            lambda: read_table(
                self.storage.local_copy(dataset.storage_key),
                max_rows=self.settings.max_rows,
                max_columns=self.settings.max_columns,
                reading=reading,
            ),
        )

    def prepare(self, spec: SearchSpec, dataset: Dataset) -> TrainingData:
        """``dataset``'s table (read once per worker) prepared for ``spec`` (once per worker
        for the jobs that share its :func:`training_key`)."""
        reading = Reading.recorded(dataset.warnings, dataset.columns)
        return self._prepared.get_or_make(
            training_key(spec, dataset, reading),
            lambda: prepare(spec, self._table(dataset, reading), dataset.columns),
        )

    def knows(self, job_id: str) -> bool:
        """Whether this worker has the job's training data (so it has not seen it end)."""
        return job_id in self._training

    def training_data(self, job_id: str) -> tuple[SearchSpec, TrainingData]:
        """The job's spec and training data (cached: the split depends on the spec only).
        :class:`LookupError` when the job or its dataset was deleted."""

        def make() -> tuple[SearchSpec, TrainingData]:
            with self.sessions() as session:
                job = session.get(Job, job_id)
                dataset = session.get(Dataset, job.dataset_id) if job is not None else None
            if job is None:
                raise LookupError("the job was deleted")
            if dataset is None:
                raise LookupError("the dataset was deleted")
            spec = SearchSpec.from_dict(job.spec)
            return spec, self.prepare(spec, dataset)

        return self._training.get_or_make(job_id, make)
