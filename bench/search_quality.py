"""Search quality: tuneforge against scikit-learn, Optuna and FLAML at equal wall time.

Equal wall time (the default)
-----------------------------
Five public tables that scikit-learn ships (nothing is downloaded): breast_cancer (569
rows, binary), wine (178, three classes), diabetes (442, regression), digits (1,797 rows,
64 columns, ten classes: the largest it ships) and iris (150, three classes); with
``--tables california`` also California housing (20,640 rows, regression) when it is
already in scikit-learn's download cache. For each seed (0, 1, ...) a table is split once:
20 % of the rows held out (stratified for classification), the rest for training. Every
search gets the training rows, the same wall-time budget (``--budget``, default 60 s) and
the same 2 cores, and its model is scored on the held-out rows with tuneforge's default
scorer for the table (roc_auc, balanced_accuracy or r2):

- ``tuneforge``: the default spec with ``estimator: "hist_gradient_boosting"``,
  ``timeout_s`` = the budget and ``n_trials`` high enough that the budget ends the search,
  run for real: the API and a worker with 2 slots (:class:`harness.LiveService`), the
  training rows uploaded as CSV, the model downloaded and scored here;
- ``random`` / ``halving`` / ``optuna``: ``RandomizedSearchCV``, ``HalvingRandomSearchCV``
  and Optuna's TPE over exactly what tuneforge searches (its pipeline, default space, 5 CV
  folds and scorer, from ``Service.training_data``). Neither library stops at a time, so
  random search and TPE run in batches of 2 candidates (``n_jobs=2``; TPE asks 2 and
  cross-validates them in 2 processes) for as long as one more batch, at the batches'
  mean time so far, should end within the budget; then the best is refit. Halving cannot
  be cut into batches: it starts as many candidates as the random search's own rate (or
  one batch of it, when random is not run) predicts fit in the budget;
- ``auto``: tuneforge's default spec with ``estimator: "auto"`` (skipped, with a note,
  while the service answers 422 to it), against ``flaml``: FLAML's ``AutoML`` with
  ``time_budget`` = the budget, ``n_jobs=2``, the same metric, its own resampling and its
  default learners: LightGBM, XGBoost (two spaces), scikit-learn's random forest, extra
  trees and SGD, and L1 logistic regression for classification. It needs ``lightgbm``
  and ``xgboost`` importable (FLAML's AutoML imports XGBoost when it loads); the runtime's
  ``lightgbm`` and ``xgboost-cpu`` provide them, and without them FLAML is skipped with a
  note. (``flaml[automl]`` is not used: it pins the full ``xgboost<3`` wheel.)

Printed: each run, then per table and search the held-out score's mean ± standard
deviation over the seeds, wins (seeds on which it was best of its group: the four with the
estimator named, or auto and FLAML), trials and wall time; and the issue's two targets.
One OpenMP thread per process (:func:`harness.one_openmp_thread`): parallelism is the 2
processes each search runs (FLAML's learners take ``n_jobs`` threads themselves).

``--budget S --seeds N --tables a,b --only tuneforge,random,halving,optuna,auto,flaml``
choose a smaller run: ``--budget 5 --seeds 1 --tables wine`` takes about a minute. The
full run (5 tables x 3 seeds x 6 searches x 60 s) takes about 95 minutes on 2 cores.

Equal trials (``--by-trials``, the earlier comparison)
-------------------------------------------------------
Five tables: four that ship with scikit-learn (breast_cancer: binary, wine and digits:
multiclass, diabetes: regression) and one generated here ("messy": numbers, a text
category with a few blanks, a column 15-40 % missing, a unique customer id, a yes/no
target). Each is uploaded once to a real tuneforge engine (SQLite and an artifact folder
in a temporary directory). One catalog estimator per table is tuned over the catalog's
default space (hist_gradient_boosting; decision_tree for digits, whose ten classes make
boosting too slow here) with 3 stratified (regression: plain) shuffled folds, 20 % of the rows
held out as the test set, the service's default scorer, and seed 0 everywhere:

- ``tuneforge random | halving | bayesian``: the real engine, driven as
  ``bench/search_overhead.py`` does, through the service core (resolve_spec, submit_spec,
  run_to_end): every trial is written to the database, the best candidate refit, scored on
  the test rows and saved. Read back: ``finished_trials``, ``job.best_score``,
  ``job.result["test_score"]``.
- ``sklearn random | halving``: ``RandomizedSearchCV`` and ``HalvingRandomSearchCV`` on
  exactly what tuneforge searches (``Service.training_data``): the same template pipeline
  (tuneforge's preprocessing + estimator), training rows, CV folds (``cv=data.splits``)
  and scorer, over the catalog space translated to scipy distributions (``loguniform``,
  ``uniform``, ``randint``, a log-uniform integer, lists). Conditional (``when``)
  dimensions would be left out; the spaces used here have none.

Two budgets:

(a) ``trials``: the same number of candidate evaluations, N_TRIALS = 20. Both halving
    searches start HALVING_CANDIDATES = 13 candidates (factor 3, ``min_resources`` as
    large as possible), so their rungs evaluate 13 + 5 + 2 = 20 candidates, the early
    rungs on a subsample of the rows (13 + 5 = 18 on wine, too small for a third rung).
(b) ``time``: the budget T is tuneforge random's wall time in (a). tuneforge bayesian
    gets ``timeout_s`` = T (rounded; the engine counts it from the job's ``started_at``)
    and more trials than fit. RandomizedSearchCV gets ``n_iter`` = 20 x T / its own
    wall time in (a). Each halving search starts as many candidates as a two-term cost
    model (seconds per evaluation + seconds per evaluation on all rows), fitted on that
    library's own random and halving runs in (a), predicts finish in T; tuneforge's also
    gets ``timeout_s`` = T. These budgets hold only roughly: read the ``wall s`` column.

Columns: ``evals`` candidate evaluations (each a 3-fold cross-validation); ``wall s``
from start to the refit model (tuneforge: claiming the job to the saved model file,
including reading the CSV and writing each trial; scikit-learn: ``fit``, which refits);
``best CV`` the search's own best mean CV score on the training rows (halving: the best
of the last rung, which both libraries pick); ``test`` that refit model's score on the
held-out rows, which no search saw. Every score is higher-is-better.

Checks (reported in ``note`` and at the end): the best tuneforge random/bayesian
candidate is re-scored with ``cross_val_score`` on the same folds (the README promises
identical scores); tuneforge's halving rungs are compared with scikit-learn's
``n_candidates_``/``n_resources_``.

Every fit runs in a child process: tuneforge runs its trials in a long-lived trial process
(``models.engine.isolation``, which keeps the parent's OpenMP single-threaded because a
process that has started an OpenMP pool cannot fork safely), and this script runs each
scikit-learn search in such a process too (:data:`PROCESS`).

Threads: unless ``OMP_THREAD_LIMIT`` is already set, the script re-executes itself with
``OMP_THREAD_LIMIT=1``, so both libraries fit on one OpenMP thread. The engine gives each
trial's child every core; on 2 cores that is no faster for tables this small, but any
other busy process then makes HistGradientBoosting fits 10-15x slower (GNU OpenMP
spin-waits), which made wall times, and so the time budgets, meaningless on a shared
machine (one run took 147 s for a 7 s search). ``OMP_THREAD_LIMIT=2`` measures with the
engine's own threading. (knn is avoided: scikit-learn's neighbour search returns garbage
indices under ``OMP_THREAD_LIMIT=1``.) The 1-minute load average is printed at the end.

One seed, one run: best-CV differences of a few thousandths are noise, and test scores
(36 to 360 rows) are noisier still. Run: ``.venv/bin/python bench/search_quality.py --by-trials``
(progress on stderr, the table on stdout and appended to ``bench/RESULTS.md``; 2 to 4
minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import optuna
import pandas as pd
from harness import InProcess, LiveService, one_openmp_thread, recorded, verdict, warm_loky
from joblib import Parallel, delayed
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import (
    fetch_california_housing,
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    get_scorer,
    r2_score,
    roc_auc_score,
)
from sklearn.model_selection import (
    HalvingRandomSearchCV,
    RandomizedSearchCV,
    cross_val_score,
    train_test_split,
)
from sklearn.utils import check_random_state

from models.engine.evaluate import MODEL_STEP, with_params
from models.engine.isolation import TrialCrashed, TrialProcess
from models.engine.spec import SearchSpec
from models.engine.strategies import plan_halving
from models.engine.training import TrainingData
from models.job_run import RunOutcome
from models.service import Service
from models.settings import Settings
from models.store.migrate import upgrade
from models.store.records import Dataset, Job, Trial, TrialState

SEED = 0
OWNER = "bench"
FOLDS = 3
TEST_SIZE = 0.2
N_TRIALS = 20
FACTOR = 3
HALVING_CANDIDATES = 13  # 13 + 5 + 2 = N_TRIALS evaluations with factor 3
MAX_TRIALS = 1000  # what resolve_spec allows here (the service's default is 500)
TIME_BUDGET_TRIALS = 500  # bayesian under a time budget: more than fit in it
MAX_HALVING_CANDIDATES = 600
CV_CHECK_TOLERANCE = 1e-9

STARTED = time.perf_counter()


def progress(message: str) -> None:
    """One progress line on stderr, stamped with the seconds since the start."""
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


# Tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A table to tune on: its rows, target column and catalog estimator."""

    name: str
    frame: pd.DataFrame
    target: str
    estimator: str


