"""What ``tuneforge jobs`` shows after the search: a cancelled job's model, extensions."""

from __future__ import annotations

from click.testing import CliRunner
from tuneforge._tables import job_details, jobs_table
from tuneforge.cli import main


def job(status="cancelled", **extra):
    progress = {"trials_completed": 3, "trials_total": 10, "eta_s": None}
    return {"id": "job_1", "status": status, "progress": progress, "best_score": 0.9, **extra}


def test_the_list_says_a_cancelled_job_has_a_model():
    text = jobs_table([job(refit="done"), job(refit="refitting"), job(refit="stopped"), job()])
    rows = text.splitlines()[1:]
    assert "cancelled, model" in rows[0] and "0.9000" in rows[0]
    assert "cancelled, refitting" in rows[1]
    assert "cancelled, no model" in rows[2]
    assert rows[3].split()[-3] == "cancelled"


def test_show_says_what_the_refit_left_and_each_extension():
    extensions = [{"at": "2026-12-06T17:05:00+00:00", "n_trials": 10, "timeout_s": 600}]
    text = job_details(job(status="succeeded", extensions=extensions))
    assert "extended     +10 trials, +10m00s at 2026-12-06 17:05:00" in text
    text = job_details(job(refit="done"))
    assert "model        the best candidate's, refit when it was cancelled" in text


def test_extend_needs_trials_or_a_timeout():
    result = CliRunner().invoke(main, ["jobs", "extend", "job_1"])
    assert result.exit_code == 2 and "give --trials, --timeout, or both" in result.output
    result = CliRunner().invoke(main, ["jobs", "extend", "job_1", "--trials", "0"])
    assert result.exit_code == 2 and "--trials" in result.output
