"""One watcher per API process and kind of subject (jobs, studies) whose events are
being streamed.

An ``/events`` stream (``api/events.py``) follows one subject: a job or a study (the
module says "job"; a study's watcher is the same class with the study's reads). Rather
than each stream reading the database twice a second (500 streams: 1,000 queries a
second, most finding nothing), the process's :class:`SubjectWatch` for that kind reads the
progress of every followed one in one query every ``interval`` seconds and wakes only the
followers of those that changed. A job's progress (``models.store.events.progress``; a
study's, ``models.store.study_events.progress``) changes exactly when it has new events;
one seen for the first time counts as changed, so a follower misses nothing that happened
between its own read and the watcher's first look.

Woken followers then read what is new, and followers at the same point (the same cursor,
as all those that opened their stream since the last change are) share one read and its
rendered frames: the first one reads, the others wait for its answer. 500 followers of
one job cost one read and one rendering per change, not 500 (on PostgreSQL, where a
read lets the other greenlets run, they would otherwise all read at once). An answer is
shared until the job next changes; one read while it changed reaches only the followers
that were already waiting for it, and the change wakes them again.

The poller (:class:`api.poller.LazyPoller`) starts with the first follower and ends with
the last.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from api.poller import LazyPoller

# subject ids -> each existing one's progress; (owner, id, cursor) -> what is new after it
ReadProgress = Callable[[Iterable[str]], dict[str, Hashable]]
ReadNews = Callable[[str, str, Any], Any]
_UNSEEN = object()
# Followers woken at once when their job changes, and the pause between groups (_wake).
WAKE_GROUP = 50
WAKE_PAUSE_S = 0.002


class _Read:
    """One read of what is new after a cursor, which the followers at it share."""

    def __init__(self) -> None:
        self._done = threading.Event()
        self._answer: Any = None
        self._error: BaseException | None = None

    def settle(self, answer: Any = None, error: BaseException | None = None) -> None:
        self._answer, self._error = answer, error
        self._done.set()

    def answer(self) -> Any:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._answer


@dataclass
class _Followed:
    """A followed job: its followers' wake-up events, and what is known of it."""

    followers: set[threading.Event] = field(default_factory=set)
    progress: object = _UNSEEN
    reads: dict[tuple[str, Hashable], _Read] = field(default_factory=dict)  # since the change


class SubjectWatch:
    """Wakes the followers of a job when it changes and shares their reads (see the module)."""

    def __init__(
        self, read_progress: ReadProgress, read_news: ReadNews, interval: float, name: str
    ) -> None:
        """``name`` names the poller's thread: ``job-watch``, ``study-watch``."""
        self._read_progress = read_progress
        self._read_news = read_news
        self._lock = threading.Lock()
        self._subjects: dict[str, _Followed] = {}
        self._poller = LazyPoller(
            name,
            interval,
            self._lock,
            lambda: list(self._subjects),
            self._check,
            f"could not read the progress of %d followed subjects ({name})",
        )

    @contextlib.contextmanager
    def follow(self, owner: str, subject_id: str) -> Iterator[Follower]:
        """A follower of ``subject_id`` for ``owner``, while inside."""
        follower = Follower(self, owner, subject_id)
        with self._lock:
            self._subjects.setdefault(subject_id, _Followed()).followers.add(follower.changed)
            self._poller.start()
        try:
            yield follower
        finally:
            with self._lock:
                followed = self._subjects[subject_id]
                followed.followers.discard(follower.changed)
                if not followed.followers:
                    del self._subjects[subject_id]

    def _news(self, owner: str, subject_id: str, cursor: Hashable) -> Any:
        key = (owner, cursor)
        with self._lock:
            reads = self._subjects[subject_id].reads  # replaced when it changes
            shared = reads.get(key)
            if shared is None:
                mine = reads[key] = _Read()
        if shared is not None:
            return shared.answer()
        try:
            answer = self._read_news(owner, subject_id, cursor)
        except BaseException as exc:
            with self._lock:
                if reads.get(key) is mine:
                    del reads[key]  # the next follower tries again
            mine.settle(error=exc)
            raise
        mine.settle(answer)
        return answer

    def _check(self, subject_ids: Sequence[str]) -> None:
        """Wake the followers of the jobs whose progress changed (or that are gone)."""
        progress = self._read_progress(subject_ids)
        to_wake: list[threading.Event] = []
        with self._lock:
            for subject_id in subject_ids:
                followed = self._subjects.get(subject_id)
                now = progress.get(subject_id)  # None: the job is gone
                if followed is not None and followed.progress != now:
                    followed.progress, followed.reads = now, {}
                    to_wake += followed.followers
        self._wake(to_wake)

    @staticmethod
    def _wake(followers: list[threading.Event]) -> None:
        """Wake ``followers`` a group at a time, pausing in between: under gevent each
        group runs to its writes before anything else, so a request that arrives meanwhile
        waits for one group, not for all of them (500 at once held /healthz for 200 ms)."""
        for start in range(0, len(followers), WAKE_GROUP):
            if start:
                time.sleep(WAKE_PAUSE_S)
            for changed in followers[start : start + WAKE_GROUP]:
                changed.set()


class Follower:
    """One stream's hold on a followed job."""

    def __init__(self, watch: SubjectWatch, owner: str, subject_id: str) -> None:
        self.changed = threading.Event()
        self._watch = watch
        self._owner = owner
        self._subject_id = subject_id

    def news(self, cursor: Hashable) -> Any:
        """What the job has that is new after ``cursor`` (``read_news``'s answer)."""
        self.changed.clear()  # before reading: a change during the read wakes the next wait
        return self._watch._news(self._owner, self._subject_id, cursor)

    def wait(self, seconds: float) -> None:
        """Until the job may have changed since the last :meth:`news`, or ``seconds``."""
        self.changed.wait(seconds)
