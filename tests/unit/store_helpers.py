"""Helpers for store tests that record jobs directly: a spec, and the dataset row a job
must name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.engine.spec import CVSpec, SearchSpec
from models.store.records import Dataset

# A small job's spec, for tests that record jobs without running them.
SPEC = SearchSpec(
    dataset_id="ds_x",
    target="y",
    task="classification",
    estimator="knn",
    strategy="random",
    param_space={"n_neighbors": [1, 3]},
    n_trials=2,
    timeout_s=60,
    cv=CVSpec(5, "stratified", True, 0),
    scoring="accuracy",
    test_size=0.2,
    random_state=0,
)


def add_dataset(session: Session, owner: str, dataset_id: str, name: str | None = None) -> None:
    """Record a dataset ``dataset_id`` of ``owner`` (a row without a file, named ``name``
    or its id) unless there is one: ``jobs.submit_job`` records jobs only on an existing
    dataset of their owner."""
    if session.get(Dataset, dataset_id) is None:
        session.add(
            Dataset(
                id=dataset_id,
                owner=owner,
                name=name or dataset_id,
                storage_key=f"datasets/{dataset_id}.csv",
                n_rows=0,
                n_columns=0,
                columns=[],
                sha256="0" * 64,
                size_bytes=0,
            )
        )
        session.commit()
