"""Artifacts in an S3 bucket (``s3://bucket/prefix``): AWS, or any S3-compatible store.

Uploads stream: the chunks go out as a multipart upload, one part at a time, while their
sha256 is computed and the size limit enforced; past the limit the upload is aborted, so
nothing is left behind. An object appears whole when its upload completes, never half
written. Each part is spooled to a file rather than held in memory, and the whole
upload is kept as this machine's local copy (so the API profiles a table it just
received without downloading it back). Downloads stream too; local copies are cached,
bounded in size, in the data dir (:mod:`models.store.file_cache`).
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from models.exceptions import TooLarge
from models.store.file_cache import FileCache
from models.store.storage import CHUNK, Stored, check_key, read_chunks

log = logging.getLogger(__name__)

# S3's smallest part is 5 MiB (but the last) and an upload has at most 10,000 parts: 8 MiB
# parts allow objects up to 78 GiB while spooling only one part at a time.
PART_SIZE = 8 * 1024 * 1024
MISSING = ("404", "NoSuchKey", "NotFound")


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in MISSING


class _MultipartUpload:
    """One object written part by part; started by the first full part."""

    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        self.upload_id: str | None = None
        self.parts: list[dict[str, Any]] = []

    def add_part(self, body: IO[bytes]) -> None:
        if self.upload_id is None:
            started = self.client.create_multipart_upload(Bucket=self.bucket, Key=self.key)
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        body.seek(0)
        answer = self.client.upload_part(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=body,
        )
        self.parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def complete(self) -> str:
        """Make the object appear; its ETag."""
        answer = self.client.complete_multipart_upload(
            Bucket=self.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            MultipartUpload={"Parts": self.parts},
        )
        return answer["ETag"]

    def abort(self) -> None:
        """Drop the parts sent so far (S3 keeps them, and bills them, until then)."""
        if self.upload_id is not None:
            self.client.abort_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=self.upload_id
            )


class S3Storage:
    """Artifacts as objects under ``prefix`` in ``bucket``."""

    def __init__(self, client: Any, bucket: str, prefix: str, cache: FileCache) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.cache = cache

    @classmethod
    def from_url(
        cls, url: str, *, cache_dir: Path, cache_bytes: int, endpoint_url: str = ""
    ) -> S3Storage:
        """The storage for ``s3://bucket/prefix``; boto3 finds credentials and region in its
        usual places (``AWS_*`` variables, config files, instance roles)."""
        bucket, _, prefix = url.removeprefix("s3://").partition("/")
        if not bucket:
            raise ValueError(f"no bucket in TUNEFORGE_STORAGE_URL {url!r} (s3://bucket/prefix)")
        config = Config(
            retries={"mode": "standard", "max_attempts": 5},
            connect_timeout=5,
            read_timeout=60,
            # S3-compatible stores on a plain host:port (MinIO, moto) need path-style URLs.
            s3={"addressing_style": "path"} if endpoint_url else None,
        )
        # A session of its own: boto3's default session is not safe to share across threads.
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url or None, config=config
        )
        return cls(client, bucket, prefix, FileCache(cache_dir, cache_bytes))

    def _object_key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def _cache_id(self, key: str) -> str:
        return hashlib.sha256(f"{self.bucket}/{self._object_key(key)}".encode()).hexdigest()

    def put_stream(self, key: str, chunks: Iterable[bytes], max_bytes: int | None = None) -> Stored:
        """Upload ``chunks`` to ``key``; raise :class:`TooLarge` past ``max_bytes``, having
        aborted the upload. The bytes also become this machine's cached local copy."""
        object_key = self._object_key(key)
        digest = hashlib.sha256()
        size = 0
        upload = _MultipartUpload(self.client, self.bucket, object_key)
        with self.cache.pending() as copy, tempfile.TemporaryFile(dir=self.cache.root) as part:
            try:
                for chunk in chunks:
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(f"the upload exceeds the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    copy.file.write(chunk)
                    part.write(chunk)
                    if part.tell() >= PART_SIZE:
                        upload.add_part(part)
                        part.seek(0)
                        part.truncate()
                if upload.upload_id is None:  # smaller than one part: one plain PUT
                    part.seek(0)
                    answer = self.client.put_object(Bucket=self.bucket, Key=object_key, Body=part)
                    etag = answer["ETag"]
                else:
                    if part.tell() or not upload.parts:
                        upload.add_part(part)
                    etag = upload.complete()
            except BaseException:
                try:
                    upload.abort()
                except Exception:  # the upload's own error is the one to report
                    log.warning("could not abort the upload of %s", object_key, exc_info=True)
                raise
            self.cache.commit(copy, self._cache_id(key), etag)
        return Stored(key=key, size_bytes=size, sha256=digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        """The object's body, streamed from S3 as it is read."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(f"no artifact {key!r}") from exc
            raise
        # botocore's StreamingBody: an io.IOBase with read(n), close() and iter_chunks().
        return cast(BinaryIO, answer["Body"])

    def local_copy(self, key: str) -> Path:
        """This machine's cached copy of the object, downloaded (streamed to disk) when the
        cache has no copy of its current version."""
        object_key = self._object_key(key)
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=object_key)
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(f"no artifact {key!r}") from exc
            raise
        cache_id = self._cache_id(key)
        if (path := self.cache.lookup(cache_id, head["ETag"])) is not None:
            return path
        with self.cache.pending() as copy:
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=object_key)
            except ClientError as exc:
                if _missing(exc):  # deleted since the HEAD
                    raise FileNotFoundError(f"no artifact {key!r}") from exc
                raise
            with answer["Body"] as body:
                for chunk in read_chunks(body, CHUNK):
                    copy.file.write(chunk)
            # Named by what was downloaded, should the object have changed since the HEAD.
            return self.cache.commit(copy, cache_id, answer["ETag"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._object_key(key))
        self.cache.drop(self._cache_id(key))

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True
