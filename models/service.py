"""The service core: every operation of tuneforge, as handlers, tasks, tests and benchmarks
call it.

One :class:`Service` is built per process from :class:`~models.settings.Settings`
(:meth:`Service.from_settings`). The HTTP handlers in ``api/`` and the Celery tasks in
``tasks/`` are thin adapters around it: they parse and authorise, or receive a message,
and call one method here. What the broker must carry ("advance this job", "run this
trial", "deliver this webhook") goes through a :class:`~models.dispatch.Dispatch` given
at construction, so this module imports no Celery.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from models import recovery
from models.dispatch import Dispatch, HeldTrials, NoDispatch, send_advance
from models.documents.model_card import model_card
from models.engine import auto, data_checks
from models.engine.estimate import Estimate, estimate_table, starts_cheap
from models.engine.importance import Importance, parameter_importance
from models.engine.isolation import TrialCrashed, call_once
from models.engine.labels import Labels, labels_of
from models.engine.reading import Reading, TableWarning
from models.engine.spec import SearchSpec, resolve_spec
from models.engine.training import TrainingData
from models.exceptions import Busy, Conflict, NotFound, SpecError
from models.job_run import OUTCOME_OF, JobRunner, RunOutcome, Step, StopFlag
from models.plumbing import metrics
from models.plumbing.keyring import KeyRing
from models.plumbing.memo import Memo
from models.plumbing.ratelimit import RateLimiter
from models.settings import Settings
from models.store import (
    datasets,
    deletion,
    estimates,
    events,
    extensions,
    jobs,
    list_order,
    migrate,
    stats,
    trial_runs,
    warm_starts,
)
from models.store.artifacts import MODEL_FORMAT, ONNX_FORMAT, model_key, onnx_file
from models.store.db import make_engine, make_sessionmaker
from models.store.events import Cursor, Event
from models.store.jobs import JobFilter
from models.store.pages import Page
from models.store.records import Dataset, Job, JobStatus, RefitState, Trial, TrialState
from models.store.storage import Storage, storage_for
from models.study_service import Studies
from models.webhook_delivery import WebhookDeliveries
from models.worker_cache import WorkerCache
from models.worker_slots import WorkerSlots

log = logging.getLogger(__name__)

# Importance answers kept per process: one per job being watched is plenty.
IMPORTANCE_MEMO = 64
# Data-check answers kept per process: one per dataset and check-relevant spec fields
# (a few hundred bytes each, the warnings).
DATA_CHECKS_MEMO = 1024
# Seconds a client waits before asking again for a cancelled job's result while its best
# candidate is refit (a refit takes about one trial's fit).
REFIT_RETRY_AFTER = 2


@dataclass(frozen=True)
class Refusal:
    """A spec the data checks refused: the :class:`SpecError`'s words, kept to raise again."""

    detail: str
    field: str | None


class NotMigrated(Exception):
    """The database's schema is not the one this code needs."""


