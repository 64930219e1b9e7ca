"""From an uploaded blob to a stored inspection report and thumbnails.

The PDF is never opened in this process: :func:`poster_review.submissions.pdf.ingest`
runs a limited child. Thumbnails are stored as blobs like the PDF itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from translationstring import TranslationString

from poster_review.conferences.models import BlindMode, Conference
from poster_review.db import utcnow
from poster_review.i18n import render
from poster_review.settings import Settings
from poster_review.storage import blob_store
from poster_review.submissions import pdf
from poster_review.submissions.models import InspectionState, PosterFile, Submission
from poster_review.submissions.services import record
from poster_review.units import MB

log = logging.getLogger(__name__)

STALLED_AFTER = dt.timedelta(minutes=10)


def limits_for(conference: Conference, settings: Settings) -> pdf.Limits:
    return pdf.Limits(
        max_bytes=min(settings.max_upload_bytes, conference.poster_max_mb * MB),
        max_pages=conference.poster_max_pages,
        expected_page_mm=(float(conference.poster_width_mm), float(conference.poster_height_mm)),
    )


def issue_data(issue: pdf.Issue) -> dict[str, Any]:
    """An issue as stored JSON: English text for exports, msgid and mapping to translate."""
    message = issue.message
    mapping = dict(message.mapping or {}) if isinstance(message, TranslationString) else {}
    return {
        "code": issue.code,
        "message": render(message),
        "msgid": str(message),
        "mapping": {k: str(v) for k, v in mapping.items()},
        "hints": [
            {"tool": h.tool, "text": render(h.text), "msgid": str(h.text)} for h in issue.hints
        ],
    }


def report_data(report: pdf.Report) -> dict[str, Any]:
    data = pdf.report_as_dict(report)
    data["errors"] = [issue_data(i) for i in report.errors]
    data["warnings"] = [issue_data(i) for i in report.warnings]
    data["names_found"] = list(report.names_found)
    return data


@dataclass(frozen=True)
class Outcome:
    report: pdf.Report
    thumb_small_sha256: str | None
    thumb_large_sha256: str | None
    blind_sha256: str | None = None


def inspect_blob(
    settings: Settings, conference: Conference, sha256: str, author_names: Sequence[str] = ()
) -> Outcome:
    """Inspect one stored PDF in a limited child and store its thumbnails as blobs.
    Touches no database, so several may run at once (the demo loader does)."""
    store = blob_store(settings.upload_dir)
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        result = pdf.ingest(
            store.local_path(sha256),
            limits_for(conference, settings),
            Path(tmp),
            author_names=author_names,
        )
        small = large = blind = None
        if result.small is not None and result.large is not None:
            with result.small.path.open("rb") as f:
                small = store.put(f).sha256
            with result.large.path.open("rb") as f:
                large = store.put(f).sha256
        if conference.blind_mode == BlindMode.double and result.report.ok:
            stripped = Path(tmp) / "blind.pdf"
            try:
                pdf.strip_author_metadata(
                    store.local_path(sha256), stripped, limits_for(conference, settings)
                )
            except pdf.PdfRefused as exc:
                log.warning("blind copy not made code=%s", exc.code)
            else:
                with stripped.open("rb") as f:
                    blind = store.put(f).sha256
    return Outcome(result.report, small, large, blind)


def blind_names(conference: Conference, submission: Submission) -> list[str]:
    """Author names to look for in the poster text when review is double-blind."""
    if conference.blind_mode != BlindMode.double:
        return []
    return [n for a in submission.authors for n in (a.name, a.name_latin) if n]


def apply_outcome(
    dbsession: Session, poster: PosterFile, submission: Submission, outcome: Outcome
) -> InspectionState:
    report = outcome.report
    if any(issue.code == pdf.BUSY for issue in report.errors):
        # Starved by a busy machine: the file stays pending, to be checked again.
        log.warning("poster inspection deferred file=%d: machine busy", poster.id)
        return InspectionState.pending
    poster.thumb_small_sha256 = outcome.thumb_small_sha256
    poster.thumb_large_sha256 = outcome.thumb_large_sha256
    poster.blind_sha256 = outcome.blind_sha256
    poster.report = report_data(report)
    poster.pages = report.pages
    poster.page_width_mm = report.page_width_mm
    poster.page_height_mm = report.page_height_mm
    poster.inspection = InspectionState.accepted if report.ok else InspectionState.rejected
    poster.inspected_at = utcnow()
    record(
        dbsession,
        submission,
        user=None,
        action="file_inspected",
        now=poster.inspected_at,
        file_id=poster.id,
        outcome=poster.inspection.value,
        codes=[i.code for i in (*report.errors, *report.warnings)],
    )
    dbsession.flush()
    log.info(
        "poster inspected file=%d outcome=%s seconds=%.2f",
        poster.id,
        poster.inspection.value,
        report.elapsed_seconds,
    )
    return poster.inspection


@dataclass(frozen=True)
class Job:
    """What checking one pending file needs, read in a short transaction."""

    conference: Conference  # detached: no database access while the check runs
    sha256: str
    names: tuple[str, ...]


def pending_job(dbsession: Session, file_id: int) -> Job | None:
    poster = dbsession.get(PosterFile, file_id)
    if poster is None or poster.inspection != InspectionState.pending:
        return None
    submission = dbsession.get_one(Submission, poster.submission_id)
    conference = dbsession.get_one(Conference, submission.conference_id)
    names = tuple(blind_names(conference, submission))
    dbsession.expunge(conference)
    return Job(conference, poster.sha256, names)


def store_outcome(dbsession: Session, file_id: int, outcome: Outcome) -> InspectionState | None:
    """Record a finished check, unless another worker recorded one meanwhile."""
    poster = dbsession.get(PosterFile, file_id)
    if poster is None or poster.inspection != InspectionState.pending:
        return None
    submission = dbsession.get_one(Submission, poster.submission_id)
    return apply_outcome(dbsession, poster, submission, outcome)


def ingest_file(dbsession: Session, settings: Settings, file_id: int) -> InspectionState | None:
    """Inspect one pending file and store the outcome. Idempotent: a file already
    inspected is left alone (a task may run twice). Returns the new state."""
    poster = dbsession.get(PosterFile, file_id)
    if poster is None or poster.inspection != InspectionState.pending:
        return None
    submission = dbsession.get_one(Submission, poster.submission_id)
    conference = dbsession.get_one(Conference, submission.conference_id)
    outcome = inspect_blob(settings, conference, poster.sha256, blind_names(conference, submission))
    return apply_outcome(dbsession, poster, submission, outcome)


def stalled_file_ids(dbsession: Session, now: dt.datetime | None = None) -> list[int]:
    """Pending files older than ``STALLED_AFTER``: their task was lost; queue them again."""
    cutoff = (now or utcnow()) - STALLED_AFTER
    return list(
        dbsession.scalars(
            select(PosterFile.id).where(
                PosterFile.inspection == InspectionState.pending, PosterFile.uploaded_at < cutoff
            )
        )
    )
