"""Local copies of remote artifacts: a folder bounded in bytes, least recently used first out.

An entry is named ``<key id>.<version>`` (the version is the remote object's ETag), so a
copy is reused only while the remote object is unchanged, and writing a new version
drops the old ones. Entries are written to a pending file and renamed into place, so
processes sharing the folder (an API and a worker on one machine) never see half a copy;
two that fetch the same version at once both write it, and the last rename wins.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

PENDING = ".pending-"
# A pending file this old belongs to a process that died mid-write.
ABANDONED_AFTER_S = 3600


@dataclass
class Pending:
    """A cache entry being written: write to ``file``, then :meth:`FileCache.commit` it."""

    file: BinaryIO
    path: Path


class FileCache:
    """At most ``max_bytes`` of files in ``root`` (the newest entry is kept even if it alone
    is larger); reading an entry counts as using it."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.root.mkdir(parents=True, exist_ok=True)

    def lookup(self, key_id: str, version: str) -> Path | None:
        """The entry for ``key_id`` at ``version``, marked as just used; ``None`` if absent."""
        path = self._entry(key_id, version)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    @contextmanager
    def pending(self) -> Iterator[Pending]:
        """A new entry's file; removed on leaving unless :meth:`commit` took it."""
        fd, name = tempfile.mkstemp(dir=self.root, prefix=PENDING)
        entry = Pending(os.fdopen(fd, "wb"), Path(name))
        try:
            yield entry
        finally:
            entry.file.close()
            entry.path.unlink(missing_ok=True)

    def commit(self, entry: Pending, key_id: str, version: str) -> Path:
        """Put ``entry`` in place as ``key_id`` at ``version``; drop older versions, then
        evict the least recently used entries beyond the size bound."""
        entry.file.close()
        path = self._entry(key_id, version)
        os.replace(entry.path, path)
        self.drop(key_id, keep=path)
        self._evict(keep=path)
        return path

    def drop(self, key_id: str, keep: Path | None = None) -> None:
        """Remove every version of ``key_id`` (but ``keep``)."""
        for path in self.root.glob(f"{key_id}.*"):
            if path != keep:
                path.unlink(missing_ok=True)

    def _entry(self, key_id: str, version: str) -> Path:
        return self.root / f"{key_id}.{re.sub(r'[^A-Za-z0-9-]', '', version)}"

    def _evict(self, keep: Path) -> None:
        entries = []
        now = time.time()
        for item in os.scandir(self.root):
            try:
                stat = item.stat()
            except FileNotFoundError:  # removed meanwhile by another process
                continue
            if item.name.startswith(PENDING):
                if now - stat.st_mtime > ABANDONED_AFTER_S:
                    Path(item.path).unlink(missing_ok=True)
                continue
            entries.append((stat.st_mtime, stat.st_size, Path(item.path)))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.max_bytes:
                break
            if path != keep:
                # A reader that already opened it keeps reading: POSIX unlink semantics.
                path.unlink(missing_ok=True)
                total -= size
