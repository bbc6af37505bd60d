"""Search quality: tuneforge's strategies against scikit-learn's own searches, in one process.

What is measured
----------------
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
(36 to 360 rows) are noisier still. Run: ``.venv/bin/python bench/search_quality.py``
(progress on stderr, the table on stdout and appended to ``bench/RESULTS.md``; 2 to 4
minutes on 2 cores).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from harness import recorded
from scipy.stats import loguniform, randint, uniform
from sklearn.base import BaseEstimator, clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV, RandomizedSearchCV, cross_val_score
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


if __name__ == "__main__":
    limit_openmp_threads()
    with recorded("search_quality.py"):
        main()
