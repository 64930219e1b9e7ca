"""The whole inspection, child process included, on PDFs made by the tests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from poster_review.i18n import render
from poster_review.submissions import pdf
from poster_review.submissions.pdf import Limits, ingest, inspect
from tests.unit.submissions import pdf_factory as make


def codes(issues: tuple[pdf.Issue, ...]) -> list[str]:
    return [issue.code for issue in issues]


@pytest.fixture(scope="module")
def posters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("posters")


def test_tagged_a0_poster_reports_every_fact(posters: Path) -> None:
    path = make.tagged_a0_poster(posters / "tagged.pdf")
    report = inspect(path, Limits(expected_page_mm=make.A0_MM))
    assert report.ok
    assert report.errors == ()
    assert report.warnings == ()
    assert report.pages == 1
    assert (report.page_width_mm, report.page_height_mm) == (841.0, 1189.0)
    assert report.page_sizes_mm == ((841.0, 1189.0),)
    assert report.title == "Learning to review posters"
    assert report.author == "Ada Lovelace"
    assert report.lang == "en-GB"
    assert report.tagged is True
    assert report.pdfa == "2U"
    assert report.encrypted is False
    assert report.javascript is False
    assert report.embedded_files == 0
    assert report.fonts_not_embedded == ()
    assert report.text_chars == make.text_chars(make.POSTER_TEXT)
    assert report.file_bytes == path.stat().st_size
    assert 0 < report.elapsed_seconds < 20


def test_untagged_poster_with_standard_font_gets_accessibility_warnings(posters: Path) -> None:
    path = make.make_poster(posters / "plain.pdf", embed_font=False)
    report = inspect(path)
    assert report.ok
    assert report.tagged is False
    assert report.lang is None
    assert report.title == "untitled"  # reportlab's default
    assert report.fonts_not_embedded == ("Helvetica",)
    assert codes(report.warnings) == [
        "fonts_not_embedded",
        "not_tagged",
        "no_language",
        "placeholder_title",
    ]


def test_title_only_in_xmp_is_found(posters: Path) -> None:
    path = make.make_poster(posters / "xmp-title.pdf")

    def change(writer: PdfWriter) -> None:
        writer.metadata = None  # no Info dictionary: XMP is all there is
        writer.xmp_metadata = make.xmp(
            title="Bees and graphs", author="Grace Hopper", part="1", conformance="B"
        )

    make.edit(path, change)
    report = inspect(path)
    assert (report.title, report.author, report.pdfa) == ("Bees and graphs", "Grace Hopper", "1B")


def test_user_password_is_refused_before_pdfium(posters: Path) -> None:
    path = make.edit(
        make.make_poster(posters / "locked-src.pdf"),
        make.encrypt_with("secret", "owner"),
        posters / "locked.pdf",
    )
    result = ingest(path, Limits(), posters / "locked-thumbs")
    report = result.report
    assert codes(report.errors) == ["password_required"]
    assert render(report.errors[0].message) == (
        "The file needs a password to open. Save it again without a password."
    )
    assert report.encrypted is True
    assert report.text_chars is None
    assert result.thumbnails == ()
    assert list((posters / "locked-thumbs").iterdir()) == []


def test_owner_password_only_opens_and_is_flagged(posters: Path) -> None:
    path = make.edit(
        make.make_poster(posters / "restricted-src.pdf", title="Restricted poster"),
        make.encrypt_with("", "owner"),
        posters / "restricted.pdf",
    )
    report = inspect(path)
    assert report.ok
    assert report.encrypted is True
    assert report.title == "Restricted poster"
    assert report.text_chars == make.text_chars(make.POSTER_TEXT)
    assert "encrypted" in codes(report.warnings)


def test_rotated_page_is_measured_and_drawn_sideways(posters: Path) -> None:
    path = make.edit(make.make_poster(posters / "rotated.pdf"), make.rotate_first_page)
    result = ingest(path, Limits(), posters / "rotated-thumbs")
    report = result.report
    assert (report.page_width_mm, report.page_height_mm) == (1189.0, 841.0)
    assert [(t.width, t.height) for t in result.thumbnails] == [(1600, 1132), (400, 283)]
    with Image.open(result.thumbnails[0].path) as image:
        assert image.size == (1600, 1132)


def test_zero_mediabox_is_refused_from_pypdf_sizes(posters: Path) -> None:
    path = make.edit(make.make_poster(posters / "zero.pdf"), make.empty_mediabox)
    result = ingest(path, Limits(), posters / "zero-thumbs")
    report = result.report
    assert codes(report.errors) == ["page_without_size"]
    assert (report.page_width_mm, report.page_height_mm) == (0.0, 0.0)
    assert report.text_chars is None  # never handed to PDFium, which would say "Letter"
    assert result.thumbnails == ()


def test_javascript_open_action_is_active_content(posters: Path) -> None:
    path = make.edit(make.make_poster(posters / "js.pdf"), make.javascript_open_action)
    report = inspect(path)
    assert report.ok
    assert report.javascript is True
    assert report.launch_actions is False
    assert "active_content" in codes(report.warnings)


def test_launch_action_in_a_link_is_active_content(posters: Path) -> None:
    path = make.edit(make.make_poster(posters / "launch.pdf"), make.launch_link)
    report = inspect(path)
    assert report.launch_actions is True
    assert report.javascript is False
    assert "active_content" in codes(report.warnings)


def test_embedded_file_is_counted(posters: Path) -> None:
    path = make.edit(make.make_poster(posters / "attached.pdf"), make.attach_file)
    report = inspect(path)
    assert report.embedded_files == 1
    assert render(report.warnings[-1].message).startswith("The PDF carries 1 attached file(s)")


def test_not_a_pdf_is_refused_without_a_child(posters: Path) -> None:
    path = posters / "photo.pdf"
    Image.new("RGB", (20, 20), "red").save(path, format="PNG")
    result = pdf.examine(path, Limits())
    assert codes(result.report.errors) == ["not_pdf"]
    assert render(result.report.errors[0].message).startswith("This file is not a PDF.")
    assert result.peak_memory_bytes is None  # no child was started for it


def test_empty_and_missing_files(posters: Path) -> None:
    empty = posters / "empty.pdf"
    empty.write_bytes(b"")
    assert codes(inspect(empty).errors) == ["not_pdf"]
    missing = inspect(posters / "nowhere.pdf")
    assert codes(missing.errors) == ["file_missing"]
    assert render(missing.errors[0].message) == "The file nowhere.pdf does not exist."


def test_junk_before_the_header_is_accepted(posters: Path) -> None:
    source = make.make_poster(posters / "clean.pdf")
    path = posters / "junk.pdf"
    path.write_bytes(b"<html><body>download</body></html>\n" * 10 + source.read_bytes())
    report = inspect(path)
    assert report.ok
    assert report.pages == 1
    assert report.text_chars == make.text_chars(make.POSTER_TEXT)


def test_truncated_file_is_damaged(posters: Path) -> None:
    whole = make.tagged_a0_poster(posters / "whole.pdf").read_bytes()
    path = posters / "cut.pdf"
    path.write_bytes(whole[: len(whole) * 6 // 10])
    report = inspect(path)
    assert codes(report.errors) == ["damaged"]
    assert render(report.errors[0].message).startswith("The file is damaged or incomplete")


def test_page_tree_cycle_is_damaged(posters: Path) -> None:
    report = inspect(make.pages_cycle(posters / "cycle.pdf"))
    assert codes(report.errors) == ["damaged"]


def test_flate_bomb_is_stopped_by_pypdf_and_never_drawn(posters: Path) -> None:
    path = make.content_bomb(posters / "bomb.pdf", megabytes=100)
    assert path.stat().st_size < 200_000
    result = ingest(path, Limits(), posters / "bomb-thumbs")
    assert codes(result.report.errors) == ["too_complex"]
    assert result.report.text_chars is None
    assert result.report.detail is not None
    assert "limit" in result.report.detail.lower()  # pypdf's words, kept for the logs
    assert result.thumbnails == ()
    assert result.report.elapsed_seconds < 20


def test_xmp_bomb_is_stopped(posters: Path) -> None:
    path = make.xmp_bomb(posters / "xmp-bomb.pdf", megabytes=100)
    report = inspect(path)
    assert codes(report.errors) == ["too_complex"]


def test_smaller_bomb_under_lower_limits(posters: Path) -> None:
    path = make.content_bomb(posters / "small-bomb.pdf", megabytes=12)
    assert inspect(path).ok  # 12 MB of zeros is within the default 75 MB
    assert codes(inspect(path, Limits(max_stream_bytes=10_000_000)).errors) == ["too_complex"]


def test_pdfium_crash_in_the_child_is_a_clean_refusal(posters: Path) -> None:
    # 40 MB of path operators passes a raised pypdf limit but makes PDFium abort the
    # process inside 512 MB: the parent must still give a reason, not crash.
    path = make.content_bomb(posters / "paths.pdf", megabytes=40, pattern=b"0 0 m 1 1 l S\n")
    limits = Limits(max_stream_bytes=1_000_000_000, memory_bytes=512 << 20)
    result = ingest(path, limits, posters / "paths-thumbs")
    assert codes(result.report.errors)[0] in {"reader_crashed", "too_much_memory"}
    assert result.report.detail is not None
    assert result.thumbnails == ()
    assert result.report.elapsed_seconds < 20


def test_wall_clock_limit_kills_the_child(posters: Path, monkeypatch: Any) -> None:
    path = make.make_poster(posters / "slowpoke.pdf")
    # The child counts as having worked the whole time: the file is too slow.
    monkeypatch.setattr(pdf, "_cpu_seconds", lambda pid: 60.0)
    started = time.monotonic()
    report = inspect(path, Limits(wall_seconds=0.05))
    assert codes(report.errors) == ["too_slow"]
    assert time.monotonic() - started < 5


def test_wall_clock_limit_of_a_starved_child_is_busy(posters: Path, monkeypatch: Any) -> None:
    path = make.make_poster(posters / "starved.pdf")
    monkeypatch.setattr(pdf, "_cpu_seconds", lambda pid: 0.0)
    report = inspect(path, Limits(wall_seconds=0.05))
    assert codes(report.errors) == [pdf.BUSY]


def test_memory_limit_gives_a_memory_sentence(posters: Path) -> None:
    path = make.content_bomb(posters / "big-zeros.pdf", megabytes=300)
    limits = Limits(max_stream_bytes=1_000_000_000, memory_bytes=400 << 20)
    report = inspect(path, limits)
    assert codes(report.errors) == ["too_much_memory"]
    assert render(report.errors[0].message).startswith("The file needs too much memory to open.")


def test_page_count_and_size_limits(posters: Path) -> None:
    two = make.make_poster(posters / "two.pdf", pages=2)
    report = inspect(two, Limits(max_pages=1))
    assert codes(report.errors) == ["wrong_page_count"]
    assert report.pages == 2
    assert report.text_chars is None
    big = inspect(two, Limits(max_bytes=1000))
    assert codes(big.errors) == ["file_too_large"]
    small = inspect(two, Limits(min_page_mm=1000))
    assert codes(small.errors) == ["page_too_small"]


def test_thumbnails_are_white_pngs_of_the_right_widths(posters: Path) -> None:
    path = make.tagged_a0_poster(posters / "thumbs.pdf")
    folder = posters / "thumbs"
    result = ingest(path, Limits(), folder)
    assert result.report.ok
    assert result.large is not None
    assert result.small is not None
    assert (result.large.width, result.large.height) == (1600, 2263)
    assert (result.small.width, result.small.height) == (400, 566)
    assert sorted(p.name for p in folder.iterdir()) == ["poster-1600.png", "poster-400.png"]
    with Image.open(result.small.path) as image:
        assert image.format == "PNG"
        assert image.size == (400, 566)
        assert image.convert("RGB").getpixel((399, 565)) == (255, 255, 255)
    assert result.peak_memory_bytes is not None
    assert 10 << 20 < result.peak_memory_bytes < 1 << 30


def test_picture_only_poster_has_no_text(posters: Path) -> None:
    picture = posters / "picture.png"
    Image.effect_noise((600, 800), 60).convert("RGB").save(picture)
    path = posters / "picture.pdf"
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=(600, 800))
    canvas.drawImage(str(picture), 0, 0, 600, 800)
    canvas.save()
    report = inspect(path)
    assert report.text_chars == 0
    assert "no_text" in codes(report.warnings)


def test_author_names_on_the_poster_are_found(posters: Path) -> None:
    path = make.make_poster(posters / "names.pdf")
    names = ["ADA LOVELACE", "Grace Hopper"]
    report = ingest(path, Limits(), None, author_names=names).report
    assert report.names_found == ("ADA LOVELACE",)
    assert "author_name_in_text" in codes(report.warnings)
    assert pdf.names_in_text(path, ["Lovelace", "Hopper"]) == ["Lovelace"]


def test_names_in_text_refuses_unreadable_file(posters: Path) -> None:
    path = posters / "not.pdf"
    path.write_bytes(b"hello")
    with pytest.raises(pdf.PdfRefused) as caught:
        pdf.names_in_text(path, ["Ada"])
    assert caught.value.code == "not_pdf"


def test_strip_author_metadata_removes_info_and_xmp_authors(posters: Path) -> None:
    source = make.tagged_a0_poster(posters / "authored.pdf")
    target = posters / "anonymous.pdf"
    pdf.strip_author_metadata(source, target)
    reader = PdfReader(target)
    assert reader.metadata is not None
    assert "/Author" not in reader.metadata
    assert reader.metadata.title == "Learning to review posters"
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data()
    assert b"Ada Lovelace" not in raw
    assert b"Learning to review posters" in raw
    report = inspect(target)
    assert (report.author, report.title, report.pdfa, report.tagged) == (
        None,
        "Learning to review posters",
        "2U",
        True,
    )


def test_strip_author_metadata_refuses_encrypted_file(posters: Path) -> None:
    path = make.edit(
        make.make_poster(posters / "enc-src.pdf", author="Ada"),
        make.encrypt_with("", "owner"),
        posters / "enc.pdf",
    )
    with pytest.raises(pdf.PdfRefused):
        pdf.strip_author_metadata(path, posters / "enc-out.pdf")
    assert not (posters / "enc-out.pdf").exists()


def test_wrong_thumbnail_suffix_is_a_caller_error(posters: Path) -> None:
    path = make.make_poster(posters / "suffix.pdf")
    with pytest.raises(ValueError, match="png"):
        pdf.examine(path, Limits(), thumbnails=[pdf.ThumbnailRequest(posters / "x.gif", 400)])


def test_webp_thumbnail(posters: Path) -> None:
    path = make.make_poster(posters / "webp.pdf")
    out = posters / "small.webp"
    result = pdf.examine(path, Limits(), thumbnails=[pdf.ThumbnailRequest(out, 300)])
    assert [(t.width, t.height) for t in result.thumbnails] == [
        (300, 425)
    ]  # drawn at 300 px, height rounded up
    with Image.open(out) as image:
        assert image.format == "WEBP"
