"""Ingest: a ~500 MB CSV upload's time and the API process's peak memory growth.

The table: ``--rows`` (1,000,000, the default ``TUNEFORGE_MAX_ROWS``) rows of seven
side-by-side copies of :func:`harness.mixed_table`'s columns (85 columns, one target:
numbers with blanks, text categories, booleans), about 520 MB of CSV, written in chunks to a
temporary file. ``TUNEFORGE_MAX_UPLOAD_MB`` is raised to 1024 for this run (the default,
100, refuses it).

Each upload goes to a fresh :class:`harness.LiveService` (the API under gunicorn with one
worker process), streamed from the file by ``requests``: as a raw ``text/csv`` body, and
as ``multipart/form-data`` (field ``file``; the body is streamed from the file too,
with its length known up front). Measured: the wall time to the 201, the API worker
process's peak RSS growth (``VmHWM`` after minus ``VmRSS`` before, and ``VmRSS`` polled
every 20 ms) and, by watching the data dir, when the stored file appeared (streaming
done; the rest is parsing and profiling the table, which the API does in a forked child
process: :func:`models.engine.tables.inspect_table`).

The plain equivalent, in the same run: ``pandas.read_csv`` of the same file in a fresh
Python process (what a notebook does before scikit-learn), its time and peak RSS growth
over the process after imports. Target (issue 8): the API process grows by under 64 MB.
Run: ``.venv/bin/python bench/ingest.py [--rows N]``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import requests
from harness import (
    LiveService,
    Report,
    mixed_table,
    one_openmp_thread,
    options,
    proc_status_kb,
    temporary_dir,
    verdict,
)

TARGET_MB = 64
COPIES = 7
CHUNK_ROWS = 100_000
MAX_UPLOAD_MB = 1024


def write_table(path: Path, rows: int) -> Path:
    """``rows`` rows of COPIES side-by-side mixed tables (the first copy's target kept)."""
    with path.open("w") as out:
        for first in range(0, rows, CHUNK_ROWS):
            n = min(CHUNK_ROWS, rows - first)
            parts = []
            for copy in range(COPIES):
                frame = mixed_table(n, seed=1000 * copy + first // CHUNK_ROWS)
                if copy:
                    frame = frame.drop(columns=["churned"])
                parts.append(frame.add_suffix(f"_{copy}" if copy else ""))
            pd.concat(parts, axis=1).to_csv(out, index=False, header=first == 0)
    return path


class MultipartBody:
    """A multipart/form-data body (one field ``file``) read from a file as it is sent;
    ``len`` lets requests send a Content-Length instead of chunks."""

    def __init__(self, path: Path) -> None:
        self.boundary = uuid.uuid4().hex
        self.head = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n'
        ).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.len = len(self.head) + path.stat().st_size + len(self.tail)
        self.file = path.open("rb")
        self.stage = 0

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def read(self, size: int = -1) -> bytes:
        size = 1 << 20 if size is None or size < 0 else size
        if self.stage == 0:
            self.stage = 1
            return self.head
        if self.stage == 1:
            chunk = self.file.read(size)
            if chunk:
                return chunk
            self.stage = 2
            self.file.close()
            return self.tail
        return b""


@dataclass
class Ingest:
    mode: str
    seconds: float
    stored_s: float | None  # when the stored file appeared
    rss_before_mb: float
    peak_polled_mb: float
    hwm_after_mb: float
    rss_after_mb: float
    rss_at_stored_mb: float | None
    n_rows: int
    n_columns: int

    @property
    def growth_mb(self) -> float:
        return max(self.hwm_after_mb, self.peak_polled_mb) - self.rss_before_mb


def upload(path: Path, mode: str) -> Ingest:
    with LiveService(1, TUNEFORGE_MAX_UPLOAD_MB=str(MAX_UPLOAD_MB)) as live:
        pid = live.api_worker_pid()
        live.get("/v1/datasets")  # the request path warmed: imports, a database connection
        time.sleep(0.5)
        before = proc_status_kb(pid, "VmRSS") / 1024
        datasets = live.root / "var" / "artifacts" / "datasets"
        peak = [before]
        stored: list[tuple[float, float]] = []
        done = threading.Event()
        started = time.perf_counter()

        def poll() -> None:
            while not done.is_set():
                rss = proc_status_kb(pid, "VmRSS") / 1024
                peak[0] = max(peak[0], rss)
                if (
                    not stored
                    and datasets.is_dir()
                    and any(not p.name.startswith(".") for p in datasets.iterdir())
                ):
                    stored.append((time.perf_counter() - started, rss))
                time.sleep(0.02)

        watcher = threading.Thread(target=poll, daemon=True)
        watcher.start()
        if mode == "text/csv":
            response = upload_raw(live, path)
        else:
            body = MultipartBody(path)
            response = live.http.post(
                f"{live.url}/v1/datasets",
                data=body,
                headers={"Content-Type": body.content_type},
                timeout=3600,
            )
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
        if response.status_code != 201:
            raise RuntimeError(f"upload: {response.status_code} {response.text[:500]}")
        dataset = response.json()
        return Ingest(
            mode,
            seconds,
            stored[0][0] if stored else None,
            before,
            peak[0],
            proc_status_kb(pid, "VmHWM") / 1024,
            proc_status_kb(pid, "VmRSS") / 1024,
            stored[0][1] if stored else None,
            dataset["n_rows"],
            dataset["n_columns"],
        )


def upload_raw(live: LiveService, path: Path) -> requests.Response:
    with path.open("rb") as f:
        return live.http.post(
            f"{live.url}/v1/datasets",
            params={"name": path.name},
            data=f,
            headers={"Content-Type": "text/csv"},
            timeout=3600,
        )


PANDAS_PROBE = """
import json, sys, time
import pandas as pd
def kb(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])
before = kb("VmRSS")
started = time.perf_counter()
df = pd.read_csv(sys.argv[1], low_memory=False)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "before_kb": before, "hwm_kb": kb("VmHWM"),
                  "frame_mb": df.memory_usage(deep=True).sum() / 2**20}))
"""


def pandas_read(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", PANDAS_PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def main() -> None:
    args = options(__doc__, rows=(1_000_000, "rows in the CSV"))
    report = Report("ingest.py")
    with temporary_dir("tuneforge-ingest-") as tmp:
        started = time.perf_counter()
        path = write_table(tmp / "big.csv", args.rows)
        size_mb = path.stat().st_size / 2**20
        print(f"  wrote {size_mb:.0f} MB in {time.perf_counter() - started:.0f} s", flush=True)
        plain = pandas_read(path)
        print(f"  pandas.read_csv: {plain['seconds']:.1f} s", flush=True)
        runs = []
        for mode in ("text/csv", "multipart"):
            runs.append(upload(path, mode))
            print(f"  {mode}: {runs[-1].seconds:.1f} s", flush=True)
    plain_growth = (plain["hwm_kb"] - plain["before_kb"]) / 1024
    line = report.line
    line(
        f"A {size_mb:.0f} MB CSV ({args.rows:,} rows x {runs[0].n_columns} columns), uploaded "
        "to the API (gunicorn, 1 worker process), streamed from the file by requests."
    )
    line(
        f"{'upload':<10} {'s':>6} {'MB/s':>6} {'stored at s':>11} {'vs read_csv':>11} "
        f"{'RSS before':>10} {'at stored':>9} {'peak':>7} {'after':>7} {'growth MB':>9}"
    )
    for r in runs:
        at_stored = "-" if r.rss_at_stored_mb is None else f"{r.rss_at_stored_mb:.0f}"
        stored_s = "-" if r.stored_s is None else f"{r.stored_s:.1f}"
        line(
            f"{r.mode:<10} {r.seconds:>6.1f} {size_mb / r.seconds:>6.1f} {stored_s:>11} "
            f"{r.seconds / plain['seconds']:>10.2f}x {r.rss_before_mb:>10.0f} {at_stored:>9} "
            f"{max(r.peak_polled_mb, r.hwm_after_mb):>7.0f} {r.rss_after_mb:>7.0f} "
            f"{r.growth_mb:>9.0f}"
        )
    line(
        f"{'read_csv':<10} {plain['seconds']:>6.1f} {size_mb / plain['seconds']:>6.1f} "
        f"{'':>11} {'1.00x':>11} {'':>10} {'':>9} {'':>7} {'':>7} {plain_growth:>9.0f}"
    )
    line(
        "MB of RSS of the API's worker process: before the upload, when the stored file "
        "appeared (streaming done), the peak\n(VmHWM / polled every 20 ms), after. "
        "read_csv: pandas.read_csv(path, low_memory=False) in a fresh process; its growth\n"
        f"is its peak over the process after imports; the DataFrame itself is "
        f"{plain['frame_mb']:.0f} MB."
    )
    for r in runs:
        line(
            f"Target: the API process grows by under {TARGET_MB} MB ({r.mode}): "
            f"{r.growth_mb:.0f} MB: {verdict(r.growth_mb < TARGET_MB)}; growth while "
            "streaming to storage alone: "
            + (
                "-"
                if r.rss_at_stored_mb is None
                else f"{r.rss_at_stored_mb - r.rss_before_mb:.0f} MB"
            )
        )
    report.save()


if __name__ == "__main__":
    one_openmp_thread()
    main()
