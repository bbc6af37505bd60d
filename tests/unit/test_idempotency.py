"""Idempotency-Key on POST /v1/datasets and POST /v1/jobs, on SQLite and on PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import update

from api import create_app
from models.settings import Settings
from models.store import idempotency
from models.store.idempotency import IdempotencyRecord
from models.store.migrate import upgrade
from models.store.records import utcnow
from tests.backends import on_every_database

pytestmark = on_every_database

CSV = b"x,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(30))


def upload(client, body=CSV, key=None, headers=None):
    headers = dict(headers or {})
    if key:
        headers["Idempotency-Key"] = key
    return client.post("/v1/datasets?name=t", data=body, content_type="text/csv", headers=headers)


def submit(client, dataset_id, key=None, headers=None, **extra):
    headers = dict(headers or {})
    if key:
        headers["Idempotency-Key"] = key
    spec = {"dataset_id": dataset_id, "target": "y", "estimator": "knn", **extra}
    return client.post("/v1/jobs", json=spec, headers=headers)


@pytest.fixture
def dataset_id(client):
    return upload(client).json["id"]


def test_a_retried_job_submission_creates_one_job(client, dataset_id):
    first = submit(client, dataset_id, key="retry-1")
    again = submit(client, dataset_id, key="retry-1")
    assert first.status_code == again.status_code == 202
    assert again.json == first.json
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/v1/jobs").json["items"]) == 1


def test_the_same_key_with_another_body_is_422(client, dataset_id):
    submit(client, dataset_id, key="k")
    response = submit(client, dataset_id, key="k", n_trials=3)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json["errors"]
    assert len(client.get("/v1/jobs").json["items"]) == 1


def test_a_retry_while_the_first_is_in_flight_is_409(client, dataset_id, app):
    with app.app_context():
        from api.services import service

        with service().sessions() as session:
            outcome = idempotency.begin(
                session, "default", "submitJob", "busy", idempotency.fingerprint_json({})
            )
            assert outcome.claim is idempotency.Claim.NEW
    response = submit(client, dataset_id, key="busy")
    assert response.status_code == 409 and response.headers["Retry-After"] == "1"
    assert client.get("/v1/jobs").json["items"] == []


def test_a_failed_request_does_not_burn_the_key(client, dataset_id):
    assert submit(client, dataset_id, key="fix-me", estimator="nope").status_code == 422
    assert submit(client, dataset_id, key="fix-me").status_code == 202


def test_keys_expire_after_a_day(client, dataset_id, app):
    submit(client, dataset_id, key="old")
    with app.app_context():
        from api.services import service

        with service().sessions() as session:
            session.execute(
                update(IdempotencyRecord).values(expires_at=utcnow() - timedelta(seconds=1))
            )
            session.commit()
    assert "Idempotent-Replayed" not in submit(client, dataset_id, key="old").headers
    assert len(client.get("/v1/jobs").json["items"]) == 2
    assert timedelta(hours=24) == idempotency.TTL


def test_a_retried_upload_returns_the_first_dataset_and_keeps_no_copy(client, settings):
    first = upload(client, key="up-1")
    again = upload(client, key="up-1")
    assert first.status_code == again.status_code == 201
    assert again.json["id"] == first.json["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert [d["id"] for d in client.get("/v1/datasets").json["items"]] == [first.json["id"]]
    assert len(list((settings.data_dir / "artifacts" / "datasets").iterdir())) == 1


def test_an_upload_key_reused_for_another_file_is_422(client, settings):
    upload(client, key="up-2")
    response = upload(client, body=CSV + b"99,1\n", key="up-2")
    assert response.status_code == 422 and "Idempotency-Key" in response.json["errors"]
    assert len(client.get("/v1/datasets").json["items"]) == 1
    assert len(list((settings.data_dir / "artifacts" / "datasets").iterdir())) == 1


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "tab\there"])
def test_a_malformed_key_is_422(client, dataset_id, key):
    response = submit(client, dataset_id, headers={"Idempotency-Key": key})
    assert response.status_code == 422 and "Idempotency-Key" in response.json["errors"]


def test_keys_are_scoped_to_the_caller(tmp_path):
    settings = Settings(data_dir=tmp_path / "var", api_keys=("a:key-a", "b:key-b"))
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    as_a = {"Authorization": "Bearer key-a"}
    as_b = {"Authorization": "Bearer key-b"}
    a = upload(client, key="shared", headers=as_a)
    b = upload(client, key="shared", headers=as_b)
    assert a.status_code == b.status_code == 201
    assert a.json["id"] != b.json["id"] and "Idempotent-Replayed" not in b.headers


def test_the_sweep_purges_expired_keys_only(client, dataset_id, app):
    submit(client, dataset_id, key="old")
    submit(client, dataset_id, key="fresh")
    with app.app_context():
        from api.services import service

        with service().sessions() as session:
            session.execute(
                update(IdempotencyRecord)
                .where(IdempotencyRecord.key == "old")
                .values(expires_at=utcnow() - timedelta(seconds=1))
            )
            session.commit()
            assert idempotency.purge_expired(session) == 1
            assert [r.key for r in session.query(IdempotencyRecord)] == ["fresh"]


@pytest.mark.parametrize("length", [64, 65, 255])
def test_a_retried_upload_with_a_long_name_replays(client, length):
    # given an upload under a name as long as a dataset name may be (its fingerprint
    # overflowed the stored column on PostgreSQL, a 500)
    name = "n" * length
    headers = {"Idempotency-Key": f"long-{length}"}

    def send(name=name):
        return client.post(
            f"/v1/datasets?name={name}", data=CSV, content_type="text/csv", headers=headers
        )

    first, again = send(), send()
    # then the retry replays the first upload, and another name under the key is refused
    assert first.status_code == again.status_code == 201, first.data[:300]
    assert again.json["id"] == first.json["id"] and again.json["name"] == name
    assert send(name[:-1] + "m").status_code == 422


def test_a_request_whose_answer_cannot_be_stored_frees_its_key(client, monkeypatch):
    # given storing the answer fails at its commit, which expires the claim's record (the
    # database went away between the two writes)
    def fail(session, record, *args):
        session.add(record)
        session.expire(record)
        raise RuntimeError("database gone")

    monkeypatch.setattr(idempotency, "complete", fail)
    # when an upload is sent with a key, then it fails (a 500, logged: not the client's
    # doing), and undoes what it made
    failed = upload(client, key="lost")
    assert failed.status_code == 500
    assert client.get("/v1/datasets").json["items"] == []
    # and a retry, once storing works again, starts afresh instead of finding the key taken
    monkeypatch.undo()
    retried = upload(client, key="lost")
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers


def test_a_retried_upload_replays_when_the_quota_has_no_room_for_a_second_copy(settings):
    # given a tenant whose first upload (with a key) left less room than another copy needs
    settings = dataclasses.replace(settings, tenant_max_storage_mb=1)
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    table = b"x,y\n" + b"".join(b"%d,%d\n" % (i, i % 7) for i in range(80_000))
    assert 0.5 * 2**20 < len(table) < 2**20
    first = upload(client, body=table, key="big")
    assert first.status_code == 201
    # when the client retries it (its answer was lost), then it gets the first answer again
    again = upload(client, body=table, key="big")
    assert again.status_code == 201, again.json
    assert again.json["id"] == first.json["id"] and again.headers["Idempotent-Replayed"] == "true"
    # and another body under the key is refused as before, the quota not even counted
    other = upload(client, body=table + b"1,1\n", key="big")
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    assert len(list((settings.data_dir / "artifacts" / "datasets").iterdir())) == 1


def test_a_retried_named_and_tagged_submission_replays_and_another_name_is_422(client, dataset_id):
    # given a job submitted under a key with a name and tags
    first = submit(client, dataset_id, key="named", name="v2", tags=["prod"])
    # when it is retried as it was, then with another name, then with other tags
    again = submit(client, dataset_id, key="named", name="v2", tags=["prod"])
    renamed = submit(client, dataset_id, key="named", name="v3", tags=["prod"])
    retagged = submit(client, dataset_id, key="named", name="v2", tags=["dev"])
    # then the retry replays the one job, named and tagged; the others are refused
    assert again.headers["Idempotent-Replayed"] == "true" and again.json == first.json
    assert (first.json["name"], first.json["tags"]) == ("v2", ["prod"])
    for refused in (renamed, retagged):
        assert refused.status_code == 422 and "Idempotency-Key" in refused.json["errors"]
    assert [j["id"] for j in client.get("/v1/jobs?tag=prod").json["items"]] == [first.json["id"]]


def test_a_retried_tagged_upload_replays_and_other_tags_under_the_key_are_422(client):
    def send(tags: str):
        return client.post(
            f"/v1/datasets?name=t&tags={tags}",
            data=CSV,
            content_type="text/csv",
            headers={"Idempotency-Key": "tagged-upload"},
        )

    first, again, other = send("a,b"), send("a,b"), send("a")
    assert first.status_code == again.status_code == 201, first.json
    assert again.json["id"] == first.json["id"] and again.json["tags"] == ["a", "b"]
    assert other.status_code == 422 and "Idempotency-Key" in other.json["errors"]
    assert len(client.get("/v1/datasets").json["items"]) == 1
