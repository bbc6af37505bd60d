"""Fixtures that build the real thing: a SQLite database, a storage folder, the app; and the
shared backends, for tests that run on them too: a fresh PostgreSQL database, an S3 bucket
on moto's server."""

from __future__ import annotations

import os
import shutil

# Before scikit-learn loads GNU OpenMP: tests fit models in this process too, and a
# process with an OpenMP thread pool cannot fork trial processes safely (see
# models/engine/isolation.py).
os.environ.setdefault("OMP_NUM_THREADS", "1")

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sklearn.datasets import load_breast_cancer
from sqlalchemy.orm import Session, sessionmaker

from api import create_app
from models.service import NoDispatch, Service
from models.settings import Settings
from models.store.db import make_engine, make_sessionmaker
from models.store.migrate import upgrade
from models.store.storage import LocalStorage, make_storage
from tests.backends import (
    DATABASES,
    DROPS,
    S3_ENV,
    MotoServer,
    fresh_postgres_database,
    migrated_postgres_template,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "every_database: run on SQLite and on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    marked = metafunc.definition.get_closest_marker("every_database") is not None
    if marked and "settings" in metafunc.fixturenames:
        metafunc.parametrize("settings", DATABASES, indirect=True)


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """A data dir in ``tmp_path``, with its SQLite file; or a fresh PostgreSQL database
    where a module runs on both (``pytestmark = on_every_database``).

    One worker slot, whatever this machine's cores: tests run jobs in this process, one
    trial after another, and a job's default ``max_parallel`` (the slots) must not make
    their trials (bayesian's above all) depend on where the tests run."""
    database_url = ""
    if getattr(request, "param", "sqlite") == "postgresql":
        database_url = request.getfixturevalue("migrated_postgres_url")
    return Settings(data_dir=tmp_path / "var", database_url=database_url, worker_concurrency=1)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file at the newest schema, migrated once for the session."""
    path = tmp_path_factory.mktemp("schema") / "tuneforge.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def newest_schema(settings: Settings, request: pytest.FixtureRequest) -> None:
    """The test's database at the newest schema. A SQLite file not made yet is a copy of
    :func:`sqlite_template`, and a PostgreSQL database a copy of a migrated one: running
    every migration again took half a second of each of hundreds of tests, and a copy
    of the session's own result is the same schema."""
    url = settings.database_url
    path = Path(url.removeprefix("sqlite:///"))
    if url.startswith("sqlite:///") and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    elif not url.startswith("postgresql") or url not in _CLONED:
        upgrade(url)


@pytest.fixture
def sessions(settings: Settings, newest_schema: None) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def storage(settings: Settings) -> LocalStorage:
    return make_storage(settings.storage_url)


@pytest.fixture
def service(
    settings: Settings, sessions: sessionmaker[Session], storage: LocalStorage
) -> Iterator[Service]:
    """The service core over this test's database and folder; it dispatches nothing (tests
    run jobs themselves with ``service.run_to_end``)."""
    core = Service(settings, sessions.kw["bind"], sessions, storage, NoDispatch())
    yield core
    if "worker_cache" in core.__dict__:
        core.worker_cache.close()  # its trial process; the engine belongs to ``sessions``


@pytest.fixture(scope="session")
def breast_cancer() -> pd.DataFrame:
    """Wisconsin breast cancer, as scikit-learn ships it: 569 rows, 30 features + target."""
    return load_breast_cancer(as_frame=True).frame


@pytest.fixture(scope="session")
def breast_cancer_csv(breast_cancer: pd.DataFrame) -> bytes:
    return breast_cancer.to_csv(index=False).encode()


@pytest.fixture
def app(settings: Settings, newest_schema: None) -> Flask:
    return create_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL database of its own, dropped afterwards."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A database at the newest schema for the session's tests to copy (its name)."""
    with migrated_postgres_template() as name:
        yield name


@pytest.fixture
def migrated_postgres_url(postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database of its own at the newest schema, dropped afterwards."""
    with fresh_postgres_database(postgres_template) as url:
        _CLONED.add(url)
        try:
            yield url
        finally:
            _CLONED.discard(url)


# The URLs of the databases :func:`migrated_postgres_url` made: at the newest schema.
_CLONED: set[str] = set()


def pytest_sessionfinish() -> None:
    DROPS.wait()


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    """moto's S3 server for the whole session, and boto3's credentials in the environment
    (for this process and the processes it starts)."""
    server = MotoServer()
    with pytest.MonkeyPatch.context() as env:
        for name, value in S3_ENV.items():
            env.setenv(name, value)
        try:
            yield server
        finally:
            server.close()