@dataclass
class Service:
    """tuneforge's operations over one database, one storage and one broker."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    storage: Storage
    dispatch: Dispatch

    @classmethod
    def from_settings(cls, settings: Settings, dispatch: Dispatch | None = None) -> Service:
        """The service for ``settings``; its database must be migrated (``tuneforge db
        upgrade``)."""
        engine = make_engine(settings.database_url)
        return cls(
            settings,
            engine,
            make_sessionmaker(engine),
            storage_for(settings),
            dispatch or NoDispatch(),
        )

    def close(self) -> None:
        """Stop the trial process and close the database connections."""
        if "worker_cache" in self.__dict__:
            self.worker_cache.close()
        self.engine.dispose()

    def readiness(self) -> dict[str, str]:
        """``ok`` or why not, for the database and the broker."""
        checks = {}
        for name, check in (("database", self._ping_database), ("broker", self.dispatch.ping)):
            try:
                check()
                checks[name] = "ok"
            except NotMigrated as exc:
                checks[name] = str(exc)
            except Exception as exc:
                checks[name] = f"unavailable: {type(exc).__name__}"
        return checks

    def _ping_database(self) -> None:
        with self.engine.connect() as conn:
            revision = migrate.revision_of(conn)
        if revision != migrate.head():
            raise NotMigrated(
                f"not migrated (at {revision or 'no revision'}, code needs {migrate.head()}): "
                "run tuneforge db upgrade"
            )

    # Datasets --------------------------------------------------------------------------

    def upload_dataset(
        self,
        owner: str,
        chunks: Iterable[bytes],
        name: str | None,
        tags: tuple[str, ...] = (),
    ) -> Dataset:
        """Store, parse and profile an uploaded CSV; nothing is kept if it cannot be read.
        ``tags`` are checked (:func:`~models.engine.labels.check_tags`) by the caller."""
        with self.sessions() as session:
            return datasets.create_dataset(
                session,
                self.storage,
                self.settings,
                owner=owner,
                chunks=chunks,
                name=name,
                tags=tags,
            )

    def list_datasets(
        self, owner: str, limit: int, cursor: str | None, sort: str = list_order.NEWEST
    ) -> Page[Dataset]:
        """The owner's datasets in ``sort`` order (newest first by default)."""
        with self.sessions() as session:
            return datasets.list_datasets(session, owner, limit, cursor, sort)

    def get_dataset(self, owner: str, dataset_id: str) -> Dataset:
        with self.sessions() as session:
            return datasets.get_dataset(session, owner, dataset_id)

    def delete_dataset(self, owner: str, dataset_id: str, cascade: bool = False) -> None:
        """Delete a dataset and its file; :class:`Conflict` naming the jobs made from it,
        unless ``cascade``, which deletes them first (see :meth:`delete_job`)."""
        with self.sessions() as session:
            deletion.delete_dataset(session, self.storage, owner, dataset_id, cascade=cascade)

    # Jobs ------------------------------------------------------------------------------

    def resolve_spec(self, owner: str, request: dict[str, Any]) -> SearchSpec:
        """Check ``request`` (a search spec, shape-checked) against its dataset and fill in
        every default; raises :class:`SpecError` naming the field."""
        return self._resolve_spec(self._dataset_of(owner, request["dataset_id"]), request)

    def _resolve_spec(self, dataset: Dataset, request: dict[str, Any]) -> SearchSpec:
        return resolve_spec(
            request,
            dataset.columns,
            dataset.n_rows,
            max_trials=self.settings.max_trials,
            max_job_seconds=self.settings.max_job_seconds,
            parallel=self.worker_slots.count(),
            max_parallel=self.settings.max_parallel,
        )

    def check_data(self, owner: str, spec: SearchSpec) -> list[dict[str, Any]]:
        """Check a resolved spec against its dataset's rows (read in a child process):
        :class:`SpecError` for classes too small for the splits or a constant target; the
        warnings (possible leaks) otherwise.

        A dataset is immutable, so the answer for its content and the spec's fields that
        the checks read (``data_checks.depends_on``) is kept (the newest DATA_CHECKS_MEMO):
        a service that sends many jobs on one table pays for reading it once.

        A dataset deleted meanwhile (its file removed while it was being read) is refused
        as one that is not there, naming ``dataset_id``, as :meth:`resolve_spec` does.
        """
        return self._check_data(owner, self._dataset_of(owner, spec.dataset_id), spec)

    def _check_data(self, owner: str, dataset: Dataset, spec: SearchSpec) -> list[dict[str, Any]]:
        """:meth:`check_data` on ``dataset``, the row as the caller read it (immutable but
        for its deletion, which the submit's insert checks again under the tenant's lock)."""
        key = (dataset.id, dataset.sha256, data_checks.depends_on(spec))
        found = self._data_checks.get(key, lambda: self._check_rows(owner, dataset, spec))
        if isinstance(found, Refusal):
            raise SpecError(found.detail, field=found.field)
        return [w.to_dict() for w in found]

    def _check_rows(
        self, owner: str, dataset: Dataset, spec: SearchSpec
    ) -> list[TableWarning] | Refusal:
        """What the checks answer for ``spec`` on ``dataset``'s rows: the warnings, or the
        refusal. Raises (and so is not remembered) when the rows could not be read."""
        try:
            found = data_checks.check_data(
                self.storage.local_copy(dataset.storage_key),
                Reading.recorded(dataset.warnings, dataset.columns),
                spec,
                n_columns=dataset.n_columns,
                max_rows=self.settings.max_rows,
                max_columns=self.settings.max_columns,
            )
        except FileNotFoundError as exc:
            self._dataset_of(owner, spec.dataset_id)  # deleted meanwhile: "no dataset"
            raise SpecError(
                f"the file of dataset {spec.dataset_id!r} is missing from storage; "
                "upload the table again",
                field="dataset_id",
            ) from exc
        except SpecError as exc:
            if exc.field == "dataset_id":  # it could not be read: deleted meanwhile?
                self._dataset_of(owner, spec.dataset_id)
                raise
            return Refusal(exc.detail, exc.field)
        return found

    @functools.cached_property
    def _data_checks(self) -> Memo[list[TableWarning] | Refusal]:
        return Memo(DATA_CHECKS_MEMO)

    def _dataset_of(self, owner: str, dataset_id: str) -> Dataset:
        """The dataset a spec names; :class:`SpecError` naming ``dataset_id`` if none."""
        try:
            return self.get_dataset(owner, dataset_id)
        except NotFound as exc:
            raise SpecError(exc.detail, field="dataset_id") from exc

    def submit_job(self, owner: str, request: dict[str, Any]) -> Job:
        """Resolve ``request``, check it against the data, and submit it (:meth:`submit_spec`)
        under the ``name`` and ``tags`` it gives.

        The dataset's row is read once for both: a submit is the call services make most.
        """
        labels = labels_of(request)
        dataset, spec, warnings = self._checked(owner, request)
        with self.sessions() as session:
            estimate = estimates.find(session, owner, dataset.id, _estimate_key(dataset, spec))
        if "cheap_first" not in request and starts_cheap(
            spec, estimate, dataset.n_rows, dataset.n_columns
        ):
            spec = dataclasses.replace(spec, cheap_first=True)
        return self.submit_spec(owner, spec, warnings=warnings, labels=labels, estimate=estimate)

    def _checked(
        self, owner: str, request: dict[str, Any]
    ) -> tuple[Dataset, SearchSpec, list[dict[str, Any]]]:
        """``request``'s dataset, resolved spec and warnings: a submit's checks."""
        dataset = self._dataset_of(owner, request["dataset_id"])
        spec = self._resolve_spec(dataset, request)
        warnings = self._check_data(owner, dataset, spec)
        if auto.is_auto(spec.estimator) and "param_space" not in request:
            warnings = [*warnings, *auto.left_out_warnings(spec.task, spec.param_space)]
        return dataset, spec, warnings

    def estimate_job(
        self, owner: str, request: dict[str, Any]
    ) -> tuple[Estimate, list[dict[str, Any]]]:
        """A dry run: the checks of :meth:`submit_job` (the same :class:`SpecError`), then
        how long the job would take (:func:`~models.engine.estimate.calibrate`, a few
        seconds at most, in a child process so that the API serves meanwhile). Nothing is
        recorded or queued. Returns the estimate and the warnings the job would have.

        The estimate is stored for a day (:mod:`models.store.estimates`, every API process
        sees it): a submit of the same spec on the same dataset stores it on its job, and
        the same dry run again answers from it without a calibration."""
        labels_of(request)
        dataset, spec, warnings = self._checked(owner, request)
        args = (
            str(self.storage.local_copy(dataset.storage_key)),
            Reading.recorded(dataset.warnings, dataset.columns),
            spec,
            dataset.columns,
            self.settings.max_rows,
            self.settings.max_columns,
        )
        key = _estimate_key(dataset, spec)
        with self.sessions() as session:
            found = estimates.find(session, owner, dataset.id, key)
        if found is not None:
            return Estimate(**found), warnings
        try:
            estimate = call_once(estimate_table, *args)
        except TrialCrashed as exc:
            raise SpecError(
                f"the calibration fit of the first candidate failed ({exc})", field="dry_run"
            ) from exc
        with self.sessions() as session:
            estimates.remember(session, owner, dataset.id, key, dataclasses.asdict(estimate))
        return estimate, warnings

    def submit_spec(
        self,
        owner: str,
        spec: SearchSpec,
        warnings: list[dict[str, Any]] | None = None,
        labels: Labels | None = None,
        estimate: dict[str, Any] | None = None,
    ) -> Job:
        """Record a queued job for a resolved spec (with what :meth:`check_data` found, and
        what people call it) and send it to the workers.

        The job is safe once recorded: if the broker cannot take the message now, the
        workers' recovery sweep sends it later. A warm start's parents are read and
        their trials copied here (:mod:`models.store.warm_starts`); what they left out
        is among the job's warnings.
        """
        inheritance = None
        if spec.warm_start is not None:
            with self.sessions() as session:
                inheritance = warm_starts.inherit(session, owner, spec, self.settings.max_trials)
            warnings = [*(warnings or []), *inheritance.warnings]
        with self.sessions() as session:
            job = jobs.submit_job(
                session,
                owner,
                spec,
                self.settings.tenant_max_jobs,
                warnings=warnings,
                labels=labels or Labels(),
                inheritance=inheritance,
                estimate=estimate,
            )
        send_advance(self.dispatch, self.sessions, job.id)
        return job

    def withdraw_job(self, owner: str, job_id: str) -> None:
        """Delete a job just submitted, with whatever it recorded: a submit undone."""
        with self.sessions() as session:
            jobs.withdraw_job(session, owner, job_id)

    def get_job(self, owner: str, job_id: str) -> Job:
        with self.sessions() as session:
            return jobs.get_job(session, owner, job_id)

    def list_jobs(
        self,
        owner: str,
        limit: int,
        cursor: str | None,
        where: JobFilter = jobs.EVERY_JOB,
        sort: str = list_order.NEWEST,
    ) -> Page[Job]:
        """The owner's jobs that pass ``where``, in ``sort`` order (newest first by
        default; see :mod:`models.store.list_order`)."""
        with self.sessions() as session:
            return jobs.list_jobs(session, owner, limit, cursor, where, sort)

    def list_trials(
        self,
        owner: str,
        job_id: str,
        limit: int,
        cursor: str | None,
        *,
        sort: str = "number",
        states: list[str] | None = None,
        family: str | None = None,
    ) -> Page[Trial]:
        """A job's trials in ``sort`` order (see :mod:`models.store.trial_order`), only
        those in one of ``states`` (and an auto job's of ``family``) when given."""
        with self.sessions() as session:
            return jobs.list_trials(
                session, owner, job_id, limit, cursor, sort=sort, states=states, family=family
            )

    def cancel_job(self, owner: str, job_id: str) -> Job:
        """Stop a queued or running job; its trials are kept, its webhook is sent. With a
        scored trial, a worker refits its best candidate (the job stays cancelled, with a
        result and model); cancelling again while it does stops that refit."""
        with self.sessions() as session:
            refit_was = jobs.get_job(session, owner, job_id).refit_state
            job = jobs.cancel_job(session, owner, job_id)
        if job.refit_state == RefitState.REFITTING:
            send_advance(self.dispatch, self.sessions, job.id)
        if job.spec.get("webhook_url") and refit_was is None:
            self.webhooks.send(job.id)
        return job

    def delete_job(self, owner: str, job_id: str) -> None:
        """Delete a job, whatever its status, with its trials and model files; a queued or
        running one stops (its workers' writes are refused: see
        :mod:`models.store.deletion`). No webhook is sent for it."""
        with self.sessions() as session:
            deletion.delete_job(session, self.storage, owner, job_id)

    def purge_expired(self, now: datetime) -> deletion.Purged:
        """Delete what ``TUNEFORGE_RETENTION_DAYS`` no longer keeps (nothing when it is
        unset): jobs finished, and datasets no job is left on, that many days before
        ``now``; logged and counted (``tuneforge_purged_total``)."""
        days = self.settings.retention_days
        if not days:
            return deletion.Purged()
        with self.sessions() as session:
            purged = deletion.purge_older_than(session, self.storage, now - timedelta(days=days))
        for kind, gone in (("job", purged.jobs), ("dataset", purged.datasets)):
            metrics.purged(kind, len(gone))
            for owner, record_id in gone:
                log.info(
                    "retention: deleted %s %s of %s (older than %d days)",
                    kind,
                    record_id,
                    owner,
                    days,
                    extra={f"{kind}_id": record_id},
                )
        return purged

    def extend_job(
        self, owner: str, job_id: str, n_trials: int | None, timeout_s: int | None
    ) -> Job:
        """More trials or more time for a job, running or ended (see
        :mod:`models.store.extensions`); a worker goes on with it."""
        with self.sessions() as session:
            job = extensions.extend_job(
                session,
                owner,
                job_id,
                n_trials=n_trials,
                timeout_s=timeout_s,
                max_trials=self.settings.max_trials,
                max_job_seconds=self.settings.max_job_seconds,
                max_active=self.settings.tenant_max_jobs,
            )
        send_advance(self.dispatch, self.sessions, job.id)
        return job

    def finished_job(self, owner: str, job_id: str) -> Job:
        """The job if it has a result (it succeeded; it was cancelled and its best refit; it
        runs again after an extension, with the result it had); otherwise :class:`Conflict`
        saying why it has none (:class:`Busy` while a cancelled job's best is refit)."""
        job = self.get_job(owner, job_id)
        if job.refit_state == RefitState.REFITTING:
            raise Busy(
                f"job {job_id} was cancelled and its best candidate is being refit; "
                "the result and model are ready in a moment",
                retry_after=REFIT_RETRY_AFTER,
            )
        if job.refit_state == RefitState.STOPPED:
            raise Conflict(
                f"job {job_id} was cancelled twice: the second cancel stopped the refit of "
                "its best candidate, so it has no result (its trials are kept)"
            )
        if job.status == JobStatus.SUCCEEDED or (job.result is not None and job.model_key):
            return job
        if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            raise Conflict(f"job {job_id} is {job.status}; the result is ready when it succeeds")
        reason = f": {job.error}" if job.error else ""
        raise Conflict(f"job {job_id} ended {job.status}{reason}; it has no result")

    def model_card(self, owner: str, job_id: str) -> dict[str, Any]:
        """The model card of a job with a result (:class:`Conflict` otherwise): see
        :mod:`models.documents.model_card`."""
        job = self.finished_job(owner, job_id)
        with self.sessions() as session:
            dataset = session.get(Dataset, job.dataset_id)
            best, spent = jobs.best_and_time_spent(session, job)
        return model_card(job, dataset, best, spent, jobs.duration_seconds(job))

    def job_events(
        self, owner: str, job_id: str, cursor: Cursor
    ) -> tuple[list[Event], Cursor, bool]:
        """What happened to a job since ``cursor`` (status, trials, new bests), the cursor
        after it, and whether the job has ended."""
        with self.sessions() as session:
            return events.poll(session, owner, job_id, cursor)

    def job_progress(self, job_ids: Iterable[str]) -> dict[str, events.Progress]:
        """Each existing job's progress marker, in one query: it changes whenever
        :meth:`job_events` has something new (what ``/events`` streams wait on)."""
        with self.sessions() as session:
            return events.progress(session, job_ids)

    def trials(self, owner: str, job_id: str) -> list[Trial]:
        """Every trial of a job, in number order."""
        with self.sessions() as session:
            jobs.get_job(session, owner, job_id)
            return jobs.finished_trials(session, job_id)

    def importance(self, owner: str, job_id: str) -> Importance:
        """How much each parameter mattered to the job's score, over its trials so far.

        Computed in a child process (:func:`call_once`: the API's event loop serves other
        requests meanwhile) and remembered per (job, trials recorded), so a dashboard
        polling a job computes it once per new trial, not once per poll.

        Successive halving scores a candidate on a bigger budget at each rung, and a score
        on more rows is not comparable with one on fewer: only the first rung is weighed,
        where every candidate ran on the same budget.
        """
        with self.sessions() as session:
            job = jobs.get_job(session, owner, job_id)
            trials = jobs.finished_trials(session, job_id)
            space = job.spec["param_space"]
        succeeded = [t for t in trials if t.state == TrialState.SUCCEEDED]
        rung = 0 if any(t.rung is not None for t in succeeded) else None
        scored = [(t.params, t.mean_score) for t in succeeded if not t.rung]  # None or 0

        def compute() -> Importance:
            return dataclasses.replace(call_once(parameter_importance, space, scored), rung=rung)

        try:
            return self._importance.get((job_id, len(trials)), compute)
        except TrialCrashed as exc:
            # Not the client's doing, and not remembered: logged, answered with the reason.
            log.warning("importance of job %s: %s", job_id, exc, extra={"job_id": job_id})
            return Importance(0, detail=f"the importance could not be computed ({exc})")

    @functools.cached_property
    def studies(self) -> Studies:
        """Ask and tell over HTTP (:mod:`models.study_service`)."""
        return Studies(self.settings, self.sessions)

    @functools.cached_property
    def _importance(self) -> Memo[Importance]:
        return Memo(IMPORTANCE_MEMO)

    def training_data(self, owner: str, spec: SearchSpec) -> TrainingData:
        """The training data a job with ``spec`` searches on (for inspection, tests, and
        benchmarks that compare with plain scikit-learn on exactly the same rows)."""
        dataset = self.get_dataset(owner, spec.dataset_id)
        return self.worker_cache.prepare(spec, dataset)

    def open_model(self, job: Job, format: str = MODEL_FORMAT) -> tuple[BinaryIO, dict[str, Any]]:
        """A finished job's model file in ``format`` (see ``artifacts.MODEL_FORMATS``): a
        stream (from S3, read as it is sent) and its ``sha256`` and ``size_bytes``.

        :class:`NotFound` for a skops file of a model saved before they were written;
        :class:`Conflict` naming why for an ONNX file the pipeline has not (see
        :func:`models.store.artifacts.onnx_file`).
        """
        model = job.result["model"]
        if format == MODEL_FORMAT:
            return self.storage.open(job.model_key), model
        if format == ONNX_FORMAT:
            described = onnx_file(job.id, model)  # Conflict first: no file to open
            return self.storage.open(model_key(job.id, format)), described
        described = model.get(format)
        if described is None:
            raise NotFound(f"job {job.id!r} has no {format} file: its model predates them")
        return self.storage.open(model_key(job.id, format)), described

    # Keys and quotas -------------------------------------------------------------------

    @functools.cached_property
    def keys(self) -> KeyRing:
        """The API keys this service accepts (``tuneforge keys`` manages them)."""
        return KeyRing(self.sessions, self.settings.api_keys)

    @functools.cached_property
    def rate_limiter(self) -> RateLimiter:
        """Requests a second per API key, one bucket per key for every API host."""
        rate = self.settings.rate_limit_per_second
        return RateLimiter(self.sessions, rate=rate, burst=2 * rate)

    @functools.cached_property
    def worker_slots(self) -> WorkerSlots:
        """The search workers' slots on every host, from their heartbeats (a job's default
        ``max_parallel``); their main processes report to it."""
        settings = self.settings
        return WorkerSlots(self.sessions, settings.worker_slots, settings.worker_concurrency)

    @functools.cached_property
    def webhooks(self) -> WebhookDeliveries:
        """The jobs' webhook deliveries: what the webhook task and the sweep call."""
        return WebhookDeliveries(self.sessions, self.settings, self.dispatch)

    # The workers' side: advance, run a trial, conclude -------------------------------

    @functools.cached_property
    def worker_cache(self) -> WorkerCache:
        """This process's tables, training data, search strategies and trial process."""
        return WorkerCache(self.sessions, self.storage, self.settings)

    def _runner(self, dispatch: Dispatch | None = None) -> JobRunner:
        return JobRunner(self.worker_cache, dispatch or self.dispatch)

    def advance(self, job_id: str) -> RunOutcome:
        """Queue the job's next trials and send them to the workers, or conclude it (the
        ``advance`` task); ``skipped`` once the job has ended."""
        return self._reported(self._runner().advance(job_id))

    def run_trial(
        self,
        job_id: str,
        number: int,
        worker: str,
        stop: StopFlag | None = None,
        dispatch: Dispatch | None = None,
    ) -> RunOutcome:
        """Run one queued trial here, record it, and advance its job (the ``run_trial``
        task). The trials advancing queues go to ``dispatch``, by default the service's
        (the task holds them in a :class:`~models.dispatch.HeldTrials`)."""
        return self._reported(self._runner(dispatch).run_trial(job_id, number, worker, stop))

    def next_trial(self) -> tuple[str, int] | None:
        """The queued trial a free worker should run next, oldest first across jobs
        (``job_id``, ``number``); ``None`` when none waits or a job waits to start."""
        with self.sessions() as session:
            return trial_runs.oldest_queued(session)

    def run_to_end(self, job_id: str, worker: str, stop: StopFlag | None = None) -> RunOutcome:
        """Run the whole job in this process, its trials one after another, with the
        workers' steps (same records; no broker): for tests, benchmarks and scripts.

        Trials already recorded are not run again; a job that has ended is skipped.
        """
        here = HeldTrials()
        runner = self._runner(here)
        if self._reported(runner.advance(job_id)) is RunOutcome.SKIPPED:
            return RunOutcome.SKIPPED
        with self.sessions() as session:
            for number in trial_runs.queued(session, job_id):  # queued before this run
                if (job_id, number) not in here.trials:
                    here.run_trial(job_id, number)
        while (trial := here.take()) is not None:
            outcome = self._reported(runner.run_trial(*trial, worker, stop))
            if outcome in (RunOutcome.HANDED_BACK, RunOutcome.CANCELLED):
                return outcome
        job = self.job_by_id(job_id)
        if job is None:  # deleted meanwhile
            return RunOutcome.SKIPPED
        return OUTCOME_OF.get(JobStatus(job.status), RunOutcome.SKIPPED)

    def _reported(self, step: Step) -> RunOutcome:
        """Report a job a step ended: log how it ended (its failure: not only Celery's
        "succeeded" for the task), send its webhook."""
        job = step.ended
        if job is not None:
            if job.status == JobStatus.FAILED:
                log.warning("job %s failed: %s", job.id, job.error, extra={"job_id": job.id})
            elif job.status == JobStatus.SUCCEEDED:
                best = "none" if job.best_score is None else f"{job.best_score:.4f}"
                log.info(
                    "job %s succeeded: best score %s after %d trials",
                    job.id,
                    best,
                    job.trials_completed,
                    extra={"job_id": job.id},
                )
            if job.spec.get("webhook_url"):
                self.webhooks.send(job.id)
        return step.outcome

    def job_by_id(self, job_id: str) -> Job | None:
        """A job whoever owns it (the workers' view)."""
        with self.sessions() as session:
            return session.get(Job, job_id)

    def recover(self, queued_before: datetime, idle_before: datetime | None = None) -> list[str]:
        """Re-send what may be lost (jobs to advance, trials to run); drop expired
        Idempotency-Keys (see :func:`models.recovery.recover`). Returns the ids of the
        jobs re-sent."""
        return recovery.recover(self.sessions, self.dispatch, queued_before, idle_before)

    # Metrics (read at each scrape of /metrics) ------------------------------------------

    def job_counts(self) -> dict[str, int]:
        """How many jobs are in each status, every tenant together."""
        with self.sessions() as session:
            return stats.job_counts(session)

    def trials_in_flight(self) -> dict[str, int]:
        """How many trials wait for a worker (``queued``) and how many are ``running``."""
        with self.sessions() as session:
            return stats.trials_in_flight(session)


def _estimate_key(dataset: Dataset, spec: SearchSpec) -> str:
    """What a dry run's estimate depends on beside its owner and dataset id."""
    return estimates.fingerprint_of(dataset.sha256, spec.to_dict())