def messy_frame(n_rows: int = 800, seed: int = SEED) -> pd.DataFrame:
    """A generated binary table with the usual mess.

    ``customer_id`` is unique per row (tuneforge drops it as an identifier), ``city`` is
    text with six values and 3 % blanks, ``income`` is missing for 15 % of the "no" rows
    and 40 % of the "yes" rows (so its missingness carries signal), ``age`` and
    ``balance`` are plain numbers, and ``churned`` is ``yes``/``no``.
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, n_rows)
    balance = np.round(rng.lognormal(8.0, 1.0, n_rows), 2)
    cities = ["Lisbon", "Oslo", "Lyon", "Turin", "Ghent", "Brno"]
    effect = dict(zip(cities, [0.0, 0.8, -0.5, 0.3, -1.0, 1.2], strict=True))
    city = rng.choice(cities, n_rows, p=[0.3, 0.2, 0.2, 0.15, 0.1, 0.05]).astype(object)
    income_z = rng.normal(0.0, 1.0, n_rows)
    logit = (
        0.05 * (age - 45)
        + 0.6 * (np.log(balance) - 8.0)
        + np.array([effect[c] for c in city])
        + 0.9 * income_z
        - 0.6 * income_z**2
    )
    churned = rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))
    income_missing = rng.random(n_rows) < np.where(churned, 0.4, 0.15)
    city[rng.random(n_rows) < 0.03] = None
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:06d}" for i in rng.permutation(n_rows) + 1000],
            "age": age,
            "balance": balance,
            "city": city,
            "income": np.where(income_missing, np.nan, np.round(30_000 + 12_000 * income_z)),
            "churned": np.where(churned, "yes", "no"),
        }
    )


def make_tables() -> list[Table]:
    """The five tables, in the order they are benchmarked."""
    return [
        Table(
            "breast_cancer",
            load_breast_cancer(as_frame=True).frame,
            "target",
            "hist_gradient_boosting",
        ),
        Table("wine", load_wine(as_frame=True).frame, "target", "hist_gradient_boosting"),
        Table("digits", load_digits(as_frame=True).frame, "target", "decision_tree"),
        Table("diabetes", load_diabetes(as_frame=True).frame, "target", "hist_gradient_boosting"),
        Table("messy", messy_frame(), "churned", "hist_gradient_boosting"),
    ]


# The space as scipy distributions -------------------------------------------------------


class LogUniformInt:
    """Integers in ``[low, high]`` drawn log-uniformly, as tuneforge samples a log int.

    scipy has no such distribution; scikit-learn's searches accept anything with ``rvs``.
    """

    def __init__(self, low: int, high: int) -> None:
        """Hold the inclusive bounds."""
        self.low, self.high = low, high

    def rvs(self, size: int | None = None, random_state: Any = None) -> Any:
        """One integer (or ``size`` of them) from ``random_state``."""
        rng = check_random_state(random_state)
        values = np.exp(rng.uniform(math.log(self.low), math.log(self.high + 1), size))
        values = np.clip(np.floor(values), self.low, self.high).astype(int)
        return int(values) if size is None else values

    def __repr__(self) -> str:
        """How it prints in scikit-learn's cv_results_."""
        return f"LogUniformInt({self.low}, {self.high})"


