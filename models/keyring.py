"""Who a key belongs to: the keys of ``TUNEFORGE_API_KEYS`` and those in the database.

Callers must present a key once any exists: listed in the environment, or ever made in
the database (revoked ones count, so revoking the last key does not open the API). A
key made or revoked with ``tuneforge keys`` takes effect without a restart: each lookup
reads the database, and a service that had no keys looks again at most every
:data:`RECHECK_SECONDS`.
"""

from __future__ import annotations

import hmac
import time

from sqlalchemy.orm import Session, sessionmaker

from models import keys
from models.store import api_keys
from models.store.records import ApiKey

RECHECK_SECONDS = 1.0


class KeyRing:
    """The keys one service accepts."""

    def __init__(self, sessions: sessionmaker[Session], entries: tuple[str, ...]) -> None:
        self.sessions = sessions
        self.listed = keys.parse_entries(entries)
        self._required = bool(self.listed)
        self._checked_at = -RECHECK_SECONDS

    def required(self) -> bool:
        """True when callers must present a key."""
        if not self._required and time.monotonic() - self._checked_at >= RECHECK_SECONDS:
            with self.sessions() as session:
                self._required = api_keys.any_keys(session)
            self._checked_at = time.monotonic()
        return self._required

    def tenant_of(self, key: str) -> str | None:
        """The tenant ``key`` belongs to; ``None`` for an unknown or revoked key."""
        presented = key.encode("utf-8", "surrogatepass")  # a header may hold anything
        for listed, tenant in self.listed.items():
            if hmac.compare_digest(presented, listed.encode("utf-8", "surrogatepass")):
                return tenant
        if not key.startswith(keys.KEY_PREFIX):
            return None
        with self.sessions() as session:
            return api_keys.owner_of(session, key)

    def create(self, tenant: str) -> tuple[ApiKey, str]:
        """A new key for ``tenant``: its record and the key, which is not kept."""
        with self.sessions() as session:
            record, key = api_keys.create_key(session, tenant)
        self._required = True
        return record, key

    def list(self) -> list[ApiKey]:
        with self.sessions() as session:
            return api_keys.list_keys(session)

    def revoke(self, key_id: str) -> ApiKey:
        with self.sessions() as session:
            return api_keys.revoke_key(session, key_id)
