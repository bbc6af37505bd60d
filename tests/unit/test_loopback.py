"""Without API keys the service is open to whoever reaches its loopback address, and a
browser is such a caller for any web page its user visits. So then it answers only
requests for a loopback host name (no DNS rebinding), and refuses state-changing
requests that a browser says come from another site (no CSRF). Browsers' same-origin
requests (the dashboard) and clients that are not browsers (no Origin) go on working;
with keys, neither check applies."""

from __future__ import annotations

import io

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from api import create_app
from models.settings import Settings
from models.store.migrate import upgrade

PROBLEM = "application/problem+json"
CSV = b"x,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(30))

LOOPBACK_HOSTS = [
    "localhost",
    "localhost:8000",
    "LOCALHOST:8000",
    "localhost.",
    "localhost.:8000",
    "127.0.0.1",
    "127.0.0.1:8000",
    "127.0.0.1.:8000",
    "127.1.2.3:8000",
    "[::1]",
    "[::1]:8000",
    "[0:0:0:0:0:0:0:1]:8000",
    "[::FFFF:127.0.0.1]:8000",
    "app.localhost",
    "A.b.LocalHost.:65535",
]
OTHER_HOSTS = [
    "evil.example",
    "evil.example:8000",
    "localhost.evil.example",
    "evil-localhost:8000",
    "127.0.0.1.nip.io:8000",
    "localhost@evil.example",
    "0.0.0.0:8000",
    "192.168.1.20:8000",
    "10.0.0.1",
    "[::]:8000",
    "[::2]:8000",
    "[::1",
    "localhost:99999",
    "localhost:port",
    "local host",
    "",
]
STATE_CHANGING = [
    ("POST", "/v1/datasets"),
    ("PUT", "/v1/datasets/ds_x"),
    ("PATCH", "/v1/jobs/job_x"),
    ("DELETE", "/v1/datasets/ds_x"),
]
CROSS_SITE = [
    ({"Origin": "http://evil.example"}, "Origin"),
    ({"Origin": "https://evil.example:8000"}, "Origin"),
    ({"Origin": "http://localhost:3000"}, "Origin"),  # another port: another origin
    ({"Origin": "http://127.0.0.1"}, "Origin"),  # another name for this host: another origin
    ({"Origin": "null"}, "Origin"),  # a sandboxed frame, a file:// page
    ({"Origin": "http://evil.example", "Sec-Fetch-Site": "same-origin"}, "Origin"),
    ({"Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site"),
    ({"Sec-Fetch-Site": "same-site"}, "Sec-Fetch-Site"),
    ({"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"}, "Sec-Fetch-Site"),
]
SAME_ORIGIN = [
    {},  # curl, the SDK: no browser, no Origin
    {"Origin": "http://localhost"},
    {"Origin": "http://localhost:80"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"},  # the user's own action (typed, bookmarked)
]


@pytest.fixture
def keyless(tmp_path):
    settings = Settings(data_dir=tmp_path)
    upgrade(settings.database_url)
    return create_app(settings).test_client()


@pytest.fixture
def keyed(tmp_path):
    settings = Settings(data_dir=tmp_path, api_keys=("acme:k1",))
    upgrade(settings.database_url)
    return create_app(settings).test_client()


def assert_problem(response, status: int, field: str, *words: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == PROBLEM
    body = response.json
    assert field in body["errors"], body
    for word in words:
        assert word in body["detail"], body
    return body


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_without_keys_a_loopback_host_name_is_answered(keyless, host):
    assert keyless.get("/v1/datasets", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", OTHER_HOSTS)
@pytest.mark.parametrize("path", ["/v1/datasets", "/v1/jobs/job_x", "/v1/estimators"])
def test_without_keys_any_other_host_name_is_421_naming_it(keyless, host, path):
    response = keyless.get(path, environ_overrides={"HTTP_HOST": host})
    assert_problem(response, 421, "Host", repr(host), "loopback", "DNS rebinding")


@pytest.mark.parametrize("path", ["/healthz", "/metrics", "/openapi.json", "/ui", "/"])
def test_public_routes_hold_no_data_and_answer_any_host_as_with_keys(keyless, path):
    assert keyless.get(path, headers={"Host": "evil.example"}).status_code == 200


def test_a_request_without_a_host_header_is_no_browsers_and_is_answered(keyless):
    environ = EnvironBuilder(path="/v1/datasets").get_environ()
    del environ["HTTP_HOST"]  # HTTP/1.0: the server's own address stands in
    _, status, _ = run_wsgi_app(keyless.application, environ, buffered=True)
    assert status.startswith("200")


def test_a_name_in_allowed_hosts_is_answered_too(tmp_path):
    settings = Settings(data_dir=tmp_path, allowed_hosts=("Tuneforge.Test",))
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    assert client.get("/v1/datasets", headers={"Host": "tuneforge.test:8000"}).status_code == 200
    assert client.get("/v1/datasets", headers={"Host": "tuneforge.test."}).status_code == 200
    other = client.get("/v1/datasets", headers={"Host": "sub.tuneforge.test"})
    assert_problem(other, 421, "Host", "TUNEFORGE_ALLOWED_HOSTS")


def test_allowed_hosts_are_read_from_the_environment():
    env = {"TUNEFORGE_ALLOWED_HOSTS": "a.test, b.test"}
    assert Settings.from_env(env).allowed_hosts == ("a.test", "b.test")


@pytest.mark.parametrize(("method", "path"), STATE_CHANGING)
@pytest.mark.parametrize(("headers", "field"), CROSS_SITE)
def test_without_keys_a_cross_site_state_change_is_403_saying_why(
    keyless, method, path, headers, field
):
    response = keyless.open(path, method=method, headers=headers, data=CSV, content_type="text/csv")
    assert_problem(response, 403, field, method, "another site", "CSRF")


@pytest.mark.parametrize(("method", "path"), STATE_CHANGING)
@pytest.mark.parametrize("headers", SAME_ORIGIN)
def test_without_keys_a_same_origin_or_non_browser_state_change_goes_through(
    keyless, method, path, headers
):
    response = keyless.open(path, method=method, headers=headers, data=CSV, content_type="text/csv")
    assert response.status_code != 403, response.json
    if method == "POST":
        assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        ("LOCALHOST:8000", "http://localhost:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
        ("app.localhost:8000", "http://app.localhost:8000"),
        ("localhost", "https://localhost:443"),  # behind a TLS proxy that keeps the Host
    ],
)
def test_an_origin_is_compared_with_the_host_it_was_sent_to(keyless, host, origin):
    headers = {"Host": host, "Origin": origin, "Content-Type": "text/csv"}
    assert keyless.post("/v1/datasets", headers=headers, data=CSV).status_code == 201


def test_a_cross_site_multipart_upload_is_refused_and_stores_nothing(keyless):
    # what a form on another site posts: multipart, with the browser's Origin
    response = keyless.post(
        "/v1/datasets",
        data={"file": (io.BytesIO(CSV), "x.csv")},
        content_type="multipart/form-data",
        headers={"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert_problem(response, 403, "Sec-Fetch-Site", "POST", "CSRF")
    assert keyless.get("/v1/datasets").json["items"] == []


@pytest.mark.parametrize(("headers", "_"), CROSS_SITE)
def test_reads_are_unaffected_by_origin(keyless, headers, _):
    assert keyless.get("/v1/datasets", headers=headers).status_code == 200
    assert keyless.head("/v1/datasets", headers=headers).status_code == 200


def test_with_keys_any_host_and_origin_is_answered_since_a_key_is_never_sent_by_itself(keyed):
    key = {"X-API-Key": "k1"}
    assert (
        keyed.get("/v1/datasets", headers={"Host": "tuneforge.example", **key}).status_code == 200
    )
    cross = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site", **key}
    made = keyed.post("/v1/datasets", headers=cross, data=CSV, content_type="text/csv")
    assert made.status_code == 201
    # and without the key, a cross-site request is simply unauthenticated
    assert keyed.post("/v1/datasets", headers={"Origin": "http://evil.example"}).status_code == 401
