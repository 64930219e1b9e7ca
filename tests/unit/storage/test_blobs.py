"""The blob store and the sweeper."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os

import pytest

from poster_review.storage import LocalBlobStore, TooLarge
from poster_review.submissions.sweep import sweep
from tests.factories import make_conference, make_poster_file, make_submission, make_user


class Exploding(io.BytesIO):
    """A stream that fails half-way, like a connection that drops."""

    def read(self, size: int | None = -1) -> bytes:
        if self.tell() > 2_000_000:
            raise ConnectionResetError("client went away")
        return super().read(size)


def test_put_is_content_addressed_and_idempotent(tmp_path):
    store = LocalBlobStore(tmp_path)
    data = b"%PDF-1.7 poster" * 1000
    first = store.put(io.BytesIO(data))
    second = store.put(io.BytesIO(data))
    assert first == second
    assert first.sha256 == hashlib.sha256(data).hexdigest() and first.size == len(data)
    path = store.local_path(first.sha256)
    assert path.read_bytes() == data
    assert path.relative_to(tmp_path).parts[:2] == (first.sha256[:2], first.sha256[2:4])


def test_too_large_and_interrupted_uploads_leave_nothing(tmp_path):
    store = LocalBlobStore(tmp_path)
    with pytest.raises(TooLarge):
        store.put(io.BytesIO(b"x" * 5000), max_bytes=4096)
    with pytest.raises(ConnectionResetError):
        store.put(Exploding(b"y" * 5_000_000))
    assert list(store.iter_blobs()) == []
    assert list(store.tmp.iterdir()) == []


def test_digests_cannot_escape_the_store(tmp_path):
    store = LocalBlobStore(tmp_path)
    for bad in ("../" * 10 + "etc/passwd", "A" * 64, "0" * 63):
        with pytest.raises(ValueError, match="sha256"):
            store.local_path(bad)


def test_sweep_keeps_referenced_and_recent_blobs(dbsession, settings, tmp_path):
    store = LocalBlobStore(tmp_path)
    conference = make_conference(dbsession)
    submission = make_submission(dbsession, conference, authors=[make_user(dbsession)])
    kept_settings = settings.__class__(**{**settings.__dict__, "upload_dir": tmp_path})
    poster = make_poster_file(dbsession, kept_settings, submission)
    orphan_old = store.put_bytes(b"orphan from a failed transaction")
    orphan_new = store.put_bytes(b"upload whose row is about to commit")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).timestamp()
    assert poster.thumb_small_sha256 is not None
    for digest in (orphan_old.sha256, poster.sha256, poster.thumb_small_sha256):
        os.utime(store.local_path(digest), (old, old))
    stale_tmp = store.tmp / "upload-stale"
    stale_tmp.parent.mkdir(exist_ok=True)
    stale_tmp.write_bytes(b"half")
    os.utime(stale_tmp, (old, old))
    now = dt.datetime.now(dt.UTC)

    dry = sweep(dbsession, store, now=now, dry_run=True)
    assert (dry.removed, dry.temporary_removed) == (1, 1)
    assert store.exists(orphan_old.sha256)

    result = sweep(dbsession, store, now=now)
    assert (result.removed, result.temporary_removed) == (1, 1)
    assert not store.exists(orphan_old.sha256)
    assert store.exists(orphan_new.sha256)  # younger than the grace period
    assert store.exists(poster.sha256) and store.exists(poster.thumb_small_sha256)
    assert not stale_tmp.exists()
