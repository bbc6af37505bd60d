"""Artifact storage: one contract, every backend (a local folder, and S3 on moto's server).

Each S3 test gets a bucket of its own on a moto server that runs in a child process for
the whole session (``moto`` in tests/conftest.py).
"""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from models.exceptions import TooLarge
from models.store.file_cache import FileCache
from models.store.s3 import PART_SIZE
from models.store.storage import CHUNK, Storage, make_storage, read_chunks

MB = 1024 * 1024


@dataclass
class Backend:
    """A storage, and what it holds beside its artifacts (temporary files, unfinished
    multipart uploads): after a failed write, nothing at all should remain."""

    storage: Storage
    leftovers: Callable[[], list[str]]


def local_backend(tmp_path: Path) -> Backend:
    root = tmp_path / "artifacts"
    storage = make_storage(f"file://{root}")
    return Backend(storage, lambda: sorted(str(p) for p in root.rglob("*") if p.is_file()))


def s3_backend(tmp_path: Path, moto) -> Backend:
    bucket = moto.new_bucket()
    storage = make_storage(
        f"s3://{bucket}/some/prefix",
        cache_dir=tmp_path / "cache",
        endpoint_url=moto.url,
    )
    client = moto.client

    def leftovers() -> list[str]:
        objects = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        pending = (tmp_path / "cache").glob(".pending-*")
        return (
            [o["Key"] for o in objects]
            + [f"upload of {u['Key']}" for u in uploads]
            + [f"pending {p.name}" for p in pending]
        )

    return Backend(storage, leftovers)


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "local":
        return local_backend(tmp_path)
    return s3_backend(tmp_path, request.getfixturevalue("moto"))


@pytest.fixture
def storage(backend: Backend) -> Storage:
    return backend.storage


