"""What the benchmarks in ``bench/`` share.

- :func:`one_openmp_thread`: re-execute the script with ``OMP_NUM_THREADS=1`` (unless
  set), so that scikit-learn in the script, its loky workers and tuneforge's worker
  processes each compute on one thread (OpenBLAS reads the variable too). tuneforge runs
  one OpenMP thread per trial whatever the environment; this gives plain scikit-learn the
  same, so both sides use the same cores the same way.
- :class:`Report`: prints a script's lines and appends them to ``bench/RESULTS.md`` with
  the machine (cores, CPU model, load average at the start and the end) and the date.
- :class:`LiveService`: the real service, started as ``tests/integration/conftest.py``
  starts it (``python -m api.launcher api`` and ``python -m api.launcher worker`` in their own
  sessions, a data dir in a temporary folder, a free port), and an HTTP client for it.
- :class:`InProcess`: the service core in this process (SQLite and a folder), for the
  exact pipeline, rows and folds tuneforge searches, and for in-process engine runs.
- :func:`options`: a script's command line, from its options' defaults.
- :func:`mixed_table`: a generated table of mixed types; :func:`churn_spec`, a job on it.
- :func:`sklearn_search`: scikit-learn's search over exactly tuneforge's candidates.
- :func:`fresh_postgres`: a PostgreSQL database of a script's own, dropped afterwards.
- :func:`top_functions`: a profile's most expensive functions by own time, as lines.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import platform
import pstats
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests
import sklearn
import sqlalchemy
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score

from models.engine.catalog import CATALOG
from models.engine.space import parse_space, sample
from models.engine.spec import SearchSpec
from models.engine.training import TrainingData
from models.service import Service
from models.settings import Settings
from models.store.migrate import upgrade
from models.store.records import Dataset

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
OWNER = "bench"
FINISHED = ("succeeded", "failed", "cancelled")

RESULTS_HEADER = """\
# Benchmark results

Each run of a script in `bench/` (`make bench` runs them all) appends a section here,
newest last: the machine (cores, CPU model, load average when it started and ended), the
date, and what the script printed. Figures are ratios against plain scikit-learn
measured in the same run wherever there is a scikit-learn equivalent, because absolute
times vary from run to run on a shared machine. The README's "Benchmarks" section
summarises the latest figures.
"""


# One OpenMP thread ----------------------------------------------------------------------


def one_openmp_thread() -> None:
    """Re-execute this script with ``OMP_NUM_THREADS=1`` unless the variable is set.

    OpenMP and OpenBLAS read it once, when they load (importing scikit-learn loads them),
    so it must be in the environment from the start. Subprocesses inherit it.
    """
    if "OMP_NUM_THREADS" not in os.environ:
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)


# The machine and RESULTS.md ------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (else the platform's description)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


class Report:
    """A script's output: printed as it comes, and appended to RESULTS.md at the end."""

    def __init__(self, script: str) -> None:
        self.script = script
        self.started = time.perf_counter()
        self.date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.load_start = load_average()
        self.lines: list[str] = []
        self.notes: list[str] = []
        self.machine = (
            f"{os.cpu_count()} cores ({cpu_model()}), {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, scikit-learn "
            f"{sklearn.__version__}, pandas {pd.__version__}; "
            f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
            + (
                f", OMP_THREAD_LIMIT={os.environ['OMP_THREAD_LIMIT']}"
                if "OMP_THREAD_LIMIT" in os.environ
                else ""
            )
        )
        print(f"{script}: {self.date}, {self.machine}", flush=True)
        print(f"load average (1 / 5 / 15 min) at the start: {self.load_start}", flush=True)

    def line(self, text: str = "") -> None:
        """Print ``text`` and keep it for RESULTS.md."""
        print(text, flush=True)
        self.lines.append(text)

    def note(self, text: str) -> None:
        """A remark for RESULTS.md, after the output (printed too)."""
        print(text, flush=True)
        self.notes.append(text)

    def save(self, argv: list[str] | None = None) -> None:
        """Append this run to RESULTS.md."""
        elapsed = time.perf_counter() - self.started
        load_end = load_average()
        print(f"load average at the end: {load_end}; {elapsed:.0f} s in all", flush=True)
        command = " ".join(["bench/" + self.script, *(argv if argv is not None else sys.argv[1:])])
        text = [
            f"## {self.script}: {self.date}",
            "",
            f"- Machine: {self.machine}.",
            f"- Load average (1 / 5 / 15 min): {self.load_start} at the start, {load_end} "
            f"at the end ({os.cpu_count()} cores; the load counts this benchmark's own busy "
            "processes too, so the figure at the start, before it has run anything, is the "
            "one that measures other work).",
            f"- Command: `{command}`; {elapsed:.0f} s in all.",
            "",
            "```text",
            *self.lines,
            "```",
            "",
        ]
        if self.notes:
            text += [*self.notes, ""]
        existing = RESULTS.read_text() if RESULTS.exists() else RESULTS_HEADER
        RESULTS.write_text(existing.rstrip("\n") + "\n\n" + "\n".join(text))
        print(f"appended to {RESULTS.relative_to(ROOT)}", flush=True)


