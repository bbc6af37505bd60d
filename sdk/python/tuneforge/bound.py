"""A job as the :class:`~tuneforge.Client` that fetched it returns it: the generated
``Job`` model, bound to that client, so that what one does with a job reads as a call on
it: ``job.predict(frame)``, ``job.wait()``, ``job.extend(n_trials=10)``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from attrs import define, field
from tuneforge_client.models import Job, Predictions, Result, Trial

if TYPE_CHECKING:
    from tuneforge.client import Client, Frame


@define
class BoundJob(Job):
    """A ``Job`` that can act through the client that fetched it. Each method is the
    client's method of the same name (``delete`` is :meth:`Client.delete_job`) applied to
    this job; those that fetch the job again return a new, up-to-date ``BoundJob``."""

    _client: Client | None = field(default=None, repr=False, eq=False, kw_only=True)

    @classmethod
    def bound(cls, client: Client, document: Mapping[str, Any] | Job) -> BoundJob:
        """``document`` (a job's JSON, or a ``Job``) bound to ``client``."""
        if isinstance(document, Job):
            document = document.to_dict()
        job = cls.from_dict(document)
        job._client = client
        return job

    @property
    def client(self) -> Client:
        if self._client is None:
            raise RuntimeError("this job was not fetched through a tuneforge.Client")
        return self._client

    def refresh(self) -> BoundJob:
        return self.client.job(self)

    def wait(
        self,
        timeout: float | None = None,
        poll: float = 1.0,
        on_update: Callable[[Job], None] | None = None,
    ) -> BoundJob:
        return self.client.wait(self, timeout, poll, on_update)

    def cancel(self) -> BoundJob:
        return self.client.cancel(self)

    def extend(self, n_trials: int | None = None, timeout_s: int | None = None) -> BoundJob:
        return self.client.extend(self, n_trials, timeout_s)

    def delete(self) -> None:
        self.client.delete_job(self)

    def result(self) -> Result:
        return self.client.result(self)

    def trials(
        self, sort: str | None = None, state: str | None = None, page_size: int = 100
    ) -> Iterator[Trial]:
        return self.client.trials(self, sort, state, page_size)

    def load_model(self, format: str = "joblib") -> Any:
        return self.client.load_model(self, format)

    def predict(
        self,
        rows: Frame | Sequence[Mapping[str, Any]] | str | os.PathLike[str],
        *,
        probabilities: bool = False,
    ) -> Predictions:
        return self.client.predict(self, rows, probabilities=probabilities)
