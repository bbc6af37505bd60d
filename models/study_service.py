"""Studies' operations (ask and tell over HTTP), as ``api/studies.py`` calls them.

Every request reads and writes the database, the one source of truth; what is kept
between requests is only each study's :class:`~models.engine.study.Planner` (its strategy
told the trials seen so far), so that a suggestion tells TPE the few trials that are new
rather than replaying all of them. The planners live in this process or in one of their
own (:mod:`models.study_planners`); they are told only under the study's lock
(:func:`models.store.studies.lock`) and dropped on any failure, so a planner never knows
a trial the database does not.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from models.engine.importance import Importance, parameter_importance
from models.engine.isolation import call_once
from models.engine.study import check_strategy, parse_study_space, score_of
from models.exceptions import SpecError
from models.plumbing.memo import Memo
from models.settings import Settings
from models.store import studies, study_events
from models.store.pages import Page
from models.store.records import Study, StudyState, StudyTrial, utcnow
from models.study_planners import LocalPlanners, PlannerLost, Planners

T = TypeVar("T")
DEFAULT_LEASE_S = 300
MIN_LEASE_S = 1
# How long an empty answer tells a client to wait when every trial is leased, at most.
MAX_RETRY_AFTER_S = 5.0


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
        self.planners: Planners = LocalPlanners()
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
        self, owner: str, study_id: str, count: int, planners: Planners | None = None
    ) -> Suggestions:
        """Lease up to ``count`` trials: those whose lease lapsed first, then new ones from
        the strategy (its planner kept by ``planners``, by default in this process)."""
        return self._with_planner(self._suggest, planners, owner, study_id, count)

    def _suggest(self, planners: Planners, owner: str, study_id: str, count: int) -> Suggestions:
        with self.sessions() as session:
            study = studies.lock(session, owner, study_id)
            lease_s = study.spec["lease_s"]
            if study.state != StudyState.RUNNING:
                return Suggestions([], study.state, 0, None)
            known = studies.states(session, study_id)
            now = utcnow()
            whole = studies.rows(session, study_id, planners.unknown(study, known))
            lapsed = studies.lapsed(whole, now)
            items = [studies.lease_again(session, study_id, t, lease_s) for t in lapsed[:count]]
            again = len(items)
            want = min(count - again, study.trials_total - len(known))
            if want > 0:
                new, exhausted = planners.propose(study, whole, len(known), want)
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
        planners: Planners | None = None,
    ) -> bool:
        """Keep trial ``number``'s value at ``step``; whether the pruner would stop it."""
        return self._with_planner(
            self._intermediate, planners, owner, study_id, number, step, value
        )

    def _intermediate(
        self, planners: Planners, owner: str, study_id: str, number: int, step: int, value: float
    ) -> bool:
        with self.sessions() as session:
            study = studies.lock(session, owner, study_id)
            trial = studies.trial_of(session, study, number)
            known = studies.states(session, study_id)
            whole = studies.rows(session, study_id, planners.unknown(study, known))
            stop = planners.intermediate(study, whole, number, step, value)
            studies.add_intermediate(trial, step, value)
            session.commit()
            return stop

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

    # The planners ------------------------------------------------------------------------

    def _with_planner(
        self, fn: Callable[..., T], planners: Planners | None, owner: str, study_id: str, *args: Any
    ) -> T:
        """``fn(planners, owner, study_id, *args)``, the study's planner forgotten if it
        fails (the next ask tells a fresh one everything); once more when the planner's
        process had lost it (restarted, or the study's planner dropped)."""
        planners = planners or self.planners
        for attempt in (1, 2):
            try:
                return fn(planners, owner, study_id, *args)
            except PlannerLost:
                planners.forget(study_id)
                if attempt == 2:
                    raise
            except BaseException:
                planners.forget(study_id)
                raise
        raise AssertionError("unreachable")

    def _forget(self, study_id: str) -> None:
        self.planners.forget(study_id)


def _retry_after(known: list[Any], now: datetime) -> float:
    """Seconds until the first lease lapses, at most :data:`MAX_RETRY_AFTER_S`."""
    expiries = [t.lease_expires_at for t in known if t.lease_expires_at is not None]
    if not expiries:
        return MAX_RETRY_AFTER_S
    first = min(expiries)
    return max(0.1, min(MAX_RETRY_AFTER_S, math.ceil((first - now).total_seconds() * 10) / 10))
