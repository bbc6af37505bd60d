"""A search spec, resolved: every default filled in and every field checked.

The HTTP layer checks the shape of the JSON; :func:`resolve_spec` checks what needs the
domain (the catalog, the dataset's columns) and returns a :class:`SearchSpec`, which is
what a job stores and what the worker runs.
"""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from models.engine import auto
from models.engine.catalog import CATALOG, CLASSIFICATION, REGRESSION, get_estimator
from models.engine.preprocess import DROPPED, plan_columns
from models.engine.space import check_grid, discretize, grid_size, parse_space
from models.engine.spec_errors import SpecErrors
from models.engine.strategies import plan_halving
from models.exceptions import SpecError

STRATEGIES = ("grid", "random", "halving", "bayesian")
CV_KINDS = ("kfold", "stratified", "group", "timeseries", "holdout")
# A grid over a default space (its ranges made into a few values) has at most this many
# candidates.
DEFAULT_GRID_SIZE = 60
# The strategies a job may start with its cheap configuration (``cheap_first``): a grid
# has its own points and halving's first rung is already cheap.
CHEAP_FIRST_STRATEGIES = ("random", "bayesian")
# Halving starts at most this many candidates unless told otherwise.
MAX_HALVING_CANDIDATES = 81
MAX_CLASSES = 1000
MAX_URL_LENGTH = 2000
# Integer targets with at most this many distinct values are taken as class labels.
MAX_CLASSES_INFERRED = 20
# Columns named in a "no column is left to learn from" refusal, at most.
SHOWN_COLUMNS = 10

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
    """How the training rows are split for cross-validation."""

    folds: int
    kind: str
    shuffle: bool
    random_state: int | None
    group_column: str | None = None
    validation_size: float | None = None


@dataclass(frozen=True)
class HalvingSpec:
    """Successive halving's options, with HalvingRandomSearchCV's meaning."""

    resource: str = "n_samples"
    factor: int = 3
    # None: "smallest" when n_candidates is "exhaust", else "exhaust" (the given candidates
    # then share every training row instead of starting on a handful).
    min_resources: int | str | None = None
    max_resources: int | None = None  # None: every training row, or the parameter's budget
    n_candidates: int | None = None  # None: "exhaust", capped at MAX_HALVING_CANDIDATES


@dataclass(frozen=True)
class WarmStart:
    """The jobs whose scored trials seed this one (see :mod:`models.engine.warm_start`)."""

    job_ids: list[str]


@dataclass(frozen=True)
class SearchSpec:
    """Everything a worker needs to run a search, with defaults resolved.

    ``scoring`` is the metric that ranks candidates (``refit``); ``metrics`` lists every
    metric each trial reports, ``scoring`` first.
    """

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
    metrics: list[str] = field(default_factory=list)
    halving: HalvingSpec | None = None
    pruning: bool = False
    exclude_columns: list[str] = field(default_factory=list)
    webhook_url: str | None = None
    # Trials of this job running at once, on any workers (1: one after another).
    max_parallel: int = 1
    warm_start: WarmStart | None = None
    # Decided once at submit (:func:`~models.engine.estimate.starts_cheap`) and kept with
    # the job, so that a resumed job proposes the same first trial: the estimator's cheap
    # configuration first, when a trial may not finish well within ``timeout_s``.
    cheap_first: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> SearchSpec:
        raw = dict(raw)
        raw["cv"] = CVSpec(**raw["cv"])
        if raw.get("halving") is not None:
            raw["halving"] = HalvingSpec(**raw["halving"])
        if raw.get("warm_start") is not None:
            raw["warm_start"] = WarmStart(**raw["warm_start"])
        return cls(**raw)

    @property
    def all_metrics(self) -> list[str]:
        return self.metrics or [self.scoring]


