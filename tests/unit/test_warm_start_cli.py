"""Warm start from the SDK and the CLI: ``submit(warm_start=...)`` takes jobs as people
hold them, and ``tuneforge tune --warm-start JOB_ID`` seeds a search with a job's trials."""

from __future__ import annotations

import json

import pytest
from tuneforge.errors import SpecError
from tuneforge.specs import spec_body
from tuneforge_client.models import Job, WarmStart

from tests.unit.test_cli_tune import KNN, svc, table, tune  # noqa: F401 (fixtures)


@pytest.mark.parametrize(
    ("given", "sent"),
    [
        ("job_a", {"job_ids": ["job_a"]}),
        (["job_a", "job_b"], {"job_ids": ["job_a", "job_b"]}),
        ({"job_ids": ["job_a"]}, {"job_ids": ["job_a"]}),
        (WarmStart(job_ids=["job_a"]), {"job_ids": ["job_a"]}),
    ],
)
def test_submit_takes_a_job_a_list_of_jobs_or_the_body(given, sent):
    assert spec_body({"target": "y"}, {"warm_start": given})["warm_start"] == sent


def test_a_warm_start_that_is_no_job_is_refused_before_sending():
    with pytest.raises(SpecError) as refused:
        spec_body({"target": "y"}, {"warm_start": [5]})
    assert "warm_start" in refused.value.errors


def test_tune_warm_start_seeds_the_search_with_the_jobs_trials(svc, table, tmp_path):  # noqa: F811
    code, first, stderr = tune(tmp_path, str(table), *KNN)
    assert code == 0, stderr
    parent = first["job"]["id"]
    # a Job as the SDK returns it is a parent too
    assert spec_body({}, {"warm_start": Job.from_dict(first["job"])})["warm_start"] == {
        "job_ids": [parent]
    }
    code, second, stderr = tune(tmp_path, str(table), *KNN, "--warm-start", parent)
    assert code == 0, stderr
    body = json.loads(svc.bodies("POST", "/v1/jobs")[-1])
    assert body["warm_start"] == {"job_ids": [parent]}
    job = second["job"]
    assert job["spec"]["warm_start"] == {"job_ids": [parent]}
    assert job["progress"]["trials_inherited"] == 2
    assert job["progress"]["trials_completed"] == job["progress"]["trials_total"] == 4
