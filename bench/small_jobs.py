"""Many small jobs, fast submits (issue 17, item 3): what services that call tuneforge do.

The load: 200 jobs of 4 trials each (``decision_tree``, ``random``, 4 candidates, the
spec's other fields at their defaults) on scikit-learn's breast cancer table (569 rows, 30
numeric columns, a 0/1 target), all submitted at once by 16 client threads (each its own
kept-alive connection), against the real service (:class:`harness.LiveService`: the API
with its default process count, ``tuneforge worker`` with 2 slots), on two deployments:

- ``sqlite``: the default one (what ``make run`` gives): SQLite, the folder storage and
  the embedded (filesystem) broker in the data dir;
- ``postgres``: a fresh PostgreSQL database and Redis (db 11) as the broker.

Reported per deployment: submits/s (200 over the time from the first submit sent to the
last answered), each submit's latency (p50 / p99, from sending to the answer; the workers
run from the first job on), trials/s and jobs/s end to end (from the first submit sent to
the last job finished, on the service's clock), each job's queue wait (submitted ->
started, p50 / p90) and, from the jobs' and trials' timestamps, where a job's time went on
the workers. Targets (issue 17): >= 100 submits/s, submit p99 < 250 ms, >= 40 trials/s on
2 slots.

Then where a small job's time goes, in this process (:class:`harness.InProcess`, SQLite,
no broker, no HTTP): each step of a submit timed alone (``resolve_spec``, ``check_data``,
the insert), and ``Service.run_to_end`` of 20 such jobs under cProfile, summed by step (claim,
evaluate, record, advance, conclude's refit, the two model files, finish). A step that is
not found fails the script (a moved function would otherwise report 0).

Run: ``.venv/bin/python bench/small_jobs.py [--jobs 200] [--clients 16]
[--deployments sqlite,postgres] [--submit-only] [--skip-profile]``. ``--submit-only``
reports the submits alone (the workers run meanwhile, as in the full run) and stops the
service once they are answered: a quicker look at the submit targets.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import itertools
import pstats
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from harness import (
    FINISHED,
    OWNER,
    InProcess,
    LiveService,
    Report,
    fresh_postgres,
    one_openmp_thread,
    parse_time,
    percentile,
    temporary_dir,
    top_functions,
    verdict,
)
from sklearn.datasets import load_breast_cancer

from models.settings import Settings

SPEC: dict[str, Any] = {
    "target": "target",
    "estimator": "decision_tree",
    "strategy": "random",
    "n_trials": 4,
    "random_state": 0,
}
SLOTS = 2
TARGET_SUBMITS_PER_S = 100.0
TARGET_SUBMIT_P99_MS = 250.0
TARGET_TRIALS_PER_S = 40.0
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/11"
PROFILED_JOBS = 20
QUOTA = 100_000


def breast_cancer_csv(path: Path) -> Path:
    load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)
    return path


# The live service -----------------------------------------------------------------------


def empty_redis_db() -> None:
    """Redis db 11 is this benchmark's: start from an empty one."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


@contextlib.contextmanager
def deployment(name: str) -> Iterator[LiveService]:
    """The live service on deployment ``name``, as ``make run`` starts it but for the quota."""
    # The API's default process count (LiveService pins it to 1 for the memory benchmarks),
    # and a tenant quota of active jobs above the load's (the default is 20).
    env = {
        "TUNEFORGE_API_WORKERS": str(Settings.__dataclass_fields__["api_workers"].default),
        "TUNEFORGE_TENANT_MAX_JOBS": str(QUOTA),
    }
    if name == "sqlite":
        with LiveService(SLOTS, **env) as live:
            yield live
    elif name == "postgres":
        empty_redis_db()
        with fresh_postgres(POSTGRES_ADMIN_URL, "tuneforge_bench") as url:
            env |= {"TUNEFORGE_DATABASE_URL": url, "TUNEFORGE_BROKER_URL": REDIS_URL}
            with LiveService(SLOTS, **env) as live:
                yield live
        empty_redis_db()
    else:
        raise ValueError(f"unknown deployment {name!r}")


