"""Every file of the shared PDF corpus is inspected correctly or refused cleanly.

The corpus (real posters, sample files and hostile files) lives beside the repository
in ``shared/corpus``, or where POSTER_REVIEW_CORPUS points; without it these tests skip.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from poster_review.i18n import render
from poster_review.submissions.pdf import IngestResult, Limits, ingest

REPO_ROOT = Path(__file__).resolve().parents[3]


def corpus_dir() -> Path | None:
    configured = os.environ.get("POSTER_REVIEW_CORPUS")
    folder = Path(configured) if configured else REPO_ROOT / ".." / "shared" / "corpus"
    return folder.resolve() if folder.is_dir() else None


CORPUS = corpus_dir()
FILES = sorted(CORPUS.glob("*/*.pdf")) if CORPUS else []
NO_CORPUS = pytest.mark.skipif(
    CORPUS is None, reason="no PDF corpus (set POSTER_REVIEW_CORPUS or add ../shared/corpus)"
)
HAS_CRYPTOGRAPHY = importlib.util.find_spec("cryptography") is not None

#: Reasons a corpus file may be refused for; anything else is a bug.
CLEAN_REFUSALS = {
    "not_pdf",
    "password_required",
    "encryption_unsupported",
    "damaged",
    "too_complex",
    "too_slow",
    "too_much_memory",
    "reader_crashed",
    "wrong_page_count",
    "page_without_size",
}

_results: dict[str, IngestResult] = {}


def result_for(name: str, tmp_path_factory: pytest.TempPathFactory) -> IngestResult:
    """Ingest a corpus file once per session (several tests look at the same file)."""
    if name not in _results:
        assert CORPUS is not None
        [path] = CORPUS.glob(f"*/{name}")
        folder = tmp_path_factory.mktemp("corpus-thumbs")
        _results[name] = ingest(path, Limits(), folder)
    return _results[name]


@NO_CORPUS
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_file_is_inspected_or_refused_cleanly(
    path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = result_for(path.name, tmp_path_factory)
    report = result.report
    assert report.elapsed_seconds < 20
    if report.ok:
        assert report.pages is not None
        assert report.pages >= 1
        assert report.page_width_mm is not None
        assert report.page_width_mm > 0
        assert report.text_chars is not None
        assert [t.width for t in result.thumbnails] == [1600, 400]
        assert all(t.path.is_file() for t in result.thumbnails)
    else:
        assert report.errors[0].code in CLEAN_REFUSALS
        sentence = render(report.errors[0].message)
        assert sentence.endswith(".")
        assert "Traceback" not in sentence
        assert result.thumbnails == ()


def known(name: str, tmp_path_factory: pytest.TempPathFactory) -> IngestResult:
    if CORPUS is None or not list(CORPUS.glob(f"*/{name}")):
        pytest.skip(f"{name} is not in the corpus")
    return result_for(name, tmp_path_factory)


def error_code(result: IngestResult) -> str | None:
    return result.report.errors[0].code if result.report.errors else None


@NO_CORPUS
@pytest.mark.parametrize(
    "name",
    [
        "adv_encrypted_user_pw.pdf",
        "005-libreoffice-writer-password_libreoffice-writer-password.pdf",
    ],
)
def test_user_password_files_are_refused_with_a_password_sentence(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    report = known(name, tmp_path_factory).report
    assert [e.code for e in report.errors] == ["password_required"]
    assert render(report.errors[0].message) == (
        "The file needs a password to open. Save it again without a password."
    )
    assert report.encrypted is True


@NO_CORPUS
def test_owner_password_only_file(tmp_path_factory: pytest.TempPathFactory) -> None:
    report = known("odd_encrypted_owner_only.pdf", tmp_path_factory).report
    assert report.encrypted is True
    if HAS_CRYPTOGRAPHY:
        assert report.ok
        assert report.title == "Encrypted poster"
        assert "encrypted" in [w.code for w in report.warnings]
    else:  # AES-256 needs the cryptography module; PDFium confirms no password is needed
        assert [e.code for e in report.errors] == ["encryption_unsupported"]


@NO_CORPUS
def test_tagged_powerpoint_poster(tmp_path_factory: pytest.TempPathFactory) -> None:
    report = known("MLPoster_Poster.pdf", tmp_path_factory).report
    assert report.ok
    assert report.tagged is True
    assert report.lang == "en-US"
    assert report.title == "PowerPoint Presentation"
    assert report.creator == "Microsoft® PowerPoint® for Office 365"
    assert "ArialMT" in report.fonts_not_embedded
    assert (report.page_width_mm, report.page_height_mm) == (1219.2, 914.4)  # 48 x 36 in
    assert [w.code for w in report.warnings] == ["fonts_not_embedded", "placeholder_title"]


@NO_CORPUS
def test_tagged_pdfa_fixture(tmp_path_factory: pytest.TempPathFactory) -> None:
    report = known("fixture_tagged_pdfa.pdf", tmp_path_factory).report
    assert report.ok
    assert (report.tagged, report.lang, report.pdfa) == (True, "en-GB", "2A")
    assert report.title == "Tagged fixture poster"
    assert report.fonts_not_embedded == ()
    assert report.warnings == ()


@NO_CORPUS
@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("adv_flate_bomb_content.pdf", "too_complex"),
        ("adv_xmp_bomb.pdf", "too_complex"),
        ("adv_pages_cycle.pdf", "damaged"),
        ("adv_truncated.pdf", "damaged"),
        ("adv_not_a_pdf.pdf", "not_pdf"),
        ("odd_zero_mediabox.pdf", "page_without_size"),
        ("odd_many_pages.pdf", "wrong_page_count"),
        ("009-pdflatex-geotopo_GeoTopo-komprimiert.pdf", "wrong_page_count"),
    ],
)
def test_hostile_and_odd_files_are_refused_for_the_right_reason(
    name: str, code: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = known(name, tmp_path_factory)
    assert error_code(result) == code
    assert result.report.text_chars is None  # never handed to PDFium


@NO_CORPUS
def test_bomb_that_crashes_pdfium_still_gets_a_reason(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # With pypdf's limit lifted the content bomb reaches PDFium, which aborts the child.
    known("adv_flate_bomb_content.pdf", tmp_path_factory)
    assert CORPUS is not None
    [path] = CORPUS.glob("*/adv_flate_bomb_content.pdf")
    result = ingest(path, Limits(max_stream_bytes=1_000_000_000), None)
    assert error_code(result) in {"reader_crashed", "too_much_memory"}
    assert result.report.elapsed_seconds < 20


@NO_CORPUS
def test_odd_but_readable_files(tmp_path_factory: pytest.TempPathFactory) -> None:
    rotated = known("odd_rotated_cropbox.pdf", tmp_path_factory)
    assert (rotated.report.page_width_mm, rotated.report.page_height_mm) == (770.5, 523.5)
    assert [(t.width, t.height) for t in rotated.thumbnails] == [(1600, 1088), (400, 272)]
    huge = known("odd_huge_mediabox.pdf", tmp_path_factory).report
    assert (huge.page_width_mm, huge.page_height_mm) == (10160.0, 10160.0)  # /UserUnit 2
    assert known("adv_junk_prefix.pdf", tmp_path_factory).report.ok
    assert known("adv_broken_xref.pdf", tmp_path_factory).report.ok
    arabic = known("015-arabic_habibi-rotated.pdf", tmp_path_factory).report
    assert (arabic.page_width_mm, arabic.page_height_mm) == (297.0, 210.0)


@NO_CORPUS
def test_active_content_and_attachments(tmp_path_factory: pytest.TempPathFactory) -> None:
    active = known("adv_active_content.pdf", tmp_path_factory).report
    assert active.javascript is True
    assert active.launch_actions is True
    assert active.embedded_files >= 1
    assert "active_content" in [w.code for w in active.warnings]
    attached = known("025-attachment_with-attachment.pdf", tmp_path_factory).report
    assert attached.embedded_files == 1
    assert known("021-pdfa_crazyones-pdfa.pdf", tmp_path_factory).report.pdfa == "1B"
