"""Keys and tenants: the keys list in the environment, ``tuneforge keys`` and the
database's keys, and each tenant's quotas (jobs at once, stored bytes, requests a
second), all through the real CLI and Flask's test client on one SQLite data dir."""

from __future__ import annotations

import re
import sqlite3
import time

import click
import pytest
from click.testing import CliRunner

from api import create_app
from api.launcher import _check_exposure, main
from models.plumbing import keyring
from models.plumbing.keys import parse_entries
from models.settings import Settings
from models.store.migrate import upgrade

PROBLEM = "application/problem+json"
ROWS = "x,y\n" + "\n".join(f"{i},{i % 2}" for i in range(40)) + "\n"
SPEC = {"target": "y", "estimator": "decision_tree", "strategy": "grid"}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (("alice:",), "item 1: the key after 'alice:' is empty"),
        (("ok:k1", ":k2"), "item 2: a tenant name cannot be empty"),
        (("alice:k", "bob:k"), "same key is listed for tenants 'alice' and 'bob'"),
        (("x" * 65 + ":k",), "at most 64 characters"),
        (("a b:k",), "may hold only letters"),
        (("nul\x00:k",), "may hold only letters"),
    ],
)
def test_a_malformed_keys_list_is_refused_naming_the_item(entries, message):
    with pytest.raises(ValueError, match=message):
        parse_entries(entries)
    with pytest.raises(ValueError, match=message):
        Settings(api_keys=entries)


def test_a_key_listed_twice_for_one_tenant_and_spaces_are_fine():
    assert parse_entries((" acme : k1 ", "acme:k1", "k2")) == {"k1": "acme", "k2": "default"}


@pytest.mark.parametrize("role", ["api", "worker", "serve", "db"])
def test_a_malformed_keys_list_stops_every_role_before_it_starts(role, tmp_path):
    env = {"TUNEFORGE_DATA_DIR": str(tmp_path), "TUNEFORGE_API_KEYS": "alice:"}
    args = [role, "upgrade"] if role == "db" else [role]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 2, result.output
    assert "TUNEFORGE_API_KEYS, item 1: the key after 'alice:' is empty" in result.output
    assert not (tmp_path / "tuneforge.db").exists()


def keys(tmp_path, *args):
    env = {"TUNEFORGE_DATA_DIR": str(tmp_path), "TUNEFORGE_LOG_FORMAT": "text"}
    return CliRunner().invoke(main, ["keys", *args], env=env)


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setattr(keyring, "RECHECK_SECONDS", 0.0)  # see a new key on the next request
    settings = Settings(data_dir=tmp_path, rate_limit_per_second=1000)
    upgrade(settings.database_url)
    return create_app(settings)


