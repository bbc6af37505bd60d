"""Requests per second per API key: a token bucket per key, shared by every API process of
one machine through a small file in the data dir.

Each key hashes to one of :data:`SLOTS` slots of the file, ``(tokens, refilled_at)``; a
request takes a token under a POSIX record lock on its slot (and a thread lock, since
record locks belong to the process). The bucket holds ``burst`` tokens and refills at
``rate`` per second. Two keys that share a slot (one chance in 65,536 per pair) share a
bucket: the limit errs on the strict side, never the loose one.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from pathlib import Path

SLOTS = 65536
_SLOT = struct.Struct("<dd")


class RateLimiter:
    """``take(key)``: 0 if a request with ``key`` may go ahead, else the seconds to wait."""

    def __init__(self, path: Path, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        size = SLOTS * _SLOT.size
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < size:
            os.ftruncate(self._fd, size)  # zeros: a zero refilled_at is a full bucket
        self._map = mmap.mmap(self._fd, size)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token from ``key``'s bucket; return 0, or how long until one is there."""
        slot = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest()) % SLOTS
        offset = slot * _SLOT.size
        with self._lock:
            fcntl.lockf(self._fd, fcntl.LOCK_EX, _SLOT.size, offset)
            try:
                tokens, refilled_at = _SLOT.unpack_from(self._map, offset)
                now = time.time()
                if refilled_at <= 0 or now < refilled_at:  # new, or the clock went back
                    tokens = self.burst
                else:
                    tokens = min(self.burst, tokens + (now - refilled_at) * self.rate)
                wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
                _SLOT.pack_into(self._map, offset, tokens - 1 if wait == 0 else tokens, now)
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN, _SLOT.size, offset)
        return wait

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)
