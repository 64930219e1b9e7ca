"""Generated poster PDFs: page size, metadata, fonts, scripts, determinism."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from poster_review.demo.content import DemoCongress, DemoPoster, PdfQuirk, build_demo
from poster_review.demo.posters import (
    CJK_FONT,
    CREATOR,
    find_unicode_fonts,
    page_size_mm,
    render_poster,
    shape_arabic,
)

POINTS_PER_MM = 72 / 25.4
needs_unicode_font = pytest.mark.skipif(
    find_unicode_fonts() is None, reason="DejaVu Sans is not installed on this machine"
)


@pytest.fixture(scope="module")
def demo() -> DemoCongress:
    return build_demo(dt.date(2026, 3, 1))


@pytest.fixture(scope="module")
def pdfs(demo: DemoCongress) -> dict[int, bytes]:
    return {p.number: render_poster(p, demo.conference.name) for p in demo.posters}


def _size_mm(reader: PdfReader) -> tuple[float, float]:
    box = reader.pages[0].mediabox
    return float(box.width) / POINTS_PER_MM, float(box.height) / POINTS_PER_MM


def _fonts(reader: PdfReader) -> dict[str, bool]:
    """Base font name -> whether its program is embedded."""
    fonts = {}
    resources = reader.pages[0]["/Resources"].get_object()
    assert isinstance(resources, DictionaryObject)
    font_dict = resources["/Font"].get_object()
    assert isinstance(font_dict, DictionaryObject)
    for ref in font_dict.values():
        font = ref.get_object()
        holder = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = holder.get("/FontDescriptor")
        embedded = descriptor is not None and any(
            key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        fonts[str(font["/BaseFont"]).lstrip("/").split("+")[-1]] = embedded
    return fonts


def _text(pdf: bytes) -> str:
    return unicodedata.normalize("NFKC", PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def test_every_poster_is_one_small_page_of_the_expected_size(
    demo: DemoCongress, pdfs: dict[int, bytes]
) -> None:
    for poster in demo.posters:
        reader = PdfReader(io.BytesIO(pdfs[poster.number]))
        assert len(reader.pages) == 1
        width, height = _size_mm(reader)
        if PdfQuirk.LANDSCAPE_A1 in poster.pdf_quirks:
            assert (width, height) == pytest.approx((841, 594), abs=1)
        else:
            assert (width, height) == pytest.approx((841, 1189), abs=1)
        assert len(pdfs[poster.number]) < 300_000


def test_metadata_carries_title_authors_keywords_and_language(
    demo: DemoCongress, pdfs: dict[int, bytes]
) -> None:
    for poster in demo.posters:
        reader = PdfReader(io.BytesIO(pdfs[poster.number]))
        info = reader.metadata
        assert info is not None
        if PdfQuirk.NO_TITLE_METADATA in poster.pdf_quirks:
            assert not info.title
        else:
            assert info.title == poster.title
        assert info.creator == CREATOR
        assert info.author is not None
        assert poster.presenter.name in info.author
        assert info.subject == f"{demo.conference.name}, poster P{poster.number:02d}"
        assert info["/Keywords"] == ", ".join(poster.keywords)
        assert reader.root_object["/Lang"] == poster.language
        moment = poster.submitted_at or poster.created_at
        assert info.creation_date == moment


def test_every_poster_prints_its_whole_story(demo: DemoCongress, pdfs: dict[int, bytes]) -> None:
    for poster in demo.posters:
        text = _text(pdfs[poster.number])
        # The contact block comes last; if it is there, nothing was dropped.
        for author in poster.corresponding_authors:
            assert author.email in text, poster.number
        assert f"P{poster.number:02d}" in text


@needs_unicode_font
def test_only_the_cjk_posters_have_a_font_not_embedded(
    demo: DemoCongress, pdfs: dict[int, bytes]
) -> None:
    for poster in demo.posters:
        fonts = _fonts(PdfReader(io.BytesIO(pdfs[poster.number])))
        not_embedded = {name for name, embedded in fonts.items() if not embedded}
        if PdfQuirk.CJK_FONT_NOT_EMBEDDED in poster.pdf_quirks:
            assert not_embedded == {CJK_FONT}, poster.number
        else:
            assert not_embedded == set(), poster.number


@needs_unicode_font
def test_names_print_in_their_own_scripts(demo: DemoCongress, pdfs: dict[int, bytes]) -> None:
    arabic = _text(pdfs[12])
    assert "ليلى منصور" in arabic
    assert "Layla Mansour" in arabic
    assert "Ерлан Жұмабаев" in _text(pdfs[1])
    russian = _text(pdfs[7])
    assert "Оцифровка" in russian
    assert "Екатерина Волкова" in russian
    chinese = _text(pdfs[16])
    assert "陈晓明" in chinese


def test_korean_and_japanese_names_print_in_latin(
    demo: DemoCongress, pdfs: dict[int, bytes]
) -> None:
    text = _text(pdfs[21])  # Korean and Japanese authors, no CJK font on the page
    assert "Kim Minji" in text
    assert "Misaki Sato" in text
    assert "김민지" not in text


def test_without_a_unicode_font_text_falls_back_to_latin(demo: DemoCongress) -> None:
    pdf = render_poster(demo.poster(7), demo.conference.name, unicode_font=False)
    text = _text(pdf)
    assert "Otsifrovka kirillicheskikh" in text
    assert "Ekaterina Volkova" in text
    assert not any("\u0400" <= ch <= "\u04ff" for ch in text)
    arabic = _text(render_poster(demo.poster(12), demo.conference.name, unicode_font=False))
    assert "Layla Mansour" in arabic
    assert not any("\u0600" <= ch <= "\u06ff" for ch in arabic)


def test_render_is_deterministic(demo: DemoCongress) -> None:
    poster = demo.poster(3)
    assert render_poster(poster, "X") == render_poster(poster, "X")


def test_size_and_orientation_options(demo: DemoCongress) -> None:
    poster = demo.poster(1)
    a1 = PdfReader(io.BytesIO(render_poster(poster, "X", size="A1")))
    assert _size_mm(a1) == pytest.approx((594, 841), abs=1)
    wide = PdfReader(io.BytesIO(render_poster(poster, "X", landscape=True)))
    assert _size_mm(wide) == pytest.approx((1189, 841), abs=1)
    with pytest.raises(ValueError, match="unknown paper size"):
        render_poster(poster, "X", size="B1")


def test_landscape_quirk_overrides_requested_size(demo: DemoCongress) -> None:
    quirky: DemoPoster = next(p for p in demo.posters if PdfQuirk.LANDSCAPE_A1 in p.pdf_quirks)
    assert page_size_mm(quirky, "A0") == (841.0, 594.0)
    assert page_size_mm(demo.poster(1), "A2", landscape=True) == (594.0, 420.0)


def test_shape_arabic_gives_contextual_forms_in_visual_order() -> None:
    # meem initial, hah medial, meem medial, dal final; read right to left
    assert shape_arabic("محمد") == "\ufeaa\ufee4\ufea4\ufee3"
    # seen initial, lam-alef ligature (final), meem isolated
    assert shape_arabic("سلام") == "\ufee1\ufefc\ufeb3"
    # waw does not join forward, so reh after it stands alone; the space never breaks
    assert shape_arabic("نور علي") == "\ufef2\ufee0\ufecb\u00a0\ufead\ufeee\ufee7"


def test_shape_arabic_refuses_what_it_cannot_shape() -> None:
    assert shape_arabic("مُحَمَّد") is None  # vowel marks
    assert shape_arabic("Omar عمر") is None
    assert shape_arabic("عمر 2") is None
