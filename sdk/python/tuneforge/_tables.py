"""Plain-text tables of the API's documents (trials, jobs, datasets, columns) for people.

Each function takes the documents as the API serves them (``dict``) and returns text, so
what the commands print is tested without a service. Scripts should use ``--json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._progress import format_duration, format_score


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Columns left-aligned and padded to their widest cell; the last is not padded."""
    cells = [[str(h) for h in headers], *([str(c) for c in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=False)]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines)


def key_values(pairs: Sequence[tuple[str, Any]]) -> str:
    """``name  value`` lines, the values aligned."""
    width = max((len(name) for name, _ in pairs), default=0)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in pairs)


def format_value(value: Any) -> str:
    """A parameter's value as typed in a spec: ``0.0123``, ``None``, ``'rbf'`` as ``rbf``."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return "None" if value is None else str(value)


def format_params(params: Mapping[str, Any] | None) -> str:
    """``max_depth=3, min_samples_leaf=10`` (the estimator's own names, sorted)."""
    if not params:
        return "-"
    return ", ".join(f"{name}={format_value(params[name])}" for name in sorted(params))


def trials_table(trials: Iterable[Mapping[str, Any]]) -> str:
    """The trials given (best first, as the commands fetch them): number, score, std,
    params."""
    rows = [
        (
            t.get("number"),
            format_score(t.get("mean_score")),
            format_score(t.get("std_score")),
            format_params(t.get("params")),
        )
        for t in trials
    ]
    return table(("TRIAL", "SCORE", "STD", "PARAMS"), rows)


JOB_COLUMNS = (
    "ID", "NAME", "DATASET", "TARGET", "TASK", "METRIC", "BEST", "STRATEGY", "ESTIMATOR",
    "STATUS", "CREATED", "DURATION",
)  # fmt: skip
# A name or a dataset's name longer than this is cut (with …): the table stays one line.
WIDEST_NAME = 28


def jobs_table(jobs: Iterable[Mapping[str, Any]]) -> str:
    """One row per job, with what tells jobs apart: its name, dataset, target, task, metric
    and best score by it, strategy, estimator; then status (with the trials done while it
    has not ended), created, and how long it ran."""
    rows = []
    for job in jobs:
        spec = job.get("spec") or {}
        rows.append(
            (
                job.get("id"),
                _cut(job.get("name") or "-"),
                _cut(job.get("dataset_name") or job.get("dataset_id") or "-"),
                spec.get("target", "-"),
                spec.get("task", "-"),
                spec.get("scoring", "-"),
                format_score(job.get("best_score")),
                spec.get("strategy", "-"),
                spec.get("estimator", "-"),
                _status(job),
                _when(job.get("created_at")),
                _duration(job.get("duration_s")),
            )
        )
    return table(JOB_COLUMNS, rows)


def _cut(text: str) -> str:
    return text if len(text) <= WIDEST_NAME else text[: WIDEST_NAME - 1] + "…"


def _status(job: Mapping[str, Any]) -> str:
    """``succeeded``; ``running 3/10`` while it has not ended; a cancelled job's refit of
    its best: ``cancelled, model`` once it has one, ``cancelled, refitting`` meanwhile."""
    status = str(job.get("status"))
    if status == "cancelled" and job.get("refit"):
        return f"{status}, {REFIT_SAYS.get(str(job['refit']), job['refit'])}"
    if status not in ("queued", "running"):
        return status
    progress = job.get("progress") or {}
    return f"{status} {progress.get('trials_completed', 0)}/{progress.get('trials_total', 0)}"


def _duration(seconds: float | None) -> str:
    return "-" if seconds is None else format_duration(seconds)


# What a cancelled job's refit of its best candidate means for its model.
REFIT_SAYS = {
    "refitting": "refitting",
    "done": "model",
    "stopped": "no model",
    "failed": "refit failed",
}


def job_details(job: Mapping[str, Any]) -> str:
    """``jobs show``: status, progress, best score and params, the spec's main choices."""
    progress = job.get("progress") or {}
    spec = job.get("spec") or {}
    done, total = progress.get("trials_completed", 0), progress.get("trials_total", 0)
    lines = [
        ("job", job.get("id")),
        ("name", job.get("name") or "-"),
        ("tags", ", ".join(job.get("tags") or []) or "-"),
        ("status", f"{job.get('status')}{_reason(job)}"),
        ("progress", f"{done}/{total} trials"),
        ("best score", format_score(job.get("best_score"))),
        ("best params", format_params(job.get("best_params"))),
        ("dataset", _dataset(job)),
        ("target", spec.get("target")),
        ("estimator", f"{spec.get('estimator')} ({spec.get('task')})"),
        ("strategy", spec.get("strategy")),
        ("scoring", _scoring(spec.get("scoring"))),
        ("cv", _cv(spec.get("cv"))),
        ("budget", f"{spec.get('n_trials')} trials, {format_duration(spec.get('timeout_s'))}"),
        ("created", _when(job.get("created_at"))),
        ("finished", _when(job.get("finished_at"))),
    ]
    if job.get("status") in ("queued", "running"):
        lines.insert(5, ("ETA", format_duration(progress.get("eta_s"))))
    if job.get("refit"):
        lines.insert(4, ("model", _refit(str(job["refit"]))))
    for extension in job.get("extensions") or []:
        lines.append(("extended", _extension(extension)))
    if job.get("error"):
        lines.append(("error", job["error"]))
    return key_values(lines) + _warnings(job.get("warnings"))


def _refit(state: str) -> str:
    """What a cancelled job's refit of its best candidate left."""
    return {
        "refitting": "its best candidate is being refit (ready in a moment)",
        "done": "the best candidate's, refit when it was cancelled",
        "stopped": "none: a second cancel stopped the refit",
        "failed": "none: refitting the best candidate failed (see error)",
    }.get(state, state)


def _extension(extension: Mapping[str, Any]) -> str:
    """``+10 trials, +10m at 2026-12-06 17:05``."""
    added = []
    if extension.get("n_trials"):
        added.append(f"+{extension['n_trials']} trials")
    if extension.get("timeout_s"):
        added.append(f"+{format_duration(extension['timeout_s'])}")
    return f"{', '.join(added)} at {_when(extension.get('at'))}"


def datasets_table(datasets: Iterable[Mapping[str, Any]]) -> str:
    """One row per dataset: id, name, rows, columns, warnings, created."""
    rows = [
        (
            d.get("id"),
            d.get("name"),
            d.get("n_rows"),
            d.get("n_columns"),
            len(d.get("warnings") or []),
            _when(d.get("created_at")),
        )
        for d in datasets
    ]
    return table(("ID", "NAME", "ROWS", "COLUMNS", "WARNINGS", "CREATED"), rows)


def dataset_details(dataset: Mapping[str, Any]) -> str:
    """``datasets show``: the table's size, each column's profile, what the reader guessed."""
    size = (
        f"{dataset.get('n_rows')} rows x {dataset.get('n_columns')} columns, "
        f"{dataset.get('size_bytes')} bytes"
    )
    head = key_values(
        [
            ("dataset", dataset.get("id")),
            ("name", dataset.get("name")),
            ("tags", ", ".join(dataset.get("tags") or []) or "-"),
            ("size", size),
            ("created", _when(dataset.get("created_at"))),
        ]
    )
    columns = table(
        ("COLUMN", "DTYPE", "MISSING", "UNIQUE"),
        (
            (c.get("name"), c.get("dtype"), c.get("n_missing"), c.get("n_unique"))
            for c in dataset.get("columns") or []
        ),
    )
    return head + "\n\n" + columns + _warnings(dataset.get("warnings"))


def _dataset(job: Mapping[str, Any]) -> str:
    """``iris.csv (ds_…)``, or the id alone when the name is not known."""
    name = job.get("dataset_name")
    return f"{name} ({job.get('dataset_id')})" if name else str(job.get("dataset_id"))


def _warnings(warnings: Sequence[Mapping[str, Any]] | None) -> str:
    if not warnings:
        return ""
    lines = [f"  {w.get('code')}{_column(w)}: {w.get('message')}" for w in warnings]
    return "\n\nwarnings:\n" + "\n".join(lines)


def _column(warning: Mapping[str, Any]) -> str:
    return f" ({warning['column']})" if warning.get("column") else ""


def _reason(job: Mapping[str, Any]) -> str:
    reason = job.get("stopped_reason")
    return f" ({reason})" if reason and reason != "completed" else ""


def _scoring(scoring: Any) -> str:
    if isinstance(scoring, list):
        return ", ".join(str(s) for s in scoring)
    return str(scoring)


def _cv(cv: Mapping[str, Any] | None) -> str:
    if not cv:
        return "-"
    folds = f"{cv.get('folds')} folds " if cv.get("kind") != "holdout" else ""
    return f"{folds}{cv.get('kind')}"


def _when(timestamp: str | None) -> str:
    """``2026-11-27 02:36:34``: to the second, as read at a glance (``-`` when not yet)."""
    if not timestamp:
        return "-"
    return str(timestamp).replace("T", " ")[:19]
