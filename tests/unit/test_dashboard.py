"""The dashboard's files (``api/dashboard.py``): served from the package, kept to this host
by their Content-Security-Policy, public while the data stays behind the key, and outside
the JSON API's contract. The page itself is tested in a browser
(``tests/integration/test_dashboard.py``)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from api import create_app
from api.dashboard import ASSETS, CSP
from models.settings import Settings
from models.store.migrate import upgrade

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(p.name for p in ASSETS.iterdir())


def test_the_front_page_links_to_the_dashboard_and_the_docs(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'href="/ui"' in page
    assert 'href="/docs"' in page


@pytest.mark.parametrize("path", ["/", "/ui", "/ui/", *(f"/ui/{name}" for name in FILES)])
def test_every_dashboard_answer_keeps_the_page_to_this_host(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    policy = response.headers["Content-Security-Policy"]
    assert policy == CSP
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_scripts_are_served_as_javascript_modules(client):
    page = client.get("/ui").get_data(as_text=True)
    assert '<script type="module" src="/ui/app.js">' in page
    assert client.get("/ui/app.js").mimetype == "text/javascript"
    assert client.get("/ui/style.css").mimetype == "text/css"


def test_a_missing_file_is_a_problem_404_not_a_5xx(client):
    for path in ("/ui/nope.js", "/ui/../dashboard.py", "/ui/%2e%2e/dashboard.py"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("name", FILES)
def test_no_file_names_another_host(name):
    # No CDN, no web font, no analytics: a URL with a scheme or a protocol-relative one
    # would be a request elsewhere (the CSP would refuse it, the page would break).
    text = (ASSETS / name).read_text(encoding="utf-8")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), name
    assert "@import" not in text and "@font-face" not in text


def test_with_keys_the_page_is_public_and_the_data_is_not(tmp_path):
    settings = Settings(data_dir=tmp_path, api_keys=("acme:k",))
    upgrade(settings.database_url)
    client = create_app(settings).test_client()
    for path in ("/", "/ui", "/ui/app.js"):
        assert client.get(path).status_code == 200, path
    refused = client.get("/v1/datasets")
    assert refused.status_code == 401
    assert refused.headers["WWW-Authenticate"] == "Bearer"
    assert client.get("/v1/datasets", headers={"Authorization": "Bearer k"}).status_code == 200
    # "/" is public by itself, not as a prefix of every path
    assert client.get("/v1/jobs").status_code == 401


def test_the_files_ship_with_the_package():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "ui/*" in data["package-data"]["api"]
    assert {"index.html", "app.js", "style.css"} <= set(FILES)
