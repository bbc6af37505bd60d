"""Studies and their trials: create, hand out under a lease, record once.

Handing out trials is serialised per study the way jobs choose their next trials
(:func:`models.store.trial_runs.begin_advance`): :func:`lock` updates the study's row
first, a row lock on PostgreSQL and the write lock on SQLite, so two clients asking at
once never get the same trial. A trial is leased to the client that asked (a token and
an expiry, :mod:`models.store.leases`' protocol); once the lease lapses without a report
the trial is free, and the next ask hands it out again, same number and parameters,
before any new one (as Vizier does).

A report needs no token: whoever evaluated the trial's parameters computed the same
objective, so the first report of a trial handed out is taken, even after its lease
lapsed (and even if the trial was handed out again meanwhile); a later one with the same
outcome is answered as the first, another outcome is a conflict.

Functions write in the caller's transaction and never commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, String, and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from models.engine.study import FINAL_STATES, LEASED, better
from models.exceptions import Conflict, NotFound, QuotaExceeded
from models.store import list_order, study_events, trial_order
from models.store.leases import free
from models.store.pages import Page
from models.store.records import Study, StudyEvent, StudyState, StudyTrial, new_id, utcnow

STUDY_SORTS = list_order.DATASET_SORTS
# Seconds a client over the quota of running studies is told to wait.
QUOTA_RETRY_AFTER = 60


def create(
    session: Session,
    owner: str,
    name: str | None,
    spec: dict[str, Any],
    trials_total: int,
    max_active: int,
) -> Study:
    """Record a running study; :class:`QuotaExceeded` when the tenant has ``max_active``."""
    active = session.scalar(
        select(func.count(Study.id)).where(Study.owner == owner, Study.state == StudyState.RUNNING)
    )
    if active >= max_active:
        raise QuotaExceeded(
            f"the tenant has {active} running studies, its quota "
            f"(TUNEFORGE_TENANT_MAX_STUDIES={max_active}); delete one or let one complete",
            retry_after=QUOTA_RETRY_AFTER,
        )
    study = Study(
        id=new_id("st"),
        owner=owner,
        name=name,
        spec=spec,
        state=StudyState.RUNNING,
        trials_total=trials_total,
        trials_completed=0,
        created_at=utcnow(),
    )
    session.add(study)
    session.flush()
    return study


def get(session: Session, owner: str, study_id: str) -> Study:
    """The owner's study; :class:`NotFound` for another tenant's as for none."""
    study = session.get(Study, study_id)
    if study is None or study.owner != owner:
        raise NotFound(f"no study {study_id!r}")
    return study


def lock(session: Session, owner: str, study_id: str) -> Study:
    """The owner's study, locked for handing out or recording its trials until the
    transaction ends (the update takes the lock before anything is read)."""
    session.execute(
        update(Study)
        .where(Study.id == study_id, Study.owner == owner)
        .values(advanced_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return get(session, owner, study_id)


def trials(session: Session, study_id: str) -> list[StudyTrial]:
    """Every trial handed out, in number order."""
    return list(
        session.scalars(
            select(StudyTrial).where(StudyTrial.study_id == study_id).order_by(StudyTrial.number)
        )
    )


def states(session: Session, study_id: str) -> list[Row]:
    """Every trial's ``number``, ``state`` and ``lease_expires_at``, in number order: what
    an ask needs of all of them (their parameters only for those :func:`rows` reads)."""
    return list(session.execute(_STATES, {"study": study_id}))


def rows(session: Session, study_id: str, numbers: Collection[int]) -> list[Row]:
    """The trials leased now, and those of ``numbers``, whole (as plain rows: an ORM
    object per trial cost more than TPE's proposal), in number order."""
    wanted = or_(StudyTrial.state == LEASED, StudyTrial.number.in_(sorted(numbers)))
    return list(session.execute(_ROWS.where(wanted), {"study": study_id}))


_STUDY = bindparam("study", type_=String())
_STATES = (
    select(StudyTrial.number, StudyTrial.state, StudyTrial.lease_expires_at)
    .where(StudyTrial.study_id == _STUDY)
    .order_by(StudyTrial.number)
)
_ROWS = (
    select(
        StudyTrial.id,
        StudyTrial.number,
        StudyTrial.params,
        StudyTrial.state,
        StudyTrial.value,
        StudyTrial.intermediate,
        StudyTrial.lease_expires_at,
    )
    .where(StudyTrial.study_id == _STUDY)
    .order_by(StudyTrial.number)
)


@dataclass(frozen=True)
class Handed:
    """A trial handed out: its number, parameters and when its lease lapses."""

    number: int
    params: dict[str, Any]
    lease_expires_at: datetime


def lapsed(known: Iterable[Any], now: datetime) -> list[Any]:
    """The trials handed out whose lease lapsed without a report, oldest number first."""
    return [
        t
        for t in known
        if t.state == LEASED and (t.lease_expires_at is None or t.lease_expires_at < now)
    ]


def lease_again(session: Session, study_id: str, trial: Any, lease_s: int) -> Handed:
    """Hand a trial whose lease lapsed out again, under a new lease (its ``lapsed`` event
    first: the lapse is noticed here, by the ask that takes the trial)."""
    study_events.append(
        session,
        study_id,
        "lapsed",
        {"number": trial.number, "lease_expires_at": trial.lease_expires_at},
    )
    now = utcnow()
    expires = now + timedelta(seconds=lease_s)
    session.execute(
        update(StudyTrial)
        .where(StudyTrial.id == trial.id, StudyTrial.state == LEASED, free(StudyTrial, now))
        .values(
            lease_token=secrets.token_hex(16),
            lease_expires_at=expires,
            leases=StudyTrial.leases + 1,
        )
        .execution_options(synchronize_session=False)
    )
    return Handed(trial.number, trial.params, expires)


def lease_new(session: Session, study_id: str, number: int, params: dict, lease_s: int) -> Handed:
    """Hand out a new trial under a lease."""
    now = utcnow()
    expires = now + timedelta(seconds=lease_s)
    session.add(
        StudyTrial(
            study_id=study_id,
            number=number,
            params=params,
            state=LEASED,
            intermediate=[],
            lease_token=secrets.token_hex(16),
            lease_expires_at=expires,
            leases=1,
            started_at=now,
        )
    )
    return Handed(number, params, expires)


def announce(session: Session, study_id: str, handed: list[Handed]) -> None:
    """The ``suggested`` event of one ask's trials (none for an empty answer)."""
    if handed:
        study_events.append(
            session,
            study_id,
            "suggested",
            {
                "numbers": [h.number for h in handed],
                "lease_expires_at": max(h.lease_expires_at for h in handed),
            },
        )


def set_total(session: Session, study: Study, total: int) -> None:
    """The strategy has no candidate past ``total`` trials (a grid tried every point)."""
    study.trials_total = total
    complete_if_done(session, study)


def complete_if_done(session: Session, study: Study) -> None:
    if study.state == StudyState.RUNNING and study.trials_completed >= study.trials_total:
        study.state = StudyState.COMPLETED
        study.finished_at = utcnow()
        study_events.append(session, study.id, "completed", _summary(study))


def _summary(study: Study) -> dict[str, Any]:
    return {
        "state": study.state,
        "trials_completed": study.trials_completed,
        "best_trial": study.best_trial,
        "best_value": study.best_value,
        "best_params": study.best_params,
    }


def trial_of(session: Session, study: Study, number: int) -> StudyTrial:
    """Trial ``number`` of ``study``; :class:`NotFound` saying why when it was never
    handed out."""
    trial = session.scalar(
        select(StudyTrial).where(StudyTrial.study_id == study.id, StudyTrial.number == number)
    )
    if trial is None:
        raise NotFound(
            f"study {study.id!r} has no trial {number}: only trials handed out by "
            "POST /v1/studies/{id}/suggestions can be reported"
        )
    return trial


def record(
    session: Session,
    study: Study,
    trial: StudyTrial,
    state: str,
    value: float | None,
    error: str | None,
) -> bool:
    """Record ``trial``'s outcome once; ``False`` when the same outcome was recorded
    before (a retry), :class:`Conflict` when another was."""
    if trial.state in FINAL_STATES:
        if trial.state == state and trial.value == value:
            return False
        raise Conflict(
            f"trial {trial.number} was already reported as {trial.state}"
            + (f" with value {trial.value!r}" if trial.value is not None else "")
            + "; a trial is recorded once"
        )
    trial.state = state
    trial.value = value
    trial.error = error
    trial.lease_token = None
    trial.lease_expires_at = None
    trial.finished_at = utcnow()
    study.trials_completed += 1
    study_events.append(
        session,
        study.id,
        "reported",
        {"number": trial.number, "state": state, "value": value, "error": error},
    )
    direction = study.spec["direction"]
    if state == "succeeded" and better(direction, value, study.best_value):
        study.best_value = value
        study.best_params = trial.params
        study.best_trial = trial.number
        best = {k: v for k, v in _summary(study).items() if k.startswith("best_")}
        study_events.append(session, study.id, "best", best)
    complete_if_done(session, study)
    return True


def add_intermediate(trial: StudyTrial, step: int, value: float) -> None:
    """Keep an intermediate value (a step reported again keeps its first value)."""
    if trial.state in FINAL_STATES:
        raise Conflict(f"trial {trial.number} was already reported as {trial.state}")
    if any(int(s) == step for s, _ in trial.intermediate):
        return
    trial.intermediate = sorted([*trial.intermediate, [step, value]])


def counts(session: Session, study_id: str) -> dict[str, int]:
    """How many trials are in each state (``leased`` split into leased and lapsed)."""
    return counts_of(session, [study_id])[study_id]


def counts_of(session: Session, study_ids: Collection[str]) -> dict[str, dict[str, int]]:
    """:func:`counts` of each of ``study_ids``, in one query (a study list's page)."""
    lapsed = and_(
        StudyTrial.state == LEASED,
        or_(StudyTrial.lease_expires_at.is_(None), StudyTrial.lease_expires_at < utcnow()),
    )
    # Grouped outside the subquery: PostgreSQL cannot match a GROUP BY expression holding
    # bound parameters (the time, 'lapsed') to the same expression in the SELECT.
    kinds = (
        select(StudyTrial.study_id, case((lapsed, "lapsed"), else_=StudyTrial.state).label("kind"))
        .where(StudyTrial.study_id.in_(list(study_ids)))
        .subquery()
    )
    rows = session.execute(
        select(kinds.c.study_id, kinds.c.kind, func.count()).group_by(
            kinds.c.study_id, kinds.c.kind
        )
    )
    out = {
        study_id: {"leased": 0, "lapsed": 0, "succeeded": 0, "failed": 0, "pruned": 0}
        for study_id in study_ids
    }
    for study_id, name, count in rows:
        out[study_id][name] = count
    return out


def list_studies(
    session: Session,
    owner: str,
    limit: int,
    cursor: str | None,
    states: list[str] | None,
    sort: str,
) -> Page[Study]:
    """The owner's studies in ``sort`` order (newest first by default)."""
    stmt: Select[Any] = select(Study).where(Study.owner == owner)
    if states:
        stmt = stmt.where(Study.state.in_(states))
    return list_order.sorted_page(session, stmt, Study, sort, limit, cursor, STUDY_SORTS)


def list_trials(
    session: Session,
    owner: str,
    study_id: str,
    limit: int,
    cursor: str | None,
    sort: str,
    states: list[str] | None,
) -> Page[StudyTrial]:
    """A study's trials, sorted and filtered as a job's are."""
    get(session, owner, study_id)
    stmt = select(StudyTrial).where(StudyTrial.study_id == study_id)
    return trial_order.trial_page(session, stmt, StudyTrial, limit, cursor, sort, states)


def delete(session: Session, owner: str, study_id: str) -> None:
    """Delete a study with its trials."""
    study = get(session, owner, study_id)
    for table in (StudyTrial, StudyEvent):
        session.execute(table.__table__.delete().where(table.study_id == study_id))
    session.delete(study)