class _Tee(io.TextIOBase):
    """A stdout that also keeps every complete line it is given."""

    def __init__(self, out: Any, lines: list[str]) -> None:
        self.out, self.lines, self.partial = out, lines, ""

    def write(self, text: str) -> int:
        self.out.write(text)
        *complete, self.partial = (self.partial + text).split("\n")
        self.lines += complete
        return len(text)

    def flush(self) -> None:
        self.out.flush()


@contextmanager
def recorded(script: str) -> Iterator[Report]:
    """Everything printed inside goes to stdout and, at the end, to RESULTS.md."""
    report = Report(script)
    tee = _Tee(sys.stdout, report.lines)
    with redirect_stdout(tee):
        yield report
    if tee.partial:
        report.lines.append(tee.partial)
    report.save()


def options(doc: str, **defaults: tuple[Any, str]) -> argparse.Namespace:
    """The script's command line: each ``name=(default, help)`` is an option ``--name``
    of its default's type (a ``False`` default makes it a flag); ``doc``'s first
    paragraph describes the script."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    for name, (default, text) in defaults.items():
        flag = "--" + name.replace("_", "-")
        if default is False:
            parser.add_argument(flag, action="store_true", help=text)
        else:
            parser.add_argument(flag, type=type(default), default=default, help=text)
    return parser.parse_args()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _spin(n: int) -> float:
    """Pure-Python work on one core; returns its own seconds."""
    started = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - started


def _spin_in_children(n: int, count: int) -> list[float]:
    """``_spin(n)`` in ``count`` forked children at once; each one's seconds."""
    pipes = []
    for _ in range(count):
        read_fd, write_fd = os.pipe()
        if os.fork() == 0:
            os.close(read_fd)
            os.write(write_fd, repr(_spin(n)).encode())
            os._exit(0)
        os.close(write_fd)
        pipes.append(read_fd)
    seconds = []
    for read_fd in pipes:
        seconds.append(float(os.read(read_fd, 64)))
        os.close(read_fd)
    for _ in range(count):
        os.wait()
    return seconds


def free_cores(work_s: float = 0.4) -> float:
    """About how many cores are free right now: the same single-threaded work done by two
    processes at once versus by one alone, as ``2 x alone / together`` (2.0: two idle
    cores; 1.0: one, the other busy with someone else's work)."""
    n = 1_000_000
    n = int(n * work_s / _spin(n))
    alone = min(_spin_in_children(n, 1)[0] for _ in range(2))
    together = statistics.mean(_spin_in_children(n, 2))
    return 2 * alone / together


# A generated table -------------------------------------------------------------------