@dataclass
class LiveRun:
    deployment: str
    n_jobs: int
    n_trials: int
    submit_s: float  # first submit sent -> last one answered
    submit_ms: list[float]
    total_s: float  # first submit sent -> last job finished
    queue_wait_s: list[float]  # per job: created -> started
    first_trial_s: list[float]  # per job: started -> its first trial started
    trial_s: list[float]  # per trial: started -> finished (the trial's whole run)
    fit_score_s: list[float]  # per trial: its own fit and score, every fold
    between_s: list[float]  # per job: the trials' gaps (a trial's end -> the next's start)
    conclude_s: list[float]  # per job: its last trial's end -> finished
    failed: int

    @property
    def submits_per_s(self) -> float:
        return self.n_jobs / self.submit_s

    @property
    def trials_per_s(self) -> float:
        return self.n_trials / self.total_s

    @property
    def jobs_per_s(self) -> float:
        return self.n_jobs / self.total_s


def submit_all(live: LiveService, spec: dict[str, Any], n_jobs: int, clients: int):
    """Submit ``n_jobs`` copies of ``spec`` from ``clients`` threads at once: the job ids,
    each submit's (sent, answered) perf_counter times, and the wall time the first went."""
    numbers = itertools.count()
    ids: list[str] = []
    spans: list[tuple[float, float]] = []
    errors: list[str] = []
    lock = threading.Lock()
    go = threading.Event()

    def client() -> None:
        session = requests.Session()
        session.get(f"{live.url}/healthz", timeout=30)  # connect before the clock starts
        go.wait()
        while (next(numbers)) < n_jobs:
            sent = time.perf_counter()
            response = session.post(f"{live.url}/v1/jobs", json=spec, timeout=120)
            answered = time.perf_counter()
            with lock:
                if response.status_code == 202:
                    ids.append(response.json()["id"])
                    spans.append((sent, answered))
                else:
                    errors.append(f"{response.status_code} {response.text[:300]}")
        session.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    started_wall = time.time()
    go.set()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(f"{len(errors)} submits refused, the first: {errors[0]}")
    return ids, spans, started_wall


def wait_all(live: LiveService, ids: list[str], timeout: float = 1800) -> list[dict[str, Any]]:
    """Poll the job list (newest first, 100 a page) until every job in ``ids`` has ended."""
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ended: dict[str, dict[str, Any]] = {}
        url: str | None = "/v1/jobs?limit=100&" + "&".join(f"status={s}" for s in FINISHED)
        while url:
            page = live.get(url).json()
            ended |= {j["id"]: j for j in page["items"] if j["id"] in wanted}
            url = page["next"]
        if len(ended) == len(wanted):
            return [ended[i] for i in ids]
        time.sleep(0.5)
    raise TimeoutError(f"the jobs did not all end within {timeout} s")


@dataclass
class SubmitRun:
    deployment: str
    n_jobs: int
    submit_s: float  # first submit sent -> last one answered
    submit_ms: list[float]

    @property
    def submits_per_s(self) -> float:
        return self.n_jobs / self.submit_s


def submit_run(name: str, csv: Path, n_jobs: int, clients: int) -> SubmitRun:
    """The submits alone: the service is stopped once they are answered (the workers run
    the first jobs meanwhile, as in :func:`live_run`)."""
    with deployment(name) as live:
        dataset = live.upload(csv, "breast_cancer").dataset
        spec = {**SPEC, "dataset_id": dataset["id"]}
        live.wait(live.submit(spec)["id"])  # warm: imports, the table cache, the trial processes
        _ids, spans, _started_wall = submit_all(live, spec, n_jobs, clients)
    first_sent = min(s for s, _ in spans)
    return SubmitRun(
        name, n_jobs, max(a for _, a in spans) - first_sent, [1000 * (a - s) for s, a in spans]
    )


