"""Hostile uploads: file names that try to leave the store, bombs, disguises, locks.

The web process only checks that a PDF header is near the start and stores the bytes
under their sha256; the check (``ingest_file``) runs pypdf and PDFium in a child
process with memory and time limits. These tests post multipart bodies they write
themselves (file names escaped as browsers do, or raw as an attacker may send them),
then run the check as the task queue does, and measure this process's peak memory.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from poster_review.accounts.models import Role
from poster_review.storage import blob_store
from poster_review.submissions.ingest import ingest_file
from poster_review.submissions.models import InspectionState, PosterFile
from tests.factories import add_role, make_conference, make_submission, make_user
from tests.functional.test_hostile_input import csrf_token, multipart
from tests.pdfs import poster_pdf
from tests.unit.submissions import pdf_factory
from tests.unit.submissions.test_pdf_fuzz import zeros_deflated

#: The parent may grow by this much while a hostile file is uploaded and checked;
#: inflating any of these files would take hundreds of megabytes.
PARENT_GROWTH_BYTES = 64 * 1024 * 1024

_CATALOG = b"<< /Type /Catalog /Pages 2 0 R >>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_A0_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2384 3370] /Contents 4 0 R >>"
_TEXT = pdf_factory.stream(zlib.compress(b"BT /F1 48 Tf 100 100 Td (Hello) Tj ET"))


@pytest.fixture
def author_page(testapp, dbsession, login):
    """An author signed in, their draft and a CSRF token."""
    author = make_user(dbsession)
    conference = make_conference(dbsession)
    submission = make_submission(dbsession, conference, authors=[author])
    add_role(dbsession, author, conference, Role.author)
    login(author)
    return submission, csrf_token(testapp)


def upload(
    testapp: Any, submission: Any, token: str, filename: str, data: bytes, *, raw: bool = False
) -> Any:
    """Post ``data`` as the PDF. File names are escaped as browsers do (", CR and LF as
    %22, %0D and %0A) unless ``raw``."""
    if not raw:
        filename = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
    content_type, body = multipart([("csrf_token", token)], [("pdf", filename, data)])
    return testapp.post(
        f"/submissions/{submission.id}/upload",
        body,
        headers={"Content-Type": content_type},
        expect_errors=True,
    )


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()


def peak_memory() -> int:
    """This process's peak resident memory in bytes (VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM in /proc/self/status")


