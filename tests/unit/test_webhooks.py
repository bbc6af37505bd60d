"""Webhook signing, target checks, and one delivery to a real local HTTP receiver."""

from __future__ import annotations

import json
import time

import pytest

from models import webhooks
from models.exceptions import SpecError
from tests.receiver import Receiver

SECRET = b"s3cret"


@pytest.fixture
def receiver():
    made = []

    def make(statuses=()):
        made.append(Receiver(list(statuses)))
        return made[-1]

    yield make
    for r in made:
        r.close()


def test_a_signature_verifies_and_a_tampered_body_does_not():
    now = int(time.time())
    header = webhooks.sign(SECRET, b'{"a":1}', now)
    assert webhooks.verify(SECRET, b'{"a":1}', header)
    assert not webhooks.verify(SECRET, b'{"a":2}', header)
    assert not webhooks.verify(b"other", b'{"a":1}', header)
    assert not webhooks.verify(SECRET, b'{"a":1}', webhooks.sign(SECRET, b'{"a":1}', now - 999))
    assert not webhooks.verify(SECRET, b"x", "garbage")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "example.com/hook",
        "http://",
        "https://user:pw@example.com/",
        "http://e.com/" + "x" * 2000,
    ],
)
def test_only_absolute_http_urls_without_credentials_are_accepted(url):
    with pytest.raises(SpecError) as info:
        webhooks.check_url(url)
    assert info.value.field == "webhook_url"


def test_delivery_posts_the_signed_job(receiver):
    target = receiver([200])
    document = {"id": "job_1", "status": "succeeded", "best_score": 0.9}
    result = webhooks.deliver(target.url, document, SECRET, allow_private=True)
    assert result.ok and result.status == 200
    headers, body = target.requests[0]
    assert json.loads(body) == {"event": "job.succeeded", "job": document}
    assert headers["X-Tuneforge-Event"] == "job.succeeded"
    assert webhooks.verify(SECRET, body, headers[webhooks.SIGNATURE_HEADER])


def test_a_failing_receiver_is_reported(receiver):
    target = receiver([503])
    result = webhooks.deliver(target.url, {"status": "failed"}, SECRET, allow_private=True)
    assert not result.ok and result.status == 503 and result.error == "HTTP 503"


def test_private_targets_are_refused_unless_allowed(receiver):
    target = receiver([200])
    result = webhooks.deliver(target.url, {"status": "succeeded"}, SECRET, allow_private=False)
    assert not result.ok and result.error.startswith("refused")
    assert target.requests == []


def test_an_unreachable_target_is_an_error_not_an_exception():
    result = webhooks.deliver(
        "http://127.0.0.1:1/hook", {"status": "succeeded"}, SECRET, allow_private=True
    )
    assert not result.ok and result.status is None and result.error


def test_the_secret_is_generated_once_and_kept(tmp_path):
    first = webhooks.secret_for(tmp_path, "")
    assert first == webhooks.secret_for(tmp_path, "") and len(first) == 64
    assert (tmp_path / "webhook_secret").stat().st_mode & 0o777 == 0o600
    assert webhooks.secret_for(tmp_path, "configured") == b"configured"