def sklearn_space(space: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A resolved tuneforge space as ``model__``-prefixed scipy distributions and lists.

    Conditional dimensions (``when``) are left out: the estimator keeps its default.
    """
    out: dict[str, Any] = {}
    for name, dim in space.items():
        if dim.get("when"):
            progress(f"  (sklearn space leaves out the conditional parameter {name!r})")
            continue
        key = f"{MODEL_STEP}__{name}"
        if dim["type"] == "categorical":
            out[key] = list(dim["choices"])
        elif dim["type"] == "float":
            low, high = dim["low"], dim["high"]
            out[key] = loguniform(low, high) if dim.get("log") else uniform(low, high - low)
        elif dim.get("log"):
            out[key] = LogUniformInt(int(dim["low"]), int(dim["high"]))
        else:
            out[key] = randint(int(dim["low"]), int(dim["high"]) + 1)
    return out


# Results --------------------------------------------------------------------------------


@dataclass
class Row:
    """One search's line in the final table."""

    table: str
    metric: str
    budget: str
    search: str
    evals: int
    wall_s: float
    best_cv: float
    test: float
    note: str = ""
    problems: list[str] = field(default_factory=list)


def smallest_resource(spec: SearchSpec) -> int:
    """Halving's smallest rung on rows: 2 x folds (x classes), in both libraries."""
    return 2 * spec.cv.folds * (spec.n_classes or 1)


def halving_rungs(spec: SearchSpec, train_rows: int, n_candidates: int) -> list[tuple[int, int]]:
    """(candidates, rows) per rung for ``n_candidates`` with ``min_resources="exhaust"``."""
    plan = plan_halving(FACTOR, train_rows, smallest_resource(spec), n_candidates, "exhaust", 10**9)
    return [(size, plan.resources(rung)) for rung, size in enumerate(plan.rung_sizes)]


@dataclass(frozen=True)
class CostModel:
    """Wall seconds ~ per_eval x evaluations + per_full x evaluations-on-all-rows."""

    per_eval: float
    per_full: float

    def predict(self, rungs: list[tuple[int, int]], train_rows: int) -> float:
        """Predicted wall seconds for a halving search with these rungs."""
        evals = sum(n for n, _ in rungs)
        full = sum(n * rows / train_rows for n, rows in rungs)
        return self.per_eval * evals + self.per_full * full


def fit_cost_model(
    random: Row, halving: Row, halving_full: float, random_evals: int = N_TRIALS
) -> CostModel:
    """Solve the two-term model from one random search (every evaluation on all rows)
    and one halving search (``halving_full`` all-row equivalents); clamp it to >= 0."""
    det = random_evals * halving_full - random_evals * halving.evals
    if det == 0:
        return CostModel(0.0, random.wall_s / random_evals)
    per_eval = (random.wall_s * halving_full - random_evals * halving.wall_s) / det
    per_full = (random_evals * halving.wall_s - halving.evals * random.wall_s) / det
    if per_full <= 0:
        return CostModel(random.wall_s / random_evals, 0.0)
    if per_eval < 0:
        return CostModel(0.0, random.wall_s / random_evals)
    return CostModel(per_eval, per_full)


def candidates_for(budget_s: float, model: CostModel, spec: SearchSpec, train_rows: int) -> int:
    """The most starting candidates whose halving search the model predicts fits."""
    best = FACTOR
    for n in range(FACTOR, MAX_HALVING_CANDIDATES + 1):
        if model.predict(halving_rungs(spec, train_rows, n), train_rows) <= budget_s:
            best = n
    return best


# tuneforge ------------------------------------------------------------------------------


class Engine:
    """tuneforge's service core on a database and storage in one folder, driven in-process."""

    def __init__(self, root: Path) -> None:
        """Create the SQLite database and the storage under ``root``."""
        # One slot: trials run one after another here, so bayesian sees each result.
        settings = Settings(data_dir=root, max_trials=MAX_TRIALS, worker_concurrency=1)
        upgrade(settings.database_url)
        self.service = Service.from_settings(settings)

    def upload(self, table: Table) -> Dataset:
        """Store ``table`` as a CSV dataset, as an upload would."""
        csv = table.frame.to_csv(index=False).encode()
        return self.service.upload_dataset(OWNER, [csv], table.name)

    def resolve(self, dataset: Dataset, table: Table, **raw: Any) -> SearchSpec:
        """The resolved spec for ``table`` with the shared settings and ``raw`` on top."""
        return self.service.resolve_spec(
            OWNER,
            {
                "dataset_id": dataset.id,
                "target": table.target,
                "estimator": table.estimator,
                "cv": {"folds": FOLDS},
                "test_size": TEST_SIZE,
                "random_state": SEED,
                **raw,
            },
        )

    def training_data(self, spec: SearchSpec, dataset: Dataset) -> TrainingData:
        """What the engine searches for ``spec``: template, rows, folds."""
        return self.service.training_data(OWNER, spec)

    def run(self, spec: SearchSpec) -> tuple[Job, list[Trial], float]:
        """Submit and run one job; return it, its trials and the wall seconds."""
        job_id = self.service.submit_spec(OWNER, spec).id
        started = time.perf_counter()
        outcome = self.service.run_to_end(job_id, "bench")
        assert outcome is not RunOutcome.SKIPPED, "a freshly submitted job could not be claimed"
        wall = time.perf_counter() - started
        return self.service.get_job(OWNER, job_id), self.service.trials(OWNER, job_id), wall


# Where this script's scikit-learn searches and checks run (see the module docstring).
PROCESS = TrialProcess()


def never() -> bool:
    """A stop condition that never fires."""
    return False


def cv_mean(data: TrainingData, spec: SearchSpec, params: dict[str, Any]) -> float:
    """``cross_val_score``'s mean for ``params`` on the engine's folds (run in a child)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = cross_val_score(
            with_params(data.template, params),
            data.X_train,
            data.y_train,
            cv=data.splits,
            scoring=spec.scoring,
            n_jobs=1,
        )
    return float(np.mean(scores))


def tuneforge_row(
    engine: Engine,
    table: Table,
    spec: SearchSpec,
    data: TrainingData,
    budget: str,
    label: str,
) -> tuple[Row, list[Trial]]:
    """Run ``spec`` through the engine and summarise it; check the best CV score."""
    job, trials, wall = engine.run(spec)
    notes, problems = [], []
    if job.status != "succeeded":
        notes.append(f"job {job.status}")
        problems.append(f"job {job.status}: {job.error}")
    if job.stopped_reason and job.stopped_reason != "completed":
        notes.append(f"stopped: {job.stopped_reason}")
    failed = sum(t.state == TrialState.FAILED for t in trials)
    if failed:
        notes.append(f"{failed} failed")
    result = job.result or {}
    best_cv = job.best_score if job.best_score is not None else math.nan
    test = result.get("test_score")
    if result and result.get("best_score") != job.best_score:
        problems.append(f"result best {result.get('best_score')} != job best {job.best_score}")
    if spec.strategy != "halving" and job.best_params is not None:
        scored = [t.mean_score for t in trials if t.mean_score is not None]
        if scored and max(scored) != job.best_score:
            problems.append(f"best_score is not the best trial's ({max(scored):.4f})")
        try:
            again = PROCESS.call(
                cv_mean, spec, job.best_params, context=(data.key, data), should_stop=never
            )
        except TrialCrashed as exc:
            problems.append(f"cross_val_score check crashed: {exc}")
        else:
            if abs(again - best_cv) > CV_CHECK_TOLERANCE:
                problems.append(f"cross_val_score gives {again:.6f}, the engine {best_cv:.6f}")
    notes += ["see findings"] if problems and job.status == "succeeded" else []
    row = Row(
        table.name,
        spec.scoring,
        budget,
        f"tuneforge {label}",
        len(trials),
        wall,
        best_cv,
        math.nan if test is None else float(test),
        "; ".join(notes),
        problems,
    )
    progress(f"  {row.search:<22} {row.evals:>4} evals {wall:7.1f}s  best CV {best_cv:.4f}")
    return row, trials


# scikit-learn ---------------------------------------------------------------------------


def fit_search(data: TrainingData, search: BaseEstimator) -> dict[str, Any]:
    """Fit ``search`` on the training rows and score it on the test rows (in a child)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(data.X_train, data.y_train)
        test = search.score(data.X_test, data.y_test)
    scores = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    rungs = (
        list(zip(search.n_candidates_, search.n_resources_, strict=True))
        if hasattr(search, "n_candidates_")
        else None
    )
    return {
        "best_cv": float(search.best_score_),
        "test": float(test),
        "evals": len(scores),
        "failed": int(np.sum(~np.isfinite(scores))),
        "rungs": rungs,
    }


def sklearn_row(
    table: Table, spec: SearchSpec, data: TrainingData, budget: str, kind: str, n: int
) -> tuple[Row, list[tuple[int, int]] | None]:
    """Run RandomizedSearchCV (``n_iter=n``) or HalvingRandomSearchCV (``n_candidates=n``)
    on the engine's template, rows, folds and scorer; return its row and halving rungs."""
    common = {
        "scoring": spec.scoring,
        "cv": data.splits,
        "random_state": SEED,
        "n_jobs": 1,
        "refit": True,
    }
    space = sklearn_space(spec.param_space)
    if kind == "random":
        search = RandomizedSearchCV(clone(data.template), space, n_iter=n, **common)
    else:
        search = HalvingRandomSearchCV(
            clone(data.template),
            space,
            n_candidates=n,
            factor=FACTOR,
            resource="n_samples",
            min_resources="exhaust",
            **common,
        )
    started = time.perf_counter()
    try:
        out = PROCESS.call(fit_search, search, context=(data.key, data), should_stop=never)
    except TrialCrashed as exc:
        out = {"best_cv": math.nan, "test": math.nan, "evals": 0, "failed": 0, "rungs": None}
        out["note"] = f"crashed: {exc}"
    wall = time.perf_counter() - started
    notes = [out["note"]] if "note" in out else []
    if out["failed"]:
        notes.append(f"{out['failed']} NaN-scored")
    if kind == "halving":
        notes.append(f"{n} candidates")
    row = Row(
        table.name,
        spec.scoring,
        budget,
        f"sklearn {kind}",
        out["evals"],
        wall,
        out["best_cv"],
        out["test"],
        "; ".join(notes),
    )
    progress(f"  {row.search:<22} {row.evals:>4} evals {wall:7.1f}s  best CV {row.best_cv:.4f}")
    return row, out["rungs"]


# One table ------------------------------------------------------------------------------


def tuneforge_rungs(trials: list[Trial]) -> list[tuple[int, int]]:
    """(candidates, rows) per rung as the engine recorded its halving trials."""
    rungs: dict[int, list[int]] = {}
    for trial in trials:
        rungs.setdefault(trial.rung or 0, []).append(trial.resource or 0)
    return [(len(rows), max(rows)) for _, rows in sorted(rungs.items())]


def bench_table(engine: Engine, table: Table, findings: list[str]) -> list[Row]:
    """Every search on ``table`` under both budgets."""
    dataset = engine.upload(table)
    random_spec = engine.resolve(dataset, table, strategy="random", n_trials=N_TRIALS)
    data = engine.training_data(random_spec, dataset)
    train_rows = len(data.X_train)
    progress(
        f"{table.name}: {dataset.n_rows} rows, {train_rows} for training, "
        f"{table.estimator}, {random_spec.scoring}"
    )
    halving = {"n_candidates": HALVING_CANDIDATES, "factor": FACTOR}
    rows: list[Row] = []

    # (a) the same number of candidate evaluations.
    tf_random, _ = tuneforge_row(engine, table, random_spec, data, "trials", "random")
    halving_spec = engine.resolve(dataset, table, strategy="halving", halving=halving)
    tf_halving, tf_trials = tuneforge_row(engine, table, halving_spec, data, "trials", "halving")
    bayes_spec = engine.resolve(dataset, table, strategy="bayesian", n_trials=N_TRIALS)
    tf_bayes, _ = tuneforge_row(engine, table, bayes_spec, data, "trials", "bayesian")
    sk_random, _ = sklearn_row(table, random_spec, data, "trials", "random", N_TRIALS)
    sk_halving, sk_rungs = sklearn_row(
        table, random_spec, data, "trials", "halving", HALVING_CANDIDATES
    )
    rows += [tf_random, tf_halving, tf_bayes, sk_random, sk_halving]
    if sk_rungs is not None and tuneforge_rungs(tf_trials) != [tuple(r) for r in sk_rungs]:
        findings.append(
            f"{table.name}: halving rungs (candidates, rows) differ: tuneforge "
            f"{tuneforge_rungs(tf_trials)}, scikit-learn {sk_rungs}"
        )

    # (b) the same wall time as tuneforge random took.
    budget = tf_random.wall_s
    timeout = max(1, round(budget))
    progress(f"{table.name}: time budget {budget:.1f}s (tuneforge timeout_s={timeout})")
    reference = Row(**{**tf_random.__dict__, "budget": "time", "note": "the budget"})
    rows.append(reference)
    bayes_time = engine.resolve(
        dataset,
        table,
        strategy="bayesian",
        n_trials=TIME_BUDGET_TRIALS,
        timeout_s=timeout,
    )
    rows.append(tuneforge_row(engine, table, bayes_time, data, "time", "bayesian")[0])
    full = sum(
        n * r / train_rows for n, r in halving_rungs(halving_spec, train_rows, HALVING_CANDIDATES)
    )
    tf_model = fit_cost_model(tf_random, tf_halving, full)
    n_tf = candidates_for(budget, tf_model, halving_spec, train_rows)
    halving_time = engine.resolve(
        dataset,
        table,
        strategy="halving",
        halving={"n_candidates": n_tf, "factor": FACTOR},
        timeout_s=timeout,
    )
    row, _ = tuneforge_row(engine, table, halving_time, data, "time", "halving")
    row.note = "; ".join(filter(None, [f"{n_tf} candidates", row.note]))
    rows.append(row)
    n_iter = max(1, min(MAX_TRIALS, round(N_TRIALS * budget / sk_random.wall_s)))
    rows.append(sklearn_row(table, random_spec, data, "time", "random", n_iter)[0])
    n_sk = candidates_for(
        budget, fit_cost_model(sk_random, sk_halving, full), random_spec, train_rows
    )
    rows.append(sklearn_row(table, random_spec, data, "time", "halving", n_sk)[0])
    return rows


# Output ---------------------------------------------------------------------------------

HEADER = (
    f"{'table':<14} {'metric':<17} {'budget':<6} {'search':<19} {'evals':>5} "
    f"{'wall s':>7} {'best CV':>8} {'test':>7}  note"
)


def format_row(row: Row) -> str:
    """One line of the table."""
    return (
        f"{row.table:<14} {row.metric:<17} {row.budget:<6} {row.search:<19} {row.evals:>5} "
        f"{row.wall_s:>7.1f} {row.best_cv:>8.4f} {row.test:>7.4f}  {row.note}"
    )


LEGEND = """\
How to read it: higher scores are better (roc_auc, balanced_accuracy, r2). "best CV" is
each search's own best mean 3-fold CV score on the training rows (for halving: on its last
rung, which may be a subsample), so it is optimistic; "test" is the refit best model on the
held-out 20 % of rows, which no search saw. Budget "trials": 20 candidate evaluations each
(halving: 13 starting candidates, 13 + 5 + 2 evaluations where the rows allow 3 rungs).
Budget "time": the same wall time as tuneforge random's "trials" run ("the budget" row);
tuneforge gets it as timeout_s, scikit-learn as a number of candidates estimated from its
"trials" runs, so compare the wall column before the scores. tuneforge's wall time
includes writing every trial to SQLite, refitting and saving the model. "failed" (tuneforge)
and "NaN-scored" (scikit-learn) count candidates without a finite CV score, e.g. on a small
halving rung where a test fold holds a single class (roc_auc); scikit-learn ranks them
last and goes on, tuneforge fails the job if no trial scored. OpenMP: one thread (see the
module docstring), the same for both libraries."""


def main() -> None:
    """Run every table, print the table and the findings."""
    load_before = os.getloadavg()[0]
    findings: list[str] = []
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(Path(tmp))
        for table in make_tables():
            rows += bench_table(engine, table, findings)
    for row in rows:
        if row.note != "the budget":
            findings += [f"{row.table} {row.budget} {row.search}: {p}" for p in row.problems]
    print(HEADER)
    previous = None
    for row in rows:
        if previous is not None and (row.table, row.budget) != previous:
            print()
        previous = (row.table, row.budget)
        print(format_row(row))
    print()
    print(LEGEND)
    print()
    if findings:
        print("Findings:")
        for line in findings:
            print(f"- {line if len(line) <= 300 else line[:297] + '...'}")
    else:
        print("Checks: tuneforge's best CV scores match cross_val_score on the same folds, and")
        print("its halving rungs match HalvingRandomSearchCV's.")
    print(
        f"\nTotal runtime: {time.perf_counter() - STARTED:.0f} s; 1-minute load average "
        f"{load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end ({os.cpu_count()} "
        f"cores); OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}"
    )


def limit_openmp_threads() -> None:
    """Re-execute this script with ``OMP_THREAD_LIMIT=1`` unless the variable is set.

    GNU OpenMP reads it once, when it is loaded (importing scikit-learn loads it), so it
    must be in the environment from the start; the module docstring says why.
    """
    if "OMP_THREAD_LIMIT" not in os.environ:
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


# Equal wall time (the default mode) -----------------------------------------------------

WALL_SEARCHES = ("tuneforge", "random", "halving", "optuna", "auto", "flaml")
NAMED_GROUP = ("tuneforge", "random", "halving", "optuna")  # the estimator named
AUTO_GROUP = ("auto", "flaml")  # the search also picks the model family
WALL_ESTIMATOR = "hist_gradient_boosting"
# digits (1,797 rows, 64 columns, ten classes) is the largest table scikit-learn ships.
DEFAULT_WALL_TABLES = ("breast_cancer", "wine", "diabetes", "digits", "iris")
WALL_CORES = 2
WALL_MAX_TRIALS = 20_000  # n_trials (and TUNEFORGE_MAX_TRIALS): the time budget binds first
CHUNK = WALL_CORES  # RandomizedSearchCV and Optuna evaluate this many candidates at a time
WITHIN_PERCENT = 0.5  # "never more than 0.5 % below the best"


def public_tables() -> dict[str, Callable[[], pd.DataFrame]]:
    """Tables that ship inside installed packages (no network at run time), by name.

    ``california`` (20,640 rows) is listed only when scikit-learn's download of it is
    already in its data home: nothing is fetched.
    """
    tables: dict[str, Callable[[], pd.DataFrame]] = {
        "breast_cancer": lambda: load_breast_cancer(as_frame=True).frame,
        "wine": lambda: load_wine(as_frame=True).frame,
        "diabetes": lambda: load_diabetes(as_frame=True).frame,
        "digits": lambda: load_digits(as_frame=True).frame,
        "iris": lambda: load_iris(as_frame=True).frame,
    }
    try:
        fetch_california_housing(download_if_missing=False)
    except OSError:
        pass
    else:
        tables["california"] = lambda: fetch_california_housing(
            as_frame=True, download_if_missing=False
        ).frame.rename(columns={"MedHouseVal": "target"})
    return tables


@dataclass
class WallRun:
    """One search on one table and seed under the time budget."""

    table: str
    seed: int
    search: str
    metric: str
    evals: int
    wall_s: float
    test: float
    note: str = ""


@dataclass(frozen=True)
class Split:
    """One seed's training and held-out rows of a table, and what tuneforge makes of them."""

    table: str
    seed: int
    train: pd.DataFrame
    test: pd.DataFrame
    target: str
    spec: SearchSpec  # the default spec with WALL_ESTIMATOR, as tuneforge resolves it
    data: TrainingData  # tuneforge's pipeline, training rows and CV folds for that spec

    @property
    def X_test(self) -> pd.DataFrame:
        """The held-out rows' features, in the training columns' order."""
        return self.test[list(self.data.X_train.columns)]

    @property
    def y_test(self) -> pd.Series:
        """The held-out rows' target."""
        return self.test[self.target]


def split_table(name: str, frame: pd.DataFrame, seed: int, core: InProcess) -> Split:
    """Hold out TEST_SIZE of ``frame``'s rows (stratified for classification) with
    ``seed``; upload the training rows to ``core`` and resolve the default spec on them."""
    target = "target"
    is_classifier = frame[target].dtype.kind in "iub"
    train, test = train_test_split(
        frame,
        test_size=TEST_SIZE,
        random_state=seed,
        stratify=frame[target] if is_classifier else None,
    )
    dataset = core.upload(train.to_csv(index=False).encode(), f"{name}-{seed}")
    spec = core.spec(wall_request(dataset.id, target, WALL_ESTIMATOR, seed, 60))
    return Split(name, seed, train, test, target, spec, core.data(spec))


def wall_request(
    dataset_id: str, target: str, estimator: str, seed: int, budget: int
) -> dict[str, Any]:
    """tuneforge's default spec for the training rows, with the budget as ``timeout_s``.

    ``n_trials`` is raised so that the budget, not the default 20 trials, ends the search;
    ``test_size`` is 0 because the held-out rows were never uploaded.
    """
    return {
        "dataset_id": dataset_id,
        "target": target,
        "estimator": estimator,
        "timeout_s": budget,
        "n_trials": WALL_MAX_TRIALS,
        "test_size": 0,
        "random_state": seed,
    }


def held_out(scoring: str, model: Any, X: pd.DataFrame, y: pd.Series) -> float:
    """``model``'s ``scoring`` on the held-out rows, computed from its predictions so that
    any predictor (FLAML's AutoML too) is scored alike; labels are scikit-learn's sorted
    classes, so a binary positive class is the second probability column."""
    if scoring == "roc_auc":
        # an SVC (which auto may choose) has no probabilities: its decision function ranks
        # the rows as well, which is all ROC AUC reads
        if hasattr(model, "predict_proba"):
            return float(roc_auc_score(y, np.asarray(model.predict_proba(X))[:, 1]))
        return float(roc_auc_score(y, np.asarray(model.decision_function(X))))
    if scoring == "balanced_accuracy":
        return float(balanced_accuracy_score(y, np.asarray(model.predict(X))))
    if scoring == "accuracy":
        return float(accuracy_score(y, np.asarray(model.predict(X))))
    if scoring == "r2":
        return float(r2_score(y, np.asarray(model.predict(X))))
    return float(get_scorer(scoring)(model, X, y))


REFUSED: set[str] = set()  # searches skipped in this run (noted once)


def tuneforge_wall(
    live: LiveService, split: Split, estimator: str, budget: int, label: str
) -> WallRun | None:
    """Run tuneforge's default spec for ``estimator`` as a client would (upload, submit,
    wait, download the model) and score the model on the held-out rows; ``None`` when the
    service answers 422 to the spec (``auto`` where it is not built yet)."""
    csv = split.train.to_csv(index=False).encode()
    response = live.http.post(
        f"{live.url}/v1/datasets",
        params={"name": f"{split.table}-{split.seed}"},
        data=csv,
        headers={"Content-Type": "text/csv"},
        timeout=600,
    )
    response.raise_for_status()
    request = wall_request(response.json()["id"], split.target, estimator, split.seed, budget)
    started = time.perf_counter()
    response = live.http.post(f"{live.url}/v1/jobs", json=request, timeout=60)
    if response.status_code == 422:
        if estimator not in REFUSED:  # once a run: every table and seed would say the same
            REFUSED.add(estimator)
            detail = str(response.json().get("detail", response.text))[:120]
            print(f"note: tuneforge answers 422 to estimator {estimator!r}, skipped ({detail})")
        return None
    if response.status_code != 202:
        raise RuntimeError(f"submit: {response.status_code} {response.text[:500]}")
    job = live.wait(response.json()["id"], poll_s=0.2)
    wall = time.perf_counter() - started
    notes = [f"job ran {job['duration_s']:.1f}s"]
    if job.get("stopped_reason") not in (None, "timeout"):
        notes.append(f"stopped: {job['stopped_reason']}")
    test = math.nan
    if job["status"] != "succeeded":
        notes.append(f"job {job['status']}: {str(job.get('error'))[:120]}")
    else:
        result = live.get(f"/v1/jobs/{job['id']}/result").json()
        if result.get("families"):  # an auto job: the family it chose, of how many tried
            notes.append(f"chose {result['estimator']} of {len(result['families'])} families")
        with tempfile.TemporaryDirectory() as tmp:
            model = joblib.load(live.download_model(job["id"], Path(tmp) / "model.joblib"))
        test = held_out(split.spec.scoring, model, split.X_test, split.y_test)
    evals = job["progress"]["trials_completed"]
    return WallRun(
        split.table, split.seed, label, split.spec.scoring, evals, wall, test, "; ".join(notes)
    )


def refit_best(split: Split, tried: list[tuple[float, dict[str, Any]]]) -> Any:
    """The best-scored candidate of ``tried`` (mean CV score, params) refit on every
    training row."""
    scored = [(s, p) for s, p in tried if np.isfinite(s)]
    if not scored:
        raise RuntimeError("no candidate scored before the deadline")
    params = max(scored, key=lambda sp: sp[0])[1]
    return with_params(split.data.template, params).fit(split.data.X_train, split.data.y_train)


def until_deadline(
    budget: float, batch: Callable[[int], list[tuple[float, dict[str, Any]]]]
) -> tuple[list[tuple[float, dict[str, Any]]], float]:
    """Call ``batch(k)`` (k = 0, 1, ...) while the next batch, as long as the batches so far
    took on average, would end within ``budget`` seconds; what they tried, and the time.

    tuneforge starts no trial after its ``timeout_s`` and stops a running one at it; a
    batch that cannot be stopped is not started unless it should end in time, so the
    budget is kept from below (the first batch always runs).
    """
    started = time.perf_counter()
    tried: list[tuple[float, dict[str, Any]]] = []
    took: list[float] = []
    while not took or time.perf_counter() - started + float(np.mean(took)) <= budget:
        begun = time.perf_counter()
        tried += batch(len(took))
        took.append(time.perf_counter() - begun)
    return tried, time.perf_counter() - started


def random_batch(
    split: Split, k: int, X: pd.DataFrame, y: pd.Series, cv: Any
) -> list[tuple[float, dict[str, Any]]]:
    """One ``RandomizedSearchCV`` of CHUNK candidates (batch ``k``'s seed) on ``X``, ``y``
    with ``n_jobs`` = the cores, over candidates x folds: (mean CV score, params) each."""
    search = RandomizedSearchCV(
        clone(split.data.template),
        sklearn_space(split.spec.param_space),
        n_iter=CHUNK,
        scoring=split.spec.scoring,
        cv=cv,
        n_jobs=WALL_CORES,
        refit=False,
        random_state=split.seed * 100_003 + k,
        error_score=np.nan,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    results = search.cv_results_
    return [
        (float(score), {k.removeprefix(f"{MODEL_STEP}__"): v for k, v in params.items()})
        for score, params in zip(results["mean_test_score"], results["params"], strict=True)
    ]


def random_wall(split: Split, budget: float) -> tuple[WallRun, float]:
    """``RandomizedSearchCV`` in batches of CHUNK candidates until the budget, then the best
    refit; with the seconds a candidate took (every fold, all training rows, CHUNK at a
    time), which sizes the halving search."""
    data, spec = split.data, split.spec
    started = time.perf_counter()
    tried, searching = until_deadline(
        budget, lambda k: random_batch(split, k, data.X_train, data.y_train, data.splits)
    )
    model = refit_best(split, tried)
    wall = time.perf_counter() - started
    test = held_out(spec.scoring, model, split.X_test, split.y_test)
    row = WallRun(split.table, split.seed, "random", spec.scoring, len(tried), wall, test)
    return row, searching / len(tried)


def halving_cost(split: Split, per_candidate: float) -> CostModel:
    """Seconds per halving evaluation: a fixed part and a part that grows with the rows,
    from ``per_candidate`` (all rows) and one batch timed on halving's smallest rung
    (where a small table's fits cost about as much as on all its rows)."""
    data, spec = split.data, split.spec
    rows = len(data.X_train)
    small = min(rows, smallest_resource(spec))
    X, _, y, _ = train_test_split(
        data.X_train,
        data.y_train,
        train_size=small,
        random_state=split.seed,
        stratify=data.y_train if spec.task == "classification" else None,
    )
    begun = time.perf_counter()
    random_batch(split, 100_000, X, y, spec.cv.folds)  # a batch number the search never uses
    per_small = (time.perf_counter() - begun) / CHUNK
    share = small / rows
    per_full = max(0.0, (per_candidate - per_small) / (1 - share)) if share < 1 else 0.0
    return CostModel(max(0.0, per_candidate - per_full), per_full)


def halving_wall(split: Split, budget: float, per_candidate: float) -> WallRun:
    """``HalvingRandomSearchCV`` (factor 3, ``min_resources="exhaust"``) starting as many
    candidates as :func:`halving_cost` predicts fit the budget, with its refit."""
    data, spec = split.data, split.spec
    rows = len(data.X_train)
    n = candidates_for(budget, halving_cost(split, per_candidate), spec, rows)
    search = HalvingRandomSearchCV(
        clone(data.template),
        sklearn_space(spec.param_space),
        n_candidates=n,
        factor=FACTOR,
        resource="n_samples",
        min_resources="exhaust",
        scoring=spec.scoring,
        cv=data.splits,
        n_jobs=WALL_CORES,
        refit=True,
        random_state=split.seed,
        error_score=np.nan,
    )
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(data.X_train, data.y_train)
    wall = time.perf_counter() - started
    test = held_out(spec.scoring, search, split.X_test, split.y_test)
    evals = len(search.cv_results_["mean_test_score"])
    return WallRun(
        split.table, split.seed, "halving", spec.scoring, evals, wall, test, f"{n} candidates"
    )


def suggest(trial: Any, space: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An Optuna trial's candidate from a resolved tuneforge space (without conditional
    dimensions, as :func:`sklearn_space`)."""
    params: dict[str, Any] = {}
    for name, dim in space.items():
        if dim.get("when"):
            continue
        if dim["type"] == "categorical":
            params[name] = trial.suggest_categorical(name, list(dim["choices"]))
        elif dim["type"] == "float":
            params[name] = trial.suggest_float(
                name, dim["low"], dim["high"], log=bool(dim.get("log"))
            )
        else:
            params[name] = trial.suggest_int(
                name, int(dim["low"]), int(dim["high"]), log=bool(dim.get("log"))
            )
    return params


def cv_score(
    template: Any, params: dict[str, Any], X: Any, y: Any, splits: Any, scoring: str
) -> float:
    """One candidate's mean CV score (NaN if a fold fails), in a joblib worker."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            scores = cross_val_score(
                with_params(template, params), X, y, cv=splits, scoring=scoring, n_jobs=1
            )
        except ValueError:
            return math.nan
    return float(np.mean(scores))


def optuna_wall(split: Split, budget: float) -> WallRun:
    """Optuna's TPE (seeded), asking CHUNK candidates at a time and cross-validating them in
    parallel processes (Optuna's own ``n_jobs`` runs threads, which scikit-learn's Python
    loops share under the GIL) until the budget, then the best refit."""
    data, spec = split.data, split.spec
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=split.seed)
    )
    started = time.perf_counter()
    with Parallel(n_jobs=WALL_CORES) as parallel:

        def batch(_: int) -> list[tuple[float, dict[str, Any]]]:
            trials = [study.ask() for _ in range(CHUNK)]
            candidates = [suggest(t, spec.param_space) for t in trials]
            scores = parallel(
                delayed(cv_score)(
                    data.template, c, data.X_train, data.y_train, data.splits, spec.scoring
                )
                for c in candidates
            )
            for trial, score in zip(trials, scores, strict=True):
                if np.isfinite(score):
                    study.tell(trial, score)
                else:
                    study.tell(trial, state=optuna.trial.TrialState.FAIL)
            return list(zip(scores, candidates, strict=True))

        tried, _ = until_deadline(budget, batch)
    model = refit_best(split, tried)
    wall = time.perf_counter() - started
    test = held_out(spec.scoring, model, split.X_test, split.y_test)
    return WallRun(split.table, split.seed, "optuna", spec.scoring, len(tried), wall, test)