def reset_peak_memory() -> bool:
    """Start measuring the peak afresh (Linux: writing 5 to clear_refs); False if not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def check_upload(testapp, dbsession, settings, submission, token, name, data) -> Any:
    """Upload, then check as the task does; return the stored revision."""
    response = upload(testapp, submission, token, name, data)
    assert response.status_int == 303, response.text[:500]
    poster = dbsession.scalars(
        select(PosterFile).where(PosterFile.submission_id == submission.id)
    ).one()
    assert ingest_file(dbsession, settings, poster.id) is not None
    return poster


def conference_slug(dbsession: Any, submission: Any) -> str:
    from poster_review.conferences.models import Conference

    return dbsession.get_one(Conference, submission.conference_id).slug


def page_text(testapp: Any, submission: Any) -> str:
    return testapp.get(f"/submissions/{submission.id}/").text


# --------------------------------------------------------------------------- names

HOSTILE_NAMES = {
    "../../etc/passwd.pdf": "passwd.pdf",
    "..\\..\\x.pdf": "x.pdf",
    "/etc/passwd": "passwd",
    "C:\\Windows\\win.ini.pdf": "win.ini.pdf",
    "poster\x00.pdf": "poster.pdf",
    "\u202efdp.exe": "fdp.exe",  # the right-to-left override that shows "exe.pdf"
    "\u200fposter\u2028.pdf": "poster.pdf",
    "..": "poster.pdf",
    "../": "poster.pdf",
    " . ": "poster.pdf",
    '<img src=x onerror="alert(1)">.pdf': "img src=x onerror=%22alert(1)%22.pdf",
    "a" * 5000 + ".pdf": "a" * 196 + ".pdf",
    "Постер Алматы.pdf": "Постер Алматы.pdf",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_NAMES))
def test_hostile_file_names_are_sanitised_and_stored_by_content(
    name, testapp, dbsession, settings, author_page
):
    submission, token = author_page
    data = poster_pdf("Names")
    upload_dir = settings.upload_dir
    outside = upload_dir.parent
    before = files_under(outside)

    response = upload(testapp, submission, token, name, data)

    assert response.status_int == 303
    poster = dbsession.scalars(
        select(PosterFile).where(PosterFile.submission_id == submission.id)
    ).one()
    assert poster.original_filename == HOSTILE_NAMES[name]
    assert all(ch.isprintable() for ch in poster.original_filename)
    digest = hashlib.sha256(data).hexdigest()
    assert poster.sha256 == digest
    store = blob_store(upload_dir)
    assert store.local_path(digest) == upload_dir / digest[:2] / digest[2:4] / digest
    assert store.local_path(digest).read_bytes() == data
    for new in files_under(outside) - before:
        relative = new.relative_to(upload_dir)  # raises when a file landed elsewhere
        assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}", relative.as_posix())
    page = page_text(testapp, submission)
    assert "<img src=x" not in page  # the name is shown escaped
    download = testapp.get(f"/submissions/{submission.id}/files/{poster.id}/poster.pdf")
    assert download.content_disposition == (
        f'attachment; filename="{conference_slug(dbsession, submission)}-poster-'
        f'{submission.number}-v{poster.id}.pdf"'
    )


def test_name_with_a_line_break_cannot_add_part_headers(testapp, dbsession, author_page):
    submission, token = author_page
    data = poster_pdf("Line break")
    name = 'p.pdf"\r\nContent-Type: text/html\r\nX: "'
    response = upload(testapp, submission, token, name, data, raw=True)
    assert response.status_int in (303, 400)
    if response.status_int == 400:
        assert "Choose a PDF file to upload." in response.text
        return
    poster = dbsession.scalars(
        select(PosterFile).where(PosterFile.submission_id == submission.id)
    ).one()
    assert "\r" not in poster.original_filename and "\n" not in poster.original_filename


# --------------------------------------------------------------------------- contents


def _refused(testapp, dbsession, settings, author_page, data: bytes) -> tuple[Any, int]:
    """Upload ``data`` and check it; return the revision and the parent's growth."""
    submission, token = author_page
    measured = reset_peak_memory()
    start = peak_memory()
    poster = check_upload(testapp, dbsession, settings, submission, token, "poster.pdf", data)
    growth = peak_memory() - start if measured else 0
    return poster, growth


def test_flate_bomb_is_refused_and_the_web_process_stays_small(
    testapp, dbsession, settings, author_page
):
    bomb = pdf_factory.raw_pdf(
        [_CATALOG, _PAGES, _A0_PAGE, pdf_factory.stream(zeros_deflated(4096))]
    )
    assert len(bomb) < 5_000_000  # 4 GiB once inflated

    poster, growth = _refused(testapp, dbsession, settings, author_page, bomb)

    assert poster.inspection == InspectionState.rejected
    assert [e["code"] for e in poster.report["errors"]] == ["too_complex"]
    assert growth < PARENT_GROWTH_BYTES
    assert poster.thumb_small_sha256 is None and poster.thumb_large_sha256 is None
    assert "compressed data that expands beyond what we can read safely" in page_text(
        testapp, author_page[0]
    )


def test_metadata_bomb_is_refused(testapp, dbsession, settings, author_page):
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R >>"
    metadata = pdf_factory.stream(zeros_deflated(1024), b"/Type /Metadata /Subtype /XML ")
    data = pdf_factory.raw_pdf([catalog, _PAGES, _A0_PAGE, _TEXT, metadata])

    poster, growth = _refused(testapp, dbsession, settings, author_page, data)

    assert [e["code"] for e in poster.report["errors"]] == ["too_complex"]
    assert growth < PARENT_GROWTH_BYTES


