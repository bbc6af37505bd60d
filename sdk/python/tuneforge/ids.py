"""Ids from the objects that carry them: every call that takes a job's or a dataset's id
takes the object too, as people pass what the previous call returned
(``api.wait(api.submit(...))``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from tuneforge_client.models import Dataset, Job, Result

if TYPE_CHECKING:
    from tuneforge.client import TuneResult

__all__ = ["DatasetRef", "JobRef", "dataset_id", "job_id"]

# A job: its id, the Job, its Result, or what tune() returned.
JobRef = Union[str, Job, Result, "TuneResult"]
# A dataset: its id, the Dataset, or what tune() returned.
DatasetRef = Union[str, Dataset, "TuneResult"]


def job_id(job: JobRef) -> str:
    """The id of ``job``; TypeError for anything that is not one of a job's objects."""
    if isinstance(job, str):
        return job
    if isinstance(job, Job):
        return job.id
    if isinstance(job, Result):
        return job.job_id
    if isinstance(getattr(job, "job", None), Job):  # a TuneResult
        return job.job.id  # type: ignore[union-attr]
    raise TypeError(f"expected a job id, a Job, a Result or a TuneResult, not {_named(job)}")


def dataset_id(dataset: DatasetRef) -> str:
    """The id of ``dataset``; TypeError for anything that is not one of a dataset's objects."""
    if isinstance(dataset, str):
        return dataset
    if isinstance(dataset, Dataset):
        return dataset.id
    if isinstance(getattr(dataset, "dataset", None), Dataset):  # a TuneResult
        return dataset.dataset.id  # type: ignore[union-attr]
    raise TypeError(f"expected a dataset id, a Dataset or a TuneResult, not {_named(dataset)}")


def _named(value: object) -> str:
    return f"{type(value).__name__} {value!r}"[:200]
