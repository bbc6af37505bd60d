"""End to end through the API against scikit-learn in one process, on the same cores.

The search (issue 8's): a generated 10,000-row table of mixed types
(:func:`harness.mixed_table`: eight numeric columns with missing values, three text
categories with blanks, a boolean, a yes/no target), ``hist_gradient_boosting`` over the
catalog's default space, ``random`` search, 20 candidates, 3-fold CV, ``test_size`` 0.2,
``random_state`` 0; the scorer is the default (``roc_auc``).

tuneforge: the real service (:class:`harness.LiveService`: the API under gunicorn and
``python -m api.launcher worker`` with ``TUNEFORGE_WORKER_CONCURRENCY`` =
``TUNEFORGE_WORKER_SLOTS`` = 1 or 2, a fresh data dir, the embedded SQLite / folder /
filesystem broker), driven over HTTP from this process: upload the CSV (streamed from
the file as a raw ``text/csv`` body), submit the spec, poll ``GET /v1/jobs/{id}`` every
0.1 s until it ends, download the model (streamed, sha256 checked). Timed from the
upload's first byte to the model's last. The processes are started (and their imports
done) before the clock starts.

scikit-learn: ``GridSearchCV`` over exactly the 20 candidates the job evaluates (a list
of one-point grids; the same as ``RandomizedSearchCV`` with its sampling done
beforehand), on exactly tuneforge's pipeline, training rows, folds and scorer (from the
service core in this process: ``Service.training_data``), with ``n_jobs`` = 1 or 2,
``refit=True``, then the score on the held-out rows. Timed: ``fit`` and ``score`` only
(the table already in memory, the pipeline already built), which is the strictest
comparison for tuneforge. joblib's process pool is started before the clock starts
(a notebook that has searched once has it; tuneforge's workers are running too).

Threads: ``OMP_NUM_THREADS=1`` for this process, its joblib workers and the service's
processes (tuneforge runs one OpenMP thread per trial in any case), so each side computes
on at most as many threads as it has slots or jobs.

The cases: (a) one worker slot vs ``n_jobs=1``; (b) two slots vs ``n_jobs=2``; (c) two
slots vs one (speedup). Targets (issue 8): (a) and (b) at most 1.0x, aim 0.9x; (c) at
least 1.7x. Each case is run ``--repeats`` times, interleaved (scikit-learn, then
tuneforge, for 1 then 2), and the best of each is compared; every run is listed.

Also printed: how many cores were free before each round (:func:`harness.free_cores`:
two processes spinning against one; another busy process on a 2-core machine caps any
two-slot speedup, scikit-learn's too), where tuneforge's time goes in its best run (from
the job's and trials' timestamps), and a check that both libraries found the same best
candidate and CV score.
Run: ``.venv/bin/python bench/end_to_end.py [--repeats N] [--rows N]``.
"""

from __future__ import annotations

import itertools
import os
import statistics
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
from harness import (
    InProcess,
    LiveService,
    Report,
    SklearnRun,
    churn_spec,
    free_cores,
    mixed_table,
    one_openmp_thread,
    options,
    parse_time,
    random_candidates,
    sklearn_search,
    temporary_dir,
    verdict,
    warm_loky,
    write_csv,
)

SPEC = churn_spec("hist_gradient_boosting", 20)
TARGET_RATIO = 1.0
AIM_RATIO = 0.9
TARGET_SPEEDUP = 1.7


@dataclass
class TuneforgeRun:
    """One job through the API, timed in phases, and where its time went."""

    slots: int
    upload_s: float
    job_s: float  # submit → the poll that saw it end
    download_s: float
    best_score: float
    best_params: dict[str, Any]
    test_score: float | None
    workers: set[str]
    fit_score_s: float  # the trials' own fit and score time, every fold
    queued_s: float  # submitted → the job started
    first_trial_s: float  # the job started → its first trial started
    in_trial_s: float  # the trials' wall time beyond their fit and score, summed
    gaps_s: list[float]  # on each worker: a trial's end → its next trial's start
    conclude_s: float  # the last trial's end → the job finished (refit, model saved)
    poll_s: float  # the job finished → the poll that saw it

    @property
    def total_s(self) -> float:
        return self.upload_s + self.job_s + self.download_s


