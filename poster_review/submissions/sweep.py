"""Remove stored files that nothing references any more.

A blob is written before its row commits, so a blob without a row is either an upload
whose transaction failed or a thumbnail of a file since replaced... or an upload whose
row is about to commit. The grace period protects the last case: only blobs older than
it are removed. Interrupted uploads leave temporary files, removed the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import CompoundSelect, select, union
from sqlalchemy.orm import Session

from poster_review.storage import LocalBlobStore
from poster_review.submissions.models import PosterFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    kept: int
    removed: int
    removed_bytes: int
    temporary_removed: int


def referenced_digests(dbsession: Session) -> set[str]:
    query: CompoundSelect[Any] = union(
        select(PosterFile.sha256),
        select(PosterFile.thumb_small_sha256).where(PosterFile.thumb_small_sha256.is_not(None)),
        select(PosterFile.thumb_large_sha256).where(PosterFile.thumb_large_sha256.is_not(None)),
        select(PosterFile.blind_sha256).where(PosterFile.blind_sha256.is_not(None)),
    )
    return {row[0] for row in dbsession.execute(query)}


def sweep(
    dbsession: Session,
    store: LocalBlobStore,
    *,
    now: dt.datetime,
    grace: dt.timedelta = dt.timedelta(hours=24),
    dry_run: bool = False,
) -> SweepResult:
    referenced = referenced_digests(dbsession)
    cutoff = now - grace
    kept = removed = removed_bytes = temporary = 0
    for digest, modified in list(store.iter_blobs()):
        if digest in referenced or modified > cutoff:
            kept += 1
            continue
        removed += 1
        removed_bytes += store.local_path(digest).stat().st_size
        if not dry_run:
            store.delete(digest)
    for path, modified in list(store.iter_temporary()):
        if modified <= cutoff:
            temporary += 1
            if not dry_run:
                path.unlink(missing_ok=True)
    log.info("sweep kept=%d removed=%d temporary=%d dry_run=%s", kept, removed, temporary, dry_run)
    return SweepResult(kept, removed, removed_bytes, temporary)