def pattern(size: int) -> bytes:
    """``size`` bytes that are not all alike (a misplaced part would show)."""
    block = hashlib.sha256(str(size).encode()).digest() * (MB // 32)
    return (block * (size // len(block) + 1))[:size]


def chunked(data: bytes, size: int = CHUNK) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def generated(total: int, chunk: bytes) -> Iterator[bytes]:
    """``total`` bytes made on the fly from one ``chunk``: nothing to hold but the chunk."""
    for _ in range(total // len(chunk)):
        yield chunk


@pytest.mark.parametrize("size", [0, 10, 3 * MB, PART_SIZE, PART_SIZE + 1, 2 * PART_SIZE + 5])
def test_what_is_put_can_be_opened_and_copied_with_its_sha256(storage, size):
    # given bytes of a size around the S3 part size (one PUT, exact parts, a short last part)
    data = pattern(size)
    # when they are put as a stream of chunks
    stored = storage.put_stream("datasets/table.csv", chunked(data))
    # then the receipt says their size and sha256, and every way of reading gives them back
    assert stored.key == "datasets/table.csv"
    assert (stored.size_bytes, stored.sha256) == (size, hashlib.sha256(data).hexdigest())
    assert storage.exists("datasets/table.csv")
    with storage.open("datasets/table.csv") as stream:
        assert b"".join(read_chunks(stream)) == data
    assert storage.local_copy("datasets/table.csv").read_bytes() == data


def test_a_second_put_replaces_the_artifact_for_every_reader(storage):
    storage.put_stream("models/m.joblib", [b"first version"])
    assert storage.local_copy("models/m.joblib").read_bytes() == b"first version"
    # when the key is written again
    storage.put_stream("models/m.joblib", [b"second", b" version"])
    # then the stream and the local copy both give the new bytes
    with storage.open("models/m.joblib") as stream:
        assert stream.read() == b"second version"
    assert storage.local_copy("models/m.joblib").read_bytes() == b"second version"


def test_a_deleted_artifact_is_gone_and_deleting_twice_is_fine(backend, storage):
    storage.put_stream("datasets/a.csv", [b"a,b\n1,2\n"])
    storage.local_copy("datasets/a.csv")
    # when it is deleted (twice)
    storage.delete("datasets/a.csv")
    storage.delete("datasets/a.csv")
    # then nothing reads it and nothing of it remains
    assert not storage.exists("datasets/a.csv")
    with pytest.raises(FileNotFoundError):
        storage.open("datasets/a.csv")
    with pytest.raises(FileNotFoundError):
        storage.local_copy("datasets/a.csv")
    assert backend.leftovers() == []


def test_a_missing_key_is_not_found(storage):
    assert not storage.exists("datasets/never.csv")
    with pytest.raises(FileNotFoundError):
        storage.open("datasets/never.csv")
    with pytest.raises(FileNotFoundError):
        storage.local_copy("datasets/never.csv")


@pytest.mark.parametrize("size", [2 * MB, 2 * PART_SIZE + MB], ids=["one-put", "multipart"])
def test_an_upload_past_the_limit_is_too_large_and_leaves_nothing(backend, storage, size):
    # given a limit below the upload's size (for S3: after a part or two went out)
    limit = size - MB
    # when the upload streams past it
    with pytest.raises(TooLarge):
        storage.put_stream("datasets/big.csv", chunked(pattern(size)), max_bytes=limit)
    # then no artifact, temporary file or unfinished multipart upload is left
    assert not storage.exists("datasets/big.csv")
    assert backend.leftovers() == []


def test_an_upload_that_fails_midway_leaves_nothing_and_keeps_the_old_artifact(backend, storage):
    storage.put_stream("datasets/t.csv", [b"old"])
    before = backend.leftovers()

    def broken() -> Iterator[bytes]:
        yield from chunked(pattern(PART_SIZE + MB))
        raise ConnectionResetError("the client went away")

    # when a second upload of the key breaks after a part went out
    with pytest.raises(ConnectionResetError):
        storage.put_stream("datasets/t.csv", broken())
    # then readers still see the old artifact whole, and nothing else was left
    with storage.open("datasets/t.csv") as stream:
        assert stream.read() == b"old"
    assert storage.local_copy("datasets/t.csv").read_bytes() == b"old"
    assert backend.leftovers() == before


def test_a_20_mb_upload_and_download_stream_in_bounded_memory(storage):
    # given 20 MB made on the fly, 1 MB at a time
    chunk = pattern(MB)
    total = 20 * MB
    expected = hashlib.sha256()
    for part in generated(total, chunk):
        expected.update(part)
    # when it is put, streamed back, and copied to local disk, under tracemalloc
    tracemalloc.start()
    try:
        stored = storage.put_stream("datasets/big.csv", generated(total, chunk))
        after_put = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        with storage.open("datasets/big.csv") as stream:
            for part in read_chunks(stream):
                digest.update(part)
        local = storage.local_copy("datasets/big.csv")
        after_get = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # then the sha256 is right, and neither direction held more than a few chunks at once
    assert stored.sha256 == digest.hexdigest() == expected.hexdigest()
    assert local.stat().st_size == total
    assert after_put < 6 * MB, f"put peaked at {after_put / MB:.1f} MB"
    assert after_get < 6 * MB, f"reading peaked at {after_get / MB:.1f} MB"


@pytest.mark.parametrize(
    "key",
    ["../outside", "a/../../outside", "/etc/passwd", "", "a//b", "./a", "a/..", "a\\..\\b", "a\0b"],
)
def test_keys_that_try_to_escape_are_refused(storage, key):
    for attempt in (
        lambda: storage.put_stream(key, [b"x"]),
        lambda: storage.open(key),
        lambda: storage.local_copy(key),
        lambda: storage.delete(key),
        lambda: storage.exists(key),
    ):
        with pytest.raises(ValueError, match="storage key"):
            attempt()


def test_a_local_folder_refuses_a_key_through_a_symlink_out(tmp_path):
    backend = local_backend(tmp_path)
    (tmp_path / "artifacts" / "out").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="escapes the root"):
        backend.storage.put_stream("out/x", [b"x"])


# S3 only: what its local copies cost -----------------------------------------------------


def count_downloads(storage) -> list[str]:
    """The keys of every GetObject ``storage``'s client sends from now on."""
    downloads: list[str] = []
    storage.client.meta.events.register(
        "before-parameter-build.s3.GetObject", lambda params, **_: downloads.append(params["Key"])
    )
    return downloads


def test_s3_keeps_what_it_uploads_as_the_local_copy(tmp_path, moto):
    storage = s3_backend(tmp_path, moto).storage
    downloads = count_downloads(storage)
    # when a table is uploaded and then read locally (as the API profiles an upload)
    storage.put_stream("datasets/t.csv", [b"a,b\n1,2\n"])
    path = storage.local_copy("datasets/t.csv")
    # then it is read from the copy the upload left, not downloaded back
    assert path.read_bytes() == b"a,b\n1,2\n" and downloads == []
    assert path.is_relative_to(tmp_path / "cache")


def test_s3_downloads_a_local_copy_once_per_machine_in_bounded_memory(tmp_path, moto):
    # given a 20 MB artifact uploaded by one machine (with a cache of its own)
    bucket = moto.new_bucket()
    url = f"s3://{bucket}/p"
    uploader = make_storage(url, cache_dir=tmp_path / "api", endpoint_url=moto.url)
    stored = uploader.put_stream("datasets/t.csv", generated(20 * MB, pattern(MB)))
    # when another machine asks for a local copy twice
    worker = make_storage(url, cache_dir=tmp_path / "worker", endpoint_url=moto.url)
    downloads = count_downloads(worker)
    tracemalloc.start()
    try:
        first = worker.local_copy("datasets/t.csv")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    second = worker.local_copy("datasets/t.csv")
    # then it streamed one download (under the bucket's prefix) to disk, and reuses it
    assert downloads == ["p/datasets/t.csv"]
    assert peak < 6 * MB, f"the download peaked at {peak / MB:.1f} MB"
    assert first == second and first.is_relative_to(tmp_path / "worker")
    assert hashlib.sha256(first.read_bytes()).hexdigest() == stored.sha256


def test_the_cache_evicts_the_least_recently_used_copies_beyond_its_bound(tmp_path):
    cache = FileCache(tmp_path / "cache", max_bytes=3 * MB)

    def add(key_id: str, size: int, version: str = "v1") -> Path:
        with cache.pending() as entry:
            entry.file.write(bytes(size))
            return cache.commit(entry, key_id, version)

    a = add("a", MB)
    b = add("b", MB)
    os.utime(a, (1, 1))
    os.utime(b, (2, 2))
    assert cache.lookup("a", "v1") == a  # a is now the most recently used
    # when a third and a fourth copy overflow the bound
    c = add("c", MB)
    d = add("d", MB)
    # then the least recently used (b) went first, and the rest stay within the bound
    assert (a.exists(), b.exists(), c.exists(), d.exists()) == (True, False, True, True)
    # a new version replaces the old one; a copy larger than the bound is kept alone
    a2 = add("a", MB, version="v2")
    assert cache.lookup("a", "v1") is None and cache.lookup("a", "v2") == a2
    huge = add("huge", 4 * MB)
    assert huge.exists() and [p.name for p in (tmp_path / "cache").iterdir()] == [huge.name]


def test_s3_an_object_deleted_while_its_local_copy_is_made_is_not_found(tmp_path, moto):
    # given an artifact another machine uploaded (this one has no copy of it)
    bucket = moto.new_bucket()
    url = f"s3://{bucket}/p"
    make_storage(url, cache_dir=tmp_path / "api", endpoint_url=moto.url).put_stream(
        "datasets/t.csv", [b"a,b\n1,2\n"]
    )
    worker = make_storage(url, cache_dir=tmp_path / "worker", endpoint_url=moto.url)
    head = worker.client.head_object

    def head_then_deleted(**kwargs):
        found = head(**kwargs)
        moto.client.delete_object(Bucket=bucket, Key="p/datasets/t.csv")  # a delete meanwhile
        return found

    worker.client.head_object = head_then_deleted
    # when a local copy is asked for, then the artifact is missing, as the contract says
    with pytest.raises(FileNotFoundError):
        worker.local_copy("datasets/t.csv")
    assert not list((tmp_path / "worker").glob(".pending-*"))