def infer_task(column: dict[str, Any]) -> str:
    """Classification for text, boolean and few-valued integer targets; else regression."""
    if column["dtype"] in ("string", "boolean"):
        return CLASSIFICATION
    if column["dtype"] == "integer" and column["n_unique"] <= MAX_CLASSES_INFERRED:
        return CLASSIFICATION
    return REGRESSION


def as_target(column: dict[str, Any]) -> tuple[str, str]:
    """The task and the scorer a spec naming neither takes with ``column`` (a dataset's
    column profile) as its target: what :func:`resolve_spec` fills in."""
    task = infer_task(column)
    n_classes = column["n_unique"] if task == CLASSIFICATION else None
    return task, default_scoring(task, n_classes)


def default_scoring(task: str, n_classes: int | None) -> str:
    """ROC AUC for binary, balanced accuracy for multiclass, R² for regression."""
    if task == REGRESSION:
        return "r2"
    return "roc_auc" if n_classes == 2 else "balanced_accuracy"


def _column(by_name: dict[str, dict[str, Any]], name: str, field: str) -> dict[str, Any]:
    if name not in by_name:
        close = [c for c in by_name if c.strip().casefold() == name.strip().casefold()]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        columns = ", ".join(repr(c) for c in by_name)
        raise SpecError(
            f"the dataset has no column {name!r}{hint}; columns: {columns}", field=field
        )
    return by_name[name]