def print_targets(line: Callable[[str], None], runs: list[SubmitRun] | list[LiveRun]) -> None:
    """A line per deployment: issue 17's targets, met or not. One place for both reports
    (--submit-only and the full run) so their submit targets read alike; only a run that
    waited for its jobs to end (a :class:`LiveRun`) has a trials/s to judge."""
    for r in runs:
        p99 = percentile(r.submit_ms, 99)
        targets = [
            f">= {TARGET_SUBMITS_PER_S:.0f} submits/s: {r.submits_per_s:.1f}: "
            f"{verdict(r.submits_per_s >= TARGET_SUBMITS_PER_S)}",
            f"submit p99 < {TARGET_SUBMIT_P99_MS:.0f} ms: {p99:.0f} ms: "
            f"{verdict(p99 < TARGET_SUBMIT_P99_MS)}",
        ]
        if isinstance(r, LiveRun):
            targets.append(
                f">= {TARGET_TRIALS_PER_S:.0f} trials/s: {r.trials_per_s:.1f}: "
                f"{verdict(r.trials_per_s >= TARGET_TRIALS_PER_S)}"
            )
        line(f"Targets ({r.deployment}): " + "; ".join(targets))


def print_submits(line: Callable[[str], None], runs: list[SubmitRun], clients: int) -> None:
    line(
        f"{runs[0].n_jobs} jobs x {SPEC['n_trials']} trials (breast cancer, decision_tree, "
        f"random), submitted at once by {clients} client threads; API at its default process "
        f"count ({Settings.__dataclass_fields__['api_workers'].default}); worker: {SLOTS} "
        "slots, running the jobs as they come; the submits alone (--submit-only)."
    )
    line(
        f"{'deployment':<10} {'submits/s':>9} {'p50 ms':>7} {'p90 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7}"
    )
    for r in runs:
        line(
            f"{r.deployment:<10} {r.submits_per_s:>9.1f} {percentile(r.submit_ms, 50):>7.1f} "
            f"{percentile(r.submit_ms, 90):>7.1f} {percentile(r.submit_ms, 99):>7.1f} "
            f"{max(r.submit_ms):>7.1f}"
        )
    print_targets(line, runs)


def live_run(name: str, csv: Path, n_jobs: int, clients: int) -> LiveRun:
    with deployment(name) as live:
        dataset = live.upload(csv, "breast_cancer").dataset
        spec = {**SPEC, "dataset_id": dataset["id"]}
        live.wait(live.submit(spec)["id"])  # warm: imports, the table cache, the trial processes
        ids, spans, started_wall = submit_all(live, spec, n_jobs, clients)
        jobs = wait_all(live, ids)
        trials = {job["id"]: live.trials(job["id"]) for job in jobs}
    first_sent = min(s for s, _ in spans)
    run = LiveRun(
        name,
        n_jobs,
        sum(len(t) for t in trials.values()),
        max(a for _, a in spans) - first_sent,
        [1000 * (a - s) for s, a in spans],
        max(parse_time(j["finished_at"]) for j in jobs) - started_wall,
        [],
        [],
        [],
        [],
        [],
        [],
        sum(j["status"] != "succeeded" for j in jobs),
    )
    for job in jobs:
        created, started = parse_time(job["created_at"]), parse_time(job["started_at"])
        finished = parse_time(job["finished_at"])
        mine = sorted(
            (parse_time(t["started_at"]), parse_time(t["finished_at"]), t)
            for t in trials[job["id"]]
            if t["started_at"]
        )
        run.queue_wait_s.append(started - created)
        if not mine:
            continue
        run.first_trial_s.append(mine[0][0] - started)
        run.trial_s += [e - s for s, e, _ in mine]
        run.fit_score_s += [t["fit_time_s"] + t["score_time_s"] for _, _, t in mine]
        run.between_s += [max(0.0, b[0] - a[1]) for a, b in itertools.pairwise(mine)]
        run.conclude_s.append(finished - max(e for _, e, _ in mine))
    return run


