"""Studies' operations (ask and tell over HTTP), as ``api/studies.py`` calls them.

Every request reads and writes the database, the one source of truth; what a process
keeps is only a cache of each study's :class:`~models.engine.study.Planner` (its strategy
told the trials seen so far), so that a suggestion tells TPE the few trials that are new
rather than replaying all of them. The cache is touched only under the study's lock
(:func:`models.store.studies.lock`) and dropped on any failure, so a planner never knows
a trial the database does not.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from models.engine.importance import Importance, parameter_importance
from models.engine.isolation import call_once
from models.engine.study import (
    Planner,
    check_strategy,
    parse_study_space,
    score_of,
)
from models.exceptions import SpecError
from models.plumbing.memo import Memo
from models.settings import Settings
from models.store import studies, study_events
from models.store.pages import Page
from models.store.records import Study, StudyState, StudyTrial, utcnow

T = TypeVar("T")
Compute = Callable[..., Any]
# Planners kept per process (least recently used out): one per study being asked.
PLANNERS = 256
DEFAULT_LEASE_S = 300
MIN_LEASE_S = 1
# How long an empty answer tells a client to wait when every trial is leased, at most.
MAX_RETRY_AFTER_S = 5.0


def direct(fn: Callable[..., T], *args: Any) -> T:
    return fn(*args)


@dataclass(frozen=True)
class Suggestions:
    """What an ask answers (see the ``SuggestionsSchema``)."""

    items: list[studies.Handed]
    state: str
    remaining: int
    retry_after_s: float | None


@dataclass(frozen=True)
class Progress:
    """A study with its trials counted by state."""

    study: Study
    counts: dict[str, int]


class Studies:
    """The studies of one database."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.settings = settings
        self.sessions = sessions
        self._planners: OrderedDict[str, Planner] = OrderedDict()
        self._lock = threading.Lock()
        self._importance: Memo[Importance] = Memo(64)

    # Creating and reading -----------------------------------------------------------------

    def create(self, owner: str, body: dict[str, Any]) -> Progress:
        """A running study for ``body`` (checked by the schema's shape; here the space,
        the strategy and the bounds)."""
        dims = parse_study_space(body["space"])
        if body["n_trials"] > self.settings.study_max_trials:
            raise SpecError(
                f"must be at most {self.settings.study_max_trials} (TUNEFORGE_STUDY_MAX_TRIALS)",
                field="n_trials",
            )
        lease_s = body.get("lease_s") or DEFAULT_LEASE_S
        if not MIN_LEASE_S <= lease_s <= self.settings.study_max_lease_seconds:
            raise SpecError(
                f"must be between {MIN_LEASE_S} and {self.settings.study_max_lease_seconds} "
                "(TUNEFORGE_STUDY_MAX_LEASE_SECONDS)",
                field="lease_s",
            )
        total = check_strategy(body["strategy"], dims, body["n_trials"])
        spec = {
            "space": body["space"],
            "metric": body.get("metric") or "value",
            "direction": body["direction"],
            "strategy": body["strategy"],
            "random_state": body.get("random_state"),
            "n_trials": body["n_trials"],
            "lease_s": lease_s,
        }
        with self.sessions() as session:
            study = studies.create(
                session, owner, body.get("name"), spec, total, self.settings.tenant_max_studies
            )
            studies.complete_if_done(session, study)  # a space with no point at all
            session.commit()
            return Progress(study, studies.counts(session, study.id))

    def get(self, owner: str, study_id: str) -> Progress:
        with self.sessions() as session:
            study = studies.get(session, owner, study_id)
            return Progress(study, studies.counts(session, study_id))

    def list(
        self,
        owner: str,
        limit: int,
        cursor: str | None,
        states: list[str] | None,
        sort: str,
    ) -> Page[Progress]:
        with self.sessions() as session:
            page = studies.list_studies(session, owner, limit, cursor, states, sort)
            counts = studies.counts_of(session, [s.id for s in page.items])
            items = [Progress(s, counts[s.id]) for s in page.items]
        return Page(items, page.next_cursor)

    def list_trials(
        self,
        owner: str,
        study_id: str,
        limit: int,
        cursor: str | None,
        sort: str,
        states: list[str] | None,
    ) -> Page[StudyTrial]:
        with self.sessions() as session:
            return studies.list_trials(session, owner, study_id, limit, cursor, sort, states)

    def delete(self, owner: str, study_id: str) -> None:
        with self.sessions() as session:
            studies.delete(session, owner, study_id)
            session.commit()
        self._forget(study_id)

    # Ask and tell ------------------------------------------------------------------------

    def suggest(
        self, owner: str, study_id: str, count: int, compute: Compute = direct
    ) -> Suggestions:
        """Lease up to ``count`` trials: those whose lease lapsed first, then new ones from
        the strategy (``compute`` runs its CPU work, e.g. in a thread pool)."""
        try:
            with self.sessions() as session:
                study = studies.lock(session, owner, study_id)
                lease_s = study.spec["lease_s"]
                if study.state != StudyState.RUNNING:
                    return Suggestions([], study.state, 0, None)
                known = studies.states(session, study_id)
                now = utcnow()
                planner = self._planner(study)
                whole = studies.rows(session, study_id, planner.unknown(known))
                lapsed = studies.lapsed(whole, now)
                items = [studies.lease_again(session, study_id, t, lease_s) for t in lapsed[:count]]
                again = len(items)
                want = min(count - again, study.trials_total - len(known))
                if want > 0:
                    new, exhausted = compute(_propose, planner, whole, len(known), want)
                    items += [
                        studies.lease_new(session, study_id, number, params, lease_s)
                        for number, params in new
                    ]
                    if exhausted and len(known) + len(new) < study.trials_total:
                        studies.set_total(session, study, len(known) + len(new))
                studies.announce(session, study_id, items)
                # Neither recorded nor leased now: never handed out, or lapsed and not taken.
                handed = len(known) + len(items) - again
                remaining = study.trials_total - handed + len(lapsed) - again
                retry = None
                if not items and study.state == StudyState.RUNNING:
                    retry = _retry_after(known, now)
                session.commit()
                return Suggestions(items, study.state, remaining, retry)
        except BaseException:
            self._forget(study_id)
            raise

    def report(
        self, owner: str, study_id: str, number: int, body: dict[str, Any]
    ) -> tuple[StudyTrial, bool]:
        """Record trial ``number``'s outcome: ``(trial, recorded now)``."""
        state = body.get("state") or "succeeded"
        value = body.get("value")
        if state == "succeeded" and value is None:
            raise SpecError("a succeeded trial needs a value", field="value")
        if state != "succeeded" and value is not None:
            raise SpecError(f"a {state} trial has no value", field="value")
        with self.sessions() as session:
            study = studies.lock(session, owner, study_id)
            trial = studies.trial_of(session, study, number)
            recorded = studies.record(session, study, trial, state, value, body.get("error"))
            session.commit()
            return trial, recorded

    def intermediate(
        self,
        owner: str,
        study_id: str,
        number: int,
        step: int,
        value: float,
        compute: Compute = direct,
    ) -> bool:
        """Keep trial ``number``'s value at ``step``; whether the pruner would stop it."""
        try:
            with self.sessions() as session:
                study = studies.lock(session, owner, study_id)
                trial = studies.trial_of(session, study, number)
                planner = self._planner(study)
                known = studies.states(session, study_id)
                compute(planner.sync, studies.rows(session, study_id, planner.unknown(known)))
                studies.add_intermediate(trial, step, value)
                stop = compute(planner.tell_intermediate, number, step, value)
                session.commit()
                return stop
        except BaseException:
            self._forget(study_id)
            raise

    def importance(self, owner: str, study_id: str) -> Importance:
        """How much each parameter mattered (fANOVA over the succeeded trials, as jobs)."""
        with self.sessions() as session:
            study = studies.get(session, owner, study_id)
            known = studies.trials(session, study_id)
        dims = parse_study_space(study.spec["space"])
        space = {d.name: d.to_dict() for d in dims}
        direction = study.spec["direction"]
        scored = [
            (t.params, score_of(direction, t.value))
            for t in known
            if t.state == "succeeded" and t.value is not None
        ]

        def compute() -> Importance:
            return dataclasses.replace(call_once(parameter_importance, space, scored))

        return self._importance.get((study_id, len(scored)), compute)

    # Events ------------------------------------------------------------------------------

    def events(
        self, owner: str, study_id: str, after: int
    ) -> tuple[list[study_events.Event], int, bool]:
        """What happened to a study after event ``after``, the last event's number, and
        whether its stream is over (see :func:`models.store.study_events.poll`)."""
        with self.sessions() as session:
            return study_events.poll(session, owner, study_id, after)

    def progress(self, study_ids: Iterable[str]) -> dict[str, int]:
        """Each study's last event number, in one query: what ``/events`` streams wait on."""
        with self.sessions() as session:
            return study_events.progress(session, study_ids)

    # The planners' cache -------------------------------------------------------------------

    def _planner(self, study: Study) -> Planner:
        with self._lock:
            planner = self._planners.get(study.id)
            if planner is not None:
                self._planners.move_to_end(study.id)
                return planner
        planner = Planner.for_spec(study.spec)
        with self._lock:
            self._planners[study.id] = planner
            while len(self._planners) > PLANNERS:
                self._planners.popitem(last=False)
        return planner

    def _forget(self, study_id: str) -> None:
        with self._lock:
            self._planners.pop(study_id, None)


def _propose(
    planner: Planner, whole: list[Any], next_number: int, want: int
) -> tuple[list[tuple[int, dict]], bool]:
    planner.sync(whole)
    return planner.propose(next_number, want)


def _retry_after(known: list[Any], now: datetime) -> float:
    """Seconds until the first lease lapses, at most :data:`MAX_RETRY_AFTER_S`."""
    expiries = [t.lease_expires_at for t in known if t.lease_expires_at is not None]
    if not expiries:
        return MAX_RETRY_AFTER_S
    first = min(expiries)
    return max(0.1, min(MAX_RETRY_AFTER_S, math.ceil((first - now).total_seconds() * 10) / 10))
