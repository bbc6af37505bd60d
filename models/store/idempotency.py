"""Idempotency keys for POST requests, as the IETF ``Idempotency-Key`` draft describes.

A retry with the same key and the same request gets the first response again and creates
nothing; the same key with a different request is refused; a retry while the first is
still being handled is told so. Keys belong to one owner (a tenant cannot replay
another's) and to one endpoint, and expire after :data:`TTL`.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.store.records import Base, UTCDateTime, utcnow

TTL = timedelta(hours=24)
# A first request still "in flight" after this long died with its process: let a retry in.
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("owner", "scope", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(64))
    scope: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH))
    fingerprint: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: in flight
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Indexed for the sweep that purges expired keys (:func:`purge_expired`).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Claim(enum.Enum):
    NEW = "new"  # the caller handles the request, then calls complete() or abandon()
    REPLAY = "replay"  # the request was handled before: send record's response
    IN_FLIGHT = "in_flight"  # the first request is still being handled
    MISMATCH = "mismatch"  # the key was used for a different request


@dataclass(frozen=True)
class Outcome:
    claim: Claim
    record: IdempotencyRecord | None = None


def _existing(session: Session, owner: str, scope: str, key: str) -> IdempotencyRecord | None:
    return session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.owner == owner,
            IdempotencyRecord.scope == scope,
            IdempotencyRecord.key == key,
        )
    )


def _judge(record: IdempotencyRecord, fingerprint: str | None) -> Outcome:
    if record.status is None:
        return Outcome(Claim.IN_FLIGHT, record)
    if fingerprint is not None and fingerprint != record.fingerprint:
        return Outcome(Claim.MISMATCH, record)
    return Outcome(Claim.REPLAY, record)


def begin(session: Session, owner: str, scope: str, key: str, fingerprint: str | None) -> Outcome:
    """Claim ``key`` for a new request, or say why not.

    ``fingerprint`` identifies the request; ``None`` when it is known only after the body
    has been read (an upload): then a finished earlier request comes back as ``REPLAY``
    and the caller compares fingerprints itself with :func:`same_request`.
    """
    now = utcnow()
    for _ in range(2):
        record = _existing(session, owner, scope, key)
        if record is not None:
            stale_flight = record.status is None and record.created_at < now - IN_FLIGHT_TIMEOUT
            if record.expires_at > now and not stale_flight:
                return _judge(record, fingerprint)
            session.delete(record)
            session.commit()
        try:
            record = IdempotencyRecord(
                owner=owner,
                scope=scope,
                key=key,
                fingerprint=fingerprint,
                created_at=now,
                expires_at=now + TTL,
            )
            session.add(record)
            session.commit()
            return Outcome(Claim.NEW, record)
        except IntegrityError:  # a concurrent first request won the race
            session.rollback()
    record = _existing(session, owner, scope, key)
    return _judge(record, fingerprint) if record else Outcome(Claim.IN_FLIGHT)


def same_request(record: IdempotencyRecord, fingerprint: str) -> bool:
    return record.fingerprint == fingerprint


def complete(
    session: Session,
    record: IdempotencyRecord,
    fingerprint: str,
    status: int,
    headers: dict[str, str],
    body: str,
) -> None:
    """Store the response a retry will get."""
    record.fingerprint = fingerprint
    record.status = status
    record.headers = headers
    record.body = body
    session.add(record)
    session.commit()


def abandon(session: Session, record_id: int) -> None:
    """Forget the claim (the record ``record_id``): the request failed, so a retry is a new
    attempt."""
    session.rollback()
    session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
    session.commit()


def purge_expired(session: Session) -> int:
    """Delete expired keys; returns how many."""
    result = session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at < utcnow())
    )
    session.commit()
    return result.rowcount


def fingerprint_json(body: Any) -> str:
    """A stable fingerprint of a JSON request body."""
    return hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()
