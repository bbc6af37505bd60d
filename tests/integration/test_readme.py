"""The README's curl walk-through, run verbatim against a live service, so it cannot rot."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.integration.conftest import ROOT

pytestmark = pytest.mark.integration


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Walk-through with curl", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def predictions() -> str:
    """The predictions subsection's commands, which go on from the walk-through's."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Predictions over HTTP", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def deletion() -> str:
    """The delete subsection's commands, which end the walk-through's job and table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Delete and retention", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def run_against(service, script: str, work) -> subprocess.CompletedProcess:
    """Run the README's ``script`` (bash, stopping at the first error) in a new folder
    ``work`` with the project's .venv, against ``service``; it must succeed."""
    script = script.replace("API=http://127.0.0.1:8000", f"API={service.url}")
    work.mkdir()
    (work / ".venv").symlink_to(ROOT / ".venv")
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": os.environ["PATH"]},
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def test_the_readme_walkthrough_works_as_written(shared_service, tmp_path):
    script = walkthrough() + predictions() + deletion()
    assert "API=http://127.0.0.1:8000" in script
    work = tmp_path / "reader"
    done = run_against(shared_service, script, work)
    assert '"status": "succeeded"' in done.stdout
    assert (work / "model.joblib").stat().st_size > 0
    lines = done.stdout.strip().splitlines()
    # the model's predictions on five raw rows
    assert any(re.fullmatch(r"\[[01 ]+\]", line) for line in lines), done.stdout
    # over HTTP: JSON rows, with the target ignored; a CSV answer; a 422 naming the column
    answer = r'\{"predictions":\[[01],[01]\],"classes":\[0,1\],"first_probabilities":\[.*\],'
    answer += r'"ignored_columns":\["target"\]\}'
    assert any(re.fullmatch(answer, line) for line in lines), done.stdout
    assert "prediction,probability_0,probability_1" in lines
    assert '{"status":422,"missing":["mean texture"]}' in lines
    # and once deleted, the job's model is gone
    assert lines[-1] == "404", done.stdout[-500:]


def test_the_readme_auto_example_works_as_written(shared_service, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Auto: the search chooses the model family", 1)[1]
    script = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    done = run_against(shared_service, script, tmp_path / "reader")
    lines = done.stdout.strip().splitlines()
    assert (
        '"estimator":"' in lines[0]
        and '"families":[{"estimator":"hist_gradient_boosting"' in lines[0]
    )
    assert [line.split('"family":')[1].split(",")[0] for line in lines[1:]] == [
        '"hist_gradient_boosting"',
        '"lightgbm"',
        '"xgboost"',
    ]
