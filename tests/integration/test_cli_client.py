"""``tuneforge tune``, ``jobs`` and ``datasets`` against a live API and worker, run as a
person runs them: in a pseudo-terminal (so the progress bar is drawn, and Ctrl-C is a
``\\x03`` typed at it), and as a script does, through pipes with ``--json``.

One service serves the whole module (starting one takes seconds); the tests that leave a
job running cancel it before they end, so the next one finds the worker free.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import random
import re
import select
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import pandas as pd
import pytest

from tests.backends import free_port
from tests.integration.conftest import Service

pytestmark = pytest.mark.integration

# The server's command mounts the client's; the SDK's own entry point starts in a tenth of
# the time (it imports no server code), so most runs here use that.
TUNEFORGE = [str(Path(sys.executable).with_name("tuneforge"))]
SDK_TUNEFORGE = [sys.executable, "-m", "tuneforge"]
FRAME = re.compile(r"(queued|running|succeeded)\s+\[[#-]{24}\]\s+(\d+)/(\d+) trials\s+best (\S+)")


@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The API and a worker on the embedded backend, for every test here."""
    service = Service(tmp_path_factory.mktemp("cli-service"), "")
    try:
        service.start("api", "worker")
        yield service
    finally:
        service.close()


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 rows: two numeric features, one text column, a binary target ``y``."""
    rng = random.Random(0)
    lines = ["a,b,c,y"]
    for _ in range(120):
        a, b, c = rng.gauss(0, 1), rng.gauss(0, 1), rng.choice("xyz")
        lines.append(f"{a:.3f},{b:.3f},{c},{int(a + 0.5 * b + rng.gauss(0, 0.5) > 0)}")
    path = tmp_path_factory.mktemp("cli-data") / "table.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(svc: Service, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command through pipes (not a terminal), as a script runs it."""
    env = {**os.environ, "TUNEFORGE_API": svc.url}
    cwd = cwd or Path(tempfile.mkdtemp(prefix="tuneforge-cli-"))  # a saved model lands there
    return subprocess.run(
        [*SDK_TUNEFORGE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


class Terminal:
    """A command in a pseudo-terminal that is its controlling terminal, as in a shell."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        master, slave = pty.openpty()
        self.master = master
        self.output = ""
        self.proc = subprocess.Popen(
            args,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,  # its own session, then this terminal becomes its own
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
        )
        os.close(slave)
        os.set_blocking(master, False)

    def read_until(self, pattern: str, timeout: float = 60) -> re.Match[str]:
        """Read until ``pattern`` appears in what was written after the last match."""
        start = len(self.output)
        deadline = time.monotonic() + timeout
        while (found := re.search(pattern, self.output[start:])) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern!r} in {self.output[start:]!r}")
            self._read(0.2)
        return found

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait(self, timeout: float = 60) -> int:
        """The exit code, once it exited (everything it wrote read)."""
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        if self.proc.poll() is None:
            self.proc.kill()
            raise AssertionError(f"still running after {timeout}s; it wrote {self.output!r}")
        code = self.proc.wait()
        while self._read(0.1):
            pass
        os.close(self.master)
        return code

    def _read(self, seconds: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], seconds)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # EIO: the command exited and closed its end
            return False
        self.output += chunk.decode(errors="replace")
        return bool(chunk)


def terminal(
    svc: Service, tmp_path: Path, *args: str, command: list[str] = SDK_TUNEFORGE
) -> Terminal:
    env = {**os.environ, "TUNEFORGE_API": svc.url}
    return Terminal([*command, *args], env, tmp_path)


def frames(output: str) -> list[tuple[str, int, int, str]]:
    """Every progress frame drawn: (status, done, total, best)."""
    return [
        (m[1], int(m[2]), int(m[3]), m[4])
        for part in re.split(r"[\r\n]", output)
        if (m := FRAME.search(part))
    ]


# -------------------------------------------------------------------------- tune


def test_tune_in_a_terminal_draws_a_moving_bar_prints_the_best_trials_and_saves_a_model(
    svc, table, tmp_path
):
    # given a terminal, when a person tunes a kNN on the table
    args = f"tune {table} --target y --estimator knn --trials 20".split()
    term = terminal(svc, tmp_path, *args, command=TUNEFORGE)  # the server's tuneforge
    code = term.wait(timeout=120)
    out = term.output
    assert code == 0, out
    # then the bar was redrawn in place (\r), moving, and ended with every trial and a best
    drawn = frames(out)
    assert len(set(drawn)) >= 2, out
    assert "\r" in out and "ETA" in out
    assert drawn[-1][:3] == ("succeeded", 20, 20) and drawn[-1][3] != "-"
    assert [done for _, done, _, _ in drawn] == sorted(done for _, done, _, _ in drawn)
    # and the five best trials are tabled, best first, with their params
    rows = re.findall(r"^(\d+)\s+(\d\.\d{4})\s+(\d\.\d{4})\s+(n_neighbors=\S+.*)$", out, re.M)
    assert len(rows) == 5, out
    scores = [float(score) for _, score, _, _ in rows]
    assert scores == sorted(scores, reverse=True)
    assert re.search(rf"best score\s+{rows[0][1]}", out)
    # and the model is saved as <job id>.joblib, and predicts raw rows
    job_id = re.search(r"job (job_[0-9a-f]+)", out)[1]
    model_file = tmp_path / f"{job_id}.joblib"
    assert f"model saved to {model_file.name}" in out
    predictions = joblib.load(model_file).predict(pd.read_csv(table).drop(columns=["y"]).head())
    assert set(predictions) <= {0, 1}


@pytest.fixture(scope="module")
def tuned(svc, table, tmp_path_factory) -> dict[str, Any]:
    """``tune --json`` through pipes, once for the module: its exit, streams and document."""
    cwd = tmp_path_factory.mktemp("tuned")
    args = f"tune {table} --target y --estimator decision_tree --trials 3 --output tree.skops"
    done = run(svc, *args.split(), "--json", cwd=cwd)
    return {"proc": done, "cwd": cwd}


def test_tune_json_prints_one_document_and_plain_progress_lines_off_a_terminal(tuned):
    done = tuned["proc"]
    assert done.returncode == 0, done.stderr
    # stdout is exactly one JSON document: the API's objects
    document = json.loads(done.stdout)
    assert document["job"]["status"] == "succeeded"
    assert document["dataset"]["n_rows"] == 120
    assert document["result"]["best_score"] == document["best_trials"][0]["mean_score"]
    assert len(document["best_trials"]) == 3
    # the model went where --output said, in the format its suffix names
    assert document["model"] == "tree.skops"
    assert (tuned["cwd"] / "tree.skops").read_bytes()[:2] == b"PK"  # a skops file is a zip
    # off a terminal, progress is plain lines on stderr, never \r frames
    assert "\r" not in done.stderr
    assert re.search(r"tuneforge: job job_\w+ succeeded\s+\[#{24}\]\s+3/3 trials", done.stderr)


def dataset_ids(svc: Service) -> set[str]:
    """Every dataset the service holds."""
    ids, url = set(), "/v1/datasets?limit=100"
    while url:
        page = svc.get(url).json()
        ids |= {d["id"] for d in page["items"]}
        url = page["next"]
    return ids


def test_tune_with_an_unknown_target_exits_3_naming_the_field_and_removes_its_upload(
    svc, table, tmp_path
):
    # given the datasets the service holds, and a table it has never seen (new bytes: a
    # table uploaded before is used again, not uploaded)
    before = dataset_ids(svc)
    fresh = tmp_path / "table.csv"
    fresh.write_text(table.read_text() + "0.1,0.2,x,1\n")
    # when tune is refused for a misspelt target
    done = run(svc, "tune", str(fresh), "--target", "nope", "--estimator", "knn")
    # then it exits 3, naming the field, without a traceback
    assert done.returncode == 3, done.stderr
    assert re.search(r"^tuneforge: 422 ", done.stderr, re.M)
    assert re.search(r"^  target: .*nope", done.stderr, re.M), done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    # and the table it uploaded for this run is gone, and says so
    uploaded = re.search(r"uploaded table\.csv as (\S+) ", done.stderr)[1]
    assert f"tuneforge: the upload {uploaded} made for this call was removed" in done.stderr
    assert svc.get(f"/v1/datasets/{uploaded}").status_code == 404
    assert dataset_ids(svc) == before
    # while a table it holds already is used again, and kept, when tune is refused
    run(svc, "tune", str(table), "--target", "y", "--estimator", "knn", "--trials", "1")
    held = dataset_ids(svc)
    again = run(svc, "tune", str(table), "--target", "nope", "--estimator", "knn")
    assert again.returncode == 3, again.stderr
    assert re.search(r"table\.csv was uploaded before as \S+ .*: using it", again.stderr)
    assert "was removed" not in again.stderr and dataset_ids(svc) == held


def test_an_unreachable_api_exits_4_without_a_traceback(table):
    port = free_port()
    for command in (
        [*SDK_TUNEFORGE, "tune", str(table), "--target", "y"],
        [*SDK_TUNEFORGE, "jobs", "list"],
    ):
        done = subprocess.run(
            [*command, "--api", f"http://127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 4, done.stderr
        assert "could not be reached" in done.stderr and "Traceback" not in done.stderr


def test_a_usage_error_exits_2(svc, table):
    done = run(svc, "tune", str(table))  # no --target
    assert done.returncode == 2 and "--target" in done.stderr


# ------------------------------------------------------------------------ Ctrl-C


def long_search(svc: Service, tmp_path: Path, table: Path) -> tuple[Terminal, str]:
    """``tune`` of a search longer than the test, once its bar shows it running."""
    args = f"tune {table} --target y --estimator knn --trials 200".split()  # ~10 s
    term = terminal(svc, tmp_path, *args)
    job_id = term.read_until(r"job (job_[0-9a-f]+)")[1]
    term.read_until(r"running\s+\[")
    return term, job_id


def test_ctrl_c_then_yes_cancels_the_job_and_exits_130(svc, table, tmp_path):
    term, job_id = long_search(svc, tmp_path, table)
    term.type("\x03")
    term.read_until(rf"Cancel job {job_id}\? \[y/N\]")
    term.type("y\n")
    assert term.wait() == 130, term.output
    assert f"job {job_id} cancelled" in term.output
    assert svc.job(job_id)["status"] == "cancelled"
    assert "Traceback" not in term.output


def test_ctrl_c_then_no_keeps_waiting_and_a_second_ctrl_c_leaves_the_job_running(
    svc, table, tmp_path
):
    term, job_id = long_search(svc, tmp_path, table)
    # no: the bar goes on
    term.type("\x03")
    term.read_until(r"\[y/N\]")
    term.type("n\n")
    term.read_until(r"running\s+\[")
    # a second Ctrl-C at the prompt: the job is left running, and how to follow it is said
    term.type("\x03")
    term.read_until(r"\[y/N\]")
    # as a person would, after reading the prompt: typed within microseconds of it, the
    # SIGINT can land before the read() begins, which Python then never sees interrupted
    time.sleep(0.3)
    term.type("\x03")
    assert term.wait() == 130, term.output
    assert f"tuneforge jobs wait {job_id}" in term.output
    assert svc.job(job_id)["status"] in ("queued", "running")

    # jobs wait --timeout gives up (5) with the job's last state, still running
    waited = run(svc, "jobs", "wait", job_id, "--timeout", "0.5", "--json")
    assert waited.returncode == 5, waited.stderr
    assert json.loads(waited.stdout)["status"] == "running"
    # jobs cancel stops it; once its best is refit (issue 19: a second cancel meanwhile
    # would stop that refit), cancelling again is refused (409, exit 3); waiting now says 1
    cancelled = run(svc, "jobs", "cancel", job_id, "--json")
    assert cancelled.returncode == 0 and json.loads(cancelled.stdout)["status"] == "cancelled"
    svc.wait_until(lambda: svc.job(job_id)["refit"] != "refitting", 60, "the refit to end")
    again = run(svc, "jobs", "cancel", job_id)
    assert again.returncode == 3 and "409" in again.stderr
    ended = run(svc, "jobs", "wait", job_id)
    assert ended.returncode == 1 and f"job {job_id} cancelled" in ended.stderr


# ------------------------------------------------------------------ jobs, datasets


def test_jobs_list_show_and_wait_give_the_apis_jobs(svc, tuned, tmp_path):
    job = json.loads(tuned["proc"].stdout)["job"]
    listed = run(svc, "jobs", "list", "--status", "succeeded", "--json")
    assert listed.returncode == 0, listed.stderr
    assert job["id"] in [j["id"] for j in json.loads(listed.stdout)]
    assert all(j["status"] == "succeeded" for j in json.loads(listed.stdout))
    assert len(json.loads(run(svc, "jobs", "list", "--limit", "1", "--json").stdout)) == 1
    table_text = run(svc, "jobs", "list", "--dataset", job["dataset_id"]).stdout
    assert table_text.startswith("ID") and job["id"] in table_text

    shown = run(svc, "jobs", "show", job["id"], "--json")
    assert json.loads(shown.stdout) == svc.job(job["id"])
    text = run(svc, "jobs", "show", job["id"]).stdout
    assert re.search(r"^status\s+succeeded$", text, re.M)
    assert re.search(r"^progress\s+3/3 trials$", text, re.M)
    assert re.search(r"^estimator\s+decision_tree \(classification\)$", text, re.M)

    waited = run(svc, "jobs", "wait", job["id"], "--output", str(tmp_path / "m.joblib"))
    assert waited.returncode == 0, waited.stderr
    assert f"job {job['id']} succeeded" in waited.stdout
    assert hasattr(joblib.load(tmp_path / "m.joblib"), "predict")


def test_an_unknown_job_exits_3(svc):
    done = run(svc, "jobs", "show", "job_" + "0" * 28)
    assert done.returncode == 3 and "404" in done.stderr


def test_datasets_list_and_show_give_the_profile(svc, tuned):
    dataset = json.loads(tuned["proc"].stdout)["dataset"]
    listed = json.loads(run(svc, "datasets", "list", "--json").stdout)
    assert dataset["id"] in [d["id"] for d in listed]
    shown = run(svc, "datasets", "show", dataset["id"], "--json")
    assert json.loads(shown.stdout)["columns"] == dataset["columns"]
    text = run(svc, "datasets", "show", dataset["id"]).stdout
    assert re.search(r"^c\s+string\s+0\s+3$", text, re.M), text
    assert re.search(r"^size\s+120 rows x 4 columns", text, re.M)


def test_jobs_card_and_delete_and_datasets_delete_with_cascade(svc, table):
    # given a finished job on an uploaded table
    dataset = svc.upload(table.read_bytes(), "carded.csv")
    job = svc.submit(dataset_id=dataset["id"], target="y", estimator="knn", n_trials=2, cv=2)
    assert svc.wait_for(job["id"])["status"] == "succeeded"
    # its card is Markdown, or with --json the API's document
    card = run(svc, "jobs", "card", job["id"])
    assert card.returncode == 0 and card.stdout.startswith("# Model card"), card.stderr
    document = json.loads(run(svc, "jobs", "card", job["id"], "--json").stdout)
    assert document["job_id"] == job["id"] and document["data"]["dataset_name"] == "carded.csv"
    # the table is refused while the job is there, naming it; --cascade deletes both
    refused = run(svc, "datasets", "delete", dataset["id"])
    assert refused.returncode == 3 and job["id"] in refused.stderr and "cascade" in refused.stderr
    deleted = run(svc, "datasets", "delete", dataset["id"], "--cascade")
    assert deleted.returncode == 0 and f"dataset {dataset['id']} deleted" in deleted.stdout
    # and the job is gone: a delete of it is a 404
    again = run(svc, "jobs", "delete", job["id"])
    assert again.returncode == 3 and "404" in again.stderr


def test_jobs_delete_deletes_a_job(svc, table):
    dataset = svc.upload(table.read_bytes(), "deleted.csv")
    job = svc.submit(dataset_id=dataset["id"], target="y", estimator="knn", n_trials=1, cv=2)
    done = run(svc, "jobs", "delete", job["id"], "--json")
    assert done.returncode == 0 and json.loads(done.stdout) == {"deleted": job["id"]}
    assert svc.get(f"/v1/jobs/{job['id']}").status_code == 404
