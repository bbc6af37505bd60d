"""``tuneforge tune``, ``tuneforge jobs …`` and ``tuneforge datasets …``: the service from a
terminal, built on :class:`tuneforge.Client` (nothing here speaks HTTP itself).

People get a live progress line on stderr and tables on stdout; scripts pass ``--json``
and get exactly one JSON document on stdout (the API's own objects) and an exit code
(:data:`EXIT_CODES`). No error the service or the network can cause ends in a traceback:
:class:`ClientCommand` turns each into a message and its exit code. The server's
``tuneforge`` command mounts these same commands (``api/launcher.py``); ``python -m tuneforge``
runs them where only the SDK is installed.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any, NoReturn, get_args

import click
import httpx
from tuneforge_client.models import Dataset, Job
from tuneforge_client.models.list_jobs_sort import ListJobsSort

from tuneforge._interrupts import DeferredInterrupts, interruptible
from tuneforge._progress import ProgressView, format_score
from tuneforge._tables import (
    dataset_details,
    datasets_table,
    format_params,
    job_details,
    jobs_table,
    trials_table,
)
from tuneforge.client import Client
from tuneforge.errors import ProblemError, Unreachable, WaitTimeout

__all__ = ["EXIT_CODES", "ClientCommand", "ClientGroup", "datasets", "jobs", "main", "tune"]

EXIT_JOB_ENDED_BADLY = 1
EXIT_REFUSED = 3
EXIT_UNREACHABLE = 4
EXIT_WAIT_TIMEOUT = 5
EXIT_INTERRUPTED = 130  # as a shell reports a process ended by SIGINT (128 + 2)
# The estimator that lets the search choose the model family (the service checks its space).
AUTO = "auto"

EXIT_CODES = f"""\b
Exit codes:
  0    success
  {EXIT_JOB_ENDED_BADLY}    the job ended failed or cancelled (or the model could not be saved)
  2    usage error (a missing or malformed option)
  {EXIT_REFUSED}    the API refused the request (its problem, and each field, on stderr)
  {EXIT_UNREACHABLE}    the API could not be reached
  {EXIT_WAIT_TIMEOUT}    --timeout passed before the job ended (it keeps running)
  {EXIT_INTERRUPTED}  interrupted (Ctrl-C)
"""

POLL_S = 0.5  # how often a waiting command asks for the job: a frame every half second
TOP_TRIALS = 5


class ClientCommand(click.Command):
    """A command whose SDK errors become a message on stderr and an exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ProblemError as exc:
            _say(_problem_text(exc))
            ctx.exit(EXIT_REFUSED)
        except (Unreachable, httpx.TransportError) as exc:
            _say(f"tuneforge: the API could not be reached: {exc}")
            ctx.exit(EXIT_UNREACHABLE)
        except KeyboardInterrupt:
            _say("\ntuneforge: interrupted")
            ctx.exit(EXIT_INTERRUPTED)


class ClientGroup(click.Group):
    """A group whose every command is a :class:`ClientCommand`."""

    command_class = ClientCommand

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", EXIT_CODES)
        super().__init__(*args, **kwargs)


def _problem_text(exc: ProblemError) -> str:
    """``422 Unprocessable Entity: detail`` and a line per field error."""
    head = f"{exc.status} {exc.title}".strip() + (f": {exc.detail}" if exc.detail else "")
    lines = [
        f"  {field}: {message}" for field, messages in exc.errors.items() for message in messages
    ]
    return "\n".join([f"tuneforge: {head}", *lines])


