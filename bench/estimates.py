"""The dry run's estimate against the actual time, and a 10-second budget on 50,000 rows.

What is measured
----------------
A few tables, shipped with scikit-learn or generated here (no network): breast_cancer
(569 rows), digits (1,797), a make_regression table (20,000 rows) and a
make_classification one (50,000 rows, 20 features). Each is uploaded to a real tuneforge
engine in a temporary folder (SQLite, artifact folder; ``bench/search_quality.py``'s
``Engine``) and, for one estimator per table and a fixed candidate (a one-point grid, so
that every trial costs what the calibrated first candidate costs):

- ``estimate``: ``Service.estimate_job``, what ``POST /v1/jobs`` with ``dry_run`` answers
  (the same checks, then the calibration fit in a child process), and how long the dry
  run itself took;
- ``actual``: the same spec submitted and run to its end in this process (one worker
  slot): the first trial's recorded fit + score seconds beside ``seconds_per_trial``, and
  the job's wall time (every trial, then the refit) beside ``seconds``. Each table runs
  N_TRIALS = 3 trials of the one point (``n_trials`` of a grid is its points: the spec
  repeats none, so the job is run three times, each a one-trial job, and averaged).

Then the acceptance's short budget: ``random_forest`` over its default space on the
50,000-row table with ``timeout_s`` = 10, submitted as the API submits it (so that it
starts with the cheap configuration, ``cheap_first``, when a trial may take over a quarter
of the budget): it must end ``succeeded`` with a model (``stopped_reason`` timeout;
``fallback`` set when no trial finished in time).

Run: ``.venv/bin/python bench/estimates.py`` (a few minutes on 2 cores); it prints a
Markdown section for bench/RESULTS.md.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer, load_digits, make_classification, make_regression

# Run as a script, this folder is on sys.path: search_quality.py's engine driver.
from search_quality import OWNER, Engine, Table  # isort: skip

RUNS = 3
SEED = 0


def tables() -> list[tuple[Table, dict[str, Any]]]:
    """Each table with its estimator's one-point space."""
    bc = load_breast_cancer(as_frame=True).frame
    digits = load_digits(as_frame=True).frame
    X, y = make_regression(n_samples=20_000, n_features=15, noise=5.0, random_state=SEED)
    regression = pd.DataFrame(X, columns=[f"x{i}" for i in range(15)]).assign(target=y)
    X, y = make_classification(n_samples=50_000, n_features=20, n_informative=8, random_state=SEED)
    big = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)]).assign(target=y)
    return [
        (Table("breast_cancer", bc, "target", "random_forest"), {"n_estimators": [200]}),
        (Table("digits", digits, "target", "decision_tree"), {"max_depth": [12]}),
        (Table("regression_20k", regression, "target", "random_forest"), {"n_estimators": [50]}),
        (
            Table("classification_50k", big, "target", "hist_gradient_boosting"),
            {"max_iter": [100], "learning_rate": [0.1]},
        ),
    ]


def request(dataset_id: str, table: Table, space: dict[str, Any] | None, **raw: Any) -> dict:
    body = {
        "dataset_id": dataset_id,
        "target": table.target,
        "estimator": table.estimator,
        "cv": {"folds": 3},
        "test_size": 0.2,
        "random_state": SEED,
        **raw,
    }
    if space is not None:
        body |= {"strategy": "grid", "param_space": space}
    return body


def estimate_row(engine: Engine, table: Table, space: dict[str, Any]) -> str:
    dataset = engine.upload(table)
    body = request(dataset.id, table, space, timeout_s=600)
    started = time.perf_counter()
    estimate, _ = engine.service.estimate_job(OWNER, body)
    dry_s = time.perf_counter() - started
    first, wall = [], []
    for _ in range(RUNS):
        _, trials, seconds = engine.run(engine.service.resolve_spec(OWNER, body))
        first.append(trials[0].fit_time_s + trials[0].score_time_s)
        wall.append(seconds)
    per_trial, job_s = statistics.mean(first), statistics.mean(wall)
    return (
        f"| {table.name} | {len(table.frame):,} | {table.estimator} | {dry_s:.1f} "
        f"| {estimate.seconds_per_trial:.2f} | {per_trial:.2f} "
        f"| {estimate.seconds_per_trial / per_trial:.2f} "
        f"| {estimate.seconds:.2f} | {job_s:.2f} | {estimate.seconds / job_s:.2f} |"
    )


def short_budget(engine: Engine, table: Table) -> str:
    dataset = engine.upload(table)
    body = request(dataset.id, Table(table.name, table.frame, "target", "random_forest"), None)
    body |= {"timeout_s": 10, "n_trials": 20}
    # Submitted as the API submits (submit_job): it decides whether the job starts cheap.
    job_id = engine.service.submit_job(OWNER, body).id
    started = time.perf_counter()
    engine.service.run_to_end(job_id, "bench")
    seconds = time.perf_counter() - started
    job, trials = engine.service.get_job(OWNER, job_id), engine.service.trials(OWNER, job_id)
    result = job.result or {}
    fallback = result.get("fallback")
    return (
        f"random_forest, default space, timeout_s 10, {len(table.frame):,} rows: "
        f"cheap_first {job.spec.get('cheap_first')}, "
        f"{job.status}, stopped_reason {job.stopped_reason}, {len(trials)} trials recorded "
        f"(best cv {result.get('best_score')}), "
        f"model {'saved' if job.model_key else 'MISSING'}, test {result.get('scoring')} "
        f"{result.get('test_score')}, wall {seconds:.1f} s, fallback: "
        f"{'none' if fallback is None else fallback['params']} "
        f"{'' if fallback is None else 'on ' + str(fallback['n_rows']) + ' rows'}"
    )


def main() -> None:
    np.random.seed(SEED)
    rows = []
    with tempfile.TemporaryDirectory() as root:
        engine = Engine(Path(root))
        listed = tables()
        for table, space in listed:
            print(f"... {table.name}", file=sys.stderr)
            rows.append(estimate_row(engine, table, space))
        budget = short_budget(engine, listed[-1][0])
    print(f"## estimates.py: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print(
        "| table | rows | estimator | dry run s | est. s/trial | actual s/trial | ratio "
        "| est. job s | actual job s | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nShort budget: {budget}")


if __name__ == "__main__":
    main()
