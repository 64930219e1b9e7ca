"""A reviewer scores posters in a real browser: offline, on two devices, by keyboard."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.e2e.reviewing_helpers"]

EMPTY = {"relevance": None, "originality": None, "clarity": None, "design": None}
REFUSED = "Failed to load resource: the server responded with a status of {} ({})"
WEIGHTS = {"relevance": 20, "originality": 25, "clarity": 20, "design": 20, "presentation": 15}


def expected_total(scores: Mapping[str, int | None]) -> str:
    scored = {k: v for k, v in scores.items() if v is not None}
    weight = sum(WEIGHTS[k] for k in scored)
    return f"{100 * sum(WEIGHTS[k] * (v - 1) / 4 for k, v in scored.items()) / weight:.0f}"


def choose(p: Any, key: str, level: int | None) -> None:
    p.check(f'input[name="score-{key}"][value="{"" if level is None else level}"]')


def checked(p: Any, key: str) -> str:
    return p.eval_on_selector(f'input[name="score-{key}"]:checked', "el => el.value")


def local_copy(p: Any) -> Any:
    return p.evaluate(
        "() => JSON.parse(localStorage.getItem("
        "document.getElementById('review-form').dataset.storageKey))"
    )


def wait_saved(p: Any) -> None:
    """Until the server has answered with a revision and the copy here is clean."""
    p.wait_for_function(
        """() => {
            const form = document.getElementById('review-form');
            const copy = JSON.parse(localStorage.getItem(form.dataset.storageKey));
            return document.getElementById('save-status').dataset.state === 'saved'
                && copy !== null && copy.dirty === false;
        }"""
    )


def open_review(page: Any, assignment_id: int) -> Any:
    page.goto(f"/reviews/{assignment_id}/")
    p = page.page
    # review.css is linked by review.js: wait for it before looking or measuring.
    p.wait_for_function(
        "() => [...document.styleSheets].some(s => s.href && s.href.endsWith('review.css'))"
    )
    return p


def wait_offline_ready(p: Any) -> None:
    """Until the service worker controls the page and keeps a copy of it."""
    p.wait_for_function(
        "async () => !!navigator.serviceWorker.controller && !!(await caches.match(location.href))"
    )


def test_scores_survive_offline_and_a_reload(reviewer_page, new_assignment, stored_review):
    assignment_id = new_assignment()
    page = reviewer_page(width=390, height=844)
    p = open_review(page, assignment_id)
    wait_offline_ready(p)

    choose(p, "relevance", 4)
    choose(p, "originality", 5)
    wait_saved(p)
    assert "Saved" in p.inner_text("#save-status")
    saved = stored_review(assignment_id)
    assert saved["scores"] == {**EMPTY, "relevance": 4, "originality": 5, "presentation": None}
    assert p.inner_text("#total") == expected_total({"relevance": 4, "originality": 5}) == "89"

    p.context.set_offline(True)
    choose(p, "clarity", 2)
    choose(p, "originality", 3)
    p.fill("#f-text-comments_authors", "Clear figures; the title needs a larger font.")
    status = p.locator("#save-status")
    status.locator("text=Offline: kept on this device").wait_for()
    assert status.get_attribute("data-state") == "offline"
    copy = local_copy(p)
    assert copy["dirty"] is True and copy["base"] == saved["revision"]
    assert copy["sheet"]["scores"]["clarity"] == 2
    assert stored_review(assignment_id)["scores"]["clarity"] is None  # nothing reached it

    response = p.reload()
    assert response is not None and response.from_service_worker
    # The worker answered with the page it kept at the first visit (revision 0, nothing
    # scored), so the scores below come from the copy on this device.
    kept = p.evaluate("async () => (await caches.match(location.href)).text()")
    assert 'name="revision" value="0"' in kept
    p.wait_for_selector('#save-status[data-state="offline"]')
    assert stored_review(assignment_id)["revision"] == saved["revision"]  # still unsent
    assert checked(p, "relevance") == "4"
    assert checked(p, "originality") == "3"
    assert checked(p, "clarity") == "2"
    assert p.input_value("#f-text-comments_authors") == (
        "Clear figures; the title needs a larger font."
    )
    final = {"relevance": 4, "originality": 3, "clarity": 2}
    assert p.inner_text("#total") == expected_total(final)

    p.context.set_offline(False)
    wait_saved(p)
    review = stored_review(assignment_id)
    assert review["scores"] == {**EMPTY, **final, "presentation": None}
    assert review["texts"]["comments_authors"] == "Clear figures; the title needs a larger font."
    assert review["revision"] == saved["revision"] + 1
    assert p.input_value('input[name="revision"]') == str(review["revision"])
    assert page.errors == []


def test_two_devices_never_overwrite_each_other(reviewer_page, new_assignment, stored_review):
    assignment_id = new_assignment()
    phone, desk = reviewer_page(width=390, height=844), reviewer_page(width=1280, height=900)
    for page in (phone, desk):
        page.expect_errors(re.escape(REFUSED.format(409, "Conflict")))  # each refused save
        open_review(page, assignment_id)
    ph, dk = phone.page, desk.page

    choose(ph, "relevance", 2)
    wait_saved(ph)
    assert stored_review(assignment_id)["scores"]["relevance"] == 2

    # The desk still shows revision 0: its save is refused and both versions are shown.
    choose(dk, "relevance", 5)
    choose(dk, "originality", 4)
    dialog = dk.locator("#conflict-dialog")
    dialog.wait_for(state="visible")
    assert dk.evaluate("() => document.activeElement.id") == "conflict-dialog"
    assert dk.get_attribute("#save-status", "data-state") == "conflict"
    mine, server = dk.inner_text("#conflict-mine"), dk.inner_text("#conflict-server")
    assert "Relevance to the congress theme: 5 — Central to the theme; advances it." in mine
    assert "Originality and impact: 4 — New and transferable to others." in mine
    assert "Relevance to the congress theme: 2 — Loosely related." in server
    assert "Originality and impact: Not scored yet" in server
    assert dk.inner_text("#conflict-mine mark >> nth=0").startswith("Relevance")
    assert stored_review(assignment_id)["scores"]["relevance"] == 2  # not overwritten
    assert desk.axe() == []
    desk.screenshot("scoring-conflict-desktop")

    dk.click("#keep-mine")
    wait_saved(dk)
    assert dialog.is_hidden()
    review = stored_review(assignment_id)
    assert review["scores"]["relevance"] == 5 and review["scores"]["originality"] == 4
    assert review["revision"] == 2

    # Now the phone is behind: it changes clarity, is refused, and takes the saved one.
    choose(ph, "clarity", 3)
    ph.locator("#conflict-dialog").wait_for(state="visible")
    assert "Relevance to the congress theme: 5" in ph.inner_text("#conflict-server")
    ph.click("#keep-server")
    assert ph.locator("#conflict-dialog").is_hidden()
    assert (checked(ph, "relevance"), checked(ph, "originality"), checked(ph, "clarity")) == (
        "5",
        "4",
        "",
    )
    assert ph.inner_text("#total") == expected_total({"relevance": 5, "originality": 4})
    assert local_copy(ph) is None
    assert ph.input_value('input[name="revision"]') == "2"
    review = stored_review(assignment_id)
    assert review["revision"] == 2 and review["scores"]["clarity"] is None

    # And the phone saves normally from there.
    choose(ph, "design", 4)
    wait_saved(ph)
    review = stored_review(assignment_id)
    assert review["revision"] == 3
    assert review["scores"] == {
        **EMPTY,
        "relevance": 5,
        "originality": 4,
        "design": 4,
        "presentation": None,
    }
    # Chromium logs every 4xx answer; the refused save is the only one, and it is expected.
    assert phone.errors == desk.errors == [REFUSED.format(409, "Conflict")]


def test_unsent_edits_meet_a_newer_save_when_the_page_opens(
    reviewer_page, new_assignment, stored_review
):
    assignment_id = new_assignment()
    phone, desk = reviewer_page(width=390, height=844), reviewer_page(width=1280, height=900)
    ph = open_review(phone, assignment_id)
    open_review(desk, assignment_id)
    # The reviewer taps a score and pockets the phone at once: the browser stops the tab
    # before the autosave is due (here: no script runs in that tab again), so nothing is
    # sent. The copy on the phone was written at the tap.
    cdp = ph.context.new_cdp_session(ph)
    choose(ph, "clarity", 5)
    cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
    assert local_copy(ph)["dirty"] is True
    # Meanwhile the desk saves something else.
    choose(desk.page, "design", 2)
    wait_saved(desk.page)
    assert stored_review(assignment_id)["revision"] == 1

    # Later the reviewer opens the page in a new tab: the copy kept on the phone is older
    # than the page, and both versions are offered.
    again = ph.context.new_page()
    errors: list[str] = []
    again.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    again.goto(f"{phone.base}/reviews/{assignment_id}/")
    again.locator("#conflict-dialog").wait_for(state="visible")
    assert "Clarity of content: 5" in again.inner_text("#conflict-mine")
    assert "Visual design and accessibility: 2" in again.inner_text("#conflict-server")
    assert checked(again, "clarity") == "5"  # the form shows what the phone had
    assert stored_review(assignment_id)["scores"]["clarity"] is None
    again.click("#keep-mine")
    wait_saved(again)
    review = stored_review(assignment_id)
    assert review["revision"] == 2
    assert review["scores"] == {**EMPTY, "clarity": 5, "presentation": None}
    assert errors == [] and phone.errors == []


def test_keyboard_only_scoring(reviewer_page, new_assignment, stored_review):
    assignment_id = new_assignment()
    page = reviewer_page(width=390, height=844)
    p = open_review(page, assignment_id)

    def tab_to(selector: str) -> None:
        for _ in range(80):
            p.keyboard.press("Tab")
            if p.evaluate(f"() => document.activeElement.matches({selector!r})"):
                return
        pytest.fail(f"Tab never reached {selector}")

    # A group with "not scored" checked: Tab lands on it and arrows choose a level.
    tab_to('input[name="score-relevance"]')
    assert p.evaluate("() => document.activeElement.value") == ""
    p.keyboard.press("ArrowRight")  # wraps to level 1
    assert checked(p, "relevance") == "1"
    assert p.inner_text("#total") == "0"
    for _ in range(3):
        p.keyboard.press("ArrowRight")
    assert checked(p, "relevance") == "4"
    assert p.inner_text("#total") == "75"
    outline = p.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus is visible

    tab_to('input[name="score-originality"]')
    p.keyboard.press("ArrowLeft")  # wraps back to level 5
    assert checked(p, "originality") == "5"
    assert p.inner_text("#total") == expected_total({"relevance": 4, "originality": 5})

    # The confidence group starts empty: Tab lands on level 1, Space chooses it.
    tab_to('input[name="confidence"]')
    assert p.evaluate("() => document.activeElement.checked") is False
    p.keyboard.press("Space")
    p.keyboard.press("ArrowRight")
    assert p.eval_on_selector('input[name="confidence"]:checked', "el => el.value") == "2"

    # No trap: Tab goes on to the buttons; Enter on "Save draft" saves and leaves.
    tab_to('button[value="save"]')
    p.keyboard.press("Enter")
    p.wait_for_url("**/c/wlic-astana/reviews?round=review")
    review = stored_review(assignment_id)
    assert review["scores"]["relevance"] == 4 and review["scores"]["originality"] == 5
    assert review["confidence"] == 2 and review["state"] == "draft"
    assert page.errors == []


def test_submit_reports_missing_fields_then_submits(reviewer_page, new_assignment, stored_review):
    assignment_id = new_assignment()
    page = reviewer_page(width=1280)
    page.expect_errors(re.escape(REFUSED.format(400, "Bad Request")))  # the refused submit
    p = open_review(page, assignment_id)
    choose(p, "relevance", 3)
    p.click('#review-form button[value="submit"]')
    error = p.locator("#submit-error")
    error.wait_for()
    assert error.inner_text() == (
        "Please complete: Originality and impact, Clarity of content, "
        "Visual design and accessibility, Confidence."
    )
    wait_saved(p)  # the draft is kept on the server all the same
    assert stored_review(assignment_id)["state"] == "draft"
    assert stored_review(assignment_id)["scores"]["relevance"] == 3

    for key in ("originality", "clarity", "design"):
        choose(p, key, 4)
    p.check('input[name="confidence"][value="4"]')
    assert error.is_hidden()
    p.click('#review-form button[value="submit"]')
    p.wait_for_url("**/c/wlic-astana/reviews?round=review")
    review = stored_review(assignment_id)
    assert review["state"] == "submitted"
    assert review["scores"] == {
        "relevance": 3,
        "originality": 4,
        "clarity": 4,
        "design": 4,
        "presentation": None,
    }
    assert page.errors == [REFUSED.format(400, "Bad Request")]  # the refused submission


@pytest.mark.parametrize(("width", "label"), [(390, "phone"), (1280, "desktop")])
def test_reviewing_pages_are_accessible(reviewer_page, new_assignment, width, label):
    assignment_id = new_assignment()
    page = reviewer_page(width=width, height=844 if width == 390 else 900)
    page.goto("/c/wlic-astana/reviews")
    assert "Next unscored poster" in page.page.content()
    assert page.axe() == []
    if label == "phone":
        page.screenshot("reviews-dashboard-phone")
    p = open_review(page, assignment_id)
    choose(p, "relevance", 4)
    choose(p, "design", 5)
    wait_saved(p)
    assert page.axe() == []
    p.evaluate("() => window.scrollTo(0, 0)")  # sticky bars then sit where a reader sees them
    page.screenshot(f"scoring-{label}")
    assert page.errors == []