def print_live(line: Callable[[str], None], runs: list[LiveRun], clients: int) -> None:
    line(
        f"{runs[0].n_jobs} jobs x {SPEC['n_trials']} trials (breast cancer, decision_tree, "
        f"random), submitted at once by {clients} client threads; API at its default process "
        f"count ({Settings.__dataclass_fields__['api_workers'].default}); worker: {SLOTS} slots."
    )
    line(
        f"{'deployment':<10} {'submits/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} "
        f"{'trials/s':>8} {'jobs/s':>6} {'wait p50 s':>10} {'wait p90 s':>10} {'failed':>6}"
    )
    for r in runs:
        line(
            f"{r.deployment:<10} {r.submits_per_s:>9.1f} {percentile(r.submit_ms, 50):>7.1f} "
            f"{percentile(r.submit_ms, 99):>7.1f} {max(r.submit_ms):>7.1f} "
            f"{r.trials_per_s:>8.1f} {r.jobs_per_s:>6.2f} "
            f"{percentile(r.queue_wait_s, 50):>10.2f} {percentile(r.queue_wait_s, 90):>10.2f} "
            f"{r.failed:>6}"
        )
    line(
        "submits/s: jobs / (first submit sent -> last answered); p50/p99/max: each submit "
        "from sending to its answer,\nwhile the workers run the jobs already in; trials/s, "
        "jobs/s: from the first submit sent to the last job\nfinished; wait: a job's "
        "created -> started."
    )
    line("Where a job's time went on the workers (means, ms; the jobs' and trials' timestamps):")
    line(
        f"{'deployment':<10} {'to 1st trial':>12} {'a trial':>8} {'its fit+score':>13} "
        f"{'between trials':>14} {'conclude':>8} {'slot-ms/job':>11}"
    )
    for r in runs:
        per_job = 1000 * SLOTS * r.total_s / r.n_jobs
        line(
            f"{r.deployment:<10} {1000 * statistics.mean(r.first_trial_s):>12.1f} "
            f"{1000 * statistics.mean(r.trial_s):>8.1f} "
            f"{1000 * statistics.mean(r.fit_score_s):>13.1f} "
            f"{1000 * statistics.mean(r.between_s):>14.1f} "
            f"{1000 * statistics.mean(r.conclude_s):>8.1f} {per_job:>11.1f}"
        )
    line(
        "to 1st trial: job started -> its first trial started (advance, the message, a "
        "claim); a trial: claimed ->\nrecorded; between trials: one trial's end -> the "
        "job's next trial's start (the job's trials overlap on 2\nslots, so often 0); "
        "conclude: last trial recorded -> job finished (refit, model files, finish);\n"
        "slot-ms/job: 2 slots x the run's wall time / jobs."
    )
    print_targets(line, runs)


# In this process: where the time goes ---------------------------------------------------


def timed(calls: int, step: Callable[[], Any]) -> float:
    """The median seconds of ``calls`` calls of ``step``."""
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def submit_steps(line: Callable[[str], None], core: InProcess, request: dict[str, Any]) -> None:
    """Each step of a submit alone, as the API's handler calls them (no HTTP, no broker)."""
    svc = core.service
    spec = svc.resolve_spec(OWNER, request)
    warnings = svc.check_data(OWNER, spec)
    calls = 50
    resolve = timed(calls, lambda: svc.resolve_spec(OWNER, request))
    check = timed(calls, lambda: svc.check_data(OWNER, spec))
    insert = timed(calls, lambda: svc.submit_spec(OWNER, spec, warnings=warnings))
    whole = timed(calls, lambda: svc.submit_job(OWNER, request))
    line(
        f"A submit's steps in this process (SQLite, no HTTP, no broker; median of {calls}, ms): "
        f"resolve_spec {1000 * resolve:.2f}, check_data {1000 * check:.2f}, insert "
        f"(submit_spec) {1000 * insert:.2f}; the whole submit_job {1000 * whole:.2f}."
    )


# (label, file path suffix, function name): summed over the profiled run (cumulative).
WORKER_STEPS = [
    ("advance (a job's first trials)", "models/job_run.py", "advance"),
    ("run a trial (claim, evaluate, record, choose the next)", "models/job_run.py", "run_trial"),
    ("  claim a trial", "models/store/trial_runs.py", "claim"),
    ("  evaluate in the trial process", "models/engine/training.py", "evaluate_candidate"),
    ("  record a trial, lock its job", "models/store/trial_runs.py", "record"),
    ("  choose the next trials (same transaction)", "models/job_run.py", "_choose"),
    ("conclude (refit, model files, finish)", "models/job_run.py", "conclude"),
    ("  read the table, split, build the pipeline", "models/worker_cache.py", "training_data"),
    ("  refit on every training row, test score", "models/engine/training.py", "refit"),
    ("  the model files (save_model)", "models/store/artifacts.py", "save_model"),
    ("    joblib.dump", "joblib/numpy_pickle.py", "dump"),
    ("    skops.io.dump", "skops/io/_persist.py", "dump"),
    ("    skops' trusted types (reads it back)", "models/store/artifacts.py", "trusted_types"),
    ("    storage.put_stream (both files)", "models/store/storage.py", "put_stream"),
    ("  summarise", "models/engine/training.py", "summarise"),
    ("  finish the job", "models/store/jobs.py", "finish_job"),
]


