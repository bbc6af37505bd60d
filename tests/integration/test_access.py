"""Access against a live API (gunicorn, gevent), on SQLite and on PostgreSQL: a key
revoked with ``tuneforge keys revoke`` ends the event stream it opened within seconds;
without keys, only loopback Host names are answered and cross-site writes are refused."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.integration.conftest import ROOT, Service

pytestmark = pytest.mark.integration

CSV = b"x,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(40))
STREAM_SECONDS = 60  # a stream left alone; one whose key is revoked must end well before
ENDS_WITHIN = 20  # the key is re-checked every 2 s: 10 times that, for a busy machine


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    """The API alone (no worker: a job stays queued, its stream idle) on the embedded
    broker, over SQLite or a PostgreSQL database of its own."""
    env = {"TUNEFORGE_EVENTS_STREAM_SECONDS": str(STREAM_SECONDS)}
    if request.param == "postgresql":
        env["TUNEFORGE_DATABASE_URL"] = request.getfixturevalue("postgres_url")
    svc = Service(tmp_path, "", **env)
    try:
        svc.start("api")
        yield svc
    finally:
        svc.close()


def tuneforge_keys(svc: Service, *args: str) -> str:
    """``tuneforge keys ARGS`` as an operator runs it, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-m", "api.launcher", "keys", *args],
        cwd=ROOT,
        env={**svc.env, "TUNEFORGE_LOG_FORMAT": "text"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_live_stream_ends_within_seconds_of_its_keys_revocation(api: Service):
    made = tuneforge_keys(api, "create", "--tenant", "acme")
    key_id = made.split("key ", 1)[1].split()[0]
    auth = {"Authorization": f"Bearer {made.strip().splitlines()[-1]}"}
    dataset = api.post("/v1/datasets", files={"file": ("t.csv", CSV)}, headers=auth).json()
    spec = {"dataset_id": dataset["id"], "target": "y", "estimator": "knn"}
    job = api.post("/v1/jobs", json=spec, headers=auth).json()["id"]
    # given a stream of the queued job, opened with the key and read as a client does
    url = f"{api.url}/v1/jobs/{job}/events"
    stream = requests.get(url, headers=auth, stream=True, timeout=STREAM_SECONDS + 30)
    assert stream.status_code == 200
    lines: list[str] = []
    ended = threading.Event()

    def read() -> None:
        try:
            lines.extend(stream.iter_lines(decode_unicode=True))
        finally:
            ended.set()

    threading.Thread(target=read, daemon=True).start()
    api.wait_until(lambda: any("queued" in line for line in lines), 30, "the first event")
    # when the key is revoked
    tuneforge_keys(api, "revoke", key_id)
    revoked_at = time.monotonic()
    # then the stream ends within seconds (not at its 60 s bound), saying why
    assert ended.wait(ENDS_WITHIN), "the stream went on after its key was revoked"
    assert time.monotonic() - revoked_at < ENDS_WITHIN
    assert ": the API key this stream was opened with is no longer valid" in lines
    # and the client's reconnect is refused
    again = requests.get(url, headers=auth, timeout=30)
    assert again.status_code == 401
    assert again.headers["Content-Type"] == "application/problem+json"


def test_without_keys_a_live_api_answers_loopback_names_and_same_origin_writes_only(
    api: Service,
):
    port = api.port
    for host in ("127.0.0.1", f"localhost:{port}", f"[::1]:{port}", f"App.Localhost.:{port}"):
        assert api.get("/v1/datasets", headers={"Host": host}).status_code == 200, host
    rebound = api.get("/v1/datasets", headers={"Host": f"evil.example:{port}"})
    assert rebound.status_code == 421
    assert rebound.headers["Content-Type"] == "application/problem+json"
    assert "evil.example" in rebound.json()["detail"] and "Host" in rebound.json()["errors"]
    # a form on another site posting a file
    forged = api.post(
        "/v1/datasets",
        files={"file": ("t.csv", CSV)},
        headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    assert api.get("/v1/datasets").json()["items"] == []
    # the dashboard's own request, and curl's
    same = {"Origin": api.url, "Sec-Fetch-Site": "same-origin"}
    assert api.post("/v1/datasets", files={"file": ("t.csv", CSV)}, headers=same).ok
    assert api.post("/v1/datasets", files={"file": ("u.csv", CSV)}).ok
    # a read from another site's page is answered (the browser keeps the answer from it)
    assert api.get("/v1/datasets", headers={"Origin": "http://evil.example"}).status_code == 200