def test_keys_made_and_revoked_by_the_cli_take_effect_without_a_restart(tmp_path, app):
    client = app.test_client()
    assert client.get("/v1/datasets").status_code == 200  # no keys yet: open (loopback)

    made = keys(tmp_path, "create", "--tenant", "acme")
    assert made.exit_code == 0, made.output
    key = made.output.strip().splitlines()[-1]
    assert key.startswith("tf_") and len(key) > 40
    key_id = re.search(r"key (key_\w+) for tenant acme", made.output)[1]

    assert client.get("/v1/datasets").status_code == 401  # a key exists: one is required
    assert client.get("/v1/datasets", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/v1/datasets", headers={"Authorization": f"Bearer {key}"}).status_code == 200

    listed = keys(tmp_path, "list")
    assert listed.exit_code == 0 and key_id in listed.output and "acme" in listed.output
    assert key not in listed.output

    revoked = keys(tmp_path, "revoke", key_id)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    assert client.get("/v1/datasets", headers={"X-API-Key": key}).status_code == 401
    # revoking the last key does not open the API again
    assert client.get("/v1/datasets").status_code == 401


def test_only_the_keys_digest_is_stored(tmp_path, app):
    key = keys(tmp_path, "create", "--tenant", "acme").output.strip().splitlines()[-1]
    with sqlite3.connect(tmp_path / "tuneforge.db") as db:
        rows = db.execute("SELECT owner, digest FROM api_keys").fetchall()
    assert len(rows) == 1 and rows[0][0] == "acme" and len(rows[0][1]) == 64
    assert key.encode() not in (tmp_path / "tuneforge.db").read_bytes()


def test_keys_cli_refuses_a_bad_tenant_and_an_unknown_key(tmp_path):
    bad = keys(tmp_path, "create", "--tenant", "x" * 65)
    assert bad.exit_code == 2 and "at most 64 characters" in bad.output
    unknown = keys(tmp_path, "revoke", "key_nope")
    assert unknown.exit_code == 1 and "no key 'key_nope'" in unknown.output


def test_tenants_of_database_keys_share_nothing(tmp_path, app):
    client = app.test_client()
    acme = {"X-API-Key": keys(tmp_path, "create", "--tenant", "acme").output.split()[-1]}
    globex = {"X-API-Key": keys(tmp_path, "create", "--tenant", "globex").output.split()[-1]}
    made = client.post("/v1/datasets", data=ROWS.encode(), content_type="text/csv", headers=acme)
    assert made.status_code == 201
    dataset = made.json["id"]
    assert client.get(f"/v1/datasets/{dataset}", headers=globex).status_code == 404
    assert client.get("/v1/datasets", headers=globex).json["items"] == []
    job = client.post("/v1/jobs", json={**SPEC, "dataset_id": dataset}, headers=globex)
    assert job.status_code == 422 and "dataset_id" in job.json["errors"]


def test_a_public_address_needs_keys_from_the_environment_or_the_database(tmp_path):
    settings = Settings(data_dir=tmp_path, host="0.0.0.0")
    upgrade(settings.database_url)
    with pytest.raises(click.UsageError, match="tuneforge keys create"):
        _check_exposure(settings)
    _check_exposure(Settings(data_dir=tmp_path, host="0.0.0.0", api_keys=("acme:k",)))
    keys(tmp_path, "create", "--tenant", "acme")
    _check_exposure(settings)  # a key in the database is enough


def assert_quota_problem(response, words: str) -> None:
    assert response.status_code == 429, response.json
    assert response.content_type == PROBLEM
    assert int(response.headers["Retry-After"]) > 0
    assert words in response.json["detail"]


def test_a_tenant_past_its_active_jobs_quota_gets_429_until_one_ends(tmp_path):
    settings = Settings(data_dir=tmp_path, api_keys=("acme:ka", "globex:kg"), tenant_max_jobs=2)
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    acme, globex = {"X-API-Key": "ka"}, {"X-API-Key": "kg"}
    dataset = client.post("/v1/datasets", data=ROWS.encode(), content_type="text/csv", headers=acme)
    spec = {**SPEC, "dataset_id": dataset.json["id"]}
    first = client.post("/v1/jobs", json=spec, headers=acme).json["id"]
    assert client.post("/v1/jobs", json=spec, headers=acme).status_code == 202
    assert_quota_problem(client.post("/v1/jobs", json=spec, headers=acme), "TENANT_MAX_JOBS=2")
    # another tenant's quota is its own
    other = client.post("/v1/datasets", data=ROWS.encode(), content_type="text/csv", headers=globex)
    other_spec = {**SPEC, "dataset_id": other.json["id"]}
    assert client.post("/v1/jobs", json=other_spec, headers=globex).status_code == 202
    # a job that ends frees its place
    assert client.post(f"/v1/jobs/{first}/cancel", headers=acme).status_code == 200
    assert client.post("/v1/jobs", json=spec, headers=acme).status_code == 202


def test_an_upload_past_the_storage_quota_is_429_and_leaves_nothing(tmp_path):
    settings = Settings(data_dir=tmp_path, tenant_max_storage_mb=1)
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    table = ("x,y\n" + "\n".join(f"{i},{i % 7}" for i in range(80_000)) + "\n").encode()
    assert 0.5 * 2**20 < len(table) < 2**20
    first = client.post("/v1/datasets", data=table, content_type="text/csv")
    assert first.status_code == 201
    files = sorted((tmp_path / "artifacts").rglob("*.csv"))
    assert_quota_problem(
        client.post("/v1/datasets", data=table, content_type="text/csv"),
        "quota of 1 MiB (1,048,576 bytes",
    )
    assert len(client.get("/v1/datasets").json["items"]) == 1
    assert sorted((tmp_path / "artifacts").rglob("*.csv")) == files  # the upload was removed
    assert client.delete(f"/v1/datasets/{first.json['id']}").status_code == 204
    assert client.post("/v1/datasets", data=table, content_type="text/csv").status_code == 201


def test_requests_past_the_rate_of_a_key_get_429_and_other_keys_do_not(tmp_path):
    settings = Settings(data_dir=tmp_path, api_keys=("a:ka", "b:kb"), rate_limit_per_second=5)
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    answers = [client.get("/v1/datasets", headers={"X-API-Key": "ka"}) for _ in range(14)]
    codes = [a.status_code for a in answers]
    assert codes[:10] == [200] * 10 and codes[-1] == 429  # a burst of twice the rate, then 429
    assert_quota_problem(answers[-1], "at most 5 a second")
    assert client.get("/v1/datasets", headers={"X-API-Key": "kb"}).status_code == 200
    assert client.get("/healthz").status_code == 200  # public routes are not counted
    time.sleep(0.25)  # 5 a second: a token is back after 0.2 s
    assert client.get("/v1/datasets", headers={"X-API-Key": "ka"}).status_code == 200
