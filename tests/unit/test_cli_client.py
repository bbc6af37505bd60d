"""The pure parts of the client commands (sdk/python/tuneforge): the progress line, its ETA
and redraw pacing, the tables, and how errors become exit codes, with no service."""

from __future__ import annotations

import io
import os
import re
import signal

import click
import pytest
from click.testing import CliRunner
from tuneforge._interrupts import DeferredInterrupts, interruptible
from tuneforge._progress import (
    ProgressView,
    bar,
    estimate_eta,
    format_duration,
    progress_line,
)
from tuneforge._tables import dataset_details, job_details, jobs_table, table, trials_table
from tuneforge.cli import EXIT_REFUSED, EXIT_UNREACHABLE, ClientCommand, main
from tuneforge.errors import Unreachable, ValidationError

from api.client_commands import WithClientCommands, load
from api.launcher import main as server_main


def job(status="running", done=3, total=10, best=0.91234, eta=12.0, **extra):
    progress = {"trials_completed": done, "trials_total": total, "eta_s": eta}
    return {"id": "job_1", "status": status, "progress": progress, "best_score": best, **extra}


# ---------------------------------------------------------------------- progress line


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "?"), (-1, "?"), (float("nan"), "?"), (0, "0s"), (59.4, "59s"), (61, "1m01s"),
     (3599, "59m59s"), (3720, "1h02m")],
)  # fmt: skip
def test_durations_read_at_a_glance(seconds, text):
    assert format_duration(seconds) == text


def test_eta_extrapolates_the_finished_trials_and_is_unknown_before_the_first():
    assert estimate_eta(done=0, total=10, elapsed_s=5) is None
    assert estimate_eta(done=4, total=10, elapsed_s=8) == pytest.approx(12)
    assert estimate_eta(done=10, total=10, elapsed_s=8) == 0
    assert estimate_eta(done=3, total=0, elapsed_s=8) is None


def test_the_bar_fills_in_proportion_and_never_overflows():
    assert bar(0, 10, width=10) == "[----------]"
    assert bar(5, 10, width=10) == "[#####-----]"
    assert bar(12, 10, width=10) == "[##########]"
    assert bar(3, 0, width=10) == "[----------]"


def test_the_line_shows_status_bar_counts_best_and_eta():
    line = progress_line(job(done=3, total=12, best=0.912345, eta=75))
    assert line == "running    [######------------------]  3/12 trials  best 0.9123  ETA 1m15s"


def test_the_line_has_no_best_before_a_trial_and_no_eta_once_ended():
    assert "best -  ETA ?" in progress_line(job(status="queued", done=0, best=None, eta=None))
    assert "ETA" not in progress_line(job(status="succeeded", done=10))


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_a_terminal_gets_frames_redrawn_in_place_at_most_every_interval():
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, is_tty=True, min_interval=0.25, clock=clock)
    view.update(job(done=1))
    clock.now = 0.1
    view.update(job(done=2))  # too soon: skipped
    clock.now = 0.3
    view.update(job(done=3))
    clock.now = 0.31
    view.update(job(status="succeeded", done=10, eta=None))  # the end is always drawn
    view.finish()
    frames = out.getvalue().split("\r")[1:]
    assert [f.split()[2] for f in frames] == ["1/10", "3/10", "10/10"]
    assert out.getvalue().endswith("\n") and out.getvalue().count("\n") == 1


def test_a_shorter_frame_erases_the_longer_one_before_it():
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, is_tty=True, clock=clock)
    view.update(job(eta=4000))
    clock.now = 1
    view.update(job(status="succeeded", eta=None))
    first, second = out.getvalue().split("\r")[1:]
    assert len(second) == len(first)


