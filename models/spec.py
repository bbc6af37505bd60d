"""A search spec, resolved: every default filled in and every field checked.

The HTTP layer checks the shape of the JSON; :func:`resolve_spec` checks what needs the
domain (the catalog, the dataset's columns) and returns a :class:`SearchSpec`, which is
what a job stores and what the worker runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from models.catalog import CATALOG, CLASSIFICATION, REGRESSION, get_estimator
from models.exceptions import SpecError
from models.space import check_grid, grid_size, parse_space

STRATEGIES = ("grid", "random")
CV_KINDS = ("kfold", "stratified")
MAX_CLASSES = 1000
# Integer targets with at most this many distinct values are taken as class labels.
MAX_CLASSES_INFERRED = 20

SCORERS = {
    CLASSIFICATION: (
        "accuracy",
        "balanced_accuracy",
        "roc_auc",
        "roc_auc_ovr",
        "roc_auc_ovr_weighted",
        "roc_auc_ovo",
        "neg_log_loss",
        "f1",
        "f1_macro",
        "f1_weighted",
        "f1_micro",
        "precision",
        "precision_macro",
        "precision_weighted",
        "recall",
        "recall_macro",
        "recall_weighted",
        "average_precision",
        "matthews_corrcoef",
        "jaccard_macro",
    ),
    REGRESSION: (
        "r2",
        "explained_variance",
        "neg_mean_squared_error",
        "neg_root_mean_squared_error",
        "neg_mean_absolute_error",
        "neg_median_absolute_error",
        "neg_mean_absolute_percentage_error",
        "max_error",
    ),
}
BINARY_ONLY = ("roc_auc", "f1", "precision", "recall", "average_precision")
NEEDS_NUMERIC_POSITIVE = ("f1", "precision", "recall", "average_precision")


@dataclass(frozen=True)
class CVSpec:
    folds: int
    kind: str
    shuffle: bool
    random_state: int | None


@dataclass(frozen=True)
class SearchSpec:
    """Everything a worker needs to run a search, with defaults resolved."""

    dataset_id: str
    target: str
    task: str
    estimator: str
    strategy: str
    param_space: dict[str, Any]
    n_trials: int
    timeout_s: int
    cv: CVSpec
    scoring: str
    test_size: float
    random_state: int | None
    n_classes: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out.pop("extra")
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SearchSpec:
        raw = dict(raw)
        raw["cv"] = CVSpec(**raw["cv"])
        return cls(**raw)


def infer_task(column: dict[str, Any]) -> str:
    """Classification for text, boolean and few-valued integer targets; else regression."""
    if column["dtype"] in ("string", "boolean"):
        return CLASSIFICATION
    if column["dtype"] == "integer" and column["n_unique"] <= MAX_CLASSES_INFERRED:
        return CLASSIFICATION
    return REGRESSION


def default_scoring(task: str, n_classes: int | None) -> str:
    """ROC AUC for binary, balanced accuracy for multiclass, R² for regression."""
    if task == REGRESSION:
        return "r2"
    return "roc_auc" if n_classes == 2 else "balanced_accuracy"


def _target(raw: dict[str, Any], columns: list[dict[str, Any]]) -> dict[str, Any]:
    by_name = {c["name"]: c for c in columns}
    target = raw["target"]
    if target not in by_name:
        raise SpecError(
            f"the dataset has no column {target!r}; columns: {', '.join(by_name)}",
            field="target",
        )
    column = by_name[target]
    if column["n_unique"] < 2:
        raise SpecError("the target has fewer than two distinct values", field="target")
    return column


def _task(raw: dict[str, Any], column: dict[str, Any]) -> str:
    task = raw.get("task") or infer_task(column)
    if task == REGRESSION and column["dtype"] in ("string", "boolean"):
        raise SpecError(
            f"regression needs a numeric target; {column['name']!r} is {column['dtype']}",
            field="task",
        )
    if task == CLASSIFICATION and column["dtype"] == "float" and column["n_unique"] > MAX_CLASSES:
        raise SpecError("the target looks continuous; use task 'regression'", field="task")
    if task == CLASSIFICATION and column["n_unique"] > MAX_CLASSES:
        raise SpecError(f"classification allows at most {MAX_CLASSES} classes", field="target")
    return task


def _scoring(raw: dict[str, Any], task: str, column: dict[str, Any]) -> str:
    n_classes = column["n_unique"] if task == CLASSIFICATION else None
    scoring = raw.get("scoring") or default_scoring(task, n_classes)
    if scoring not in SCORERS[task]:
        raise SpecError(
            f"unknown scorer {scoring!r} for {task}; allowed: {', '.join(SCORERS[task])}",
            field="scoring",
        )
    if scoring in BINARY_ONLY and n_classes != 2:
        raise SpecError(
            f"{scoring!r} needs a binary target; this one has {n_classes} classes", field="scoring"
        )
    if scoring in NEEDS_NUMERIC_POSITIVE and column["dtype"] not in ("integer", "boolean"):
        raise SpecError(
            f"{scoring!r} needs 0/1 labels; use {scoring}_macro for text labels", field="scoring"
        )
    return scoring


def _cv(raw: dict[str, Any], task: str, n_rows: int, random_state: int | None) -> CVSpec:
    cv = raw.get("cv") or {}
    kind = cv.get("kind") or ("stratified" if task == CLASSIFICATION else "kfold")
    if kind == "stratified" and task != CLASSIFICATION:
        raise SpecError("stratified folds need a classification task", field="cv.kind")
    folds = cv.get("folds", 5)
    if folds > n_rows:
        raise SpecError(f"{folds} folds need at least {folds} rows", field="cv.folds")
    shuffle = cv.get("shuffle", True)
    seed = cv.get("random_state", random_state) if shuffle else None
    return CVSpec(folds=folds, kind=kind, shuffle=shuffle, random_state=seed)


def resolve_spec(
    raw: dict[str, Any],
    columns: list[dict[str, Any]],
    n_rows: int,
    *,
    max_trials: int,
    max_job_seconds: int,
) -> SearchSpec:
    """Fill in defaults and check ``raw`` (already shape-checked) against the dataset."""
    entry = get_estimator(raw["estimator"])
    if entry is None:
        raise SpecError(
            f"unknown estimator {raw['estimator']!r}; choose one of {', '.join(CATALOG)}",
            field="estimator",
        )
    column = _target(raw, columns)
    task = _task(raw, column)
    if task not in entry.classes:
        raise SpecError(
            f"{entry.name!r} does not support {task}; it serves {', '.join(entry.tasks)}",
            field="estimator",
        )
    strategy = raw.get("strategy", "random")
    space_raw = raw.get("param_space")
    if space_raw is None:
        if strategy == "grid":
            raise SpecError("a grid search needs an explicit param_space", field="param_space")
        space_raw = entry.default_space[task]
    dims = parse_space(space_raw, entry.params[task])
    n_trials = raw.get("n_trials", 20)
    if strategy == "grid":
        check_grid(dims)
        size = grid_size(dims)
        if size > max_trials:
            raise SpecError(
                f"the grid has {size} candidates; the limit is {max_trials}", field="param_space"
            )
        n_trials = size
    if n_trials > max_trials:
        raise SpecError(f"at most {max_trials} trials are allowed", field="n_trials")
    timeout_s = raw.get("timeout_s", min(3600, max_job_seconds))
    if timeout_s > max_job_seconds:
        raise SpecError(f"at most {max_job_seconds} seconds are allowed", field="timeout_s")
    random_state = raw.get("random_state", 0)
    test_size = raw.get("test_size", 0.2)
    train_rows = n_rows - int(n_rows * test_size + 0.999999)
    return SearchSpec(
        dataset_id=raw["dataset_id"],
        target=raw["target"],
        task=task,
        estimator=entry.name,
        strategy=strategy,
        param_space={d.name: d.to_dict() for d in dims},
        n_trials=n_trials,
        timeout_s=timeout_s,
        cv=_cv(raw, task, train_rows, random_state),
        scoring=_scoring(raw, task, column),
        test_size=test_size,
        random_state=random_state,
        n_classes=column["n_unique"] if task == CLASSIFICATION else None,
    )