def tuneforge_run(slots: int, csv: Path, tmp: Path) -> TuneforgeRun:
    with LiveService(slots) as live:
        started = time.perf_counter()
        upload = live.upload(csv, "mixed")
        submitted = time.perf_counter()
        job = live.submit({**SPEC, "dataset_id": upload.dataset["id"]})
        submitted_wall = time.time()
        done = live.wait(job["id"], poll_s=0.1)
        seen_wall = time.time()
        ended = time.perf_counter()
        model_path = live.download_model(job["id"], tmp / f"model-{slots}.joblib")
        downloaded = time.perf_counter()
        if done["status"] != "succeeded":
            raise RuntimeError(f"job {done['status']}: {done.get('error')}")
        result = live.get(f"/v1/jobs/{job['id']}/result").json()
        trials = live.trials(job["id"])
    model = joblib.load(model_path)  # a whole Pipeline that predicts on raw rows
    assert hasattr(model, "predict"), type(model)
    job_start, job_end = parse_time(done["started_at"]), parse_time(done["finished_at"])
    spans = [(parse_time(t["started_at"]), parse_time(t["finished_at"]), t) for t in trials]
    gaps: list[float] = []
    for worker in {t["worker"] for t in trials}:
        mine = sorted((s, e) for s, e, t in spans if t["worker"] == worker)
        gaps += [nxt[0] - prev[1] for prev, nxt in itertools.pairwise(mine)]
    fit_score = sum(t["fit_time_s"] + t["score_time_s"] for t in trials)
    return TuneforgeRun(
        slots=slots,
        upload_s=submitted - started,
        job_s=ended - submitted,
        download_s=downloaded - ended,
        best_score=done["best_score"],
        best_params=result["best_params"],
        test_score=result["test_score"],
        workers={t["worker"] for t in trials},
        fit_score_s=fit_score,
        queued_s=job_start - submitted_wall,
        first_trial_s=min(s for s, _, _ in spans) - job_start,
        in_trial_s=sum(e - s for s, e, _ in spans) - fit_score,
        gaps_s=gaps,
        conclude_s=job_end - max(e for _, e, _ in spans),
        poll_s=seen_wall - job_end,
    )


