"""A warm start's parents, read at submit, and their trials copied into the new job.

What is inherited is decided in :mod:`models.engine.warm_start`; here the parents are
read (the submitting tenant's only: another tenant's job is answered as one that does not
exist), checked, and their chosen trials become the new job's trials ``0 .. k-1``, written
with the job in the submit's transaction (:func:`models.store.jobs.submit_job`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.engine.auto import params_of
from models.engine.search import best_trial
from models.engine.space import parse_space
from models.engine.spec import SearchSpec
from models.engine.spec_errors import SpecErrors
from models.engine.warm_start import FIELD, Inherited, differences, seeded_strategy
from models.engine.warm_start import select as select_inherited
from models.exceptions import SpecError
from models.store.records import Job, Trial


@dataclass(frozen=True)
class Inheritance:
    """What a warm-started job starts with: its inherited trials (numbered in this order),
    its ``trials_total`` (those and the new ones its strategy plans), the warnings."""

    trials: list[Inherited] = field(default_factory=list)
    total: int = 0
    warnings: list[dict[str, Any]] = field(default_factory=list)


def inherit(session: Session, owner: str, spec: SearchSpec, limit: int) -> Inheritance:
    """The trials ``spec``'s warm start inherits from its parents (at most ``limit``).

    :class:`SpecError` naming ``warm_start.job_ids`` for a parent ``owner`` does not have,
    and naming the field for a parent whose scores are not comparable with this job's.
    """
    errors = SpecErrors()
    parents: list[tuple[str, list[Trial]]] = []
    for job_id in spec.warm_start.job_ids:
        job = session.get(Job, job_id)
        if job is None or job.owner != owner:
            errors.add(SpecError(f"no job {job_id!r}", field=FIELD))
            continue
        found = differences(spec, job_id, SearchSpec.from_dict(job.spec))
        for error in found:
            errors.add(error)
        if not found:
            trials = session.scalars(
                select(Trial).where(Trial.job_id == job_id).order_by(Trial.number)
            )
            parents.append((job_id, list(trials)))
    errors.raise_found()
    dims = parse_space(spec.param_space, params_of(spec.estimator, spec.task, spec.param_space))
    chosen = select_inherited(parents, dims, limit)
    if not chosen.trials:
        return Inheritance([], spec.n_trials, chosen.warnings)
    inherited = [i.trial.params for i in chosen.trials]
    strategy = seeded_strategy(spec.strategy, dims, spec.n_trials, spec.random_state, inherited)
    return Inheritance(chosen.trials, strategy.total, chosen.warnings)


def copies(job_id: str, inheritance: Inheritance) -> list[Trial]:
    """The inherited trials as trials of ``job_id``, numbered from 0: scores, folds,
    metrics and timings as the parent recorded them, and where they were first scored."""
    return [
        Trial(
            job_id=job_id,
            number=number,
            params=source.trial.params,
            state=source.trial.state,
            fold_scores=source.trial.fold_scores,
            mean_score=source.trial.mean_score,
            std_score=source.trial.std_score,
            fit_time_s=source.trial.fit_time_s,
            score_time_s=source.trial.score_time_s,
            error=None,
            metrics=source.trial.metrics,
            rung=None,
            resource=None,
            finished_at=source.trial.finished_at,
            worker=source.trial.worker,
            started_at=source.trial.started_at,
            inherited_job_id=source.job_id,
            inherited_number=source.number,
        )
        for number, source in enumerate(inheritance.trials)
    ]


def seed_job(job: Job, trials: list[Trial]) -> None:
    """Count ``trials`` (the job's inherited ones) as recorded, and their best as the
    job's best so far."""
    job.trials_completed = job.trials_inherited = len(trials)
    best = best_trial(trials)
    if best is not None:
        job.best_score, job.best_params, job.best_trial = best.mean_score, best.params, best.number
