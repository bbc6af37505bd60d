"""A job's progress as a sequence of events: its status, each finished trial, each new best.

The API streams them as Server-Sent Events, each one's data the document of the record
it is about (:data:`models.documents.EVENTS`). An event's id is a cursor (trials sent so
far, status, best trial), so a client that reconnects with ``Last-Event-ID`` gets exactly
what it missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.store.jobs import get_job
from models.store.records import Job, JobStatus, Trial

# Digits of a number in a Last-Event-ID: any event counter fits a 32-bit integer column.
MAX_DIGITS = 9


def cursor_number(raw: str) -> int:
    """A whole number of a ``Last-Event-ID``; :class:`ValueError` unless it is ASCII digits
    a database column can hold (``int`` takes ``"٣"``, and 30 digits overflow SQLite's)."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= MAX_DIGITS):
        raise ValueError(f"not a cursor number: {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Cursor:
    trials_sent: int = 0
    status: str | None = None
    best_trial: int | None = None

    def __str__(self) -> str:
        best = "-" if self.best_trial is None else str(self.best_trial)
        return f"{self.trials_sent}.{self.status or '-'}.{best}"

    @classmethod
    def parse(cls, raw: str | None) -> Cursor:
        """The cursor in a ``Last-Event-ID``; a fresh one when it is missing or malformed."""
        try:
            trials, status, best = (raw or "").split(".")
            return cls(
                cursor_number(trials),
                None if status == "-" else status,
                None if best == "-" else cursor_number(best),
            )
        except ValueError:
            return cls()


@dataclass(frozen=True)
class Event:
    kind: str  # status | trial | best | end
    id: str
    record: Job | Trial  # a trial event's trial; the job for the others


# A job's status, trials completed and best trial: what its events are made of.
Progress = tuple[str, int, int | None]


def progress(session: Session, job_ids: Iterable[str]) -> dict[str, Progress]:
    """The progress of each of ``job_ids`` that exists, whoever owns it: it changes
    exactly when :func:`poll` has new events for the job (a trial is recorded with the
    job's ``trials_completed``, in one transaction; a new best sets ``best_trial``)."""
    rows = session.execute(
        select(Job.id, Job.status, Job.trials_completed, Job.best_trial).where(
            Job.id.in_(list(job_ids))
        )
    )
    return {job_id: (status, completed, best) for job_id, status, completed, best in rows}


def poll(
    session: Session, owner: str, job_id: str, cursor: Cursor
) -> tuple[list[Event], Cursor, bool]:
    """Events since ``cursor``, the new cursor, and whether the job has ended.

    Trials are sent in number order, each once: with several running at once, trial 3
    may be recorded before trial 2, and then waits until 2 is sent (or the job ends: a
    cancelled job's unfinished numbers are never recorded).
    """
    job = get_job(session, owner, job_id)
    trials = list(
        session.scalars(
            select(Trial)
            .where(Trial.job_id == job_id, Trial.number >= cursor.trials_sent)
            .order_by(Trial.number)
        )
    )
    events: list[Event] = []
    sent = cursor.trials_sent
    ended = JobStatus(job.status).finished
    for trial in trials:
        if trial.number != sent and not ended:
            break  # a trial still running holds this number: the rest follow it, in order
        sent = trial.number + 1
        events.append(Event("trial", str(Cursor(sent, cursor.status, cursor.best_trial)), trial))
    best = cursor.best_trial
    if job.best_trial is not None and job.best_trial != cursor.best_trial:
        best = job.best_trial
        events.append(Event("best", str(Cursor(sent, cursor.status, best)), job))
    status = cursor.status
    if job.status != cursor.status:
        status = job.status
        events.append(Event("status", str(Cursor(sent, status, best)), job))
    new = Cursor(sent, status, best)
    if ended:
        events.append(Event("end", str(new), job))
    return events, new, ended
