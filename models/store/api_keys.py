"""API keys in the database: create, list, revoke, and find the tenant of a key."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.exceptions import NotFound
from models.plumbing import keys
from models.store.records import ApiKey, new_id, utcnow

# Digests in one IN (…) list: far below SQLite's and PostgreSQL's limits on parameters.
BATCH = 500


def create_key(session: Session, owner: str) -> tuple[ApiKey, str]:
    """A new key for tenant ``owner``: its record and the key itself (shown once)."""
    key = keys.new_key()
    record = ApiKey(id=new_id("key"), owner=keys.check_tenant(owner), digest=keys.digest(key))
    session.add(record)
    session.commit()
    return record, key


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, revoked ones too, oldest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, key_id: str) -> ApiKey:
    """Revoke key ``key_id`` (again: a no-op); ``NotFound`` if there is no such key."""
    record = session.get(ApiKey, key_id)
    if record is None:
        raise NotFound(f"no key {key_id!r}")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        session.commit()
    return record


def owner_of(session: Session, key: str) -> str | None:
    """The tenant of an unrevoked ``key``; ``None`` if it is unknown or revoked."""
    return session.scalar(
        select(ApiKey.owner).where(ApiKey.digest == keys.digest(key), ApiKey.revoked_at.is_(None))
    )


def owners_of(session: Session, presented: Iterable[str]) -> dict[str, str]:
    """The tenant of each unrevoked key of ``presented`` (unknown and revoked ones are
    left out), read a batch of :data:`BATCH` digests a query."""
    by_digest = {keys.digest(key): key for key in presented}
    digests = list(by_digest)
    owners: dict[str, str] = {}
    for start in range(0, len(digests), BATCH):
        rows = session.execute(
            select(ApiKey.digest, ApiKey.owner).where(
                ApiKey.digest.in_(digests[start : start + BATCH]), ApiKey.revoked_at.is_(None)
            )
        )
        owners.update({by_digest[digest]: owner for digest, owner in rows})
    return owners


def any_keys(session: Session) -> bool:
    """True once any key was made, even if every key is revoked since."""
    return session.scalar(select(ApiKey.id).limit(1)) is not None
