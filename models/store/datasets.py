"""Datasets: store an upload, profile it, record it; list and get them (deleting them:
:mod:`models.store.deletion`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.engine.tables import inspect_table
from models.exceptions import NotFound, QuotaExceeded
from models.settings import Settings
from models.store import list_order
from models.store.pages import Page
from models.store.records import Dataset, new_id
from models.store.storage import Storage
from models.store.tenant_lock import lock_tenant

MAX_NAME = 255
# Stored bytes free up only when the tenant deletes datasets: try again in an hour.
STORAGE_RETRY_AFTER = 3600


def dataset_key(dataset_id: str) -> str:
    return f"datasets/{dataset_id}.csv"


def create_dataset(
    session: Session,
    storage: Storage,
    settings: Settings,
    *,
    owner: str,
    chunks: Iterable[bytes],
    name: str | None,
    tags: tuple[str, ...] = (),
) -> Dataset:
    """Stream ``chunks`` to storage, parse and profile the table (in a child process), and
    record it.

    The table is read from the storage's local copy: the file itself in a local folder;
    with S3, the copy the upload left in this machine's cache, not a download of it.
    Nothing is kept when the table cannot be read: the stored file is removed and the
    :class:`~models.exceptions.DatasetError` propagates.

    The storage quota is checked before the bytes arrive and again before parsing (cheap
    refusals), and decided under the tenant's lock with the row's insert: simultaneous
    uploads each count what the others recorded, so the stored total never passes the
    quota. A refused upload's file is removed.
    """
    dataset_id = new_id("ds")
    key = dataset_key(dataset_id)
    _check_storage(session, settings, owner, adding=0)
    # No transaction stays open while the upload streams in (minutes for a slow client)
    # or is parsed: the lock is taken for the last check and the insert alone.
    session.rollback()
    stored = storage.put_stream(key, chunks, max_bytes=settings.max_upload_bytes)
    try:
        _check_storage(session, settings, owner, adding=stored.size_bytes)
        session.rollback()
        table = inspect_table(
            storage.local_copy(key), max_rows=settings.max_rows, max_columns=settings.max_columns
        )
        record = Dataset(
            id=dataset_id,
            owner=owner,
            name=(name or dataset_id)[:MAX_NAME],
            storage_key=key,
            n_rows=table.n_rows,
            n_columns=table.n_columns,
            columns=[c.to_dict() for c in table.columns],
            sha256=stored.sha256,
            size_bytes=stored.size_bytes,
            # Each carries the reader option it set: a worker reads the table the same way.
            warnings=[w.to_dict() for w in table.warnings],
            tags=list(tags),
        )
        lock_tenant(session, owner)
        _check_storage(session, settings, owner, adding=stored.size_bytes)
        session.add(record)
        session.commit()
    except BaseException:
        storage.delete(key)
        raise
    return record


def _check_storage(session: Session, settings: Settings, owner: str, adding: int) -> None:
    """:class:`QuotaExceeded` if ``owner``'s datasets and ``adding`` more bytes pass the
    storage quota (with nothing to add: if its datasets fill it already)."""
    quota = settings.tenant_max_storage_mb * 1024 * 1024
    total = stored_bytes(session, owner) + adding
    if total > quota or (not adding and total >= quota):
        raise _over_storage(settings, total)


def stored_bytes(session: Session, owner: str) -> int:
    """The bytes of every dataset ``owner`` has stored."""
    return session.scalar(
        select(func.coalesce(func.sum(Dataset.size_bytes), 0)).where(Dataset.owner == owner)
    )


def _over_storage(settings: Settings, total: int) -> QuotaExceeded:
    return QuotaExceeded(
        f"this upload would bring the tenant's datasets to {total:,} bytes, over its quota "
        f"of {settings.tenant_max_storage_mb} MiB ({settings.tenant_max_storage_mb * 2**20:,} "
        "bytes, TUNEFORGE_TENANT_MAX_STORAGE_MB); delete datasets that are no longer needed",
        retry_after=STORAGE_RETRY_AFTER,
    )


def get_dataset(session: Session, owner: str, dataset_id: str) -> Dataset:
    record = session.get(Dataset, dataset_id)
    if record is None or record.owner != owner:
        raise NotFound(f"no dataset {dataset_id!r}")
    return record


def list_datasets(
    session: Session, owner: str, limit: int, cursor: str | None, sort: str = list_order.NEWEST
) -> Page[Dataset]:
    """The owner's datasets in ``sort`` order (one of
    :data:`~models.store.list_order.DATASET_SORTS`; newest first by default)."""
    stmt = select(Dataset).where(Dataset.owner == owner)
    return list_order.sorted_page(
        session, stmt, Dataset, sort, limit, cursor, list_order.DATASET_SORTS
    )
