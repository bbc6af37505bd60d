"""A worker's start as root: Celery's superuser warning is about unpickling messages, so a
worker that accepts JSON only starts without it; one that would unpickle is still refused.
"""

from __future__ import annotations

import os
import warnings

import pytest
from celery.apps import worker as celery_worker
from celery.exceptions import SecurityError, SecurityWarning

from models.settings import Settings
from tasks.app import make_celery
from tasks.shutdown import Worker


@pytest.fixture
def as_root(monkeypatch):
    """This process seen as root, as under ``make run`` in a container; nothing of the
    worker's start but Celery's privilege check runs."""
    for name in ("getuid", "geteuid", "getgid", "getegid"):
        monkeypatch.setattr(os, name, lambda: 0)
    monkeypatch.delenv("C_FORCE_ROOT", raising=False)
    monkeypatch.setattr(celery_worker.trace, "setup_worker_optimizations", lambda *a: None)


def start(tmp_path, accept_content: list[str]) -> list[warnings.WarningMessage]:
    """Run the worker's ``on_before_init`` (where Celery checks privileges); its warnings."""
    app = make_celery(Settings(data_dir=tmp_path))
    app.conf.accept_content = accept_content
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        worker = Worker.__new__(Worker)  # not started: only the step under test runs
        worker.app, worker.hostname = app, "tuneforge@test"
        worker.on_before_init()
    return caught


def test_a_worker_accepting_json_only_starts_as_root_without_the_superuser_warning(
    as_root, tmp_path
):
    # given the worker's app as make_celery configures it (JSON only), run as root
    caught = start(tmp_path, make_celery(Settings(data_dir=tmp_path)).conf.accept_content)
    # then Celery's warning is not shown
    assert [w for w in caught if issubclass(w.category, SecurityWarning)] == []


def test_the_warning_is_silenced_only_there(as_root, tmp_path):
    # given a JSON-only worker, run as root, whose start warns of something else too
    def check_privileges(accept_content):
        root = SecurityWarning("You're running the worker with superuser privileges")
        warnings.warn(root, stacklevel=2)
        warnings.warn(SecurityWarning("something else"), stacklevel=2)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(celery_worker, "check_privileges", check_privileges)
        caught = start(tmp_path, ["json"])
    # then that other warning still shows
    assert [str(w.message) for w in caught] == ["something else"]


def test_a_worker_that_would_unpickle_is_still_refused_as_root(as_root, tmp_path):
    with pytest.raises(SecurityError):
        start(tmp_path, ["json", "pickle"])
