"""Who a key belongs to: the keys of ``TUNEFORGE_API_KEYS`` and those in the database.

Callers must present a key once any exists: listed in the environment, or ever made in
the database (revoked ones count, so revoking the last key does not open the API). A
key made or revoked with ``tuneforge keys`` takes effect without a restart: each lookup
reads the database, and a service that had no keys looks again at most every
:data:`RECHECK_SECONDS`. What a request was granted at its start is re-checked, for the
long-lived ones (event streams, downloads), with :meth:`KeyRing.tenants_of`: one read for
all the keys of a process's open responses (``api/key_watch.py``).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Collection

from sqlalchemy.orm import Session, sessionmaker

from models.plumbing import keys
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
        listed = self._listed_tenant(key)
        if listed is not None or not key.startswith(keys.KEY_PREFIX):
            return listed
        with self.sessions() as session:
            return api_keys.owner_of(session, key)

    def tenants_of(self, presented: Collection[str | None]) -> dict[str | None, str | None]:
        """The tenant each key of ``presented`` belongs to now (``None``: unknown or
        revoked), with at most one read of the database for them all. ``None`` stands for
        no key at all: the default tenant's while no key is required, nobody's after."""
        tenants: dict[str | None, str | None] = {}
        stored: list[str] = []
        for key in presented:
            if key is None:
                tenants[None] = None if self.required() else keys.DEFAULT_OWNER
            elif (listed := self._listed_tenant(key)) is not None:
                tenants[key] = listed
            elif key.startswith(keys.KEY_PREFIX):
                stored.append(key)
            else:
                tenants[key] = None
        if stored:
            with self.sessions() as session:
                owners = api_keys.owners_of(session, stored)
            tenants.update({key: owners.get(key) for key in stored})
        return tenants

    def _listed_tenant(self, key: str) -> str | None:
        """The tenant of ``key`` in ``TUNEFORGE_API_KEYS``, compared in constant time."""
        presented = key.encode("utf-8", "surrogatepass")  # a header may hold anything
        for listed, tenant in self.listed.items():
            if hmac.compare_digest(presented, listed.encode("utf-8", "surrogatepass")):
                return tenant
        return None

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