def flaml_metric(scoring: str) -> Any:
    """FLAML's name for ``scoring``, or a custom metric computing it (FLAML minimises)."""
    if scoring in ("roc_auc", "accuracy", "r2"):
        return scoring

    def metric(X_val: Any, y_val: Any, estimator: Any, *args: Any, **kwargs: Any) -> Any:
        return -held_out(scoring, estimator, X_val, y_val), {}

    return metric


def flaml_automl() -> Any:
    """FLAML's ``AutoML`` class, or ``None`` (with a note) where it cannot run its default
    learners: FLAML 2.8 imports XGBoost when its AutoML loads and lists LightGBM first;
    the runtime's ``xgboost-cpu`` and ``lightgbm`` provide them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # flaml warns, rather than fails, without AutoML
        import flaml
    missing = [m for m in ("xgboost", "lightgbm") if importlib.util.find_spec(m) is None]
    if missing or not getattr(flaml, "has_automl", False):
        if "flaml" not in REFUSED:
            REFUSED.add("flaml")
            why = ", ".join(missing) or "its imports"
            print(f"note: FLAML's AutoML cannot run here (missing: {why}), flaml skipped")
        return None
    return flaml.AutoML


def flaml_wall(split: Split, budget: float) -> WallRun | None:
    """FLAML's ``AutoML`` with ``time_budget`` = the budget and ``n_jobs`` = the cores, on
    the raw training rows with its own defaults (learners, resampling) and the job's
    scorer as its metric; ``None`` where FLAML's AutoML is missing."""
    AutoML = flaml_automl()
    if AutoML is None:
        return None
    spec = split.spec
    X = split.train.drop(columns=[split.target])
    automl = AutoML()
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        automl.fit(
            X_train=X,
            y_train=split.train[split.target],
            task=spec.task,
            time_budget=budget,
            n_jobs=WALL_CORES,
            metric=flaml_metric(spec.scoring),
            seed=split.seed,
            verbose=0,
        )
    wall = time.perf_counter() - started
    test = held_out(spec.scoring, automl, split.test[list(X.columns)], split.y_test)
    evals = len(getattr(automl, "config_history", {}) or {})
    return WallRun(
        split.table,
        split.seed,
        "flaml",
        spec.scoring,
        evals,
        wall,
        test,
        f"picked {automl.best_estimator}",
    )