def mixed_table(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """A binary-classification table of mixed types, as customers' tables come.

    Eight numeric columns (``income`` missing for 10 % of the "no" and 25 % of the "yes"
    rows, ``tenure`` for 5 %, ``x0``-``x3`` for 3 % each), three text categories (8, 4
    and 5 values; ``city`` 4 % and ``channel`` 2 % blank), a boolean ``member``, and the
    target ``churned`` (``yes``/``no``, about 54 % yes), which depends on most columns,
    with a few interactions so that boosting has something to find.
    """
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, n_rows)
    income = np.round(rng.lognormal(10.5, 0.6, n_rows), 2)
    balance = np.round(rng.normal(2000.0, 1500.0, n_rows), 2)
    tenure = rng.integers(0, 40, n_rows).astype(float)
    x = rng.normal(size=(n_rows, 4))
    cities = ["Lisbon", "Oslo", "Lyon", "Turin", "Ghent", "Brno", "Porto", "Graz"]
    city = rng.choice(cities, n_rows, p=[0.25, 0.2, 0.15, 0.1, 0.1, 0.08, 0.07, 0.05])
    plan = rng.choice(["basic", "plus", "pro", "enterprise"], n_rows, p=[0.5, 0.3, 0.15, 0.05])
    channel = rng.choice(["web", "store", "phone", "partner", "app"], n_rows)
    member = rng.random(n_rows) < 0.4
    logit = (
        0.03 * (age - 50)
        + 0.5 * (np.log(income) - 10.5)
        - 0.0003 * (balance - 2000.0)
        + 0.04 * (tenure - 20)
        + x[:, 0]
        - 0.5 * x[:, 1] ** 2
        + 0.7 * x[:, 2] * x[:, 3]
        + np.select([plan == "pro", plan == "enterprise", plan == "plus"], [0.8, 1.2, 0.3], 0.0)
        + np.where(member, 0.6, 0.0)
        + np.where(city == "Oslo", 0.5, 0.0)
    )
    churned = rng.random(n_rows) < 1.0 / (1.0 + np.exp(-logit))
    income[rng.random(n_rows) < np.where(churned, 0.25, 0.1)] = np.nan
    tenure[rng.random(n_rows) < 0.05] = np.nan
    x[rng.random(x.shape) < 0.03] = np.nan
    city = city.astype(object)
    channel = channel.astype(object)
    city[rng.random(n_rows) < 0.04] = None
    channel[rng.random(n_rows) < 0.02] = None
    return pd.DataFrame(
        {
            "age": age,
            "income": income,
            "balance": balance,
            "tenure": tenure,
            **{f"x{i}": np.round(x[:, i], 5) for i in range(4)},
            "city": city,
            "plan": plan,
            "channel": channel,
            "member": member,
            "churned": np.where(churned, "yes", "no"),
        }
    )


def churn_spec(estimator: str, n_trials: int) -> dict[str, Any]:
    """A random search predicting :func:`mixed_table`'s ``churned`` (3 folds, a 20 % test
    split, seed 0), without its ``dataset_id``."""
    return {
        "target": "churned",
        "estimator": estimator,
        "strategy": "random",
        "n_trials": n_trials,
        "cv": {"folds": 3},
        "test_size": 0.2,
        "random_state": 0,
    }


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


# The service core in this process ---------------------------------------------------


class InProcess:
    """tuneforge's service core on SQLite and a folder under ``root``, in this process."""

    def __init__(self, root: Path, **settings: Any) -> None:
        # One slot unless asked: this process runs a job's trials one after another.
        config = Settings(data_dir=root, **{"worker_concurrency": 1, **settings})
        upgrade(config.database_url)
        self.service = Service.from_settings(config)

    def upload(self, csv: bytes | Path, name: str) -> Dataset:
        if isinstance(csv, Path):
            with csv.open("rb") as f:
                return self.service.upload_dataset(OWNER, iter(lambda: f.read(1 << 20), b""), name)
        return self.service.upload_dataset(OWNER, [csv], name)

    def spec(self, request: dict[str, Any]) -> SearchSpec:
        return self.service.resolve_spec(OWNER, request)

    def data(self, spec: SearchSpec) -> TrainingData:
        return self.service.training_data(OWNER, spec)

    def close(self) -> None:
        self.service.close()


def random_candidates(spec: SearchSpec) -> list[dict[str, Any]]:
    """The candidates a ``random`` job with ``spec`` evaluates, in trial-number order (what
    ``make_strategy("random", ...)`` draws)."""
    assert spec.strategy == "random", spec.strategy
    dims = parse_space(spec.param_space, CATALOG[spec.estimator].params[spec.task])
    return sample(dims, spec.n_trials, spec.random_state)


