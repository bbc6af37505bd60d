"""A study's events, appended in the transaction that makes them happen.

A job's events are read off its rows (``models/store/events.py``); a study's cannot be:
a lease that lapses and is handed out again leaves no trace in its trial's row. So the
study's store functions append each event here, under the study's lock
(:func:`models.store.studies.lock`), numbered from 1 per study; the number is the
event's id on the stream and what ``Last-Event-ID`` resumes after. The ``completed``
event is a study's last.

The kinds and their data (dumped by :data:`models.documents.STUDY_EVENTS`):
``suggested`` (the numbers leased by one ask), ``lapsed`` (a lease that expired without a
report, when the next ask hands the trial out again), ``reported`` (a trial's outcome),
``best`` (a new best) and ``completed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.store.events import cursor_number
from models.store.records import Study, StudyEvent, StudyState, utcnow

KINDS = ("suggested", "lapsed", "reported", "best", "completed")
# Data fields kept as ISO text in the JSON column, and read back as datetimes.
_TIMES = ("lease_expires_at",)


@dataclass(frozen=True)
class Event:
    kind: str
    id: str
    record: dict[str, Any]


def append(session: Session, study_id: str, kind: str, data: dict[str, Any]) -> None:
    """Append an event to ``study_id``'s; call with the study locked (its numbering)."""
    last = session.scalar(select(func.max(StudyEvent.seq)).where(StudyEvent.study_id == study_id))
    stored = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
    session.add(
        StudyEvent(
            study_id=study_id,
            seq=(last or 0) + 1,
            kind=kind,
            data=stored,
            created_at=utcnow(),
        )
    )
    session.flush()  # the next append in this transaction numbers after it


def progress(session: Session, study_ids: Iterable[str]) -> dict[str, int]:
    """The last event number of each of ``study_ids`` that has events, whoever owns it:
    it changes exactly when :func:`poll` has something new."""
    rows = session.execute(
        select(StudyEvent.study_id, func.max(StudyEvent.seq))
        .where(StudyEvent.study_id.in_(list(study_ids)))
        .group_by(StudyEvent.study_id)
    )
    return {study_id: seq for study_id, seq in rows}


def parse_cursor(raw: str | None) -> int:
    """The event number in a ``Last-Event-ID``; 0 (from the start) when missing or
    malformed, as a job's stream does."""
    try:
        return cursor_number((raw or "0").strip())
    except ValueError:
        return 0


def poll(session: Session, owner: str, study_id: str, after: int) -> tuple[list[Event], int, bool]:
    """The events after number ``after``, the number of the last, and whether the stream
    is over: the study completed and every event was read (or it was deleted)."""
    study = session.get(Study, study_id)
    if study is None or study.owner != owner:
        return [], after, True
    completed = study.state == StudyState.COMPLETED  # read first: its event is then there
    rows = session.scalars(
        select(StudyEvent)
        .where(StudyEvent.study_id == study_id, StudyEvent.seq > after)
        .order_by(StudyEvent.seq)
    )
    events = [Event(row.kind, str(row.seq), _read(row.data)) for row in rows]
    last = int(events[-1].id) if events else after
    return events, last, completed


def _read(data: dict[str, Any]) -> dict[str, Any]:
    return {k: datetime.fromisoformat(v) if k in _TIMES else v for k, v in data.items()}