# Equal wall time: the summary -----------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """One search on one table over the seeds."""

    table: str
    search: str
    metric: str
    seeds: int
    mean: float
    std: float  # sample standard deviation over the seeds (0 for one seed)
    wins: int | None  # seeds it had its group's best held-out score (ties: each); None alone
    evals: float
    wall_s: float
    notes: str


def group_of(search: str) -> tuple[str, ...]:
    """The searches ``search`` is compared with."""
    return NAMED_GROUP if search in NAMED_GROUP else AUTO_GROUP


def summarise_runs(runs: list[WallRun]) -> list[Summary]:
    """Mean, spread and wins per table and search, in the order the runs came."""
    best: dict[tuple[str, int, tuple[str, ...]], float] = {}
    rivals: dict[tuple[str, tuple[str, ...]], set[str]] = {}
    for run in runs:
        key = (run.table, run.seed, group_of(run.search))
        rivals.setdefault((run.table, group_of(run.search)), set()).add(run.search)
        if np.isfinite(run.test):
            best[key] = max(best.get(key, -math.inf), run.test)
    out: list[Summary] = []
    keys = list(dict.fromkeys((r.table, r.search) for r in runs))
    for table, search in keys:
        mine = [r for r in runs if (r.table, r.search) == (table, search)]
        tests = np.array([r.test for r in mine], dtype=float)
        wins = sum(
            np.isfinite(r.test) and r.test >= best[(r.table, r.seed, group_of(search))] - 1e-12
            for r in mine
        )
        alone = len(rivals[(table, group_of(search))]) < 2
        notes = sorted({part for r in mine for part in r.note.split("; ") if part})
        out.append(
            Summary(
                table,
                search,
                mine[0].metric,
                len(mine),
                float(np.mean(tests)),
                float(np.std(tests, ddof=1)) if len(mine) > 1 else 0.0,
                None if alone else int(wins),
                float(np.mean([r.evals for r in mine])),
                float(np.mean([r.wall_s for r in mine])),
                ", ".join(notes)[:60],
            )
        )
    return out


