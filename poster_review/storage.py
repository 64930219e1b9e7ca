"""Uploaded files behind a small interface, content-addressed by sha256.

``LocalBlobStore`` keeps blobs on local disk (the default); an S3-compatible store can
implement the same five methods. A blob is written to a temporary file while its
sha256 is computed, fsynced, then renamed into place, so a reader never sees half a
file and an interrupted upload leaves only a temporary file that the sweeper removes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

CHUNK = 1024 * 1024


class TooLarge(Exception):
    """The stream is longer than the limit; nothing was stored."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


class BlobStore(Protocol):
    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def local_path(self, sha256: str) -> Path: ...
    def exists(self, sha256: str) -> bool: ...
    def delete(self, sha256: str) -> None: ...
    def iter_blobs(self) -> Iterator[tuple[str, dt.datetime]]: ...


def _check_digest(sha256: str) -> str:
    # Digests come from our own rows, but a path is built from them: refuse anything odd.
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp = root / "tmp"

    def _path(self, sha256: str) -> Path:
        _check_digest(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, stream: BinaryIO, *, max_bytes: int | None = None) -> StoredBlob:
        self.tmp.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge(max_bytes)
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            final = self._path(sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)  # same content, same name: replacing is harmless
            dir_fd = os.open(final.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)  # the rename itself survives a crash
            finally:
                os.close(dir_fd)
            return StoredBlob(sha256, size)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise

    def put_bytes(self, data: bytes) -> StoredBlob:
        import io

        return self.put(io.BytesIO(data))

    def open(self, sha256: str) -> BinaryIO:
        return self._path(sha256).open("rb")

    def local_path(self, sha256: str) -> Path:
        return self._path(sha256)

    def exists(self, sha256: str) -> bool:
        return self._path(sha256).is_file()

    def delete(self, sha256: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(sha256).unlink()

    def iter_blobs(self) -> Iterator[tuple[str, dt.datetime]]:
        for path in self.root.glob("??/??/*"):
            if path.is_file() and len(path.name) == 64:
                mtime = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
                yield path.name, mtime

    def iter_temporary(self) -> Iterator[tuple[Path, dt.datetime]]:
        if self.tmp.is_dir():
            for path in self.tmp.iterdir():
                yield path, dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)


def blob_store(upload_dir: Path) -> LocalBlobStore:
    return LocalBlobStore(upload_dir)
