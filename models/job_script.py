"""``GET /v1/jobs/{id}/script``: a finished job's search as a standalone Python file.

Gathers what :func:`models.engine.replay_script.replay_script` writes the file from: the
job's spec and result, how its dataset was read, and its best trial's budget.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from models.engine.reading import Reading, sniff
from models.engine.replay_script import ReplayJob, replay_script
from models.engine.spec import SearchSpec
from models.exceptions import Conflict
from models.store.records import Dataset, Trial

if TYPE_CHECKING:
    from models.service import Service


def job_script(service: Service, owner: str, job_id: str) -> str:
    """The script of ``owner``'s job ``job_id``: :class:`NotFound` if there is no such job,
    :class:`Conflict` if it has no result (or its dataset was deleted)."""
    job = service.finished_job(owner, job_id)
    result = job.result or {}
    with service.sessions() as session:
        dataset = session.get(Dataset, job.dataset_id)
        best = session.scalars(
            select(Trial).where(Trial.job_id == job.id, Trial.number == result.get("best_trial"))
        ).first()
    if dataset is None or dataset.owner != owner:
        raise Conflict(
            f"job {job_id}'s dataset {job.dataset_id!r} was deleted: the script needs how it "
            "was read"
        )
    reading = Reading.recorded(dataset.warnings, dataset.columns)
    if reading.sep is None:  # a dataset stored before readings were recorded
        reading = replace(reading, sep=sniff(service.storage.local_copy(dataset.storage_key)))
    return replay_script(
        ReplayJob(
            job_id=job.id,
            dataset_id=dataset.id,
            dataset_name=dataset.name,
            spec=SearchSpec.from_dict(job.spec),
            reading=reading,
            columns=result["columns"],
            best_params=result["best_params"],
            best_score=result["best_score"],
            best_trial=result["best_trial"],
            best_resource=best.resource if best is not None else None,
        )
    )