@dataclass(frozen=True)
class Verdict:
    """How ``search`` did on one table against the best of the others in its group."""

    table: str
    search: str
    best: str  # the search with the best mean held-out score
    gap: float  # best mean - this search's mean (>= 0)
    percent: float  # the gap as a percentage of the best mean
    within_noise: bool  # the gap is at most the larger of the two spreads over seeds


def verdicts(summaries: list[Summary], search: str) -> list[Verdict]:
    """``search`` against its group, per table where it ran and another search did too; a
    search that failed on some seed (no held-out score) is infinitely far below."""
    out: list[Verdict] = []
    for table in dict.fromkeys(s.table for s in summaries):
        group = [s for s in summaries if s.table == table and s.search in group_of(search)]
        mine = next((s for s in group if s.search == search), None)
        scored = [s for s in group if np.isfinite(s.mean)]
        if mine is None or len(group) < 2 or not scored:
            continue
        top = max(scored, key=lambda s: s.mean)
        if not np.isfinite(mine.mean):
            out.append(Verdict(table, search, top.search, math.inf, math.inf, False))
            continue
        gap = max(0.0, top.mean - mine.mean)
        percent = 100 * gap / abs(top.mean) if top.mean else math.inf
        out.append(Verdict(table, search, top.search, gap, percent, gap <= max(top.std, mine.std)))
    return out