def main() -> None:
    args = options(
        __doc__,
        repeats=(5, "runs of each case (best kept)"),
        rows=(10_000, "rows in the generated table"),
    )
    report = Report("end_to_end.py")
    warnings.simplefilter("ignore")
    with temporary_dir("tuneforge-e2e-") as tmp:
        csv = write_csv(mixed_table(args.rows), tmp / "mixed.csv")
        core = InProcess(tmp / "core")
        dataset = core.upload(csv, "mixed")
        spec = core.spec({**SPEC, "dataset_id": dataset.id})
        data = core.data(spec)
        candidates = random_candidates(spec)
        core.close()
        warm_loky(2, data)
        sk: dict[int, list[SklearnRun]] = {1: [], 2: []}
        tf: dict[int, list[TuneforgeRun]] = {1: [], 2: []}
        cores: list[float] = []
        for repeat in range(args.repeats):
            cores.append(free_cores())
            for n in (1, 2):
                sk[n].append(sklearn_search(data, spec, candidates, n_jobs=n))
                tf[n].append(tuneforge_run(n, csv, tmp))
                print(
                    f"  run {repeat + 1}, {n} slot(s) / n_jobs={n}: scikit-learn "
                    f"{sk[n][-1].wall_s:.2f} s, tuneforge {tf[n][-1].total_s:.2f} s",
                    flush=True,
                )

    best_sk = {n: min(runs, key=lambda r: r.wall_s) for n, runs in sk.items()}
    best_tf = {n: min(runs, key=lambda r: r.total_s) for n, runs in tf.items()}
    line = report.line
    line(
        f"Search: {spec.estimator}, {spec.strategy}, {len(candidates)} candidates x "
        f"{len(data.splits)} folds, {dataset.n_rows:,} rows ({len(data.X_train):,} train, "
        f"{len(data.X_test):,} test), {dataset.n_columns} columns, scoring {spec.scoring}; "
        f"best of {args.repeats} runs each."
    )
    line("scikit-learn: GridSearchCV over the job's exact 20 candidates, fit + test score.")
    line("tuneforge: through the API, upload -> submit -> poll (0.1 s) -> model download.")
    line()
    line(
        f"{'case':<4} {'slots':>5} {'upload s':>9} {'job s':>7} {'model s':>8} "
        f"{'tuneforge s':>12} {'sklearn s':>10} {'ratio':>6}  target (aim)"
    )
    ratios = {}
    for case, n in (("(a)", 1), ("(b)", 2)):
        t, s = best_tf[n], best_sk[n]
        ratios[n] = t.total_s / s.wall_s
        line(
            f"{case:<4} {n:>5} {t.upload_s:>9.2f} {t.job_s:>7.2f} {t.download_s:>8.2f} "
            f"{t.total_s:>12.2f} {s.wall_s:>10.2f} {ratios[n]:>5.2f}x  <= {TARGET_RATIO:.1f}x "
            f"({AIM_RATIO:.1f}x): {verdict(ratios[n] <= TARGET_RATIO)}"
            + ("" if ratios[n] > AIM_RATIO else ", aim met")
        )
    speedup = best_tf[1].total_s / best_tf[2].total_s
    sk_speedup = best_sk[1].wall_s / best_sk[2].wall_s
    line(
        f"(c)  tuneforge 2 slots vs 1: {speedup:.2f}x faster (target >= {TARGET_SPEEDUP}x: "
        f"{verdict(speedup >= TARGET_SPEEDUP)}); scikit-learn n_jobs=2 vs 1: {sk_speedup:.2f}x"
    )
    line(
        f"     Free cores before each round (two processes spinning vs one): "
        f"{', '.join(f'{c:.2f}' for c in cores)} of {os.cpu_count()}."
    )
    if sk_speedup < TARGET_SPEEDUP:
        line(
            f"     scikit-learn itself got {sk_speedup:.2f}x from a second core here: other "
            "processes were using the CPU, so (c) could not\n     be reached by either "
            f"library in this run; tuneforge's speedup is {speedup / sk_speedup:.2f} times "
            "scikit-learn's."
        )
    line()
    line(
        "Every run (s): "
        + "; ".join(
            f"{n} slot(s): sklearn {', '.join(f'{r.wall_s:.1f}' for r in sk[n])} / tuneforge "
            f"{', '.join(f'{r.total_s:.1f}' for r in tf[n])}"
            for n in (1, 2)
        )
    )
    line()
    line("Where tuneforge's time went (best runs; from the job's and trials' timestamps):")
    line(
        f"{'slots':>5} {'queued':>7} {'to 1st':>7} {'fit+score':>10} {'sk fit+score':>13} "
        f"{'in-trial':>9} {'gap/trial':>10} {'conclude':>9} {'poll':>5}  workers"
    )
    for n in (1, 2):
        t, s = best_tf[n], best_sk[n]
        gap = statistics.mean(t.gaps_s) if t.gaps_s else 0.0
        line(
            f"{n:>5} {t.queued_s:>7.2f} {t.first_trial_s:>7.2f} {t.fit_score_s:>10.2f} "
            f"{s.fit_score_s:>13.2f} {t.in_trial_s / len(candidates):>9.3f} {gap:>10.3f} "
            f"{t.conclude_s:>9.2f} {t.poll_s:>5.2f}  {len(t.workers)} distinct"
        )
    line(
        "queued: submitted -> job started; to 1st: job started -> first trial started; "
        "fit+score: the trials' own\nfit and score seconds summed over trials and folds "
        "(tuneforge: on cached preprocessed folds; sk: GridSearchCV's\ncv_results_, "
        "preprocessing included); in-trial: mean seconds per trial beyond its fit and score "
        "(claim,\nthe trial process, pickling, recording); gap/trial: mean seconds on one "
        "worker from a trial's end to\nits next trial's start (choosing the next trial, "
        "claiming it); "
        "conclude: last trial's end -> job finished (refit, test\nscore, model saved); "
        "poll: job finished -> this client saw it. Times are the service's clock, to the\n"
        "microsecond, on one machine."
    )
    line()
    for n in (1, 2):
        t, s = best_tf[n], best_sk[n]
        same = abs(t.best_score - s.best_score) < 1e-9 and t.best_params == s.best_params
        line(
            f"Check, {n} slot(s): best CV {t.best_score:.6f} (tuneforge) vs {s.best_score:.6f} "
            f"(scikit-learn), test {t.test_score:.4f} vs {s.test_score:.4f}: "
            + ("same candidate and score" if same else "DIFFERENT")
        )
    report.save()


if __name__ == "__main__":
    one_openmp_thread()
    main()
