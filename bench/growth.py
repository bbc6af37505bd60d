"""Growth: one job's time at 10,000, 100,000 and 1,000,000 rows.

The table: :func:`harness.mixed_table` at each size (numbers with blanks, three text
categories, a boolean, a yes/no target; about 81 bytes a row). The job: ``ridge`` (a
cheap estimator: ``RidgeClassifier`` here, after imputation, scaling and one-hot
encoding), ``random`` search over the catalog's default space (``alpha``), 5 candidates,
3-fold CV, ``test_size`` 0.2, seed 0.

tuneforge: the real service with two worker slots (:class:`harness.LiveService`;
``TUNEFORGE_MAX_UPLOAD_MB`` raised to 1024 so the 1M-row table, about 80 MB, goes in),
over HTTP: upload (raw ``text/csv``, streamed from the file), submit, poll every 0.1 s,
download the model. scikit-learn, in the same run: ``GridSearchCV(n_jobs=2)`` over
exactly the job's 5 candidates on exactly its pipeline, rows and folds (fit and test
score; the table already in memory), and, for the whole notebook path, ``pandas.read_csv``
of the same file. Ratio: tuneforge's upload-to-model time over scikit-learn's
``read_csv`` + fit + score.

One run per size. The 1M-row size takes about a minute of the script's two or so on 2
cores, so it is on by default (``--sizes 10000,100000`` leaves it out).
Threads: ``OMP_NUM_THREADS=1`` for both; joblib's pool is started (and has imported
scikit-learn) before the clock starts. Run: ``.venv/bin/python bench/growth.py
[--sizes N,N,...]``.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from harness import (
    InProcess,
    LiveService,
    Report,
    SklearnRun,
    churn_spec,
    mixed_table,
    one_openmp_thread,
    options,
    random_candidates,
    sklearn_search,
    temporary_dir,
    warm_loky,
    write_csv,
)

SPEC = churn_spec("ridge", 5)
SLOTS = 2
MAX_UPLOAD_MB = 1024


@dataclass
class Size:
    rows: int
    csv_mb: float
    upload_s: float
    job_s: float
    download_s: float
    fit_score_s: float  # the trials' own, summed
    read_csv_s: float
    sk: SklearnRun
    same_best: bool

    @property
    def total_s(self) -> float:
        return self.upload_s + self.job_s + self.download_s

    @property
    def sk_total_s(self) -> float:
        return self.read_csv_s + self.sk.wall_s


def one_size(rows: int, tmp: Path) -> Size:
    csv = write_csv(mixed_table(rows), tmp / f"mixed-{rows}.csv")
    started = time.perf_counter()
    pd.read_csv(csv)
    read_csv = time.perf_counter() - started
    core = InProcess(tmp / f"core-{rows}", max_upload_mb=MAX_UPLOAD_MB)
    dataset = core.upload(csv, "mixed")
    spec = core.spec({**SPEC, "dataset_id": dataset.id})
    data = core.data(spec)
    candidates = random_candidates(spec)
    core.close()
    warm_loky(SLOTS, data)
    sk = sklearn_search(data, spec, candidates, n_jobs=SLOTS)
    del data
    with LiveService(SLOTS, TUNEFORGE_MAX_UPLOAD_MB=str(MAX_UPLOAD_MB)) as live:
        started = time.perf_counter()
        upload = live.upload(csv, "mixed")
        submitted = time.perf_counter()
        job = live.submit({**SPEC, "dataset_id": upload.dataset["id"]})
        done = live.wait(job["id"], poll_s=0.1)
        ended = time.perf_counter()
        live.download_model(job["id"], tmp / "model.joblib")
        downloaded = time.perf_counter()
        if done["status"] != "succeeded":
            raise RuntimeError(f"job {done['status']}: {done.get('error')}")
        trials = live.trials(job["id"])
    return Size(
        rows,
        csv.stat().st_size / 2**20,
        submitted - started,
        ended - submitted,
        downloaded - ended,
        sum(t["fit_time_s"] + t["score_time_s"] for t in trials),
        read_csv,
        sk,
        abs(done["best_score"] - sk.best_score) < 1e-9,
    )


def main() -> None:
    args = options(__doc__, sizes=("10000,100000,1000000", "comma-separated row counts"))
    report = Report("growth.py")
    warnings.simplefilter("ignore")
    sizes = [int(n) for n in args.sizes.split(",")]
    results = []
    with temporary_dir("tuneforge-growth-") as tmp:
        for rows in sizes:
            started = time.perf_counter()
            results.append(one_size(rows, tmp))
            r = results[-1]
            print(
                f"  {rows:,} rows: tuneforge {r.total_s:.1f} s, scikit-learn "
                f"{r.sk_total_s:.1f} s ({time.perf_counter() - started:.0f} s for this size)",
                flush=True,
            )
    line = report.line
    line(
        f"One job: {SPEC['estimator']}, {SPEC['strategy']}, {SPEC['n_trials']} candidates x "
        f"{SPEC['cv']['folds']} folds, test_size {SPEC['test_size']}; tuneforge with {SLOTS} "
        f"worker slots through the API vs read_csv + GridSearchCV(n_jobs={SLOTS}) over the "
        "same candidates."
    )
    line(
        f"{'rows':>9} {'CSV MB':>7} {'upload s':>9} {'job s':>7} {'model s':>8} "
        f"{'tuneforge s':>12} {'read_csv s':>10} {'sk fit s':>9} {'sklearn s':>10} "
        f"{'ratio':>6} {'tf fit+score':>12} {'sk fit+score':>12}  same best"
    )
    for r in results:
        line(
            f"{r.rows:>9,} {r.csv_mb:>7.1f} {r.upload_s:>9.2f} {r.job_s:>7.2f} "
            f"{r.download_s:>8.2f} {r.total_s:>12.2f} {r.read_csv_s:>10.2f} {r.sk.wall_s:>9.2f} "
            f"{r.sk_total_s:>10.2f} {r.total_s / r.sk_total_s:>5.2f}x {r.fit_score_s:>12.2f} "
            f"{r.sk.fit_score_s:>12.2f}  {'yes' if r.same_best else 'NO'}"
        )
    line(
        "ratio = tuneforge (upload -> model download) / scikit-learn (read_csv + fit + test "
        "score). fit+score: the\ncandidates' own fit and score seconds over every fold "
        "(tuneforge's on preprocessed folds cached per job)."
    )
    if len(results) > 1:
        first, last = results[0], results[-1]
        factor = last.rows / first.rows
        line(
            f"{factor:.0f}x the rows: tuneforge {last.total_s / first.total_s:.1f}x the time, "
            f"scikit-learn {last.sk_total_s / first.sk_total_s:.1f}x."
        )
    report.save()


if __name__ == "__main__":
    one_openmp_thread()
    main()