def print_wall(runs: list[WallRun], budget: int, seeds: int) -> None:
    """The per-seed runs, the summary table and the two targets."""
    print(f"{'table':<14} {'seed':>4} {'search':<10} {'evals':>6} {'wall s':>7} {'test':>8}  note")
    for run in runs:
        print(
            f"{run.table:<14} {run.seed:>4} {run.search:<10} {run.evals:>6} "
            f"{run.wall_s:>7.1f} {run.test:>8.4f}  {run.note}"
        )
    summaries = summarise_runs(runs)
    print()
    print(
        f"{'table':<14} {'metric':<17} {'search':<10} {'test mean ± std':>17} {'wins':>6} "
        f"{'evals':>7} {'wall s':>7}  note"
    )
    previous = None
    for s in summaries:
        if previous is not None and s.table != previous:
            print()
        previous = s.table
        wins = "-" if s.wins is None else s.wins
        print(
            f"{s.table:<14} {s.metric:<17} {s.search:<10} {s.mean:>8.4f} ± {s.std:<6.4f} "
            f"{wins:>2} of {s.seeds:<1} {s.evals:>7.0f} {s.wall_s:>7.1f}  {s.notes}"
        )
    print()
    named = verdicts(summaries, "tuneforge")
    for v in named:
        print(
            f"tuneforge on {v.table}: best is {v.best}; tuneforge {v.percent:.2f} % below"
            f"{' (within noise)' if v.within_noise else ''}"
        )
    if named:
        good = sum(v.gap == 0 or v.within_noise for v in named)
        worst = max(v.percent for v in named)
        met = good >= min(4, len(named)) and worst <= WITHIN_PERCENT
        print(
            f"Target 1 (tuneforge default best or within noise on >= 4 of 5 tables, never more "
            f"than {WITHIN_PERCENT} % below): {good} of {len(named)} tables, at worst "
            f"{worst:.2f} % below: {verdict(met)}"
        )
    auto = verdicts(summaries, "auto")
    if auto:
        good = sum(v.gap == 0 or v.within_noise for v in auto)
        print(
            f"Target 2 (auto matches or beats FLAML on >= 3 of 5 tables): {good} of "
            f"{len(auto)}: {verdict(good >= min(3, len(auto)))}"
        )
    elif any(r.search == "flaml" for r in runs):
        print("Target 2 (auto against FLAML): not measured, the service has no `auto` yet.")
    print()
    print(WALL_LEGEND.format(budget=budget, seeds=seeds, cores=WALL_CORES))