def test_off_a_terminal_lines_come_only_on_change_and_at_most_every_interval():
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, is_tty=False, plain_interval=5, clock=clock)
    view.update(job(done=1))
    clock.now = 6
    view.update(job(done=1))  # nothing changed: no line
    clock.now = 7
    view.update(job(done=2))  # changed, 7 s after the last line
    clock.now = 8
    view.update(job(done=3))  # changed, but too soon
    clock.now = 8.5
    view.update(job(status="succeeded", done=10))  # the end: at once
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert [line.split()[5] for line in lines] == ["1/10", "2/10", "10/10"]
    assert all(line.startswith("tuneforge: job job_1 ") for line in lines)


def test_without_the_services_eta_the_view_estimates_one_from_what_it_saw():
    out, clock = io.StringIO(), Clock()
    view = ProgressView(out, is_tty=True, min_interval=0, clock=clock)
    view.update(job(done=2, eta=None))  # the first trials seen: nothing to go by yet
    clock.now = 10
    view.update(job(done=4, eta=None))  # 2 trials in 10 s, 6 to go
    assert out.getvalue().split("\r")[1].endswith("ETA ?")
    assert out.getvalue().split("\r")[2].rstrip().endswith("ETA 30s")


# ------------------------------------------------------------------------ interrupts


def test_ctrl_c_while_waiting_is_raised_only_where_the_command_checks_once():
    before = signal.getsignal(signal.SIGINT)
    with DeferredInterrupts() as interrupts:
        os.kill(os.getpid(), signal.SIGINT)  # noted, not raised here (mid-request)
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
        interrupts.check()  # once only
    assert signal.getsignal(signal.SIGINT) is before


def test_a_prompt_inside_the_wait_gets_an_immediate_ctrl_c():
    with DeferredInterrupts() as interrupts, pytest.raises(KeyboardInterrupt), interruptible():
        os.kill(os.getpid(), signal.SIGINT)
    assert not interrupts.pending


# ----------------------------------------------------------------------------- tables


def test_tables_align_columns_and_do_not_pad_the_last():
    assert table(("A", "LONG"), [("xyz", "1"), ("q", "22")]) == "A    LONG\nxyz  1\nq    22"


def test_the_trials_table_shows_number_score_std_and_sorted_params():
    trials = [
        {"number": 7, "mean_score": 0.9512, "std_score": 0.0123, "params": {"p": 2, "C": 0.01234}},
        {
            "number": 12,
            "mean_score": 0.9,
            "std_score": None,
            "params": {"kernel": "rbf", "g": None},
        },
    ]
    assert trials_table(trials).splitlines() == [
        "TRIAL  SCORE   STD     PARAMS",
        "7      0.9512  0.0123  C=0.01234, p=2",
        "12     0.9000  -       g=None, kernel=rbf",
    ]


def test_job_details_name_the_spec_and_why_it_stopped():
    spec = {"target": "y", "estimator": "knn", "task": "classification", "strategy": "random",
            "scoring": "roc_auc", "cv": {"folds": 5, "kind": "stratified"}, "n_trials": 20,
            "timeout_s": 3600}  # fmt: skip
    text = job_details(
        job(status="cancelled", spec=spec, stopped_reason="cancelled", best_params={"p": 1},
            warnings=[{"code": "possible_leak", "column": "id", "message": "predicts y"}])
    )  # fmt: skip
    assert "status       cancelled (cancelled)" in text
    assert "estimator    knn (classification)" in text
    assert "cv           5 folds stratified" in text
    assert "budget       20 trials, 1h00m" in text
    assert "best params  p=1" in text
    assert text.endswith("warnings:\n  possible_leak (id): predicts y")


def test_job_details_name_the_job_its_tags_and_its_dataset():
    text = job_details(
        job(name="houses v2", tags=["prod", "v2"], dataset_id="ds_1", dataset_name="h.csv")
    )
    assert text.splitlines()[1:6] == [
        "name         houses v2",
        "tags         prod, v2",
        "status       running",
        "progress     3/10 trials",
        "ETA          12s",
    ]
    assert "dataset      h.csv (ds_1)" in text
    assert "name         -" in job_details(job(dataset_id="ds_1"))


