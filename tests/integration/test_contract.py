"""schemathesis against the live service: every operation, generated cases, zero failures.

Checks: no server errors, status codes, content types and response bodies all as
openapi.yaml documents them. The stateful phase follows the declared links (upload →
submit → follow, result, model, cancel). A second run streams the events of a job that is
writing trials (each event's data checked against its document) and submits specs to a
real dataset, which the declared constraints must mostly let through.

Each schemathesis run gets a fresh service (``live``), not the session's shared one: its
seeded cases repeat their Idempotency-Keys, and a store that has seen them answers 422.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import backends

pytestmark = pytest.mark.integration

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


def schemathesis(
    url: str, *options: str, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``st run`` on the served document, with the checks above (and a config file)."""
    st = Path(sys.executable).with_name("st")
    chosen = ["--config-file", str(config)] if config else []
    return subprocess.run(
        [
            str(st),
            *chosen,
            "run",
            f"{url}/openapi.json",
            "--checks",
            CHECKS,
            "--seed",
            "1",
            "--workers",
            "1",
            "--warnings",
            "off",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


@backends("embedded", "postgres-s3-redis")
def test_schemathesis_finds_no_failure(live):
    done = schemathesis(
        live.url, "--max-examples", "10", "--phases", "examples,coverage,fuzzing,stateful"
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "passed" in done.stdout and "Stateful" in done.stdout


def interactions(cassette: Path, path: str) -> list[dict[str, Any]]:
    recorded = yaml.safe_load(cassette.read_text(encoding="utf-8"))["http_interactions"]
    return [i for i in recorded if i["request"]["uri"].split("?")[0].endswith(path)]


def recorded_fuzzing(
    url: str, tmp_path: Path, operations: list[str], parameters: dict[str, str], examples: int
) -> Path:
    """Schemathesis's positive fuzzing of ``operations`` with ``parameters`` fixed, every
    check passing; the cassette of what it sent and read."""
    config = tmp_path / "schemathesis.toml"
    fixed = "".join(f'"{name}" = "{value}"\n' for name, value in parameters.items())
    config.write_text(f"[parameters]\n{fixed}", encoding="utf-8")
    reports = tmp_path / "reports"
    chosen = [option for op in operations for option in ("--include-operation-id", op)]
    done = schemathesis(
        url,
        *chosen,
        "--phases",
        "fuzzing",
        "--mode",
        "positive",
        "--max-examples",
        str(examples),
        "--report",
        "json,vcr",
        "--report-json-path",
        str(reports / "run.json"),
        "--report-vcr-path",
        str(reports / "cassette.yaml"),
        config=config,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    return reports / "cassette.yaml"


def streams_read(cassette: Path, path: str) -> list[dict[str, Any]]:
    """The event streams of ``path`` answered 200, each checked to conform to its schema."""
    streams = [i for i in interactions(cassette, path) if i["response"]["status"]["code"] == "200"]
    for stream in streams:
        checks = {c["name"]: c["status"] for c in stream["checks"]}
        assert checks.get("response_schema_conformance") == "SUCCESS", checks
    return streams


def test_schemathesis_checks_a_running_jobs_events_and_real_submissions(
    live, breast_cancer_csv, tmp_path
):
    # given a job that is running and writing trials (each a fraction of a second)
    dataset = live.upload(breast_cancer_csv)
    job = live.submit(
        dataset_id=dataset["id"],
        target="target",
        estimator="random_forest",
        n_trials=60,
        param_space={"n_estimators": {"type": "int", "low": 150, "high": 300}},
        cv={"folds": 2},
    )
    live.wait_until(
        lambda: live.job(job["id"])["progress"]["trials_completed"] >= 2, 60, "two trials"
    )
    # when schemathesis streams its events and submits specs on the uploaded table (the
    # worker is busy, so what it submits stays queued)
    cassette = recorded_fuzzing(
        live.url,
        tmp_path,
        ["streamJobEvents", "submitJob"],
        {"path.job_id": job["id"], "body.dataset_id": dataset["id"], "body.target": "target"},
        20,
    )
    # then every response conforms, trial events included
    streams = streams_read(cassette, f"/v1/jobs/{job['id']}/events")
    assert any("event: trial" in i["response"]["body"]["string"] for i in streams), (
        "schemathesis read no trial event"
    )
    # and many generated specs pass validation, now that the schema says what it enforces
    # (with the document before, about one in eight did). Schemathesis also draws the
    # optional Idempotency-Key header, often the same value for different specs: those
    # 422s are about the key, not the spec, and do not count.
    answers = [
        (int(i["response"]["status"]["code"]), i["response"]["body"].get("string", ""))
        for i in interactions(cassette, "/v1/jobs")
        if i["request"]["method"] == "POST"
    ]
    accepted = sum(status == 202 for status, _ in answers)
    refused = [
        (status, body[:300])
        for status, body in answers
        if status != 202 and '"Idempotency-Key"' not in body
    ]
    assert accepted and 3 * accepted >= accepted + len(refused), (accepted, refused)


def test_a_request_the_http_server_cannot_parse_gets_a_problem(shared_service):
    with socket.create_connection(("127.0.0.1", shared_service.port)) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n")
        head, _, body = conn.recv(4096).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert b"Content-Type: application/problem+json" in head
    assert b'"status": 400' in body


def test_schemathesis_checks_a_studys_events(live, tmp_path):
    # given a study asked and told to its end, a lease lapsed on the way: every kind of event
    body = {"space": {"x": {"low": -5.0, "high": 5.0}}, "direction": "minimize", "n_trials": 3}
    study = live.post("/v1/studies", json={**body, "strategy": "random", "lease_s": 1}).json()
    url = f"/v1/studies/{study['id']}"
    first = live.post(f"{url}/suggestions", json={"count": 3}).json()["items"]
    live.wait_until(
        lambda: live.get(url).json()["counts"]["lapsed"] == 3, 10, "the leases to lapse"
    )
    again = live.post(f"{url}/suggestions", json={"count": 3}).json()["items"]
    assert [t["number"] for t in again] == [t["number"] for t in first]
    for trial in again:
        live.post(f"{url}/trials/{trial['number']}", json={"value": trial["params"]["x"] ** 2})
    # when schemathesis streams its events
    cassette = recorded_fuzzing(
        live.url, tmp_path, ["streamStudyEvents"], {"path.study_id": study["id"]}, 5
    )
    # then every stream conforms, each kind of event included
    streams = streams_read(cassette, f"{url}/events")
    whole = [i for i in streams if "event: completed" in i["response"]["body"]["string"]]
    assert whole, "schemathesis read no whole stream"
    for kind in ("suggested", "lapsed", "reported", "best", "completed"):
        assert f"event: {kind}\n" in whole[0]["response"]["body"]["string"]