def client_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--api``, ``--key`` and ``--json``, which every client command takes."""
    command = click.option(
        "--json", "as_json", is_flag=True, help="Print one JSON document on stdout, nothing else."
    )(command)
    command = click.option(
        "--key",
        envvar="TUNEFORGE_API_KEY",
        show_envvar=True,
        help="API key (sent as a bearer token).",
    )(command)
    return click.option(
        "--api",
        metavar="URL",
        envvar="TUNEFORGE_API",
        show_envvar=True,
        help="The service  [default: http://127.0.0.1:8000]",
    )(command)


# ------------------------------------------------------------------------------- tune


@click.command(
    cls=ClientCommand,
    short_help="Tune a model on a CSV table: live progress, best trials, model file.",
)
@click.argument(
    "data", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--target", required=True, help="The column to predict.")
@click.option(
    "--estimator",
    default="random_forest",
    show_default=True,
    help="A catalog name, or auto: the search chooses the model family too.",
)
@click.option("--strategy", help="grid, random, halving or bayesian  [default: random]")
@click.option("--trials", "n_trials", type=int, help="How many candidates (random, bayesian).")
@click.option(
    "--timeout", "timeout_s", type=int, metavar="SECONDS", help="No trial starts after this."
)
@click.option("--scoring", help="A scikit-learn scorer name  [default: by task]")
@click.option(
    "--exclude",
    "exclude_columns",
    multiple=True,
    metavar="COL",
    help="A column that is not a feature (an id, a leak); repeat for more.",
)
@click.option(
    "--space",
    "space_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="A JSON file mapping each parameter to the values to try: a list, or "
    '{"low": 1, "high": 30} (JSON only: the SDK depends on no YAML library)  '
    "[default: the estimator's space]",
)
@click.option("--cv", "folds", type=int, metavar="N", help="Cross-validation folds  [default: 5]")
@click.option(
    "--cv-kind",
    metavar="KIND",
    help="kfold, stratified, timeseries or holdout  [default: stratified for classification]",
)
@click.option(
    "--test-size",
    type=float,
    metavar="SHARE",
    help="Share of rows held out and scored once  [default: 0.2; 0 for none]",
)
@click.option("--name", help="A name for the job.")
@click.option(
    "--warm-start",
    "warm_start",
    multiple=True,
    metavar="JOB_ID",
    help="Seed the search with this earlier job's scored trials (same table, target, "
    "scorer and folds); repeat for up to 5 jobs.",
)
@click.option(
    "--dataset",
    "dataset_id",
    metavar="ID",
    help="Tune on this uploaded dataset instead of uploading DATA.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the spec and print how long the job would take (a short calibration fit "
    "on the service); submit nothing.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to save the model  [default: <job id>.joblib; a .skops name saves skops, "
    "a .onnx name ONNX]",
)
@client_options
def tune(
    data: Path | None,
    dataset_id: str | None,
    output: Path | None,
    dry_run: bool,
    api: str | None,
    key: str | None,
    as_json: bool,
    **options: Any,
) -> None:
    """Upload the CSV table DATA, search for the best model predicting --target, show its
    progress, print the best trials, and save the model.

    A table uploaded before (the same bytes, by their sha256) is used again, not uploaded
    twice; --dataset ID names one. The estimator, the scorer and the space's parameters
    are checked against the service's catalog before anything is uploaded.

    Ctrl-C while it runs asks whether to cancel the job. --dry-run prints the estimate
    and exits (0) without submitting.
    """
    if (data is None) == (dataset_id is None):
        raise click.UsageError("give the table: a CSV file DATA, or --dataset ID (not both)")
    spec = tune_spec(**options)
    with Client(api, key) as client:
        _check_catalog(client, spec)
        if data is not None:
            dataset, uploaded = _file_dataset(client, data)
        elif dataset_id is not None:
            dataset, uploaded = _named_dataset(client, dataset_id), False
        _warn(dataset.to_dict())
        if dry_run:
            _print_estimate(client, spec, dataset.id, as_json)
            return
        job = (
            _submit(client, spec, dataset.id)
            if uploaded
            else client.submit(spec, dataset_id=dataset.id)
        )
        _say(f"tuneforge: job {job.id} ({job.spec.estimator}, {job.spec.strategy} search)")
        _warn(job.to_dict())
        job = follow(client, job.id)
        document: dict[str, Any] = {"dataset": dataset.to_dict(), "job": job.to_dict()}
        if job.status != "succeeded":
            _ended_badly(document if as_json else None, job)
        result = client.result(job.id)
        best = _best_trials(client, job.id)
        path = _save_model(client, job.id, output)
    if as_json:
        document |= {"result": result.to_dict(), "best_trials": best, "model": str(path)}
        _print_json(document)
        return
    click.echo(trials_table(best))
    click.echo()
    click.echo(f"best score   {format_score(result.best_score)} ({_scoring(result.to_dict())})")
    click.echo(f"best params  {format_params(result.best_params.to_dict())}")
    if job.spec.estimator == AUTO:
        click.echo(f"family       {result.estimator} (the search's choice)")
    click.echo(f"model        {path}")


def _print_estimate(client: Client, spec: dict[str, Any], dataset_id: str, as_json: bool) -> None:
    """The service's dry run of ``spec``: refused as a submit would be (exit 3)."""
    try:
        answer = client.estimate(spec, dataset_id=dataset_id)
    except ProblemError as exc:
        if exc.status >= 500:
            raise
        _say(_problem_text(exc))
        raise click.exceptions.Exit(EXIT_REFUSED) from None
    if as_json:
        _print_json(answer)
        return
    _warn(answer)
    estimate = answer["estimate"]
    in_budget = estimate["trials_in_budget"]
    click.echo(f"seconds per trial  {estimate['seconds_per_trial']:.2f}")
    click.echo(f"whole job          {estimate['seconds']:.1f} s (every trial, then the refit)")
    click.echo(f"trials in budget   {'-' if in_budget is None else in_budget}")