def _cumulative(stats: pstats.Stats, suffix: str, name: str) -> tuple[int, float]:
    calls, seconds = 0, 0.0
    for (filename, _line, function), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
        if function == name and filename.endswith(suffix):
            calls += nc
            seconds += ct
    return calls, seconds


def worker_steps(line: Callable[[str], None], core: InProcess, request: dict[str, Any]) -> None:
    """``Service.run_to_end`` of PROFILED_JOBS jobs under cProfile, summed by step."""
    svc = core.service
    spec = svc.resolve_spec(OWNER, request)
    svc.run_to_end(svc.submit_spec(OWNER, spec).id, "bench")  # warm: imports, caches, the process
    ids = [svc.submit_spec(OWNER, spec).id for _ in range(PROFILED_JOBS)]
    profiler = cProfile.Profile()
    started = time.perf_counter()
    for job_id in ids:
        profiler.runcall(svc.run_to_end, job_id, "bench")
    wall = time.perf_counter() - started
    fit_score = sum(t.fit_time_s + t.score_time_s for i in ids for t in svc.trials(OWNER, i))
    stats = pstats.Stats(profiler, stream=io.StringIO())
    line(
        f"Service.run_to_end of {PROFILED_JOBS} such jobs one after another in this process "
        f"(SQLite, folder storage, no broker) under cProfile: {1000 * wall / PROFILED_JOBS:.1f} "
        f"ms a job (profiling adds some), of which the trials' own fit and score "
        f"{1000 * fit_score / PROFILED_JOBS:.1f} ms (in the trial process)."
    )
    line(f"{'cumulative, in this process':<52} {'calls':>6} {'ms/job':>8}")
    missing = []
    for label, suffix, name in WORKER_STEPS:
        calls, seconds = _cumulative(stats, suffix, name)
        if not calls:
            missing.append(f"{suffix}:{name}")
            continue
        line(f"{label:<52} {calls:>6} {1000 * seconds / PROFILED_JOBS:>8.1f}")
    if missing:
        raise RuntimeError(f"steps not found in the profile (moved or renamed?): {missing}")
    line("Top 10 functions by own time (tottime):")
    for text_line in top_functions(profiler, 10):
        line("  " + text_line)


def in_process(line: Callable[[str], None], csv: Path, tmp: Path) -> None:
    core = InProcess(tmp / "core", tenant_max_jobs=QUOTA)
    try:
        dataset = core.upload(csv, "breast_cancer")
        request = {**SPEC, "dataset_id": dataset.id}
        submit_steps(line, core, request)
        worker_steps(line, core, request)
    finally:
        core.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=200, help="jobs submitted at once")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument(
        "--deployments", default="sqlite,postgres", help="sqlite, postgres, or both (a,b)"
    )
    parser.add_argument("--skip-profile", action="store_true", help="only the live runs")
    parser.add_argument(
        "--submit-only",
        action="store_true",
        help="only the submits (the workers run meanwhile); implies --skip-profile",
    )
    args = parser.parse_args()
    report = Report("small_jobs.py")
    with temporary_dir("tuneforge-small-") as tmp:
        csv = breast_cancer_csv(tmp / "breast_cancer.csv")
        if args.submit_only:
            submits = []
            for name in args.deployments.split(","):
                submits.append(run := submit_run(name, csv, args.jobs, args.clients))
                print(f"({name}: {run.submits_per_s:.1f} submits/s)", flush=True)
            print_submits(report.line, submits, args.clients)
            report.save()
            return
        runs = []
        for name in args.deployments.split(","):
            runs.append(run := live_run(name, csv, args.jobs, args.clients))
            print(
                f"({name}: {run.submits_per_s:.1f} submits/s, {run.trials_per_s:.1f} trials/s)",
                flush=True,
            )
        print_live(report.line, runs, args.clients)
        if not args.skip_profile:
            report.line()
            in_process(report.line, csv, tmp)
    report.save()


if __name__ == "__main__":
    one_openmp_thread()
    main()
