"""An author submits a poster in a real browser, on a phone and on a desktop."""

from __future__ import annotations

import re

import pytest

from tests.pdfs import poster_pdf

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1280, "desktop")])
def test_author_submits_a_poster(make_page, tmp_path, width, label):
    page = make_page(width=width)
    page.login("author@example.org", "author-demo-2026")
    page.goto("/c/wlic-astana/submit")
    assert page.axe() == []
    p = page.page
    p.fill("#f-title", f"Reading rooms as climate shelters ({label})")
    p.fill("#f-abstract", "We opened six reading rooms during heat waves and counted visits.")
    p.fill("#f-keywords", "climate, library spaces")
    p.select_option("#f-track_id", label="Library spaces and communities")
    p.fill("#f-authors-0-affiliations", "National Academic Library, Astana")
    p.select_option("#f-authors-0-country", "KZ")
    p.click("#submission-form button[value=save]")
    p.wait_for_url(re.compile(r".*/submissions/\d+/$"))
    assert "Draft — not submitted yet" in p.content()
    assert "PDF only, at most 50 MB" in p.content()  # limits shown before the upload

    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(poster_pdf(f"Reading rooms as climate shelters ({label})"))
    p.set_input_files("#f-pdf", str(pdf))
    p.click("#upload-form button[type=submit]")
    p.wait_for_selector("img.thumbnail")
    # The element comes with the page; the picture may still be on its way (a busy machine).
    p.wait_for_function("() => document.querySelector('img.thumbnail').complete")
    natural = p.eval_on_selector("img.thumbnail", "img => img.naturalWidth")
    assert natural == 400
    assert page.axe() == []
    page.screenshot(f"submission-status-{label}")
    p.click("#submit-form button")
    p.wait_for_url(re.compile(r".*/receipt$"))
    assert "Your poster is submitted." in p.content()
    assert page.errors == []


def test_upload_too_large_is_stopped_before_sending(make_page, tmp_path):
    page = make_page(width=390)
    page.login("author@example.org", "author-demo-2026")
    page.goto("/c/wlic-astana/my-posters")
    page.page.click(".cards a >> nth=0")
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"0" * (51 * 1024 * 1024))
    page.page.set_input_files("#f-pdf", str(big))
    error = page.page.locator("#f-pdf-error")
    assert error.is_visible()
    assert "larger than the limit of 50 MB" in error.inner_text()
    url = page.page.url
    page.page.click("#upload-form button[type=submit]")
    assert page.page.url == url  # nothing was sent


@pytest.mark.parametrize("path", ["/", "/account/login", "/account/register", "/c/wlic-astana/"])
def test_public_pages_are_accessible(make_page, path):
    page = make_page(width=390)
    page.goto(path)
    assert page.axe() == []
    assert page.errors == []
