"""How long a job will take, estimated before it runs from a short calibration fit.

The job's first candidate (what its strategy proposes first) is fitted, with the job's
preprocessing, on a few hundred and then a few thousand of its training rows; the growth
between the two sizes (a power of the rows up to quadratic, or a line with a fixed cost
when it grows slower than the rows) carries the time to a fold's training rows, times
the folds, plus the refit on every training row and the saving of its model (joblib,
skops, ONNX: timed on the calibration's model, grown as its size grew). Bounded: at most
three fits on :data:`CALIBRATION_ROWS` rows (the second skipped when the first is already
slow, the third unless the first two predict it fast) and one save. The third size is
there for estimators that change how they train with the rows: HistGradientBoosting
stops early above 10,000 rows, so a fold of 40,000 rows runs fewer iterations than the
4,000-row fit did, and the estimate from the two small sizes was 2.2 times the actual.

The first :data:`SAMPLED` candidates are also fitted on the smallest size, and the
estimate scaled by their mean cost against the first's: a random space from 50 to 500
trees costs its average, not its first point's.

What it does not see: candidates beyond those (a bayesian search's later ones lean where
the score is best, whatever they cost), the preprocessing the trials share (counted in
each), and a busy machine slows the trials but not the calibration it ran before.
"""

from __future__ import annotations

import contextlib
import io
import math
import pickle
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import skops.io
from sklearn.metrics import get_scorer
from sklearn.pipeline import Pipeline

from models.engine.evaluate import with_params
from models.engine.onnx_export import check_rows, export_onnx
from models.engine.spec import CHEAP_FIRST_STRATEGIES, SearchSpec
from models.engine.strategies import WAIT
from models.engine.tables import read_table
from models.engine.training import TrainingData, make_search_strategy, prepare

# The calibration sizes (rows), each capped by a fold's training rows.
CALIBRATION_ROWS = (500, 4000, 16000)
# A first fit slower than this is not followed by the larger one: the growth is assumed;
# the third size is fitted only when the first two predict it within this.
SLOW_FIT_S = 2.0
ASSUMED_GROWTH = 1.1  # n log n, as tree ensembles grow
GROWTH_BOUNDS = (1.0, 2.0)  # linear (and an affine line below it) to quadratic
# Candidates whose cost is compared on the smallest size (a random space's spread).
SAMPLED = 5
# Per trial: starting its process, the folds' bookkeeping, recording it.
TRIAL_OVERHEAD_S = 0.05
# Per job, whatever its trials: the worker reading and splitting the table, starting the
# trial process, scoring the test rows and recording the result (about 0.3 s of a
# sub-second digits job the estimate had at half its time).
JOB_OVERHEAD_S = 0.25
# Rows of the untimed first fit: the first fit in the calibration's fresh process paid
# the estimator's lazy imports and first-call set-up, which a trial's warm process does not.
WARM_UP_ROWS = 50
# A job whose trial may take more than this share of its ``timeout_s`` starts with the
# estimator's cheap configuration, so that a scored model exists early.
CHEAP_FIRST_SHARE = 0.25
# Without a dry run's estimate, a trial's seconds are guessed from the table's cells (rows x
# columns) times the folds: this many a second is a forest of a hundred trees on one core.
CELLS_PER_SECOND = 1_000_000


@dataclass(frozen=True)
class Estimate:
    """How long a job's trials and the whole job should take; how many trials fit in its
    ``timeout_s``."""

    seconds_per_trial: float
    seconds: float
    trials_in_budget: int | None


