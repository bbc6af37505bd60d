"""A key revoked (or moved to another tenant, or made unnecessary no more) while a
long-lived response is under way stops it within a few seconds: an event stream opened
with the key ends, a model download is cut short, and a reconnect is refused. Through the
real ``tuneforge keys`` CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import threading
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from api import create_app
from api.launcher import main
from api.services import service
from models.plumbing import keyring
from models.settings import Settings
from models.store.migrate import upgrade
from models.store.records import ApiKey
from tests.backends import on_every_database

pytestmark = on_every_database

CSV = b"x,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(40))
# A stream left alone lasts this long; one whose key is revoked must end well before.
STREAM_SECONDS = 60
ENDS_WITHIN = 20  # the key is re-checked every 2 s: 10 times that, for a busy machine


@pytest.fixture
def app(settings: Settings, monkeypatch):
    monkeypatch.setattr(keyring, "RECHECK_SECONDS", 0.0)  # see a new key on the next request
    settings = dataclasses.replace(
        settings, events_stream_seconds=STREAM_SECONDS, rate_limit_per_second=1000
    )
    upgrade(settings.database_url)
    return create_app(settings)


def tuneforge_keys(settings: Settings, *args: str) -> str:
    """``tuneforge keys ARGS`` on this test's database; its output."""
    env = {
        "TUNEFORGE_DATA_DIR": str(settings.data_dir),
        "TUNEFORGE_DATABASE_URL": settings.database_url,
        "TUNEFORGE_LOG_FORMAT": "text",
    }
    result = CliRunner().invoke(main, ["keys", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def make_key(settings: Settings, tenant: str) -> tuple[str, dict[str, str]]:
    """A new key of ``tenant``: its id, and the header that presents it."""
    output = tuneforge_keys(settings, "create", "--tenant", tenant)
    key_id = output.split("key ", 1)[1].split()[0]
    return key_id, {"Authorization": f"Bearer {output.strip().splitlines()[-1]}"}


def queued_job(client, headers: dict[str, str]) -> str:
    """A job that stays queued (no worker runs here): its stream only ends at its bound."""
    dataset = client.post("/v1/datasets", data=CSV, content_type="text/csv", headers=headers)
    assert dataset.status_code == 201, dataset.json
    job = client.post(
        "/v1/jobs",
        json={"dataset_id": dataset.json["id"], "target": "y", "estimator": "knn"},
        headers=headers,
    )
    assert job.status_code == 202, job.json
    return job.json["id"]


class Stream:
    """An event stream read in a thread of its own, as a client reads it (the request is
    made there too: a streamed response holds its request context in that thread)."""

    def __init__(self, client, job_id: str, headers: dict[str, str]) -> None:
        self.url, self.headers = f"/v1/jobs/{job_id}/events", headers
        self.status: int | None = None
        self.chunks: list[bytes] = []
        self.started, self.ended = threading.Event(), threading.Event()
        threading.Thread(target=self._read, args=(client,), daemon=True).start()
        assert self.started.wait(ENDS_WITHIN), "the stream sent nothing"
        assert self.status == 200, self.text

    def _read(self, client) -> None:
        response = client.get(self.url, headers=self.headers, buffered=False)
        self.status = response.status_code
        for chunk in response.response:
            self.chunks.append(chunk)
            self.started.set()
        self.started.set()
        self.ended.set()

    @property
    def text(self) -> str:
        return b"".join(self.chunks).decode()


def test_a_stream_ends_soon_after_its_key_is_revoked_and_cannot_reconnect(settings, app):
    client = app.test_client()
    revoked_id, revoked = make_key(settings, "acme")
    kept_id, kept = make_key(settings, "acme")
    job_id = queued_job(client, revoked)
    doomed, other = Stream(client, job_id, revoked), Stream(client, job_id, kept)
    # when the first key is revoked with the CLI
    tuneforge_keys(settings, "revoke", revoked_id)
    # then its stream ends within seconds (not at its 60 s bound), saying why
    assert doomed.ended.wait(ENDS_WITHIN), "the stream went on after its key was revoked"
    assert "no longer valid" in doomed.text
    assert '"status": "queued"' in doomed.text  # what it sent before
    # and the stream of the other key goes on
    assert not other.ended.is_set()
    # and a reconnect with the revoked key is refused
    again = client.get(f"/v1/jobs/{job_id}/events", headers=revoked)
    assert again.status_code == 401 and again.content_type == "application/problem+json"
    # until that key is revoked too (which leaves no stream behind for the next test)
    tuneforge_keys(settings, "revoke", kept_id)
    assert other.ended.wait(ENDS_WITHIN)


def test_a_stream_ends_when_its_key_moves_to_another_tenant(settings, app):
    client = app.test_client()
    key_id, headers = make_key(settings, "acme")
    job_id = queued_job(client, headers)
    stream = Stream(client, job_id, headers)
    # when an operator gives the key to another tenant (there is no command for it)
    with app.app_context(), service().sessions() as session:
        session.execute(update(ApiKey).where(ApiKey.id == key_id).values(owner="globex"))
        session.commit()
    # then the stream, which showed acme's job, ends; and the key no longer sees that job
    assert stream.ended.wait(ENDS_WITHIN), "the stream went on for the key's old tenant"
    assert client.get(f"/v1/jobs/{job_id}/events", headers=headers).status_code == 404


def test_a_keyless_stream_ends_once_the_first_key_is_made(settings, app):
    client = app.test_client()
    job_id = queued_job(client, {})  # no key yet: open on loopback
    stream = Stream(client, job_id, {})
    make_key(settings, "acme")
    assert stream.ended.wait(ENDS_WITHIN), "the keyless stream went on once keys were required"
    assert client.get(f"/v1/jobs/{job_id}/events").status_code == 401


def test_a_model_download_is_cut_short_when_its_key_is_revoked(settings, app, monkeypatch):
    import api.jobs

    monkeypatch.setattr(api.jobs, "CHUNK", 1)  # a byte at a time: a download that lasts
    client = app.test_client()
    key_id, headers = make_key(settings, "acme")
    job_id = queued_job(client, headers)
    with app.app_context():
        assert service().run_to_end(job_id, "test") == "succeeded"
    response = client.get(f"/v1/jobs/{job_id}/model", headers=headers, buffered=False)
    assert response.status_code == 200
    size = int(response.headers["Content-Length"])
    body = iter(response.response)
    received = [next(body)]
    tuneforge_keys(settings, "revoke", key_id)
    # read on slowly: without the check the whole file comes (size * 5 ms: many seconds)
    for chunk in body:
        received.append(chunk)
        time.sleep(0.005)
    response.close()
    assert 0 < len(b"".join(received)) < size
    assert client.get(f"/v1/jobs/{job_id}/model", headers=headers).status_code == 401
