"""Each job's search strategy as this worker last left it, brought up to date cheaply.

Choosing a job's next trials needs its strategy told every trial recorded and in flight
(:func:`~models.engine.search.replay`). Building it again at every step (sampling the
candidates, reading back and replaying every recorded trial) cost a small trial more
than its fit. So a worker keeps each job's strategy (a few jobs, least recently used
out) with the trial numbers it has told it, and at the next step tells it only what
changed: the trials recorded since, read by number, and the trials another worker
queued. A strategy told trials one by one proposes what one rebuilt from the store
would (tested for bayesian, whose proposals depend on everything told).

When this worker cannot be sure it saw every change (another worker queued and recorded
trials in between, a trial was dropped, the job is new here), it builds the strategy
again from the store. The check reads the job's count of recorded trials last: trials
are only ever added, so a count equal to what the strategy was told means it was told
every one, whatever was recorded while the check read.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.engine.search import InFlight, PastTrial, replay
from models.engine.spec import SearchSpec
from models.engine.strategies import Candidate, Strategy
from models.engine.training import TrainingData, make_search_strategy
from models.store import trial_runs
from models.store.records import TrialRun


@dataclass
class SearchState:
    """A job's strategy and the trial numbers it was told: recorded, and in flight
    (queued or running, including those it proposed)."""

    strategy: Strategy
    recorded: set[int]
    in_flight: set[int]
    extra_trials: int = 0  # what the job's extensions had added when it was built

    @property
    def taken(self) -> set[int]:
        """Every number recorded or in flight: not to be proposed again."""
        return self.recorded | self.in_flight

    def started(self, number: int, candidate: Candidate) -> None:
        """Trial ``number`` runs: tell the strategy if it was not told yet."""
        if number not in self.in_flight:
            self.strategy.pending(number, candidate)
            self.in_flight.add(number)


class SearchStates:
    """The search states of the last ``size`` jobs this worker stepped."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._states: OrderedDict[str, SearchState] = OrderedDict()

    def check_out(
        self,
        session: Session,
        job_id: str,
        spec: SearchSpec,
        data: TrainingData,
        *,
        completed: int | None = None,
        just_recorded: Collection[PastTrial] = (),
        extra_trials: int | None = None,
    ) -> SearchState:
        """The job's state, up to date with the store as ``session`` reads it. Until
        :meth:`check_in`, the cache does not hold it: a step that fails half-way (after
        proposing, before queuing) leaves nothing behind that the store does not say.

        A step holding the job's lock passes the job's count of recorded trials as the
        lock read it (``completed``) and the trials it has just recorded, which then need
        not be read back, and the trials extensions added (``extra_trials``): a state built
        before the job was extended plans too few and is built again."""
        state = self._states.pop(job_id, None)
        if (
            state is not None
            and extra_trials in (None, state.extra_trials)
            and _catch_up(session, job_id, state, completed, just_recorded)
        ):
            return state
        return _rebuild(session, job_id, spec, data, extra_trials)

    def forget(self, job_id: str) -> None:
        """Build the job's state from the store at its next step."""
        self._states.pop(job_id, None)

    def check_in(self, job_id: str, state: SearchState) -> None:
        """Keep ``state`` for the job's next step."""
        self._states[job_id] = state
        while len(self._states) > self.size:
            self._states.popitem(last=False)


def _in_flight(runs: list[TrialRun]) -> list[InFlight]:
    return [InFlight(r.number, r.params, r.rung, r.resource) for r in runs]


def _rebuild(
    session: Session,
    job_id: str,
    spec: SearchSpec,
    data: TrainingData,
    extra_trials: int | None,
) -> SearchState:
    if extra_trials is None:
        extra_trials = trial_runs.extra_trials(session, job_id)
    planned = dataclasses.replace(spec, n_trials=spec.n_trials + extra_trials)
    recorded, runs = trial_runs.known(session, job_id)
    inherited = [t.params for t in recorded if t.inherited_job_id is not None]
    strategy = make_search_strategy(planned, data, inherited)
    replay(strategy, recorded, _in_flight(runs))
    return SearchState(
        strategy, {t.number for t in recorded}, {r.number for r in runs}, extra_trials
    )


def _catch_up(
    session: Session,
    job_id: str,
    state: SearchState,
    completed: int | None,
    just_recorded: Collection[PastTrial],
) -> bool:
    """Tell ``state`` what changed since it was checked in; ``False`` (``state`` told
    nothing) when it cannot be sure to see every change."""
    runs = trial_runs.in_flight(session, job_id)
    running = {r.number for r in runs}
    finished = state.in_flight - running  # recorded since, or dropped
    new: list[PastTrial] = [t for t in just_recorded if t.number in finished]
    unread = finished - {t.number for t in new}
    if unread:
        new += trial_runs.recorded(session, job_id, unread)
    if len(new) != len(finished):  # a trial was dropped: its job ran out of time
        return False
    if completed is None:  # read last (see the module's docstring)
        completed = trial_runs.recorded_count(session, job_id)
    if completed != len(state.recorded) + len(new):
        return False  # another worker queued and recorded trials in between
    replay(state.strategy, new, _in_flight([r for r in runs if r.number not in state.in_flight]))
    state.recorded |= finished
    state.in_flight = running
    return True
