"""A chair assigns reviewers, reads the ranking, decides and publishes an award in a browser.

The congress is small and of its own (six submitted posters, four reviewers with profiles),
written into the live server's database, so the other browser tests never see its
decisions or awards. The reviews are written through the review service: the reviewers'
pages have tests of their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from poster_review.accounts.models import Role
from poster_review.assignment.models import Assignment, ReviewerProfile, ReviewRound
from poster_review.awards.models import AwardCategory, AwardState, Decision, Outcome
from poster_review.conferences.models import Conference
from poster_review.notifications.models import OutboxMessage
from poster_review.reviews import rubric as rubrics
from poster_review.reviews import services as review_services
from tests.factories import (
    TEST_PASSWORD,
    add_role,
    make_conference,
    make_submission,
    make_track,
    make_user,
)

pytestmark = pytest.mark.browser
pytest_plugins = ["tests.e2e.reviewing_helpers"]

SLUG = "chair-flow"
CHAIR = "chair.flow@example.org"
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 800}
#: Poster number -> (title, level given on every criterion, level for originality), before
#: a reviewer's leniency. Far enough apart that the calibrated order is the numbers' order.
POSTERS = {
    1: ("Seed libraries on the steppe", 5, 5),
    2: ("A bilingual catalogue for village reading rooms", 4, 5),
    3: ("Digitising Soviet-era newspapers with volunteers", 4, 3),
    4: ("Night hours in a university library", 3, 3),
    5: ("Lending tools, not only books", 2, 2),
    6: ("A chatbot at the reference desk", 1, 2),
}
PRESENTERS = {1: "Aruzhan Bekova", 2: "Timur Ospanov"}
ACCEPTED = (1, 2, 3, 4)
REVIEWERS = ("Aigerim Sadykova", "Bruno Ferreira", "Chen Mei", "Dilnoza Yusupova")


@dataclass(frozen=True)
class Congress:
    conference_id: int
    poster_ids: dict[int, int]  # number -> id


@pytest.fixture
def congress(live_sessions: sessionmaker[Session]) -> Congress:
    """A conference in its review phase: posters submitted, the reviewer pool ready."""
    with live_sessions.begin() as session:
        conference = make_conference(
            session, phase="review", slug=SLUG, name="Chair flow congress 2026"
        )
        tracks = [make_track(session, conference, name) for name in ("Collections", "Spaces")]
        chair = make_user(session, email=CHAIR, name="Zarina Chair")
        add_role(session, chair, conference, Role.chair)
        for i, name in enumerate(REVIEWERS):
            reviewer = make_user(session, email=f"chair.flow.reviewer{i}@example.org", name=name)
            add_role(session, reviewer, conference, Role.reviewer)
            session.add(
                ReviewerProfile(
                    conference_id=conference.id,
                    user_id=reviewer.id,
                    affiliations=f"University library {i}",
                    country="KZ",
                    topics="digitisation, outreach" if i % 2 else "library spaces, catalogues",
                    track_ids=[tracks[i % 2].id],
                    max_load=5,
                )
            )
        posters = {}
        for number, (title, *_levels) in POSTERS.items():
            author = make_user(
                session,
                email=f"chair.flow.author{number}@example.org",
                name=PRESENTERS.get(number, f"Author {number}"),
            )
            posters[number] = make_submission(
                session,
                conference,
                authors=[author],
                title=title,
                state="submitted",
                track_id=tracks[number % 2].id,
                keywords="outreach, library spaces",
                submitted_at=dt.datetime.now(dt.UTC),
            )
        return Congress(conference.id, {n: s.id for n, s in posters.items()})


def submit_reviews(live_sessions: sessionmaker[Session], congress: Congress) -> int:
    """Every assigned reviewer submits a complete review; the second reviewer is lenient."""
    numbers = {v: k for k, v in congress.poster_ids.items()}
    now = dt.datetime.now(dt.UTC)
    with live_sessions.begin() as session:
        assignments = session.scalars(
            select(Assignment)
            .where(Assignment.conference_id == congress.conference_id)
            .order_by(Assignment.reviewer_id, Assignment.submission_id)
        ).all()
        conference = session.get_one(Conference, congress.conference_id)
        reviewer_ids = sorted({a.reviewer_id for a in assignments})
        for assignment in assignments:
            review = review_services.review_for(session, assignment, now)
            rubric = review_services.rubric_of(session, review)
            _title, level, originality = POSTERS[numbers[assignment.submission_id]]
            lenient = reviewer_ids.index(assignment.reviewer_id) == 1
            scores = {
                c.key: min(
                    c.scale_max, (originality if c.key == "originality" else level) + lenient
                )
                for c in rubric.criteria
            }
            texts = {t.key: "Clear poster; a larger font would help." for t in rubric.text_fields}
            review_services.save_review(
                session,
                review,
                conference=conference,
                base_revision=review.revision,
                sheet=rubrics.ScoreSheet(scores, texts, 4),
                submit=True,
                now=now,
            )
        return len(assignments)


def resize(page: Any, size: dict[str, int]) -> None:
    page.page.set_viewport_size(size)


def check_both_widths(page: Any, name: str) -> None:
    """axe-core finds nothing serious at either width; a screenshot of each is kept."""
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        resize(page, size)
        assert page.axe() == []
        page.screenshot(f"{name}-{label}")
    resize(page, DESKTOP)


def flash(p: Any) -> str:
    return str(p.inner_text("p.flash"))


def test_chair_assigns_ranks_decides_and_publishes_an_award(
    make_page: Callable[..., Any],
    live_sessions: sessionmaker[Session],
    congress: Congress,
) -> None:
    page = make_page(**DESKTOP)
    page.login(CHAIR, TEST_PASSWORD)
    p = page.page
    ids = congress.poster_ids

    # Assignments: the solver's proposal with three reviewers per poster, then applied.
    page.goto(f"/c/{SLUG}/assignments")
    assert "Nothing assigned yet." in p.inner_text("table")
    p.fill("#f-k", "3")
    p.fill("#f-max_load", "5")
    p.click("#run-form button[value=run]")
    p.wait_for_url(re.compile(rf".*/c/{SLUG}/assignments/runs/\d+$"))
    assert re.search(r"over 18 pairs; 18 are new\.", p.inner_text("main"))
    p.click("#run-decision-form button[value=apply]")
    p.wait_for_url(f"**/c/{SLUG}/assignments")
    assert flash(p) == "18 assignments made; the reviewers are told."
    assert "Current assignments (18)" in p.inner_text("table caption >> nth=0")
    with live_sessions() as session:
        per_poster = dict(
            session.execute(
                select(Assignment.submission_id, func.count())
                .where(
                    Assignment.conference_id == congress.conference_id,
                    Assignment.round == ReviewRound.review,
                    Assignment.source == "solver",
                )
                .group_by(Assignment.submission_id)
            ).all()
        )
    assert per_poster == dict.fromkeys(ids.values(), 3)

    assert submit_reviews(live_sessions, congress) == 18

    # Ranking: best first, the reviewers' leniency, three charts, a CSV that downloads.
    page.goto(f"/c/{SLUG}/ranking")
    rows = p.locator("#ranking tbody tr")
    assert rows.count() == 6
    order = [rows.nth(i).locator("td").nth(1).inner_text() for i in range(6)]
    assert order == ["1", "2", "3", "4", "5", "6"]
    assert rows.nth(0).locator("td").nth(0).inner_text() == "1"
    assert rows.nth(0).locator("td").nth(4).inner_text() == "3"  # reviews
    assert p.locator("#reviewers tbody tr").count() == 4
    assert p.locator("figure.chart svg[role=img]").count() == 3
    with p.expect_download() as download:
        p.click("text=Download CSV")
    assert download.value.suggested_filename == f"{SLUG}-ranking.csv"
    with open(download.value.path(), encoding="utf-8", newline="") as exported:
        table = list(csv.reader(exported))
    assert table[0][:3] == ["Rank", "Poster", "Title"]
    assert [(r[0], r[1], r[2]) for r in table[1:]] == [
        (str(n), str(n), POSTERS[n][0]) for n in range(1, 7)
    ]
    for summary in p.locator("figure.chart summary").all():
        summary.click()  # the charts' data tables are checked too
    assert p.locator("figure.chart table").first.is_visible()
    check_both_widths(page, "ranking")

    # Decisions: the four best accepted, the others rejected, then released to the authors.
    p.click("nav.subnav >> text=Decisions")
    p.wait_for_url(f"**/c/{SLUG}/decisions")
    for number, sid in ids.items():
        p.select_option(f"#outcome-{sid}", "accept" if number in ACCEPTED else "reject")
    p.click("#decisions-form button[value=save]")
    p.wait_for_url(f"**/c/{SLUG}/decisions")
    assert flash(p) == "6 decisions saved."
    assert p.input_value(f"#outcome-{ids[1]}") == "accept"
    assert p.input_value(f"#outcome-{ids[6]}") == "reject"
    assert page.axe() == []
    p.click("#decisions-form button[value=release]")
    p.wait_for_url(f"**/c/{SLUG}/decisions")
    assert flash(p) == "Decisions released; 6 e-mails queued."
    with live_sessions() as session:
        decisions = {
            d.submission_id: d
            for d in session.scalars(
                select(Decision).where(Decision.conference_id == congress.conference_id)
            )
        }
        events = session.scalars(
            select(OutboxMessage.event).where(
                OutboxMessage.conference_id == congress.conference_id,
                OutboxMessage.event.like("decision_%"),
            )
        ).all()
    assert {sid: d.outcome for sid, d in decisions.items()} == {
        sid: Outcome.accept if n in ACCEPTED else Outcome.reject for n, sid in ids.items()
    }
    assert all(d.notified_at is not None for d in decisions.values())
    assert sorted(events) == ["decision_accept"] * 4 + ["decision_reject"] * 2

    # Awards: declare the rules, draw the shortlist, freeze, publish.
    p.click("nav.subnav >> text=Awards")
    p.wait_for_url(f"**/c/{SLUG}/awards/manage")
    assert "No award yet." in p.inner_text("table")
    p.fill("#f-name", "Best poster award")
    p.fill("#f-places", "2")
    p.fill("#f-shortlist", "3")
    p.select_option("#f-tie-0", "criterion:originality")
    p.click("#award-form button[type=submit]")
    p.wait_for_url(re.compile(rf".*/c/{SLUG}/awards/manage/\d+$"))
    assert flash(p) == "The award was created."
    p.click("button[value=shortlist]")
    p.wait_for_url(re.compile(rf".*/c/{SLUG}/awards/manage/\d+$"))
    assert flash(p) == "3 posters are on the shortlist."
    shortlist = p.locator("#shortlist tbody tr td:nth-child(2)").all_inner_texts()
    assert shortlist == [f"{n}. {POSTERS[n][0]}" for n in (1, 2, 3)]
    p.click("button[value=freeze]")
    p.wait_for_url(re.compile(rf".*/c/{SLUG}/awards/manage/\d+$"))
    assert flash(p) == "The result is frozen."
    winners = p.locator("#winners tbody tr")
    assert winners.count() == 2
    assert winners.nth(0).locator("td").nth(2).inner_text() == POSTERS[1][0]
    assert "recomputed from its inputs: identical" in p.inner_text("main")
    p.click("button[value=publish]")
    p.wait_for_url(re.compile(rf".*/c/{SLUG}/awards/manage/\d+$"))
    assert flash(p) == "The award list is public."
    check_both_widths(page, "award-category")
    page.goto(f"/c/{SLUG}/audit")  # every step is on record, newest first
    actions = p.locator("#audit tbody tr td:nth-child(3)").all_inner_texts()
    assert actions[:5] == [
        "award.published",
        "award.frozen",
        "award.shortlisted",
        "award.created",
        "decisions.release",
    ]
    resize(page, PHONE)  # where its wide details column scrolls
    assert page.axe() == []
    with live_sessions() as session:
        award = session.scalars(
            select(AwardCategory).where(AwardCategory.conference_id == congress.conference_id)
        ).one()
        assert (award.name, award.places, award.shortlist_size) == ("Best poster award", 2, 3)
        assert award.tie_breaks == [["criterion", "originality"]]
        assert award.state == AwardState.frozen
        assert award.shortlist == [ids[1], ids[2], ids[3]]

    # The public list, as a visitor who is not signed in.
    visitor = make_page(**PHONE)
    response = visitor.goto(f"/c/{SLUG}/awards")
    assert response is not None and response.status == 200
    v = visitor.page
    assert v.inner_text("section.award h2") == "Best poster award"
    places = v.locator("ol.winners > li")
    assert places.count() == 2
    assert [places.nth(i).get_attribute("value") for i in range(2)] == ["1", "2"]
    for place, number in enumerate((1, 2)):
        text = places.nth(place).inner_text()
        assert POSTERS[number][0] in text
        assert f"(poster {number})" in text
        assert PRESENTERS[number] in text
    assert v.locator("nav.subnav").count() == 0  # no chair's menu for a visitor
    check_both_widths(visitor, "awards-public")
