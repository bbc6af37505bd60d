"""Helpers for store tests that record jobs directly: the dataset row a job must name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.store.records import Dataset


def add_dataset(session: Session, owner: str, dataset_id: str) -> None:
    """Record a dataset ``dataset_id`` of ``owner`` (a row without a file) unless there is
    one: ``jobs.submit_job`` records jobs only on an existing dataset of their owner."""
    if session.get(Dataset, dataset_id) is None:
        session.add(
            Dataset(
                id=dataset_id,
                owner=owner,
                name=dataset_id,
                storage_key=f"datasets/{dataset_id}.csv",
                n_rows=0,
                n_columns=0,
                columns=[],
                sha256="0" * 64,
                size_bytes=0,
            )
        )
        session.commit()