def calibrate(spec: SearchSpec, data: TrainingData) -> Estimate:
    """:class:`Estimate` of ``spec`` on ``data``, from fitting its first candidate on
    subsamples (in the calling process: run it where a few seconds of CPU are free)."""
    strategy = make_search_strategy(spec, data)
    proposed = _proposals(strategy)
    params = _first_params(spec, proposed[0])
    n_train = len(data.X_train)
    fold_rows = int(np.mean([len(train) for train, _ in data.splits]))
    test_rows = int(np.mean([len(test) for _, test in data.splits]))
    order = np.random.default_rng(spec.random_state).permutation(n_train)
    sizes = sorted({min(m, fold_rows) for m in CALIBRATION_ROWS})
    # Only to warm up: a subsample this small may miss a class and fail to fit.
    with contextlib.suppress(Exception):
        _fit_time(spec, data, params, order[: min(WARM_UP_ROWS, n_train)], order[:0])
    timed: list[tuple[int, float]] = []
    sizes_of: list[tuple[int, float]] = []  # the model's bytes at each size
    for size in sizes:
        if len(timed) >= 2 and _extrapolate(timed, size) > SLOW_FIT_S:
            break
        scored = min(n_train - size, max(1, size * test_rows // max(fold_rows, 1)))
        seconds, model = _fit_time(spec, data, params, order[:size], order[size:][:scored])
        timed.append((size, seconds))
        sizes_of.append((size, float(len(pickle.dumps(model)))))
        if seconds > SLOW_FIT_S:
            break
    # The other candidates the search starts with, on the smallest size: how much more
    # (or less) than the first they cost, on the average.
    small, first_s = timed[0]
    spread = 1.0
    if len(proposed) > 1 and first_s > 0:
        others = [
            _fit_time(spec, data, _first_params(spec, c), order[:small], order[:0])[0]
            for c in proposed[1:]
        ]
        spread = (first_s + sum(others)) / len(proposed) / first_s
    fold_s = _extrapolate(timed, fold_rows) * spread
    refit_s = _extrapolate(timed, n_train) + _save_time(data, model, sizes_of, n_train)
    per_trial = len(data.splits) * fold_s + TRIAL_OVERHEAD_S
    return combine(spec, strategy.total, per_trial, refit_s)


def combine(spec: SearchSpec, n_trials: int, per_trial: float, refit_s: float) -> Estimate:
    """The job's estimate from one trial's seconds and the refit's: its ``n_trials`` (a
    grid's points) in waves of ``max_parallel``, then the refit, and the job's own fixed
    cost (:data:`JOB_OVERHEAD_S`)."""
    waves = math.ceil(n_trials / max(1, spec.max_parallel))
    in_budget = None
    if spec.timeout_s:
        fits = int(spec.timeout_s // per_trial) * spec.max_parallel if per_trial > 0 else 0
        in_budget = min(n_trials, fits)
    seconds = waves * per_trial + refit_s + JOB_OVERHEAD_S
    return Estimate(round(per_trial, 3), round(seconds, 3), in_budget)


def starts_cheap(
    spec: SearchSpec, estimate: dict[str, Any] | None, n_rows: int, n_columns: int
) -> bool:
    """Whether the job's first trial should be its estimator's cheap configuration: its
    trial may take more than :data:`CHEAP_FIRST_SHARE` of ``timeout_s``, by the dry run's
    ``estimate`` or else by the table's cells. Never for a grid, halving or a warm start
    (their first trials are their own). Decided once, at submit, and kept in the spec."""
    if spec.strategy not in CHEAP_FIRST_STRATEGIES or spec.warm_start is not None:
        return False
    if estimate is not None:
        per_trial = float(estimate["seconds_per_trial"])
    else:
        per_trial = n_rows * n_columns * spec.cv.folds / CELLS_PER_SECOND
    return per_trial > CHEAP_FIRST_SHARE * spec.timeout_s


def _proposals(strategy: Any) -> list[Any]:
    """The first :data:`SAMPLED` candidates ``strategy`` proposes (fewer when it waits or
    has no more), the first one always."""
    proposed = [strategy.propose(0)]
    strategy.pending(0, proposed[0])
    for number in range(1, SAMPLED):
        candidate = strategy.propose(number)
        if candidate is None or candidate is WAIT:
            break
        strategy.pending(number, candidate)
        proposed.append(candidate)
    return proposed


def _first_params(spec: SearchSpec, candidate: Any) -> dict[str, Any]:
    """The parameters of the job's first trial at its full budget (halving's resource
    included: its last rung is what costs)."""
    params = dict(getattr(candidate, "params", None) or {})
    if spec.halving and spec.halving.resource != "n_samples":
        params[spec.halving.resource] = spec.halving.max_resources
    return params


def _save_time(
    data: TrainingData, model: Pipeline, sizes_of: list[tuple[int, float]], rows: int
) -> float:
    """Seconds to save the model refit on ``rows`` in every format, as the conclude does
    (joblib, skops, ONNX converted and checked): timed on the calibration's last model,
    grown as the model's bytes grew between the calibration sizes (a forest of unpruned
    trees with the rows; boosting's bounded trees hardly), at most linearly."""
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        joblib.dump(model, io.BytesIO())
        skops.io.dumps(model)
        export_onnx(model, *check_rows(data.X_test, data.X_train))
    seconds = time.perf_counter() - started
    size, _ = sizes_of[-1]
    if rows <= size:
        return seconds
    growth = 1.0
    if len(sizes_of) > 1:
        (small, small_bytes), (large, large_bytes) = sizes_of[0], sizes_of[-1]
        growth = math.log(large_bytes / small_bytes) / math.log(large / small)
    return seconds * (rows / size) ** min(max(growth, 0.0), 1.0)


def _fit_time(
    spec: SearchSpec, data: TrainingData, params: dict[str, Any], rows: Any, test: Any
) -> tuple[float, Pipeline]:
    """Seconds to fit the pipeline on ``rows`` and score it on ``test``, as a fold does;
    and the fitted pipeline."""
    model = with_params(data.template, params)
    scorer = get_scorer(spec.scoring)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(data.X_train.iloc[rows], data.y_train.iloc[rows])
        # A subsample missing a class cannot be scored: the fit's time is known anyway.
        if len(test):
            with contextlib.suppress(ValueError):
                scorer(model, data.X_train.iloc[test], data.y_train.iloc[test])
    return time.perf_counter() - started, model


def _extrapolate(timed: list[tuple[int, float]], rows: int) -> float:
    """Seconds for ``rows`` from the ``(rows, seconds)`` measured (the two largest sizes
    when there are more). Growing faster than the rows between the two sizes: as that
    power of the rows (at most quadratic). Slower: a fixed cost (boosting's binning, a
    forest's trees set up) plus a share growing with the rows, the line through both
    points (a power below one would flatten too soon)."""
    size, seconds = timed[-1]
    if rows <= size:
        return seconds
    if len(timed) < 2 or timed[-2][1] <= 0:
        return seconds * (rows / size) ** ASSUMED_GROWTH
    (small, fast), (large, slow) = timed[-2], timed[-1]
    growth = math.log(max(slow, 1e-6) / fast) / math.log(large / small)
    if growth < 1:
        slope = max(0.0, (slow - fast) / (large - small))
        return slow + slope * (rows - large)
    return seconds * (rows / size) ** min(growth, GROWTH_BOUNDS[1])


def estimate_table(
    path: str,
    reading: Any,
    spec: SearchSpec,
    columns: list[dict[str, Any]],
    max_rows: int,
    max_columns: int,
) -> Estimate:
    """:func:`calibrate` on the table at ``path`` (read as uploaded): for a child process."""
    table = read_table(Path(path), max_rows=max_rows, max_columns=max_columns, reading=reading)
    return calibrate(spec, prepare(spec, table, columns))