def test_the_jobs_table_and_dataset_details_read_the_apis_documents():
    spec = {"estimator": "knn", "target": "price", "task": "regression", "scoring": "r2",
            "strategy": "grid"}  # fmt: skip
    rows = jobs_table(
        [
            job(spec=spec, created_at="2026-01-02T03:04:05.6+00:00", name="houses v2",
                dataset_name="houses.csv", duration_s=75.4),
            job(status="succeeded", spec=spec, created_at="2026-01-02T03:04:05.6+00:00",
                dataset_id="ds_1", duration_s=None, name="n" * 40),
        ]
    )  # fmt: skip
    header, running, ended = rows.splitlines()
    assert header.split() == [
        "ID", "NAME", "DATASET", "TARGET", "TASK", "METRIC", "BEST", "STRATEGY", "ESTIMATOR",
        "STATUS", "CREATED", "DURATION"]  # fmt: skip
    cells = re.compile(r"\s{2,}").split
    assert cells(running) == [
        "job_1", "houses v2", "houses.csv", "price", "regression", "r2", "0.9123", "grid", "knn",
        "running 3/10", "2026-01-02 03:04:05", "1m15s"]  # fmt: skip
    # a long name is cut to keep one line; an unknown dataset name shows its id
    assert cells(ended)[1:3] == ["n" * 27 + "…", "ds_1"]
    assert cells(ended)[-3:] == ["succeeded", "2026-01-02 03:04:05", "-"]
    dataset = {"id": "ds_1", "name": "t.csv", "n_rows": 3, "n_columns": 1, "size_bytes": 9,
               "columns": [{"name": "a", "dtype": "float", "n_missing": 1, "n_unique": 2}],
               "warnings": []}  # fmt: skip
    text = dataset_details(dataset)
    assert "size     3 rows x 1 columns, 9 bytes" in text
    assert "COLUMN  DTYPE  MISSING  UNIQUE\na       float  1        2" in text
    assert "warnings" not in text


# ------------------------------------------------------------------- errors, exit codes


def failing(error: Exception) -> click.Command:
    def callback() -> None:
        raise error

    return ClientCommand("boom", callback=callback)


def test_a_refusal_prints_status_title_detail_and_each_field_and_exits_3():
    problem = ValidationError(
        422, "Unprocessable Entity", "the spec is invalid", errors={"target": ["no column 'x'"]}
    )
    result = CliRunner().invoke(failing(problem))
    assert result.exit_code == EXIT_REFUSED
    assert result.output == (
        "tuneforge: 422 Unprocessable Entity: the spec is invalid\n  target: no column 'x'\n"
    )


def test_an_unreachable_service_exits_4_and_an_interrupt_130():
    assert CliRunner().invoke(failing(Unreachable("down"))).exit_code == EXIT_UNREACHABLE
    assert CliRunner().invoke(failing(KeyboardInterrupt())).exit_code == 130


def test_every_command_documents_the_exit_codes_and_the_environment():
    for args in (["tune"], ["jobs", "wait"], ["datasets", "show"]):
        text = CliRunner().invoke(main, [*args, "--help"]).output
        assert "Exit codes:" in text and "  4    the API could not be reached" in text
        assert "TUNEFORGE_API" in text and "TUNEFORGE_API_KEY" in text and "--json" in text


# ---------------------------------------------------------------- the server's command


def test_the_servers_tuneforge_offers_the_client_commands():
    listing = CliRunner().invoke(server_main, ["--help"]).output
    for name in ("tune", "jobs", "datasets", "serve", "keys"):
        assert f"  {name} " in listing
    assert CliRunner().invoke(server_main, ["jobs", "--help"]).exit_code == 0


def test_without_the_sdk_the_client_commands_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "tuneforge.cli", None)  # import fails
    command = load("tune")
    result = CliRunner().invoke(WithClientCommands(commands=[command]), ["tune"])
    assert result.exit_code == 1
    assert "pip install ./sdk/python" in result.output
