"""What the service asks the workers to do, and what becomes of a message the broker refuses.

The broker carries three messages, each naming a step: ``advance`` a job (choose and
queue its next trials, or conclude it), ``run_trial`` (run one queued trial), and
``deliver_webhook``. ``tasks.app.CeleryDispatch`` sends them by name; this module
imports no Celery. The database is the source of truth: a message the broker does not
take is logged, and the workers' recovery sweep sends it again.
"""

from __future__ import annotations

import logging
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.store import jobs

log = logging.getLogger(__name__)


class Dispatch(Protocol):
    """What the service asks the workers to do; ``tasks.app.CeleryDispatch`` sends it."""

    def advance(self, job_id: str) -> None: ...

    def run_trial(self, job_id: str, number: int) -> None: ...

    def deliver_webhook(self, job_id: str) -> None: ...

    def ping(self) -> None:
        """Raise if the broker cannot be reached."""


class NoDispatch:
    """Sends nothing: for tests and benchmarks that run jobs themselves
    (:meth:`models.service.Service.run_to_end`)."""

    def advance(self, job_id: str) -> None:
        pass

    def run_trial(self, job_id: str, number: int) -> None:
        pass

    def deliver_webhook(self, job_id: str) -> None:
        pass

    def ping(self) -> None:
        pass


class HeldTrials(NoDispatch):
    """A dispatch that keeps the trials sent to it, in order, instead of sending them.

    The caller decides where they go: it takes one to run in this process
    (:meth:`take`), and sends the rest (:meth:`send_to`). A worker that runs trial after
    trial sends nothing for the trial it takes itself, and a job run in-process
    (:meth:`~models.service.Service.run_to_end`) runs them all here.
    """

    def __init__(self) -> None:
        self.trials: list[tuple[str, int]] = []

    def run_trial(self, job_id: str, number: int) -> None:
        self.trials.append((job_id, number))

    def take(self, trial: tuple[str, int] | None = None) -> tuple[str, int] | None:
        """Take ``trial`` if held (by default the first); ``None`` when it is not."""
        if trial is None:
            return self.trials.pop(0) if self.trials else None
        if trial in self.trials:
            self.trials.remove(trial)
            return trial
        return None

    def send_to(self, dispatch: Dispatch) -> None:
        """Send every held trial through ``dispatch``, oldest first."""
        while self.trials:
            send_trial(dispatch, *self.trials.pop(0))


def send_trial(dispatch: Dispatch, job_id: str, number: int) -> None:
    """Send queued trial ``number`` of ``job_id`` to the workers. If the broker does not
    take it, the trial stays queued in the database and the recovery sweep sends it."""
    try:
        dispatch.run_trial(job_id, number)
    except Exception:
        log.warning("could not send trial %s/%d; the sweep will", job_id, number, exc_info=True)


def send_advance(dispatch: Dispatch, sessions: sessionmaker[Session], job_id: str) -> None:
    """Send "advance job ``job_id``". If the broker does not take it, the job is marked
    unsent, and the workers' next sweep (every few seconds) sends it again."""
    try:
        dispatch.advance(job_id)
    except Exception:
        log.warning("could not send job %s; the next sweep will", job_id, exc_info=True)
        try:
            with sessions.begin() as session:
                jobs.mark_unsent(session, job_id)
        except SQLAlchemyError:
            # Still queued: the sweep sends it once it has waited REQUEUE_AFTER.
            log.warning("could not mark job %s unsent", job_id, exc_info=True)