@dataclass
class SklearnRun:
    """One fit of scikit-learn's search and what it reports about itself."""

    wall_s: float  # fit (which refits the best) and the test score
    best_score: float
    best_params: dict[str, Any]
    test_score: float | None
    fit_score_s: float  # the candidates' fits and scores, every fold
    refit_s: float
    n_candidates: int
    search: GridSearchCV = field(repr=False)


def sklearn_search(
    data: TrainingData, spec: SearchSpec, candidates: list[dict[str, Any]], n_jobs: int
) -> SklearnRun:
    """scikit-learn's search over exactly ``candidates`` on tuneforge's pipeline and folds.

    ``GridSearchCV`` over a list of one-point grids evaluates the candidates in the given
    order; it is ``RandomizedSearchCV`` with the sampling done beforehand (both are
    ``BaseSearchCV`` and differ only in where the candidate list comes from), so both
    libraries fit exactly the same candidates on the same rows, folds and scorer. It refits
    the best on every training row and scores the held-out rows, as a tuneforge job does.
    """
    grid = [{f"model__{k}": [v] for k, v in c.items()} for c in candidates]
    search = GridSearchCV(
        clone(data.template),
        grid,
        cv=data.splits,
        scoring=spec.scoring,
        n_jobs=n_jobs,
        refit=True,
        error_score=np.nan,
    )
    started = time.perf_counter()
    search.fit(data.X_train, data.y_train)
    test = search.score(data.X_test, data.y_test) if data.X_test is not None else None
    wall = time.perf_counter() - started
    results = search.cv_results_
    folds = len(data.splits)
    fit_score = float(np.sum(results["mean_fit_time"] + results["mean_score_time"]) * folds)
    return SklearnRun(
        wall,
        float(search.best_score_),
        {k.removeprefix("model__"): v for k, v in search.best_params_.items()},
        None if test is None else float(test),
        fit_score,
        float(search.refit_time_),
        len(candidates),
        search,
    )


def warm_loky(n_jobs: int, data: TrainingData) -> None:
    """Start joblib's reusable process pool, with scikit-learn, pandas and the pipeline's
    modules imported in it, before anything is timed: a notebook that has searched once
    has that, and tuneforge's worker processes are running (and have imported) too."""
    if n_jobs > 1:
        rows = data.X_train.iloc[:200], data.y_train.iloc[:200]
        cross_val_score(clone(data.template), *rows, cv=2 * n_jobs, n_jobs=n_jobs)


# The live service --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (Linux)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(p) for p in text]
    return found


