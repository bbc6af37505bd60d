"""Fixtures that build the real thing: a SQLite database, a storage folder, the app."""

from __future__ import annotations

import os

# Before scikit-learn loads GNU OpenMP: tests fit models in this process too, and a
# process with an OpenMP thread pool cannot fork trial processes safely (see
# models/isolation.py).
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


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var")


@pytest.fixture
def sessions(settings: Settings) -> Iterator[sessionmaker[Session]]:
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def storage(settings: Settings) -> LocalStorage:
    return make_storage(settings.storage_url)


@pytest.fixture
def service(settings: Settings, sessions: sessionmaker[Session], storage: LocalStorage) -> Service:
    """The service core over this test's database and folder; it dispatches nothing (tests
    run jobs themselves with ``service.run_job``)."""
    return Service(settings, sessions.kw["bind"], sessions, storage, NoDispatch())


@pytest.fixture(scope="session")
def breast_cancer() -> pd.DataFrame:
    """Wisconsin breast cancer, as scikit-learn ships it: 569 rows, 30 features + target."""
    return load_breast_cancer(as_frame=True).frame


@pytest.fixture(scope="session")
def breast_cancer_csv(breast_cancer: pd.DataFrame) -> bytes:
    return breast_cancer.to_csv(index=False).encode()


@pytest.fixture
def app(settings: Settings) -> Flask:
    upgrade(settings.database_url)
    return create_app(settings)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
