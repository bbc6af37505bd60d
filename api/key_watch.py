"""The key a long-lived response was opened with, re-checked while it lasts.

``api/auth.py`` checks a request's key once, when the request starts. That is enough for
an answer given at once, but an event stream lasts up to
``TUNEFORGE_EVENTS_STREAM_SECONDS`` and a model download as long as the client takes to
read it: a key revoked meanwhile (``tuneforge keys revoke``) went on streaming until the
client reconnected. Each such response now holds a :class:`Grant` (its key and the
tenant it acts for) while it lasts, and the process's :class:`KeyWatch` asks the key ring
every :data:`CHECK_SECONDS` who each held key belongs to now, in one read for them all
(500 streams cost one query every 2 s, not 250 a second). A grant whose key is revoked,
unknown, given to another tenant, or (for a keyless grant) no longer enough because keys
are now required, is revoked: the response ends at its next step, within
:data:`CHECK_SECONDS` (plus one read) of the change. Keys do not expire, so there is no
expiry to watch.

If the database cannot be read, grants stand as they were (the poller logs and tries
again): the streams' own reads fail in the meantime anyway.

The poller (:class:`api.poller.LazyPoller`) starts with the first grant and ends with the
last that is not revoked.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from flask import Flask, current_app, g

from api.auth import current_owner
from api.poller import LazyPoller
from api.services import EXTENSION

# presented keys (None: no key) -> the tenant each belongs to now (None: nobody)
ReadTenants = Callable[[Collection[str | None]], dict[str | None, str | None]]
CHECK_SECONDS = 2.0
WATCH = "tuneforge.key_watch"


class Grant:
    """What one response was allowed at its start: ``tenant``'s data, with ``key``."""

    def __init__(self, key: str | None, tenant: str, on_revoke: Callable[[], None]) -> None:
        self.key = key
        self.tenant = tenant
        self._revoked = threading.Event()
        self._on_revoke = on_revoke

    @property
    def revoked(self) -> bool:
        """True once the key no longer gives this tenant's data (the response must end)."""
        return self._revoked.is_set()

    def revoke(self) -> None:
        self._revoked.set()
        self._on_revoke()


class KeyWatch:
    """Revokes the grants whose key changed (see the module)."""

    def __init__(self, read_tenants: ReadTenants, interval: float) -> None:
        self._read_tenants = read_tenants
        self._lock = threading.Lock()
        self._grants: set[Grant] = set()
        self._poller = LazyPoller(
            "key-watch",
            interval,
            self._lock,
            lambda: [grant for grant in self._grants if not grant.revoked],
            self._check,
            "could not re-check the keys of %d open responses",
        )

    @contextlib.contextmanager
    def hold(
        self, key: str | None, tenant: str, on_revoke: Callable[[], None] = lambda: None
    ) -> Iterator[Grant]:
        """A grant of ``tenant``'s data with ``key``, watched while inside; ``on_revoke``
        is called (from the poller) when it is revoked, to wake the response's wait."""
        grant = Grant(key, tenant, on_revoke)
        with self._lock:
            self._grants.add(grant)
            self._poller.start()
        try:
            yield grant
        finally:
            with self._lock:
                self._grants.discard(grant)

    def _check(self, grants: Sequence[Grant]) -> None:
        """Revoke the grants whose key no longer gives their tenant's data."""
        tenants = self._read_tenants({grant.key for grant in grants})
        for grant in grants:
            if tenants.get(grant.key) != grant.tenant:
                grant.revoke()


def init_app(app: Flask) -> None:
    """Give ``app`` its watch, which asks its service's key ring (``api.services``)."""
    app.extensions[WATCH] = KeyWatch(app.extensions[EXTENSION].keys.tenants_of, CHECK_SECONDS)


def hold_for_request(
    on_revoke: Callable[[], None] = lambda: None,
) -> contextlib.AbstractContextManager[Grant]:
    """A grant of what the current request was allowed (its key and tenant), for a
    response that outlives the request's start; enter it where the response is made."""
    watch: KeyWatch = current_app.extensions[WATCH]
    return watch.hold(g.get("key"), current_owner(), on_revoke)


class WhileGranted:
    """A response body sent chunk by chunk while its grant holds: once revoked, it stops
    short (the client of a download gets fewer bytes than its Content-Length, so the
    transfer fails). Closing it closes ``body``, as the WSGI server (or, for a HEAD or a
    304 that sends nothing, the response) does at the end."""

    def __init__(self, body: Iterable[bytes], grant: contextlib.AbstractContextManager[Grant]):
        self._body = body
        self._grant = grant
        self._chunks: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        self._chunks = self._send()
        return self._chunks

    def _send(self) -> Iterator[bytes]:
        with self._grant as held:
            for chunk in self._body:
                if held.revoked:
                    return
                yield chunk

    def close(self) -> None:
        if self._chunks is not None:
            self._chunks.close()  # the grant is let go now, not when this is collected
        close = getattr(self._body, "close", None)
        if close is not None:
            close()
