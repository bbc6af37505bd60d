"""A job's live events (``GET /v1/jobs/{id}/events``) as typed objects.

The service sends Server-Sent Events whose ``data`` is a JSON document; the generated
event models keep it as a string, so each event here carries it parsed into the model
its ``contentSchema`` names: a ``status`` event the :class:`Job`, a ``trial`` event the
finished :class:`Trial`, a ``best`` event the :class:`JobBest`, the ``end`` event the
:class:`JobEnd`. A stream lasts at most ~25 s; :meth:`tuneforge.Client.events` resumes
it (``Last-Event-ID``) until the end event.

A study's events (``GET /v1/studies/{id}/events``, :meth:`tuneforge.studies.Study.events`)
are :class:`StudyEvent` s whose ``data`` is the parsed JSON, as the rest of the studies'
SDK hands documents out: ``suggested``, ``lapsed``, ``reported``, ``best`` and the last,
``completed``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from tuneforge_client.models import Job, JobBest, JobEnd, Trial

__all__ = [
    "BestEvent",
    "EndEvent",
    "Event",
    "StatusEvent",
    "StudyEvent",
    "TrialEvent",
    "parse",
    "parse_study",
]


D = TypeVar("D")


@dataclass(frozen=True)
class _Event(Generic[D]):
    """An event's id (what ``Last-Event-ID`` resumes after) and its parsed data."""

    id: str
    data: D


@dataclass(frozen=True)
class StatusEvent(_Event[Job]):
    """The job changed status or progress; ``data`` is the whole job."""

    event: Literal["status"] = field(default="status", init=False)


@dataclass(frozen=True)
class TrialEvent(_Event[Trial]):
    """A trial finished (succeeded, failed or pruned)."""

    event: Literal["trial"] = field(default="trial", init=False)


@dataclass(frozen=True)
class BestEvent(_Event[JobBest]):
    """A new best trial: its number, score and parameters."""

    event: Literal["best"] = field(default="best", init=False)


@dataclass(frozen=True)
class EndEvent(_Event[JobEnd]):
    """The job ended; the last event of its stream."""

    event: Literal["end"] = field(default="end", init=False)


Event = StatusEvent | TrialEvent | BestEvent | EndEvent


@dataclass
class Frame:
    """One raw event as read off the wire, before its data is parsed."""

    id: str = ""
    event: str = "message"
    data: list[str] = field(default_factory=list)
    retry_ms: int | None = None


def frames(lines: Iterable[str]) -> Iterator[Frame]:
    """Split an event stream's lines into frames (the SSE rules this service uses).

    A frame without data (the ``retry:`` hint) is still yielded, so the reader learns
    how long to wait before resuming.
    """
    frame = Frame()
    for line in lines:
        if not line:
            if frame.data or frame.retry_ms is not None:
                yield frame
            frame = Frame()
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "id":
            frame.id = value
        elif name == "event":
            frame.event = value
        elif name == "data":
            frame.data.append(value)
        elif name == "retry" and value.isdigit():
            frame.retry_ms = int(value)
    if frame.data:
        yield frame


def parse(frame: Frame) -> Event | None:
    """The typed event of a frame; None for a frame without data or of an unknown kind
    (a newer service may send more kinds: they are skipped, not fatal)."""
    if not frame.data:
        return None
    data = json.loads("\n".join(frame.data))
    if frame.event == "status":
        return StatusEvent(frame.id, Job.from_dict(data))
    if frame.event == "trial":
        return TrialEvent(frame.id, Trial.from_dict(data))
    if frame.event == "best":
        return BestEvent(frame.id, JobBest.from_dict(data))
    if frame.event == "end":
        return EndEvent(frame.id, JobEnd.from_dict(data))
    return None


@dataclass(frozen=True)
class StudyEvent:
    """One event of a study: its id (a resume cursor), its kind and its parsed data."""

    id: str
    event: str
    data: dict[str, Any]

    @property
    def last(self) -> bool:
        """Whether it is the study's last event (the study completed)."""
        return self.event == "completed"


def parse_study(frame: Frame) -> StudyEvent | None:
    """The event of a study's frame; None for a frame without data."""
    if not frame.data:
        return None
    return StudyEvent(frame.id, frame.event, json.loads("\n".join(frame.data)))
