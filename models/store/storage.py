"""Artifact storage chosen by URL: a local folder (``file:///path``) or an S3 bucket
(``s3://bucket/prefix``, :mod:`models.store.s3`).

Keys are relative paths such as ``datasets/ds_….csv``. Both backends stream both ways
(no artifact is ever held whole in memory) and write atomically: a reader sees the old
artifact or the whole new one, never half of one. Readers either stream an artifact
(:meth:`Storage.open`) or ask for a file on local disk (:meth:`Storage.local_copy`), which
is the artifact itself in a local folder and a cached download from S3.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from models.exceptions import TooLarge
from models.settings import Settings

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Stored:
    """What was written: its key, size and sha256."""

    key: str
    size_bytes: int
    sha256: str


class Storage(Protocol):
    """Where datasets and models live.

    Every backend honours the same contract (``tests/unit/test_storage.py`` runs one suite
    against each): :meth:`put_stream` is atomic, computes the sha256 while writing and
    leaves nothing behind when it raises (:class:`~models.exceptions.TooLarge` past
    ``max_bytes``); a missing key raises :class:`FileNotFoundError` from :meth:`open` and
    :meth:`local_copy`; a key that is not a plain relative path raises :class:`ValueError`.
    """

    def put_stream(
        self, key: str, chunks: Iterable[bytes], max_bytes: int | None = None
    ) -> Stored: ...

    def open(self, key: str) -> BinaryIO:
        """The artifact as a binary stream, read as it is consumed; close it after use."""
        ...

    def local_copy(self, key: str) -> Path:
        """A file on local disk with the artifact's bytes (do not modify or delete it)."""
        ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


def check_key(key: str) -> str:
    """``key`` if it is a plain relative path (``a/b.csv``); else :class:`ValueError`.

    No empty, ``.`` or ``..`` parts, no leading slash, backslash or NUL: a key can neither
    leave a local root nor an S3 prefix, nor name two objects at once.
    """
    parts = key.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\\" in key or "\x00" in key:
        raise ValueError(f"not a storage key (a relative path without '..'): {key!r}")
    return key


def read_chunks(stream: BinaryIO, size: int = CHUNK) -> Iterator[bytes]:
    """``stream``'s bytes, ``size`` at a time."""
    while chunk := stream.read(size):
        yield chunk


class LocalStorage:
    """Artifacts as files under one root folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / check_key(key)).resolve()
        if self.root.resolve() not in path.parents:  # a symlink pointing out
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

    def open(self, key: str) -> BinaryIO:
        return self._path(key).open("rb")

    def local_copy(self, key: str) -> Path:
        """The artifact's own file (no copy is made)."""
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(f"no artifact {key!r}")
        return path

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


def make_storage(
    url: str,
    *,
    cache_dir: Path | None = None,
    cache_bytes: int = 1024**3,
    endpoint_url: str = "",
) -> Storage:
    """The storage for ``url``: ``file:///abs/path`` (or a bare path), or
    ``s3://bucket/prefix``.

    For S3, ``endpoint_url`` points at an S3-compatible store (MinIO, moto; empty: AWS),
    credentials and region come from boto3's usual environment (``AWS_ACCESS_KEY_ID``,
    ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``), and local copies are cached in
    ``cache_dir``, at most ``cache_bytes`` of them.
    """
    if url.startswith("s3://"):
        from models.store.s3 import S3Storage  # boto3 loads only where S3 is used

        if cache_dir is None:
            raise ValueError("S3 storage needs a cache_dir for its local copies")
        return S3Storage.from_url(
            url, cache_dir=cache_dir, cache_bytes=cache_bytes, endpoint_url=endpoint_url
        )
    if url.startswith("file://"):
        return LocalStorage(Path(url.removeprefix("file://")))
    if "://" not in url:
        return LocalStorage(Path(url))
    raise ValueError(f"unsupported TUNEFORGE_STORAGE_URL scheme: {url!r} (use file:// or s3://)")


def storage_for(settings: Settings) -> Storage:
    """The storage ``settings`` describe; S3's local copies are cached in the data dir."""
    return make_storage(
        settings.storage_url,
        cache_dir=settings.data_dir / "storage-cache",
        cache_bytes=settings.storage_cache_mb * 1024 * 1024,
        endpoint_url=settings.s3_endpoint_url,
    )