def tune_spec(
    target: str,
    estimator: str,
    strategy: str | None = None,
    n_trials: int | None = None,
    timeout_s: int | None = None,
    scoring: str | None = None,
    exclude_columns: tuple[str, ...] = (),
    space_file: Path | None = None,
    folds: int | None = None,
    cv_kind: str | None = None,
    test_size: float | None = None,
    name: str | None = None,
    warm_start: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The job's spec (without its dataset) from ``tune``'s options: only what was given,
    so that the service's defaults apply to the rest."""
    cv = {key: value for key, value in (("folds", folds), ("kind", cv_kind)) if value is not None}
    spec = {
        "target": target,
        "estimator": estimator,
        "strategy": strategy,
        "n_trials": n_trials,
        "timeout_s": timeout_s,
        "scoring": scoring,
        "exclude_columns": list(exclude_columns) or None,
        "param_space": read_space(space_file) if space_file is not None else None,
        "cv": cv or None,
        "test_size": test_size,
        "name": name,
        "warm_start": {"job_ids": list(warm_start)} if warm_start else None,
    }
    return {field: value for field, value in spec.items() if value is not None}


def read_space(path: Path) -> dict[str, Any]:
    """The search space in ``path``: a JSON object, parameter → what to try."""
    if path.suffix.lower() in (".yaml", ".yml"):
        raise click.BadParameter(
            "the space is read as JSON (the SDK depends on no YAML library); write it as "
            'JSON, e.g. {"n_neighbors": {"low": 1, "high": 30}, "weights": ["uniform"]}',
            param_hint="--space",
        )
    try:
        space = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        message = f"{path} is not a JSON document: {exc}"
        raise click.BadParameter(message, param_hint="--space") from None
    if not isinstance(space, dict) or not space:
        raise click.BadParameter(
            f"{path} must hold a JSON object: each parameter and the values to try",
            param_hint="--space",
        )
    return space


def _check_catalog(client: Client, spec: dict[str, Any]) -> None:
    """Refuse (exit 2, uploading nothing) an estimator, scorer or parameter that the
    service's catalog (``GET /v1/estimators``) does not have, naming each."""
    catalog = client.estimators()
    problems = catalog_problems(catalog.to_dict(), spec)
    if problems:
        lines = [f"  {field}: {message}" for field, message in problems.items()]
        _say("\n".join(["tuneforge: the spec does not fit the service's catalog", *lines]))
        raise click.exceptions.Exit(2)


def catalog_problems(catalog: dict[str, Any], spec: dict[str, Any]) -> dict[str, str]:
    """What in ``spec`` the ``catalog`` (``GET /v1/estimators``'s document) refuses, by field."""
    entries = {entry["name"]: entry for entry in catalog["items"]}
    problems: dict[str, str] = {}
    entry = entries.get(spec["estimator"])
    # "auto" (the search chooses the family): its family.param space is the service's to check
    if entry is None and spec["estimator"] != AUTO:
        problems["estimator"] = (
            f"unknown estimator {spec['estimator']!r}; choose one of {', '.join(entries)}, "
            f"or {AUTO!r}"
        )
    tasks = entry["tasks"] if entry is not None else list(catalog["scorers"])
    scorers = [name for task in tasks for name in catalog["scorers"].get(task, [])]
    if "scoring" in spec and spec["scoring"] not in scorers:
        problems["scoring"] = (
            f"unknown scorer {spec['scoring']!r}"
            + (f" for {spec['estimator']}" if entry is not None else "")
            + f"; choose one of {', '.join(dict.fromkeys(scorers))}"
        )
    if entry is not None:
        params = {name for task in tasks for name in entry["params"].get(task, {})}
        for name in spec.get("param_space", {}):
            if name not in params:
                problems[f"param_space.{name}"] = (
                    f"{spec['estimator']} has no parameter {name!r}; tunable: "
                    f"{', '.join(sorted(params))}"
                )
    return problems


def _named_dataset(client: Client, dataset_id: str) -> Dataset:
    """The dataset --dataset names."""
    dataset = client.dataset(dataset_id)
    _say(f"tuneforge: dataset {dataset.id}, {dataset.name} ({_size(dataset.to_dict())})")
    return dataset


def _file_dataset(client: Client, data: Path) -> tuple[Dataset, bool]:
    """The dataset with DATA's bytes (found by their sha256, without asking), else DATA
    uploaded now; and whether it was uploaded for this command."""
    digest = _sha256(data)
    same = next((d for d in client.datasets() if d.sha256 == digest), None)
    if same is not None:
        _say(
            f"tuneforge: {data.name} was uploaded before as {same.id} ({same.name}, "
            f"{_size(same.to_dict())}, same sha256): using it"
        )
        return same, False
    dataset = client.upload(data)
    _say(f"tuneforge: uploaded {data.name} as {dataset.id} ({_size(dataset.to_dict())})")
    return dataset, True


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _submit(client: Client, spec: dict[str, Any], dataset_id: str) -> Job:
    """Submit the search on the table just uploaded for it. When the service refuses the
    spec (a 4xx: a misspelt --target, an unknown estimator) or Ctrl-C stops the submit,
    that upload served nothing, so it is deleted before exiting (3, or 130); a 5xx
    leaves it, as the job may exist after all."""
    try:
        return client._submit_on_upload(dataset_id, spec)
    except ProblemError as exc:
        if exc.status >= 500:
            raise
        _say(_problem_text(exc))
        _say_notes(exc)
        raise click.exceptions.Exit(EXIT_REFUSED) from None
    except KeyboardInterrupt as exc:
        _say_notes(exc)
        raise


def _say_notes(exc: BaseException) -> None:
    for note in getattr(exc, "__notes__", ()):
        _say(f"tuneforge: {note}")


def _best_trials(client: Client, job_id: str) -> list[dict[str, Any]]:
    """The top trials by score, best first (the service sorts them)."""
    found = client.trials(job_id, sort="-mean_score", state="succeeded", page_size=TOP_TRIALS)
    return [trial.to_dict() for trial in islice(found, TOP_TRIALS)]


def _scoring(result: dict[str, Any]) -> str:
    text = str(result.get("scoring"))
    if result.get("test_score") is not None:
        text += f"; held-out test {format_score(result['test_score'])}"
    return text


def _save_model(client: Client, job_id: str, output: Path | None) -> Path:
    """Download the model where asked; the format follows the name (``.skops``, ``.onnx``)."""
    suffix = output.suffix if output is not None else ""
    form = {".skops": "skops", ".onnx": "onnx"}.get(suffix, "joblib")
    try:
        path = client.download_model(job_id, output, format=form)
    except OSError as exc:
        raise click.ClickException(f"the model could not be saved: {exc}") from exc
    _say(f"tuneforge: model saved to {path} ({form})")
    return path


# ---------------------------------------------------------------------- following a job


def follow(client: Client, job_id: str, timeout: float | None = None) -> Job:
    """Wait for the job to end, drawing its progress on stderr; return its last state.

    Ctrl-C asks whether to cancel the job (see :func:`_offer_to_cancel`); it is acted on
    after the poll under way (``tuneforge._interrupts``). Raises :class:`WaitTimeout`
    after ``timeout`` seconds.
    """
    stderr = sys.stderr
    view = ProgressView(stderr, is_tty=stderr.isatty())
    deadline = None if timeout is None else time.monotonic() + timeout
    with DeferredInterrupts() as interrupts:

        def update(job: Job) -> None:
            view.update(job.to_dict())
            interrupts.check()

        try:
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    return client.wait(job_id, timeout=left, poll=POLL_S, on_update=update)
                except KeyboardInterrupt:
                    view.finish()
                    _offer_to_cancel(client, job_id)
        finally:
            view.finish()


def _offer_to_cancel(client: Client, job_id: str) -> None:
    """Ask; yes cancels and exits 130, no returns (waiting goes on), a second Ctrl-C (or
    no terminal to answer from) leaves the job running and exits 130."""
    try:
        with interruptible():
            cancel = click.confirm(f"Cancel job {job_id}?", default=False, err=True)
    except click.Abort:
        _say(f"\ntuneforge: job {job_id} goes on; follow it with: tuneforge jobs wait {job_id}")
        raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
    if not cancel:
        return
    try:
        job = client.cancel(job_id)
    except ProblemError as exc:
        if exc.status != 409:
            raise
        job = client.job(job_id)  # it ended while we asked
    _say(f"tuneforge: job {job_id} {job.status}")
    raise click.exceptions.Exit(EXIT_INTERRUPTED)


def _ended_badly(document: dict[str, Any] | None, job: Job) -> NoReturn:
    """Say how the job ended (and print ``document`` for --json); exit 1."""
    reason = f": {job.error}" if isinstance(job.error, str) and job.error else ""
    _say(f"tuneforge: job {job.id} {job.status}{reason}")
    if document is not None:
        _print_json(document)
    raise click.exceptions.Exit(EXIT_JOB_ENDED_BADLY)


# ------------------------------------------------------------------------------- jobs


@click.group(cls=ClientGroup)
def jobs() -> None:
    """Search jobs: list, show, wait for, cancel, extend, delete, model card."""


@jobs.command("list")
@click.option(
    "--status", help="queued, running, succeeded, failed or cancelled (several: comma-separated)."
)
@click.option("--dataset", "dataset_id", metavar="ID", help="Only this dataset's jobs.")
@click.option(
    "--tag", "tags", multiple=True, help="Only jobs with this tag (repeat: jobs with every one)."
)
@click.option(
    "--sort",
    type=click.Choice(get_args(ListJobsSort)),
    default="-created_at",
    show_default=True,
    help="By creation time, name or best score; a leading - reverses (-best_score: best first).",
)
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@client_options
def jobs_list(
    status: str | None,
    dataset_id: str | None,
    tags: tuple[str, ...],
    sort: str,
    limit: int,
    api: str | None,
    key: str | None,
    as_json: bool,
) -> None:
    """The jobs, newest first unless --sort says otherwise: name, dataset, target, task,
    metric and best score, strategy, estimator, status, created, duration."""

    def listed(client: Client) -> list[dict[str, Any]]:
        found = client.jobs(
            status=status,
            dataset_id=dataset_id,
            page_size=min(limit, 100),
            tag=list(tags) or None,
            sort=sort,
        )
        return [job.to_dict() for job in islice(found, limit)]

    _fetch_and_print(api, key, listed, as_json, jobs_table, "no jobs")


@jobs.command("show")
@click.argument("job_id")
@client_options
def jobs_show(job_id: str, api: str | None, key: str | None, as_json: bool) -> None:
    """Status, progress, best score and params, and the spec of JOB_ID."""
    _fetch_and_print(api, key, lambda client: client.job(job_id).to_dict(), as_json, job_details)


@jobs.command("cancel")
@click.argument("job_id")
@client_options
def jobs_cancel(job_id: str, api: str | None, key: str | None, as_json: bool) -> None:
    """Stop JOB_ID (queued or running); its finished trials are kept."""
    _fetch_and_print(
        api,
        key,
        lambda client: client.cancel(job_id).to_dict(),
        as_json,
        lambda j: f"tuneforge: job {j['id']} {j['status']}",
    )


@jobs.command("script")
@click.argument("job_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Save the script here  [default: print it on stdout]",
)
@client_options
def jobs_script(
    job_id: str, output: Path | None, api: str | None, key: str | None, as_json: bool
) -> None:
    """The search of JOB_ID as a standalone Python file: `python JOB.py data.csv` prints
    the cross-validation score on the job's folds; `--fit model.joblib` refits and saves."""
    with Client(api, key) as client:
        text = client.job_script(job_id, output)
    if as_json:
        _print_json({"job_id": job_id, "path": str(output) if output else None, "script": text})
    elif output is None:
        click.echo(text, nl=False)
    else:
        _say(f"tuneforge: the script of job {job_id} saved to {output}")


@jobs.command("extend")
@click.argument("job_id")
@click.option("--trials", "n_trials", type=click.IntRange(min=1), help="Run this many more trials.")
@click.option(
    "--timeout",
    "timeout_s",
    type=click.IntRange(min=1),
    metavar="SECONDS",
    help="An ended job: this long from now; a running one: its deadline this much later.",
)
@client_options
def jobs_extend(
    job_id: str,
    n_trials: int | None,
    timeout_s: int | None,
    api: str | None,
    key: str | None,
    as_json: bool,
) -> None:
    """Go on with JOB_ID: more trials, more time, or both (its trials are kept)."""
    if n_trials is None and timeout_s is None:
        raise click.UsageError("give --trials, --timeout, or both")
    _fetch_and_print(
        api,
        key,
        lambda client: client.extend(job_id, n_trials, timeout_s).to_dict(),
        as_json,
        lambda j: (
            f"tuneforge: job {j['id']} {j['status']}, "
            f"{j['progress']['trials_completed']}/{j['progress']['trials_total']} trials"
        ),
    )


@jobs.command("wait")
@click.argument("job_id")
@click.option("--timeout", type=click.FloatRange(min=0), metavar="SECONDS", help="Give up after.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also save the model here once it succeeded (a .skops name saves skops, a .onnx "
    "name ONNX).",
)
@client_options
def jobs_wait(
    job_id: str,
    timeout: float | None,
    output: Path | None,
    api: str | None,
    key: str | None,
    as_json: bool,
) -> None:
    """Follow JOB_ID until it ends, showing its progress; Ctrl-C asks whether to cancel it."""
    with Client(api, key) as client:
        try:
            job = follow(client, job_id, timeout)
        except WaitTimeout as exc:
            _say(f"tuneforge: {exc}")
            if as_json:
                _print_json(exc.job.to_dict())
            raise click.exceptions.Exit(EXIT_WAIT_TIMEOUT) from None
        if job.status != "succeeded":
            _ended_badly(job.to_dict() if as_json else None, job)
        if output is not None:
            _save_model(client, job.id, output)
    summary = f"job {job.id} succeeded: best {format_score(job.best_score)}"
    _print(job.to_dict(), as_json, lambda _: summary)


@jobs.command("delete")
@click.argument("job_id")
@client_options
def jobs_delete(job_id: str, api: str | None, key: str | None, as_json: bool) -> None:
    """Delete JOB_ID with its trials, result and model files (stops it if it runs)."""

    def delete(client: Client) -> dict[str, Any]:
        client.delete_job(job_id)
        return {"deleted": job_id}

    _fetch_and_print(api, key, delete, as_json, lambda d: f"tuneforge: job {d['deleted']} deleted")


@jobs.command("card")
@click.argument("job_id")
@client_options
def jobs_card(job_id: str, api: str | None, key: str | None, as_json: bool) -> None:
    """JOB_ID's model card, as Markdown (--json: the JSON document)."""
    card = "json" if as_json else "markdown"
    _fetch_and_print(api, key, lambda client: client.model_card(job_id, card), as_json, str)


@jobs.command("predict")
@click.argument("job_id")
@click.argument("rows", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the predictions here (CSV) instead of on stdout.",
)
@client_options
def jobs_predict(
    job_id: str, rows: Path, output: Path | None, api: str | None, key: str | None, as_json: bool
) -> None:
    """Predict with JOB_ID's model on the rows of a CSV file (columns as in the training
    table; others are ignored): a prediction per row, and per-class probabilities for a
    classifier, as CSV streamed from the service (any number of rows); with --json, the
    service's JSON answer (up to 10,000 rows by default)."""
    with Client(api, key) as client:
        if as_json:
            _print_json(client.predict(job_id, rows, probabilities=True).to_dict())
            return
        try:
            sink = output.open("wb") if output is not None else sys.stdout.buffer
        except OSError as exc:
            raise click.ClickException(f"the predictions could not be written: {exc}") from exc
        try:
            ignored = client.predict_csv(job_id, rows, sink)
        finally:
            if output is not None:
                sink.close()
    if ignored:
        _say(f"tuneforge: ignored the columns the model does not take: {', '.join(ignored)}")
    if output is not None:
        _say(f"tuneforge: predictions saved to {output}")


# --------------------------------------------------------------------------- datasets


@click.group(cls=ClientGroup)
def datasets() -> None:
    """Uploaded tables: list, show, delete."""


@datasets.command("list")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@client_options
def datasets_list(limit: int, api: str | None, key: str | None, as_json: bool) -> None:
    """The newest datasets first."""

    def newest(client: Client) -> list[dict[str, Any]]:
        return [d.to_dict() for d in islice(client.datasets(page_size=min(limit, 100)), limit)]

    _fetch_and_print(api, key, newest, as_json, datasets_table, "no datasets")


@datasets.command("show")
@click.argument("dataset_id")
@client_options
def datasets_show(dataset_id: str, api: str | None, key: str | None, as_json: bool) -> None:
    """DATASET_ID's size, each column's profile, and what the reader guessed (warnings)."""
    _fetch_and_print(
        api, key, lambda client: client.dataset(dataset_id).to_dict(), as_json, dataset_details
    )


@datasets.command("delete")
@click.argument("dataset_id")
@click.option("--cascade", is_flag=True, help="Delete the jobs made from it too.")
@client_options
def datasets_delete(
    dataset_id: str, cascade: bool, api: str | None, key: str | None, as_json: bool
) -> None:
    """Delete DATASET_ID and its file; refused while jobs made from it exist, unless
    --cascade deletes them too."""

    def delete(client: Client) -> dict[str, Any]:
        client.delete_dataset(dataset_id, cascade=cascade)
        return {"deleted": dataset_id}

    _fetch_and_print(
        api, key, delete, as_json, lambda d: f"tuneforge: dataset {d['deleted']} deleted"
    )


# ------------------------------------------------------------------------------ output


def _fetch_and_print(
    api: str | None,
    key: str | None,
    fetch: Callable[[Client], Any],
    as_json: bool,
    render: Callable[[Any], str],
    empty: str = "",
) -> None:
    """What the one-call commands (list, show, cancel) share: ``fetch`` the document while
    the client is open (a list's pages are read lazily, so it must be consumed there), then
    close the connection before printing it, as JSON or rendered (see :func:`_print`)."""
    with Client(api, key) as client:
        document = fetch(client)
    _print(document, as_json, render, empty)


def _print(document: Any, as_json: bool, render: Callable[[Any], str], empty: str = "") -> None:
    """The document as JSON, or rendered for people (``empty`` for an empty list)."""
    if as_json:
        _print_json(document)
    else:
        click.echo(render(document) if document or not empty else empty)


def _print_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2))


def _say(message: str) -> None:
    """What happens, for people: on stderr, so that stdout stays the command's output."""
    click.echo(message, err=True)


def _warn(document: dict[str, Any]) -> None:
    """What the service guessed or suspects (a decimal comma, a leaking column)."""
    for warning in document.get("warnings") or []:
        column = f" ({warning['column']})" if warning.get("column") else ""
        _say(f"tuneforge: warning {warning.get('code')}{column}: {warning.get('message')}")


def _size(dataset: dict[str, Any]) -> str:
    return f"{dataset.get('n_rows')} rows, {dataset.get('n_columns')} columns"


@click.group(cls=ClientGroup)
def main() -> None:
    """tuneforge's client: tune a model on a CSV table, follow jobs, look at datasets.

    The service is --api or $TUNEFORGE_API (default http://127.0.0.1:8000); the key is
    --key or $TUNEFORGE_API_KEY.
    """


main.add_command(tune)
main.add_command(jobs)
main.add_command(datasets)
