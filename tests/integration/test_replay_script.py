"""``GET /v1/jobs/{id}/script`` on a live service: the downloaded script, run alone on the
CSV, prints the job's best CV score, and its ``--fit`` model predicts as the served one."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
import tuneforge

from tests.unit.test_replay_script import SMALL_SPACES, messy_csv

pytestmark = pytest.mark.integration


def run(script, csv, *args):
    done = subprocess.run(
        [sys.executable, str(script), str(csv), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=script.parent,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def test_a_downloaded_script_replays_the_search(shared_service, tmp_path):
    svc = shared_service
    dataset = svc.upload(messy_csv(), "messy.csv")
    job = svc.submit(
        dataset_id=dataset["id"],
        target="label",
        estimator="hist_gradient_boosting",
        param_space=SMALL_SPACES["hist_gradient_boosting"],
        exclude_columns=["note", "price"],
        n_trials=3,
        cv={"folds": 3},
    )
    # before it has a result, there is no script
    early = svc.get(f"/v1/jobs/{job['id']}/script")
    assert early.status_code in (200, 409)
    if early.status_code == 409:
        assert early.headers["Content-Type"] == "application/problem+json"
    assert svc.wait_for(job["id"])["status"] == "succeeded"
    response = svc.get(f"/v1/jobs/{job['id']}/script")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/x-python")
    assert f"filename={job['id']}.py" in response.headers["Content-Disposition"]
    script = tmp_path / f"{job['id']}.py"
    script.write_bytes(response.content)
    csv = tmp_path / "messy.csv"
    csv.write_bytes(messy_csv())
    # the script prints the job's best CV score last
    result = svc.get(f"/v1/jobs/{job['id']}/result").json()
    assert abs(float(run(script, csv)[-1]) - result["best_score"]) <= 1e-9
    # and its model predicts as the served one, on the rows the script reads
    run(script, csv, "--fit", "model.joblib")
    mine = joblib.load(tmp_path / "model.joblib")
    served = joblib.load(io.BytesIO(svc.get(f"/v1/jobs/{job['id']}/model").content))
    spec = importlib.util.spec_from_file_location("replay", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = module.read_table(csv).drop(columns=["label"])
    np.testing.assert_array_equal(mine.predict(rows), served.predict(rows))
    np.testing.assert_allclose(mine.predict_proba(rows), served.predict_proba(rows), atol=1e-12)
    # an unknown job has none
    missing = svc.get("/v1/jobs/no-such-job/script")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    # the SDK and the CLI fetch the same file
    with tuneforge.Client(svc.url) as client:
        assert client.job_script(job["id"], tmp_path / "sdk.py") == response.text
    assert (tmp_path / "sdk.py").read_text() == response.text
    cli = [str(Path(sys.executable).with_name("tuneforge")), "jobs", "script", job["id"]]
    done = subprocess.run(
        [*cli, "-o", str(tmp_path / "cli.py"), "--api", svc.url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cli.py").read_text() == response.text
    done = subprocess.run([*cli, "--api", svc.url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == response.text
    refused = subprocess.run(
        [*cli[:-1], "no-such-job", "--api", svc.url], capture_output=True, text=True, timeout=120
    )
    assert refused.returncode == 3 and "404" in refused.stderr