WALL_LEGEND = """\
How to read it: every search had {budget} s of wall time and {cores} cores, per table and
seed ({seeds} seeds); each seed holds out its own 20 % of the rows (stratified for
classification), which no search saw, and "test" is the searched model's score on them
with tuneforge's default scorer (roc_auc binary, balanced_accuracy multiclass, r2
regression; higher is better). tuneforge: the default spec with estimator
hist_gradient_boosting (random strategy, 5 folds), timeout_s = the budget and n_trials
high enough that the budget ends it, through the real API and a 2-slot worker; "wall s"
from submit to the job's end (the refit included). random / halving / optuna: scikit-learn's
RandomizedSearchCV, HalvingRandomSearchCV and Optuna's TPE over the same pipeline, space,
folds and scorer (random and optuna in batches of 2 candidates, started while one more
batch should end within the budget, then the best refit; halving starts as many candidates
as a cost model fitted on the random search's rate and one batch on its smallest rung says
fit). auto: the same with estimator "auto"; flaml:
FLAML's AutoML, time_budget = the budget, n_jobs = the cores, its own learners and
resampling, the same metric. "wins": seeds on which a search had its group's best test
score (groups: the four with the estimator named; auto and flaml). "within noise": the gap
to the best mean is at most the larger of the two standard deviations over seeds (with one
seed, only a tie is). tuneforge's wall time also holds its queue, refit and model export,
which the budget does not bound; the others stop at it from below. The full comparison:
`.venv/bin/python bench/search_quality.py` (60 s, 3 seeds, 5 tables: about 95 minutes on 2
cores, best on a quiet machine); a smoke run: `--budget 5 --seeds 1 --tables wine`."""


def run_wall(args: argparse.Namespace) -> None:
    """Every chosen search on every chosen table and seed; print the tables."""
    tables = public_tables()
    searches = args.only
    print(
        f"Equal wall time: {args.budget} s a search, {args.seeds} seed(s), {WALL_CORES} cores, "
        f"tables {', '.join(args.tables)}, searches {', '.join(searches)}"
    )
    runs: list[WallRun] = []

    def add(run: WallRun | None) -> None:
        if run is not None:
            progress(
                f"  {run.table} seed {run.seed} {run.search:<9} {run.evals:>5} evals "
                f"{run.wall_s:6.1f}s  test {run.test:.4f}  {run.note}"
            )
            runs.append(run)

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        core = InProcess(Path(tmp), max_trials=WALL_MAX_TRIALS)
        stack.callback(core.close)
        live = None
        if {"tuneforge", "auto"} & set(searches):
            live = stack.enter_context(
                LiveService(WALL_CORES, TUNEFORGE_MAX_TRIALS=str(WALL_MAX_TRIALS))
            )
        for name in args.tables:
            frame = tables[name]()
            for seed in range(args.seeds):
                split = split_table(name, frame, seed, core)
                # joblib's worker processes started (and their imports done) untimed, as
                # tuneforge's worker processes are: else the first batch pays for them.
                warm_loky(WALL_CORES, split.data)
                progress(
                    f"{name} seed {seed}: {len(split.train)} training rows, "
                    f"{len(split.test)} held out, {split.spec.scoring}"
                )
                per_candidate = None
                for search in WALL_SEARCHES:
                    if search not in searches:
                        continue
                    if search in ("tuneforge", "auto"):
                        assert live is not None
                        estimator = WALL_ESTIMATOR if search == "tuneforge" else "auto"
                        add(tuneforge_wall(live, split, estimator, args.budget, search))
                    elif search == "random":
                        run, per_candidate = random_wall(split, args.budget)
                        add(run)
                    elif search == "halving":
                        if per_candidate is None:  # one batch of the random search, to size it
                            per_candidate = random_wall(split, 0)[1]
                        add(halving_wall(split, args.budget, per_candidate))
                    elif search == "optuna":
                        add(optuna_wall(split, args.budget))
                    else:
                        add(flaml_wall(split, args.budget))
    print_wall(runs, args.budget, args.seeds)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line; ``--tables`` and ``--only`` become checked lists."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=int, default=60, help="seconds a search (default 60)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument(
        "--tables",
        default=",".join(DEFAULT_WALL_TABLES),
        help=f"comma-separated, of {', '.join(public_tables())} (default: the first five)",
    )
    parser.add_argument(
        "--only",
        default=",".join(WALL_SEARCHES),
        help=f"comma-separated searches, of {', '.join(WALL_SEARCHES)} (default: all)",
    )
    parser.add_argument(
        "--by-trials",
        action="store_true",
        help="the earlier comparison instead: an equal number of trials, then tuneforge "
        "random's time, on the four scikit-learn tables and a generated one",
    )
    args = parser.parse_args(argv)
    if args.budget < 1 or args.seeds < 1:
        parser.error("--budget and --seeds must be at least 1")
    args.tables = [t for t in args.tables.split(",") if t]
    args.only = [s for s in args.only.split(",") if s]
    for values, known, flag in (
        (args.tables, public_tables(), "--tables"),
        (args.only, WALL_SEARCHES, "--only"),
    ):
        unknown = [v for v in values if v not in known]
        if unknown or not values:
            parser.error(
                f"{flag}: unknown {', '.join(unknown) or 'empty list'}; known: {', '.join(known)}"
            )
    return args


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    if arguments.by_trials:
        limit_openmp_threads()
        with recorded("search_quality.py"):
            main()
    else:
        one_openmp_thread()
        with recorded("search_quality.py"):
            run_wall(arguments)
