"""API keys and tenant names: what a key looks like, how it is kept, how the list in
``TUNEFORGE_API_KEYS`` is read.

A key is ``tf_`` and 43 URL-safe characters (256 random bits). Only its SHA-256 digest is
stored (:class:`models.store.records.ApiKey`): a key is never shown again after it is
made, and a copy of the database authenticates no one. A plain digest, not a slow
password hash, is right for 256-bit random secrets: there is no dictionary to try.

A tenant name is what every record's ``owner`` holds: 1 to 64 letters, digits, ``.``,
``_`` or ``-``, starting with a letter or digit.
"""

from __future__ import annotations

import hashlib
import re
import secrets

KEY_PREFIX = "tf_"
# The tenant of every record made without a key (and of keys listed without a tenant).
DEFAULT_OWNER = "default"
MAX_TENANT = 64
_TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def check_tenant(name: str) -> str:
    """``name`` if it is a valid tenant name; otherwise ``ValueError`` saying why."""
    if not name:
        raise ValueError("a tenant name cannot be empty")
    if len(name) > MAX_TENANT:
        raise ValueError(f"a tenant name has at most {MAX_TENANT} characters, got {len(name)}")
    if not _TENANT.fullmatch(name):
        raise ValueError(
            f"tenant name {name!r} may hold only letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    return name


def new_key() -> str:
    """A fresh random key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def digest(key: str) -> str:
    """What is stored of ``key``: its SHA-256, in hex."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def parse_entries(entries: tuple[str, ...], variable: str = "TUNEFORGE_API_KEYS") -> dict[str, str]:
    """``("acme:s3cret", "k2")`` → ``{"s3cret": "acme", "k2": "default"}``.

    A malformed list is a ``ValueError`` naming the item: an empty key or tenant, an
    invalid tenant name, or one key given to two tenants (which would silently belong
    to the last).
    """
    keys: dict[str, str] = {}
    for number, entry in enumerate(entries, start=1):
        tenant, sep, key = entry.partition(":")
        if not sep:
            tenant, key = DEFAULT_OWNER, entry
        tenant, key = tenant.strip(), key.strip()
        where = f"{variable}, item {number}"
        if not key:
            raise ValueError(f"{where}: the key after {tenant + ':'!r} is empty")
        try:
            check_tenant(tenant)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        if keys.get(key, tenant) != tenant:
            raise ValueError(
                f"{where}: the same key is listed for tenants {keys[key]!r} and {tenant!r}; "
                "a key belongs to one tenant"
            )
        keys[key] = tenant
    return keys