def _zip_of_zeros(megabytes: int, first_name: str = "data.bin") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(first_name, bytes(megabytes << 20))
    return buffer.getvalue()


def test_zip_bomb_attached_to_a_pdf_is_never_opened(
    tmp_path, testapp, dbsession, settings, author_page
):
    poster_file = pdf_factory.make_poster(tmp_path / "poster.pdf")

    def attach(writer: Any) -> None:
        writer.add_attachment("figures.zip", _zip_of_zeros(200))

    data = pdf_factory.edit(poster_file, attach).read_bytes()

    poster, growth = _refused(testapp, dbsession, settings, author_page, data)

    # The attachment is counted, not unpacked; the author is told to remove it.
    assert "embedded_files" in [w["code"] for w in poster.report["warnings"]]
    assert growth < PARENT_GROWTH_BYTES
    assert "attached file(s), which reviewers will not open; remove them" in page_text(
        testapp, author_page[0]
    )


def test_zip_that_names_a_pdf_header_passes_the_upload_but_not_the_check(
    testapp, dbsession, settings, author_page
):
    disguised = _zip_of_zeros(1, first_name="%PDF-1.7 poster.txt")
    assert b"%PDF-" in disguised[:1024]

    poster, _growth = _refused(testapp, dbsession, settings, author_page, disguised)

    assert poster.inspection == InspectionState.rejected
    assert [e["code"] for e in poster.report["errors"]] == ["damaged"]
    assert "The file is damaged or incomplete and cannot be read." in page_text(
        testapp, author_page[0]
    )


def test_deeply_nested_objects_are_refused(testapp, dbsession, settings, author_page):
    catalog = b"<< /Type /Catalog /Pages 2 0 R /Nested " + b"[" * 100_000 + b"]" * 100_000 + b">>"
    data = pdf_factory.raw_pdf([catalog, _PAGES, _A0_PAGE, _TEXT])

    poster, growth = _refused(testapp, dbsession, settings, author_page, data)

    assert poster.inspection == InspectionState.rejected
    assert [e["code"] for e in poster.report["errors"]] == ["damaged"]
    assert growth < PARENT_GROWTH_BYTES


def test_huge_page_count_is_refused_with_the_count(testapp, dbsession, settings, author_page):
    count = 5000
    kids = b" ".join(b"%d 0 R" % (4 + n) for n in range(count))
    objects = [_CATALOG, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count), _TEXT]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 2384 3370] /Contents 3 0 R >>"] * (
        count
    )
    data = pdf_factory.raw_pdf(objects)

    poster, growth = _refused(testapp, dbsession, settings, author_page, data)

    assert [e["code"] for e in poster.report["errors"]] == ["wrong_page_count"]
    assert poster.pages == count
    assert "The file has 5000 pages; at most 1 are accepted." in page_text(testapp, author_page[0])
    assert growth < PARENT_GROWTH_BYTES


def test_non_pdf_with_a_pdf_name_is_refused_at_upload(testapp, dbsession, settings, author_page):
    submission, token = author_page
    png = b"\x89PNG\r\n\x1a\n" + bytes(2048)
    store_files = files_under(settings.upload_dir)

    response = upload(testapp, submission, token, "poster.pdf", png)

    assert response.status_int == 400
    assert "This file is not a PDF." in response.text
    assert dbsession.scalar(select(func.count()).select_from(PosterFile)) == 0
    assert files_under(settings.upload_dir) - store_files == set()  # nothing stored


def test_encrypted_pdf_is_refused_with_a_password_sentence(
    tmp_path, testapp, dbsession, settings, author_page
):
    locked = pdf_factory.edit(
        pdf_factory.make_poster(tmp_path / "locked.pdf"), pdf_factory.encrypt_with("secret", "o")
    )

    poster, _growth = _refused(testapp, dbsession, settings, author_page, locked.read_bytes())

    assert poster.inspection == InspectionState.rejected
    assert [e["code"] for e in poster.report["errors"]] == ["password_required"]
    assert "The file needs a password to open. Save it again without a password." in (
        page_text(testapp, author_page[0])
    )
