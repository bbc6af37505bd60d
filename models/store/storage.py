"""Artifact storage chosen by URL: a local folder (``file:///path``).

Keys are relative paths such as ``datasets/ds_….csv``. Writes go to a temporary file
and are renamed into place, so a reader never sees half an artifact.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from models.exceptions import TooLarge

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Stored:
    """What was written: its key, size and sha256."""

    key: str
    size_bytes: int
    sha256: str


class Storage(Protocol):
    """Where datasets and models live."""

    def put_stream(
        self, key: str, chunks: Iterable[bytes], max_bytes: int | None = None
    ) -> Stored: ...

    def local_path(self, key: str) -> Path: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Artifacts as files under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the root: {key!r}")
        return path

    def put_stream(self, key: str, chunks: Iterable[bytes], max_bytes: int | None = None) -> Stored:
        """Write ``chunks`` to ``key`` atomically; raise :class:`TooLarge` past ``max_bytes``."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"the upload exceeds the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Stored(key=key, size_bytes=size, sha256=digest.hexdigest())

    def local_path(self, key: str) -> Path:
        return self._path(key)

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def make_storage(url: str) -> Storage:
    """The storage for ``url``: ``file:///abs/path`` (or a bare path)."""
    if url.startswith("file://"):
        return LocalStorage(Path(url.removeprefix("file://")))
    if "://" not in url:
        return LocalStorage(Path(url))
    raise ValueError(f"unsupported TUNEFORGE_STORAGE_URL scheme: {url!r} (use file://)")
