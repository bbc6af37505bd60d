"""The tuneforge service as plain Python calls: :class:`Client`.

Built on the generated ``tuneforge_client``: its connection (``Client.low_level``, for
any operation not wrapped here) and its models, which every call returns. What this
layer adds is what the generated code cannot know: requests accept plain dicts and
strings, every error status raises (see :mod:`tuneforge.errors`), lists and live events
are iterators, and waiting, downloading and loading are one call each.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar
from urllib.parse import unquote

import httpx
import tuneforge_client
from tuneforge_client.models import (
    Dataset,
    DatasetPage,
    EstimatorList,
    Job,
    JobPage,
    Predictions,
    Result,
    SearchSpec,
    Trial,
    TrialPage,
)

from tuneforge import ids, model_files
from tuneforge.bound import BoundJob
from tuneforge.errors import (
    JobFailed,
    ProblemError,
    ServiceUnavailable,
    TuneforgeError,
    Unreachable,
    WaitTimeout,
    problem_from,
)
from tuneforge.events import EndEvent, Event, frames, parse
from tuneforge.events import Frame as SseFrame
from tuneforge.ids import DatasetRef, JobRef
from tuneforge.specs import spec_body
from tuneforge.studies import Study

__all__ = ["DEFAULT_API", "ENDED", "Client", "TuneResult"]

DEFAULT_API = "http://127.0.0.1:8000"
# The statuses a job never leaves.
ENDED = frozenset({"succeeded", "failed", "cancelled"})


class Frame(Protocol):
    """A table that writes itself as CSV: a pandas DataFrame."""

    def to_csv(self, *args: Any, **kwargs: Any) -> Any: ...


Data = str | os.PathLike[str] | bytes | IO[bytes] | Frame
# What an uploaded DataFrame is named when no name is given.
FRAME_NAME = "dataframe.csv"
# Rows of a DataFrame sent in one predictions request (the service answers up to 10,000
# as JSON by default).
PREDICT_BATCH = 5000
Page = TypeVar("Page", DatasetPage, JobPage, TrialPage)
E = TypeVar("E")


@dataclass(frozen=True)
class TuneResult:
    """What :meth:`Client.tune` did: the uploaded table, the job, its result and model."""

    dataset: Dataset
    job: BoundJob
    result: Result
    model: Any


class Client:
    """A connection to one tuneforge service.

    ``api`` defaults to ``$TUNEFORGE_API`` (else ``http://127.0.0.1:8000``), ``key`` to
    ``$TUNEFORGE_API_KEY`` (sent as a bearer token; none when unset). Use it as a context
    manager, or call :meth:`close`.

    >>> with Client() as api:                                         # doctest: +SKIP
    ...     job = api.wait(api.submit(dataset_id=ds.id, target="y").id)
    """

    def __init__(self, api: str | None = None, key: str | None = None, timeout: float = 60.0):
        self.api = (api or os.environ.get("TUNEFORGE_API") or DEFAULT_API).rstrip("/")
        key = key if key is not None else os.environ.get("TUNEFORGE_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.low_level = tuneforge_client.Client(
            base_url=self.api, headers=headers, timeout=httpx.Timeout(timeout)
        )
        self._http = self.low_level.get_httpx_client()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    # datasets

    def upload(self, data: Data, name: str | None = None) -> Dataset:
        """Upload a table: a CSV file's path, its bytes, a binary file object, or a pandas
        DataFrame (sent as CSV, without its index unless the index is named: a named
        index is data, such as a date; an unnamed one only numbers the rows).

        ``name`` defaults to the file's name (``data.csv`` for bytes, ``dataframe.csv``
        for a DataFrame).
        """
        if isinstance(data, (str, os.PathLike)):
            path = Path(data)
            with path.open("rb") as file:
                return self._upload(file, name or path.name)
        if isinstance(data, bytes):
            return self._upload(data, name or "data.csv")
        if hasattr(data, "to_csv"):
            return self._upload(_frame_csv(data), name or FRAME_NAME)
        fallback = Path(str(getattr(data, "name", "data.csv"))).name
        return self._upload(data, name or fallback)

    def _upload(self, body: bytes | IO[bytes], name: str) -> Dataset:
        response = self._request(
            "POST",
            "/v1/datasets",
            params={"name": name},
            content=body,
            headers={"Content-Type": "application/octet-stream"},
        )
        return Dataset.from_dict(response.json())

    def dataset(self, dataset: DatasetRef) -> Dataset:
        """One dataset, with its column profile and warnings."""
        url = f"/v1/datasets/{ids.dataset_id(dataset)}"
        return Dataset.from_dict(self._request("GET", url).json())

    def datasets(self, page_size: int = 100) -> Iterator[Dataset]:
        """Every dataset, newest first, fetched a page at a time."""
        for page in self._pages("/v1/datasets", {"limit": page_size}, DatasetPage):
            yield from page.items

    def delete_dataset(self, dataset: DatasetRef, cascade: bool = False) -> None:
        """Delete an uploaded table and its file; with ``cascade``, the jobs made from it
        too (their trials, results and models; queued or running ones stop).

        Raises :class:`~tuneforge.errors.Conflict`, listing them, when jobs were made from
        it and ``cascade`` is false; :class:`~tuneforge.errors.NotFound` when there is no
        such dataset.
        """
        params = {"cascade": "true"} if cascade else None
        self._request("DELETE", f"/v1/datasets/{ids.dataset_id(dataset)}", params=params)

    def estimators(self) -> EstimatorList:
        """The catalog: each estimator's tasks, parameters and default space, and the
        scorers of each task."""
        return EstimatorList.from_dict(self._request("GET", "/v1/estimators").json())

    # jobs

    def submit(
        self, spec: Mapping[str, Any] | SearchSpec | None = None, /, **fields: Any
    ) -> BoundJob:
        """Start a search. The spec is a dict, a generated ``SearchSpec``, keyword fields,
        or a mix (fields win); enums are plain strings, ``param_space`` a plain dict, and
        a job's echoed ``spec`` can be sent back as it is.

        Written as for scikit-learn: ``dataset_id`` may be the ``Dataset``, ``cv=5`` is
        five folds, and a ``param_space`` value may be a list (or range, or numpy array)
        of values, ``{"low": .., "high": ..}``, or a ``scipy.stats`` ``randint``,
        ``uniform`` or ``loguniform`` (see :mod:`tuneforge.specs`); ``warm_start`` may be
        a job (or several: ``warm_start=[job1, job2]``) whose scored trials seed this one.
        Raises
        :class:`~tuneforge.errors.SpecError`, naming every field, for what has no single
        meaning (a tuple, another distribution), before sending anything.
        """
        body = spec_body(spec, fields)
        return BoundJob.bound(self, self._request("POST", "/v1/jobs", json=body).json())

    def estimate(
        self, spec: Mapping[str, Any] | SearchSpec | None = None, /, **fields: Any
    ) -> dict[str, Any]:
        """How long a search would take, without starting it (``dry_run``): the spec as for
        :meth:`submit`, checked by the service as a submit is (the same errors), then one
        short calibration fit. Returns ``{"estimate": {"seconds_per_trial", "seconds",
        "trials_in_budget"}, "warnings": [...]}``; no job is made."""
        body = {**spec_body(spec, fields), "dry_run": True}
        return self._request("POST", "/v1/jobs", json=body).json()

    def job(self, job: JobRef) -> BoundJob:
        """One job (again): status, progress, and the best so far."""
        return BoundJob.bound(self, self._request("GET", f"/v1/jobs/{ids.job_id(job)}").json())

    def jobs(
        self,
        status: str | None = None,
        dataset_id: DatasetRef | None = None,
        page_size: int = 100,
        *,
        tag: str | Sequence[str] | None = None,
        sort: str | None = None,
    ) -> Iterator[BoundJob]:
        """Every job (of a status, of a dataset, carrying every ``tag``), newest first
        unless ``sort`` says otherwise (``name``, ``-best_score``, ...), a page at a time."""
        of = None if dataset_id is None else ids.dataset_id(dataset_id)
        tags = ",".join(tag) if tag is not None and not isinstance(tag, str) else tag
        params = _present(
            limit=page_size, status=status, dataset_id=of, tag=tags or None, sort=sort
        )
        for page in self._pages("/v1/jobs", params, JobPage):
            yield from (BoundJob.bound(self, job) for job in page.items)

    def cancel(self, job: JobRef) -> BoundJob:
        """Stop a queued or running job; its finished trials are kept, and with a scored
        trial its best candidate is refit (``job.refit``), so that :meth:`result` and the
        model answer once it is done. Cancelling again during that refit stops it."""
        url = f"/v1/jobs/{ids.job_id(job)}/cancel"
        return BoundJob.bound(self, self._request("POST", url).json())

    def delete_job(self, job: JobRef) -> None:
        """Delete a job with its trials, result and model files (a queued or running one
        stops first). Raises :class:`~tuneforge.errors.NotFound` when there is no such
        job (a second delete included)."""
        self._request("DELETE", f"/v1/jobs/{ids.job_id(job)}")

    def model_card(self, job: JobRef, format: str = "json") -> Any:
        """The job's model card: a dict (``format="json"``) or a Markdown page as text
        (``format="markdown"``). Raises :class:`~tuneforge.errors.Conflict` until the job
        has a result."""
        if format not in ("json", "markdown"):
            raise ValueError(f"format is json or markdown, not {format!r}")
        accept = "text/markdown" if format == "markdown" else "application/json"
        url = f"/v1/jobs/{ids.job_id(job)}/card"
        response = self._request("GET", url, headers={"Accept": accept})
        return response.text if format == "markdown" else response.json()

    def extend(
        self, job: JobRef, n_trials: int | None = None, timeout_s: int | None = None
    ) -> BoundJob:
        """Go on with a job: ``n_trials`` more trials, ``timeout_s`` more seconds, or both.
        A running job is extended in place; one that succeeded or was cancelled runs
        again (:meth:`wait` for it). Its trials keep their numbers; the result and model
        change only for a better candidate."""
        url = f"/v1/jobs/{ids.job_id(job)}/extend"
        body = _present(n_trials=n_trials, timeout_s=timeout_s)
        return BoundJob.bound(self, self._request("POST", url, json=body).json())

    extend_job = extend

    def wait(
        self,
        job: JobRef,
        timeout: float | None = None,
        poll: float = 1.0,
        on_update: Callable[[Job], None] | None = None,
    ) -> BoundJob:
        """Poll until the job ends (succeeded, failed or cancelled) and return it.

        ``on_update`` sees every state polled. Raises :class:`WaitTimeout` (carrying the
        last state) once ``timeout`` seconds pass; the job itself keeps running. A 503
        (the service's database out of reach for a moment) is waited out as its
        ``Retry-After`` says, until ``timeout``.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        the_id = ids.job_id(job)
        while True:
            try:
                current = self.job(the_id)
            except ServiceUnavailable as exc:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise
                pause = exc.retry_after or poll
                time.sleep(pause if left is None else min(pause, left))
                continue
            if on_update is not None:
                on_update(current)
            if current.status in ENDED and not _refitting(current):
                return current
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise WaitTimeout(current, timeout or 0.0)
            time.sleep(poll if left is None else min(poll, left))

    def trials(
        self,
        job: JobRef,
        sort: str | None = None,
        state: str | None = None,
        page_size: int = 100,
        estimator: str | None = None,
    ) -> Iterator[Trial]:
        """Every trial of a job, a page at a time; ``sort="-mean_score"`` puts the best
        first, ``state`` keeps one state (``succeeded``, ``failed``, ``pruned``), and
        ``estimator`` an auto job's trials of that family."""
        params = _present(limit=page_size, sort=sort, state=state, estimator=estimator)
        for page in self._pages(f"/v1/jobs/{ids.job_id(job)}/trials", params, TrialPage):
            yield from page.items

    def events(self, job: JobRef) -> Iterator[Event]:
        """The job's live events, parsed, until (and including) its end event.

        The service closes each stream after a while; this resumes it from the last
        event seen, after the pause the service asks for.
        """
        url = f"/v1/jobs/{ids.job_id(job)}/events"
        return self._follow(url, parse, lambda event: isinstance(event, EndEvent))

    def _follow(
        self, url: str, read: Callable[[SseFrame], E | None], last: Callable[[E], bool]
    ) -> Iterator[E]:
        """The events of the stream at ``url``, each ``read`` from its frame (``None``:
        skipped), resumed after each one seen until (and including) the ``last``."""
        last_id, pause = "", 0.0
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            with self._stream("GET", url, headers=headers) as response:
                for frame in frames(response.iter_lines()):
                    if frame.retry_ms is not None:
                        pause = frame.retry_ms / 1000
                    event = read(frame)
                    if event is None:
                        continue
                    last_id = frame.id or last_id
                    yield event
                    if last(event):
                        return
            time.sleep(pause)

    def result(self, job: JobRef) -> Result:
        """Best parameters and scores, and the model's metadata (Conflict until succeeded).

        ``best_params`` is a dict: ``model.set_params(**result.best_params)`` and
        ``json.dumps(result.best_params)`` take it as it is."""
        url = f"/v1/jobs/{ids.job_id(job)}/result"
        return Result.from_dict(self._request("GET", url).json())

    def importance(self, job: JobRef) -> dict[str, Any]:
        """Parameter importance over the job's recorded trials, as the service sends it."""
        url = f"/v1/jobs/{ids.job_id(job)}/importance"
        body: dict[str, Any] = self._request("GET", url).json()
        return body

    # models

    def download_model(
        self, job: JobRef, path: str | os.PathLike[str] | None = None, format: str = "joblib"
    ) -> Path:
        """Save the trained pipeline to ``path`` (default ``<job id>.<format>``), streamed
        and checked against the service's sha256; returns where it is. ``format`` is
        joblib, skops or onnx (:class:`~tuneforge.errors.Conflict` saying why when the job's
        pipeline has no ONNX form)."""
        the_id = ids.job_id(job)
        target = Path(path if path is not None else f"{the_id}.{format}")
        url = f"/v1/jobs/{the_id}/model"
        with self._stream("GET", url, params={"format": format}) as response:
            expected = response.headers.get("X-Content-SHA256")
            digest = hashlib.sha256()
            partial = target.with_name(target.name + ".part")
            with partial.open("wb") as file:
                for chunk in response.iter_bytes():
                    digest.update(chunk)
                    file.write(chunk)
        if expected and digest.hexdigest() != expected:
            partial.unlink()
            raise Unreachable(f"the model download of job {the_id} was corrupted in transit")
        partial.replace(target)
        return target

    def load_model(self, job: JobRef, format: str = "joblib") -> Any:
        """The trained pipeline, ready to ``predict`` on raw rows shaped like the table.

        Needs the ``[model]`` extra. joblib files are pickles: load only what you trust;
        ``format="skops"`` loads without unpickling; ``format="onnx"`` gives an
        ``onnxruntime.InferenceSession`` (needs onnxruntime) with one input per column.
        """
        info = (job if isinstance(job, Result) else self.result(job)).model
        with tempfile.TemporaryDirectory() as folder:
            path = self.download_model(job, Path(folder) / f"model.{format}", format)
            return model_files.load(path, format, info)

    def job_script(self, job: JobRef, path: str | os.PathLike[str] | None = None) -> str:
        """The job's search as a standalone Python file (pandas, numpy and scikit-learn
        only): ``python <job id>.py data.csv`` prints the cross-validation score on the
        job's folds, ``--fit model.joblib`` refits and saves the model. Returns its text,
        and writes it to ``path`` when given. Conflict until the job has a result."""
        text = self._request("GET", f"/v1/jobs/{ids.job_id(job)}/script").text
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def predict(
        self,
        job: JobRef,
        rows: Frame | Sequence[Mapping[str, Any]] | str | os.PathLike[str],
        *,
        probabilities: bool = False,
    ) -> Predictions:
        """The job's model's predictions on ``rows``, computed by the service: a pandas
        DataFrame shaped like the training table (sent as CSV as :meth:`upload` sends one,
        PREDICT_BATCH rows a request; the target and other extra columns are ignored) or a
        list of dicts, column to value, or a CSV file's path (sent as it is, in one
        request: the service answers up to 10,000 rows as JSON by default; see
        :meth:`predict_csv` for more).

        ``.predictions`` has one per row; with ``probabilities=True`` a classifier's
        ``.classes`` and each row's ``.probabilities`` too. ``.ignored_columns`` lists
        what the model does not take. Raises :class:`~tuneforge.errors.ProblemError`
        (422, naming it) when a column the model was trained on is missing.
        """
        url = f"/v1/jobs/{ids.job_id(job)}/predictions"
        params = {"probabilities": "true" if probabilities else "false"}
        if isinstance(rows, (str, os.PathLike)):
            with Path(rows).open("rb") as file:
                headers = {"Content-Type": "text/csv"}
                answer = self._request("POST", url, params=params, content=file, headers=headers)
            return Predictions.from_dict(answer.json())
        if not hasattr(rows, "to_csv"):
            body = {"rows": [dict(row) for row in rows]}  # type: ignore[union-attr]
            answer = self._request("POST", url, params=params, json=body)
            return Predictions.from_dict(answer.json())
        frame: Any = rows
        parts = []
        for start in range(0, max(len(frame), 1), PREDICT_BATCH):
            csv = _frame_csv(frame.iloc[start : start + PREDICT_BATCH])  # as uploaded
            headers = {"Content-Type": "text/csv; charset=utf-8"}
            answer = self._request("POST", url, params=params, content=csv, headers=headers)
            parts.append(answer.json())
        whole = parts[0]
        for part in parts[1:]:
            whole["predictions"] += part["predictions"]
            if "probabilities" in part:
                whole["probabilities"] += part["probabilities"]
        return Predictions.from_dict(whole)

    def predict_csv(self, job: JobRef, csv: str | os.PathLike[str], output: IO[bytes]) -> list[str]:
        """Send the CSV file ``csv`` as it is and write the service's CSV answer to
        ``output`` as it streams in (a ``prediction`` column, and a ``probability_<class>``
        column per class for a classifier): any number of rows, in bounded memory on both
        sides. Returns the columns the model ignored."""
        url = f"/v1/jobs/{ids.job_id(job)}/predictions"
        headers = {"Content-Type": "text/csv", "Accept": "text/csv"}
        with (
            Path(csv).open("rb") as body,
            self._stream("POST", url, content=body, headers=headers) as response,
        ):
            for chunk in response.iter_bytes():
                output.write(chunk)
            ignored = response.headers.get("X-Ignored-Columns", "")
        return [unquote(name) for name in ignored.split(",") if name]

    def tune(
        self,
        data: Data,
        target: str,
        *,
        name: str | None = None,
        timeout: float | None = None,
        **spec_fields: Any,
    ) -> TuneResult:
        """Upload ``data`` (a CSV file, its bytes, a DataFrame: see :meth:`upload`), search
        for the best model predicting ``target``, wait, and return the dataset, job,
        result and loaded model (needs the ``[model]`` extra). ``spec_fields`` are
        :meth:`submit`'s, so ``cv=5`` and ``scipy.stats`` distributions work here too.

        The table is uploaded for this call only: when the service refuses the spec (a
        4xx :class:`~tuneforge.errors.ProblemError`, such as a misspelt ``target``) or
        Ctrl-C stops the submit, the upload is deleted before the error is raised, so a
        typo leaves nothing behind. Once a job is submitted the dataset stays, with it.
        Raises :class:`JobFailed` when the job fails or is cancelled, and
        :class:`WaitTimeout` after ``timeout`` seconds.
        """
        spec = {"target": target, **spec_fields}
        spec_body(spec)  # what cannot be sent is refused before anything is uploaded
        dataset = self.upload(data, name)
        job = self._submit_on_upload(dataset.id, spec)
        job = self.wait(job, timeout=timeout)
        if job.status != "succeeded":
            raise JobFailed(job)
        result = self.result(job)
        return TuneResult(dataset, job, result, self.load_model(result))

    def _submit_on_upload(self, dataset_id: str, spec: Mapping[str, Any]) -> BoundJob:
        """Submit ``spec`` on ``dataset_id``, a table uploaded for it alone. If the service
        refuses it (a 4xx) or Ctrl-C stops the call, the upload is deleted unless a job
        took it after all (a 5xx or an interrupted request may have created one: the
        service then refuses the delete while the job is queued). What happened is a
        note on the error raised, never a second error hiding it."""
        try:
            return self.submit(spec, dataset_id=dataset_id)
        except ProblemError as refused:
            if refused.status < 500:
                self._remove_unused_upload(dataset_id, refused)
            raise
        except KeyboardInterrupt as interrupted:
            self._remove_unused_upload(dataset_id, interrupted)
            raise

    def _remove_unused_upload(self, dataset_id: str, error: BaseException) -> None:
        try:
            self.delete_dataset(dataset_id)
        except ProblemError as exc:
            if exc.status == 409:
                error.add_note(f"the upload {dataset_id} stays: a job was submitted on it")
            else:
                error.add_note(f"the upload {dataset_id} could not be removed: {exc}")
        except TuneforgeError as exc:
            error.add_note(f"the upload {dataset_id} could not be removed: {exc}")
        else:
            error.add_note(f"the upload {dataset_id} made for this call was removed")

    # studies

    def create_study(
        self,
        space: Mapping[str, Any],
        direction: str = "minimize",
        n_trials: int = 30,
        strategy: str = "bayesian",
        **fields: Any,
    ) -> Study:
        """A study of an objective computed here: iterate ``study.trials()`` and report
        each trial's value (see :mod:`tuneforge.studies`). ``fields``: ``name``,
        ``metric``, ``random_state``, ``lease_s``."""
        body = {
            "space": dict(space),
            "direction": direction,
            "n_trials": n_trials,
            "strategy": strategy,
            **{name: value for name, value in fields.items() if value is not None},
        }
        document = self._request("POST", "/v1/studies", json=body).json()
        return Study(self, document["id"], document)

    def study(self, study: str | Study) -> Study:
        """A study by id (to iterate it from another process, say)."""
        study_id = study.id if isinstance(study, Study) else study
        document = self._request("GET", f"/v1/studies/{study_id}").json()
        return Study(self, study_id, document)

    # transport

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(f"{self.api} did not answer: {exc}") from exc
        if response.is_error:
            raise problem_from(response)
        return response

    def _stream(self, method: str, url: str, **kwargs: Any) -> _Stream:
        return _Stream(self, self._http.build_request(method, url, **kwargs))

    def _pages(self, url: str, params: dict[str, Any], page: type[Page]) -> Iterator[Page]:
        next_url: str | None = url
        query: dict[str, Any] | None = params
        while next_url:
            current = page.from_dict(self._request("GET", next_url, params=query).json())
            yield current
            next_url, query = current.next_, None  # the next URL carries the query


class _Stream:
    """A streamed response that raises like :meth:`Client._request` and always closes."""

    def __init__(self, client: Client, request: httpx.Request) -> None:
        self._client, self._request = client, request

    def __enter__(self) -> httpx.Response:
        try:
            self._response = self._client._http.send(self._request, stream=True)
        except httpx.TransportError as exc:
            raise Unreachable(f"{self._client.api} did not answer: {exc}") from exc
        if self._response.is_error:
            self._response.read()
            self._response.close()
            raise problem_from(self._response)
        return self._response

    def __exit__(self, *exc_info: object) -> None:
        self._response.close()


def _refitting(job: Job) -> bool:
    """A cancelled job whose best candidate is being refit: its model comes in a moment."""
    refit = getattr(job, "refit", None)
    return refit is not None and str(getattr(refit, "value", refit)) == "refitting"


def _present(**params: Any) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


def _frame_csv(frame: Frame) -> bytes:
    """A DataFrame as CSV bytes; its index only when it is named (see :meth:`Client.upload`)."""
    names = getattr(getattr(frame, "index", None), "names", None) or [None]
    text = frame.to_csv(index=any(name is not None for name in names))
    return str(text).encode("utf-8")