def proc_status_kb(pid: int, field_name: str) -> int:
    """A ``/proc/<pid>/status`` memory field (VmRSS, VmHWM, ...) in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    raise KeyError(field_name)


@dataclass
class Upload:
    dataset: dict[str, Any]
    seconds: float


class LiveService:
    """The API (gunicorn, one worker process) and a Celery worker with ``slots`` processes
    on a fresh data dir, as separate processes; every setting through ``TUNEFORGE_*``.

    ``worker_nice`` starts the worker (and so its pool and every trial's process) at that
    lower CPU priority than the API.
    """

    def __init__(self, slots: int, *, worker_nice: int = 0, **env: str) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="tuneforge-bench-")
        self.root = Path(self._tmp.name)
        self.logs = self.root / "logs"
        self.logs.mkdir()
        self.slots = slots
        self.worker_nice = worker_nice
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "TUNEFORGE_DATA_DIR": str(self.root / "var"),
            "TUNEFORGE_PORT": str(self.port),
            "TUNEFORGE_WORKER_CONCURRENCY": str(slots),
            "TUNEFORGE_WORKER_SLOTS": str(slots),
            "TUNEFORGE_API_WORKERS": "1",
            **env,
        }
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.http = requests.Session()

    def __enter__(self) -> LiveService:
        try:
            self.start("api")
            self.start("worker")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, name: str) -> None:
        log = (self.logs / f"{name}.log").open("ab")
        nice = self.worker_nice if name != "api" else 0
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "api.launcher", "api" if name == "api" else "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=(lambda: os.nice(nice)) if nice else None,
        )
        if name == "api":
            self._wait(self._healthy, 60, "the API to answer /healthz")
        else:
            self._wait(
                lambda: b" ready." in (self.logs / f"{name}.log").read_bytes(),
                120,
                f"{name} to be ready",
            )

    def _healthy(self) -> bool:
        try:
            return self.http.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def _wait(self, check: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{name} exited ({proc.returncode}):\n{tail}")
            if value := check():
                return value
            time.sleep(0.1)
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}")

    def close(self) -> None:
        for name, proc in list(self.procs.items()):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            del self.procs[name]
        self.http.close()
        self._tmp.cleanup()

    def api_worker_pid(self) -> int:
        """The gunicorn worker process that handles the requests (there is one)."""
        pids = children(self.procs["api"].pid)
        assert len(pids) == 1, f"expected one gunicorn worker, found {pids}"
        return pids[0]

    # HTTP ---------------------------------------------------------------------------

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        response = self.http.get(self.url + path, timeout=kwargs.pop("timeout", 60), **kwargs)
        response.raise_for_status()
        return response

    def upload(self, path: Path, name: str) -> Upload:
        """POST the CSV at ``path`` as a raw ``text/csv`` body, streamed from the file."""
        started = time.perf_counter()
        with path.open("rb") as f:
            response = self.http.post(
                f"{self.url}/v1/datasets",
                params={"name": name},
                data=f,
                headers={"Content-Type": "text/csv"},
                timeout=3600,
            )
        seconds = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"upload: {response.status_code} {response.text[:500]}")
        return Upload(response.json(), seconds)

    def submit(self, spec: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"{self.url}/v1/jobs", json=spec, timeout=60)
        if response.status_code != 202:
            raise RuntimeError(f"submit: {response.status_code} {response.text[:500]}")
        return response.json()

    def job(self, job_id: str) -> dict[str, Any]:
        return self.get(f"/v1/jobs/{job_id}").json()

    def wait(self, job_id: str, poll_s: float = 0.1, timeout: float = 3600) -> dict[str, Any]:
        """Poll the job every ``poll_s`` until it ends; return its document."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.job(job_id)
            if job["status"] in FINISHED:
                return job
            time.sleep(poll_s)
        raise TimeoutError(f"job {job_id} did not end within {timeout}s")

    def download_model(self, job_id: str, into: Path) -> Path:
        """Stream the job's model to ``into``; check its sha256 against the header."""
        digest = hashlib.sha256()
        with self.http.get(f"{self.url}/v1/jobs/{job_id}/model", stream=True, timeout=600) as r:
            r.raise_for_status()
            with into.open("wb") as out:
                for chunk in r.iter_content(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
            expected = r.headers.get("X-Content-SHA256")
        if expected and expected != digest.hexdigest():
            raise RuntimeError(f"model sha256 {digest.hexdigest()} != header {expected}")
        return into

    def trials(self, job_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = f"/v1/jobs/{job_id}/trials?limit=100"
        while url:
            page = self.get(url).json()
            items += page["items"]
            url = page["next"]
        return sorted(items, key=lambda t: t["number"])


@contextmanager
def temporary_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        yield Path(tmp)


def parse_time(value: str | None) -> float | None:
    """An ISO 8601 timestamp from the API as seconds since the epoch."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


@contextmanager
def fresh_postgres(admin_url: str, prefix: str) -> Iterator[str]:
    """A PostgreSQL database of its own (its URL), made through ``admin_url`` and dropped
    afterwards, so that a run neither sees nor leaves another's rows."""
    admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sqlalchemy.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def top_functions(profiler: Any, count: int) -> list[str]:
    """The ``count`` functions of ``profiler`` (a ``cProfile.Profile``) that took the most
    time of their own (tottime): the heading and a line each, as pstats prints them."""
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(count)
    lines = [line.strip()[:150] for line in out.getvalue().splitlines()]
    start = next((i for i, line in enumerate(lines) if line.startswith("ncalls")), 0)
    return [line for line in lines[start : start + count + 1] if line]