def _target(raw: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> dict[str, Any]:
    column = _column(by_name, raw["target"], "target")
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


def _check_scorer(scoring: str, task: str, column: dict[str, Any], n_classes: int | None) -> None:
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


def _scoring(raw: dict[str, Any], task: str, column: dict[str, Any]) -> tuple[str, list[str]]:
    """The ranking metric and every metric to report."""
    n_classes = column["n_unique"] if task == CLASSIFICATION else None
    listed = _listed_metrics(raw)
    given = raw.get("scoring") or listed or default_scoring(task, n_classes)
    metrics = [given] if isinstance(given, str) else list(dict.fromkeys(given))
    if isinstance(given, str) and listed:
        # A job's spec: ``scoring`` ranks, ``metrics`` are reported (``scoring`` first).
        metrics = listed
        if raw.get("refit", given) != given:
            raise SpecError(f"with a single scoring, refit must be {given!r}", field="refit")
    if not metrics:
        raise SpecError("give at least one scorer", field="scoring")
    for name in metrics:
        _check_scorer(name, task, column, n_classes)
    refit = raw.get("refit") or (given if isinstance(given, str) else metrics[0])
    if refit not in metrics:
        raise SpecError(f"refit {refit!r} is not one of the scorers {metrics}", field="refit")
    return refit, [refit, *(m for m in metrics if m != refit)]


def _listed_metrics(raw: dict[str, Any]) -> list[str] | None:
    """``metrics`` as a job's spec lists them, checked against ``scoring``: a name there
    must be among them, a list there must be the same scorers."""
    if not raw.get("metrics"):
        return None
    listed = list(dict.fromkeys(raw["metrics"]))
    given = raw.get("scoring")
    if isinstance(given, str) and given not in listed:
        raise SpecError(f"must include the scoring metric {given!r}", field="metrics")
    if isinstance(given, list) and set(given) != set(listed):
        raise SpecError("must list the same scorers as scoring (or leave one out)", field="metrics")
    return listed


def _cv_options(raw: dict[str, Any]) -> dict[str, Any]:
    """``cv`` as an object: a whole number is that many folds, as scikit-learn's ``cv=5``."""
    cv = raw.get("cv")
    if cv is None:
        return {}
    if isinstance(cv, int) and not isinstance(cv, bool):
        return {"folds": cv}
    if not isinstance(cv, dict):
        raise SpecError("must be a number of folds or an object such as {'folds': 5}", field="cv")
    return cv


def _cv(
    raw: dict[str, Any],
    task: str,
    n_rows: int,
    random_state: int | None,
    by_name: dict[str, dict[str, Any]],
    errors: SpecErrors,
) -> CVSpec:
    """The folds ``raw`` asks for; each mistake is added to ``errors`` (the spec returned
    then means nothing)."""
    cv = _cv_options(raw)
    kind = cv.get("kind") or ("stratified" if task == CLASSIFICATION else "kfold")
    if kind == "stratified" and task != CLASSIFICATION:
        errors.add(SpecError("stratified folds need a classification task", field="cv.kind"))
    folds = cv.get("folds", 5)
    group_column = cv.get("group_column")
    if kind == "group":
        with errors.collect():
            _check_groups(raw, group_column, folds, by_name)
    elif group_column:
        errors.add(SpecError("cv.group_column is only for kind 'group'", field="cv.group_column"))
    if kind == "timeseries" and cv.get("shuffle"):
        errors.add(
            SpecError(
                "time-series folds keep the rows in order; shuffle must be false",
                field="cv.shuffle",
            )
        )
    if kind != "holdout" and folds < 2:
        errors.add(SpecError(f"kind {kind!r} needs at least 2 folds", field="cv.folds"))
    elif kind != "holdout" and folds > n_rows:
        errors.add(SpecError(f"{folds} folds need at least {folds} rows", field="cv.folds"))
    validation_size = cv.get("validation_size")
    if validation_size is not None and kind != "holdout":
        errors.add(
            SpecError("cv.validation_size is only for kind 'holdout'", field="cv.validation_size")
        )
    holdout = kind == "holdout"
    shuffle = kind != "timeseries" and cv.get("shuffle", kind != "group")
    return CVSpec(
        folds=1 if holdout else folds,
        kind=kind,
        shuffle=shuffle,
        random_state=cv.get("random_state", random_state) if shuffle else None,
        group_column=group_column,
        validation_size=(validation_size or 0.2) if holdout else None,
    )


def _check_groups(
    raw: dict[str, Any], group_column: str | None, folds: int, by_name: dict[str, dict[str, Any]]
) -> None:
    if not group_column:
        raise SpecError("group folds need cv.group_column", field="cv.group_column")
    groups = _column(by_name, group_column, "cv.group_column")
    if group_column == raw["target"]:
        raise SpecError("the group column cannot be the target", field="cv.group_column")
    if groups["n_unique"] < folds:
        raise SpecError(
            f"{folds} folds need at least {folds} groups; {group_column!r} has "
            f"{groups['n_unique']}",
            field="cv.folds",
        )


def _halving(raw: dict[str, Any], strategy: str, entry: Any, task: str) -> HalvingSpec | None:
    options = raw.get("halving")
    if strategy != "halving":
        if options:
            raise SpecError("halving options need strategy 'halving'", field="halving")
        return None
    spec = HalvingSpec(**(options or {}))
    if spec.min_resources == "exhaust" and spec.n_candidates is None:
        # As in scikit-learn: both cannot be derived from each other at once.
        raise SpecError("min_resources 'exhaust' needs n_candidates", field="halving.min_resources")
    if entry is None and spec.resource != "n_samples":
        # Each family has its own budget parameter (or none): rows are what all share.
        raise SpecError(
            "an auto job is halved over n_samples only (the families share no budget parameter)",
            field="halving.resource",
        )
    if spec.resource != "n_samples" and spec.resource not in entry.resource_params:
        allowed = ", ".join(["n_samples", *entry.resource_params])
        raise SpecError(f"{entry.name!r} can be halved over {allowed}", field="halving.resource")
    if spec.resource != "n_samples" and spec.max_resources is None:
        spec = replace(spec, max_resources=entry.resource_params[spec.resource])
    if spec.resource != "n_samples":
        # The refit sets the parameter to its full budget: the catalog's bounds apply.
        reason = entry.params[task][spec.resource].check(spec.max_resources)
        if reason is not None:
            raise SpecError(
                f"is {spec.resource}'s budget, which {reason}", field="halving.max_resources"
            )
    return spec


def halving_plan(spec: SearchSpec, train_rows: int) -> Any:
    """The rungs for ``spec`` on ``train_rows`` training rows."""
    options = spec.halving
    if options.resource == "n_samples":
        smallest = 2 * spec.cv.folds * (spec.n_classes or 1)
        max_resources = min(options.max_resources or train_rows, train_rows)
    else:
        smallest, max_resources = 1, options.max_resources
    min_resources = options.min_resources or ("exhaust" if options.n_candidates else "smallest")
    return plan_halving(
        options.factor,
        max_resources,
        smallest,
        options.n_candidates,
        min_resources,
        MAX_HALVING_CANDIDATES,
    )


def _auto_space(raw: dict[str, Any], names: list[str], task: str, strategy: str) -> dict[str, Any]:
    """An auto job's space: every family's default space below the family, or the
    client's, its family conditions filled in (see :mod:`models.engine.auto`)."""
    if not names:
        raise SpecError(
            f"no model family auto tries can train on this table for {task}", field="estimator"
        )
    space = raw.get("param_space")
    if space is not None:
        return auto.given_space(space, names)
    space = auto.default_space(task, names)
    if strategy == "grid":
        dims = discretize(parse_space(space, auto.auto_params(task, names)), DEFAULT_GRID_SIZE)
        space = {d.name: d.to_dict() for d in dims}
    return space


def _space(
    raw: dict[str, Any], entry: Any, task: str, strategy: str, halving: HalvingSpec | None
) -> dict[str, Any]:
    space = raw.get("param_space")
    resource = halving.resource if halving else None
    if space is None:
        space = {k: v for k, v in entry.default_space[task].items() if k != resource}
        if strategy == "grid":
            dims = discretize(parse_space(space, entry.params[task]), DEFAULT_GRID_SIZE)
            space = {d.name: d.to_dict() for d in dims}
    elif resource in space:
        raise SpecError(
            f"{resource!r} is the halving resource; it cannot also be searched",
            field=f"param_space.{resource}",
        )
    return space


def check_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL that a delivery can send (raises
    SpecError naming ``webhook_url``): printable ASCII without spaces (a path or query
    percent-encodes the rest, as a browser's address bar does), no credentials, a host
    that is a DNS name (``xn--`` for others), an IPv4 address or a bracketed IPv6 one, and
    a port from 1 to 65535.

    Only the shape: whether the host is public is decided when a webhook is delivered. A
    URL with a space, a CR/LF, a lone surrogate or an ``é`` was once accepted, and then
    failed every delivery attempt (``http.client`` refuses them when the request is made).
    """
    if len(url) > MAX_URL_LENGTH:
        raise SpecError(f"must be at most {MAX_URL_LENGTH} characters", field="webhook_url")
    unsendable = next((i for i, c in enumerate(url) if not "!" <= c <= "~"), None)
    if unsendable is not None:
        raise SpecError(
            f"must be printable ASCII without spaces or control characters (percent-encode "
            f"the rest); character {unsendable + 1} is {url[unsendable]!a}",
            field="webhook_url",
        )
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port  # both parse, and may refuse, the netloc
    except ValueError as exc:  # a bracketed host that is no IPv6 address, a bad port
        raise SpecError(f"is not a valid URL ({exc})", field="webhook_url") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise SpecError("must be an absolute http or https URL", field="webhook_url")
    if "@" in parts.netloc:
        raise SpecError("must not carry credentials (user:password@)", field="webhook_url")
    reason = _netloc_trouble(parts.netloc)
    if reason is not None or port == 0:
        raise SpecError(f"has no valid host and port: {reason or 'port 0'}", field="webhook_url")
    return url


_NETLOC = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
MAX_HOST_LENGTH = 253


def _netloc_trouble(netloc: str) -> str | None:
    """Why ``host[:port]`` is not one a connection can be made to, or ``None``."""
    match = _NETLOC.fullmatch(netloc)
    if match is None:
        return f"{netloc!r} is not a host name or address, with an optional :port"
    host = match["host"]
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return f"{host} is not an IPv6 address"
        return None
    labels = host.removesuffix(".").split(".")
    if len(host) > MAX_HOST_LENGTH or not all(_LABEL.fullmatch(label) for label in labels):
        return (
            f"{host!r} is not a host name: labels of letters, digits and inner hyphens, "
            f"at most 63 characters each and {MAX_HOST_LENGTH} in all"
        )
    if labels[-1].isdigit():  # no top-level domain is a number: an IPv4 address
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{host!r} is not an IPv4 address"
    return None


def _parallel(raw: dict[str, Any], default: int, cap: int) -> int:
    value = raw.get("max_parallel", min(default, cap))
    if value > cap:
        raise SpecError(f"at most {cap} trials may run at once", field="max_parallel")
    return value


def _warm_start(raw: dict[str, Any], strategy: str) -> WarmStart | None:
    """The parent jobs, each once; their trials are read at submit
    (:mod:`models.store.warm_starts`)."""
    given = raw.get("warm_start")
    if not given:
        return None
    if strategy == "halving":
        # Halving scores its early rungs on part of the rows or budget: a rung of inherited
        # full-budget scores has no place in its plan.
        raise SpecError(
            "warm_start cannot seed successive halving; use random, grid or bayesian",
            field="strategy",
        )
    return WarmStart(job_ids=list(dict.fromkeys(given["job_ids"])))


def _estimator(raw: dict[str, Any]) -> Any:
    entry = get_estimator(raw["estimator"])
    if entry is None:
        raise SpecError(
            f"unknown estimator {raw['estimator']!r}; choose one of {', '.join(CATALOG)}, "
            f"or {auto.AUTO!r} to let the search choose",
            field="estimator",
        )
    return entry


def _check_serves(entry: Any, task: str) -> None:
    if task not in entry.classes:
        raise SpecError(
            f"{entry.name!r} does not support {task}; it serves {', '.join(entry.tasks)}",
            field="estimator",
        )


def _exclude(raw: dict[str, Any], columns: list[dict[str, Any]], errors: SpecErrors) -> list[str]:
    """The columns that are not features; each unknown one is its own error."""
    by_name = {c["name"]: c for c in columns}
    exclude = list(dict.fromkeys(raw.get("exclude_columns") or []))
    unknown = [name for name in exclude if name not in by_name]
    if len(unknown) == 1:
        with errors.collect():
            _column(by_name, unknown[0], "exclude_columns")
    elif unknown:
        names = ", ".join(repr(name) for name in unknown)
        columns_list = ", ".join(repr(c) for c in by_name)
        errors.add(
            SpecError(
                f"the dataset has no columns {names}; columns: {columns_list}",
                field="exclude_columns",
            )
        )
    if raw["target"] in exclude:
        errors.add(SpecError("the target cannot be excluded", field="exclude_columns"))
    if len(columns) == 1:
        errors.add(
            SpecError(
                "the table has no column besides the target to learn from", field="dataset_id"
            )
        )
    elif len(exclude) >= len(columns) - 1:
        errors.add(SpecError("no feature column would be left", field="exclude_columns"))
    return exclude


def _grid_trials(dims: list[Any], max_trials: int) -> int:
    check_grid(dims)
    n_trials = grid_size(dims)
    if n_trials > max_trials:
        raise SpecError(
            f"the grid has {n_trials} candidates; the limit is {max_trials}",
            field="param_space",
        )
    return n_trials


def _train_rows(raw: dict[str, Any], column: dict[str, Any], n_rows: int) -> int:
    """Rows with a missing target are dropped; the test rows are cut from the rest, rounded
    up as train_test_split does. (A group hold-out cuts whole groups: an estimate there.)"""
    labelled = n_rows - int(column.get("n_missing", 0))
    return labelled - math.ceil(labelled * raw.get("test_size", 0.2))


def _check_train_rows(entry: Any, train_rows: int) -> None:
    if entry.max_train_rows is not None and train_rows > entry.max_train_rows:
        raise SpecError(
            f"{entry.name!r} trains on at most {entry.max_train_rows} rows (its fit time grows "
            f"with the square of the rows or faster); this spec trains on {train_rows}: sample "
            "the rows or choose another estimator",
            field="estimator",
        )


def _check_n_classes(raw: dict[str, Any], task: str, n_classes: int | None) -> None:
    if "n_classes" in raw and raw["n_classes"] != n_classes:
        raise SpecError(
            f"is derived from the target, which has {n_classes or 'no'} classes for {task}; "
            "leave it out, or give that",
            field="n_classes",
        )


def _check_limit(value: int, limit: int, message: str, field: str) -> None:
    if value > limit:
        raise SpecError(message, field=field)


def _search(
    raw: dict[str, Any],
    entry: Any,
    task: str | None,
    max_trials: int,
    errors: SpecErrors,
    families: list[str] | None = None,
) -> tuple[HalvingSpec | None, list[Any] | None, int]:
    """The halving options, the space's dimensions (``None`` when the estimator or the
    task is unknown) and the number of trials; each mistake is added to ``errors``.
    ``families`` are those an auto job may try (``None``: not an auto job)."""
    strategy = raw.get("strategy", "random")
    halving = dims = None
    n_trials = raw.get("n_trials", 20)
    if families is not None and task is not None:
        with errors.collect():
            halving = _halving(raw, strategy, None, task)
        with errors.collect():
            space = _auto_space(raw, families, task, strategy)
            dims = parse_space(space, auto.auto_params(task, families))
    elif entry is not None and task in entry.classes:
        with errors.collect():
            halving = _halving(raw, strategy, entry, task)
        with errors.collect():
            dims = parse_space(_space(raw, entry, task, strategy, halving), entry.params[task])
    if strategy == "grid" and dims is not None:
        with errors.collect():
            n_trials = _grid_trials(dims, max_trials)
    elif strategy != "grid":
        with errors.collect():
            limit = f"at most {max_trials} trials are allowed"
            _check_limit(n_trials, max_trials, limit, "n_trials")
    return halving, dims, n_trials


def resolve_spec(
    raw: dict[str, Any],
    columns: list[dict[str, Any]],
    n_rows: int,
    *,
    max_trials: int,
    max_job_seconds: int,
    parallel: int = 1,
    max_parallel: int = 1,
) -> SearchSpec:
    """Fill in defaults and check ``raw`` (already shape-checked) against the dataset.

    Every mistake is found before one is raised: a spec with several is refused once, its
    :class:`SpecError` naming each field (a check that needs a value already refused, such
    as the scorers of a misspelt target's task, is skipped). ``parallel`` is the default
    ``max_parallel`` (the workers' slots) and ``max_parallel`` the most a spec may ask for.
    """
    errors = SpecErrors()
    by_name = {c["name"]: c for c in columns}
    entry = column = task = families = None
    is_auto = auto.is_auto(raw["estimator"])
    if not is_auto:
        with errors.collect():
            entry = _estimator(raw)
    with errors.collect():
        column = _target(raw, by_name)
        task = _task(raw, column)
    if entry is not None and task is not None:
        with errors.collect():
            _check_serves(entry, task)
    if is_auto and task is not None:
        families = auto.families(task, _train_rows(raw, column, n_rows))
    exclude = _exclude(raw, columns, errors)
    strategy = raw.get("strategy", "random")
    if raw.get("pruning") and strategy != "bayesian":
        errors.add(SpecError("pruning needs strategy 'bayesian'", field="pruning"))
    halving, dims, n_trials = _search(raw, entry, task, max_trials, errors, families)
    timeout_s = raw.get("timeout_s", min(3600, max_job_seconds))
    with errors.collect():
        limit = f"at most {max_job_seconds} seconds are allowed"
        _check_limit(timeout_s, max_job_seconds, limit, "timeout_s")
    random_state = raw.get("random_state", 0)
    scoring, metrics, n_classes, cv = "", [], None, None
    if column is not None and task is not None:
        train_rows = _train_rows(raw, column, n_rows)
        if entry is not None:
            with errors.collect():
                _check_train_rows(entry, train_rows)
        with errors.collect():
            scoring, metrics = _scoring(raw, task, column)
        n_classes = column["n_unique"] if task == CLASSIFICATION else None
        with errors.collect():
            _check_n_classes(raw, task, n_classes)
        with errors.collect():
            cv = _cv(raw, task, train_rows, random_state, by_name, errors)
    webhook_url = None
    with errors.collect():
        webhook_url = check_url(raw["webhook_url"]) if raw.get("webhook_url") else None
    running = 1
    with errors.collect():
        running = _parallel(raw, parallel, max_parallel)
    warm_start = None
    with errors.collect():
        warm_start = _warm_start(raw, strategy)
    if raw.get("cheap_first") and (strategy not in CHEAP_FIRST_STRATEGIES or warm_start):
        # what the service decides at submit, given back (a job's spec resubmitted as it is)
        errors.add(
            SpecError(
                "a cheap first trial needs strategy 'random' or 'bayesian' and no warm start",
                field="cheap_first",
            )
        )
    errors.raise_found()
    spec = SearchSpec(
        dataset_id=raw["dataset_id"],
        target=raw["target"],
        task=task,
        estimator=auto.AUTO if is_auto else entry.name,
        strategy=strategy,
        param_space={d.name: d.to_dict() for d in dims},
        n_trials=n_trials,
        timeout_s=timeout_s,
        cv=cv,
        scoring=scoring,
        test_size=raw.get("test_size", 0.2),
        random_state=random_state,
        n_classes=n_classes,
        metrics=metrics,
        halving=halving,
        pruning=bool(raw.get("pruning", False)),
        exclude_columns=exclude,
        webhook_url=webhook_url,
        max_parallel=running,
        warm_start=warm_start,
        cheap_first=bool(raw.get("cheap_first", False)),
    )
    if halving is not None:
        plan = halving_plan(spec, train_rows)
        total = sum(plan.rung_sizes)
        if total > max_trials:
            raise SpecError(
                f"this halving plan runs {total} trials; the limit is {max_trials}",
                field="halving.n_candidates",
            )
        spec = replace(spec, n_trials=total)
    _check_some_feature_is_learnt(spec, columns, n_rows, entry is not None and entry.tree_based)
    return spec


def _check_some_feature_is_learnt(
    spec: SearchSpec, columns: list[dict[str, Any]], n_rows: int, tree_based: bool
) -> None:
    """Refuse a spec whose every feature column the preprocessing would leave out (ids,
    free text, empty or constant columns): each trial would fail on zero features."""
    left_out = {spec.target, *spec.exclude_columns, spec.cv.group_column}
    features = [c for c in columns if c["name"] not in left_out]
    plan = plan_columns(features, n_rows, tree_based=tree_based)
    if plan and all(t.treatment == DROPPED for t in plan):
        reasons = "; ".join(f"{t.column!r}: {t.reason}" for t in plan[:SHOWN_COLUMNS])
        more = f"; and {len(plan) - SHOWN_COLUMNS} more" if len(plan) > SHOWN_COLUMNS else ""
        raise SpecError(
            "no column is left to learn from: the model leaves out every feature column "
            f"({reasons}{more}); upload a table with at least one column of numbers or "
            "categories besides the target",
            field="dataset_id",
        )
