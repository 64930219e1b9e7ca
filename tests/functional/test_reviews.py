"""Scoring: the plain form, the autosave API, version conflicts, phases, conflicts."""

from __future__ import annotations

from sqlalchemy import func, select

from poster_review.assignment.models import Assignment, Conflict, ConflictStatus
from poster_review.reviews.models import Review, ReviewState
from tests.factories import make_assignment, make_conference, make_user

FULL = {"relevance": 4, "originality": 5, "clarity": 3, "design": 4, "presentation": None}


def _token(testapp) -> str:
    return testapp.get("/account/").forms["profile-form"]["csrf_token"].value


def _save(testapp, assignment, body, status=200):
    return testapp.post_json(
        f"/reviews/{assignment.id}/autosave",
        body,
        status=status,
        headers={"X-CSRF-Token": _token(testapp)},
    )


def test_plain_form_saves_and_submits_without_javascript(testapp, dbsession, login):
    assignment = make_assignment(dbsession)
    login(_reviewer(dbsession, assignment))
    form = testapp.get(f"/reviews/{assignment.id}/").forms["review-form"]
    assert "Relevance to the congress theme" in testapp.get(f"/reviews/{assignment.id}/").text
    form["score-relevance"] = "4"
    form["score-originality"] = "5"
    form.submit("action", value="save", status=303)
    review = dbsession.scalars(select(Review)).one()
    assert review.state == ReviewState.draft
    assert review.scores["relevance"] == 4 and review.scores["clarity"] is None
    # 20 % at (4-1)/4 and 25 % at 1.0 over 45 % of weight scored.
    assert round(review.total, 2) == round(100 * (20 * 0.75 + 25 * 1.0) / 45, 2)

    form = testapp.get(f"/reviews/{assignment.id}/").forms["review-form"]
    page = form.submit("action", value="submit", status=400)
    assert "Please complete: Clarity of content, Visual design and accessibility" in page.text
    form = page.forms["review-form"]
    form["score-clarity"], form["score-design"], form["confidence"] = "3", "4", "4"
    form["text-comments_authors"] = "Очень понятный постер. 很好。"
    form.submit("action", value="submit", status=303)
    assert review.state == ReviewState.submitted and review.submitted_at is not None
    assert review.texts["comments_authors"] == "Очень понятный постер. 很好。"


def _reviewer(dbsession, assignment):
    from poster_review.accounts.models import User

    return dbsession.get(User, assignment.reviewer_id)


def test_autosave_and_two_saves_from_one_base(testapp, dbsession, login):
    assignment = make_assignment(dbsession)
    login(_reviewer(dbsession, assignment))
    first = _save(
        testapp, assignment, {"revision": 0, "scores": {"relevance": 2}, "client": "phone"}
    ).json
    assert first["revision"] == 1 and first["scores"]["relevance"] == 2
    # The desk tab saved from revision 1; the phone, still at revision 1, saves too: 409.
    _save(testapp, assignment, {"revision": 1, "scores": {"relevance": 3}, "client": "desk"})
    stale = _save(testapp, assignment, {"revision": 1, "scores": {"relevance": 5}}, status=409).json
    assert stale["server"]["scores"]["relevance"] == 3 and stale["server"]["client"] == "desk"
    assert "changed elsewhere" in stale["error"]
    review = dbsession.scalars(select(Review)).one()
    assert review.scores["relevance"] == 3 and review.revision == 2  # nothing overwritten
    # Choosing "keep mine" is a save based on the server's revision.
    kept = _save(testapp, assignment, {"revision": 2, "scores": {"relevance": 5}}).json
    assert kept["revision"] == 3 and review.scores["relevance"] == 5


def test_autosave_rejects_bad_values_with_messages(testapp, dbsession, login):
    assignment = make_assignment(dbsession)
    login(_reviewer(dbsession, assignment))
    bad = _save(testapp, assignment, {"revision": 0, "scores": {"relevance": 9}}, status=400)
    assert bad.json["errors"]["score-relevance"] == "Choose a level from 1 to 5."
    _save(testapp, assignment, {"revision": "zero"}, status=400)
    testapp.post(
        f"/reviews/{assignment.id}/autosave",
        "not json",
        status=400,
        headers={"X-CSRF-Token": _token(testapp), "Content-Type": "application/json"},
    )
    assert (
        dbsession.scalar(select(func.count()).select_from(Review).where(Review.revision > 0)) == 0
    )


def test_autosave_needs_csrf_header(testapp, dbsession, login):
    assignment = make_assignment(dbsession)
    login(_reviewer(dbsession, assignment))
    testapp.post_json(f"/reviews/{assignment.id}/autosave", {"revision": 0}, status=400)


def test_closed_round_refuses_saves(testapp, dbsession, login):
    conference = make_conference(dbsession, phase="decided")
    assignment = make_assignment(dbsession, conference=conference)
    login(_reviewer(dbsession, assignment))
    page = testapp.get(f"/reviews/{assignment.id}/")
    assert "This round is closed" in page.text
    closed = _save(testapp, assignment, {"revision": 0, "scores": {"relevance": 2}}, status=409)
    assert closed.json["closed"] is True


def test_other_reviewers_and_authors_cannot_open_a_review(testapp, dbsession, login):
    assignment = make_assignment(dbsession)
    other = make_user(dbsession)
    login(other)
    testapp.get(f"/reviews/{assignment.id}/", status=403)
    _save(testapp, assignment, {"revision": 0}, status=403)


def test_i_have_a_conflict_removes_the_assignment(testapp, dbsession, login):
    assignment = make_assignment(dbsession)
    reviewer = _reviewer(dbsession, assignment)
    submission_id = assignment.submission_id
    login(reviewer)
    form = testapp.get(f"/reviews/{assignment.id}/").forms["conflict-form"]
    form["reason"] = "My former PhD student"
    page = form.submit(status=303).follow()
    assert "the chairs will find another reviewer" in page.text
    assert dbsession.scalar(select(func.count()).select_from(Assignment)) == 0
    conflict = dbsession.scalars(select(Conflict)).one()
    assert (conflict.user_id, conflict.submission_id) == (reviewer.id, submission_id)
    assert conflict.status == ConflictStatus.confirmed
    assert conflict.evidence == "My former PhD student"
    testapp.get(f"/reviews/{assignment.id}/", status=404)


def test_dashboard_shows_progress_and_next(testapp, dbsession, login):
    conference = make_conference(dbsession, phase="review")
    first = make_assignment(dbsession, conference=conference)
    reviewer = _reviewer(dbsession, first)
    second = make_assignment(dbsession, conference=conference, reviewer=reviewer)
    login(reviewer)
    _save(
        testapp,
        first,
        {
            "revision": 0,
            "scores": {"relevance": 4, "originality": 4, "clarity": 4, "design": 4},
            "confidence": 3,
            "submit": True,
        },
    )
    page = testapp.get(f"/c/{conference.slug}/reviews")
    assert "1 of 2 submitted" in page.text
    assert f"/reviews/{second.id}/" in page.text.split("Next unscored poster")[0][-300:]


def test_other_reviews_only_after_submitting_and_when_allowed(testapp, dbsession, login):
    conference = make_conference(dbsession, phase="review")
    first = make_assignment(dbsession, conference=conference)
    second = make_assignment(
        dbsession, conference=conference, submission=_submission(dbsession, first)
    )
    login(_reviewer(dbsession, second))
    _save(
        testapp,
        second,
        {
            "revision": 0,
            "scores": {"relevance": 2, "originality": 2, "clarity": 2, "design": 2},
            "texts": {"comments_committee": "Weak methods section."},
            "confidence": 4,
            "submit": True,
        },
    )
    login(_reviewer(dbsession, first))
    page = testapp.get(f"/reviews/{first.id}/")
    assert "Weak methods section." not in page.text  # not before submitting one's own
    _save(
        testapp,
        first,
        {
            "revision": 0,
            "scores": {"relevance": 5, "originality": 5, "clarity": 5, "design": 5},
            "confidence": 3,
            "submit": True,
        },
    )
    page = testapp.get(f"/reviews/{first.id}/")
    assert "The other reviews" in page.text and "Weak methods section." in page.text
    conference.reviewers_see_others = False
    assert "Weak methods section." not in testapp.get(f"/reviews/{first.id}/").text


def _submission(dbsession, assignment):
    from poster_review.submissions.models import Submission

    return dbsession.get(Submission, assignment.submission_id)


def test_rubric_editor_versions_once_scores_exist(testapp, dbsession, login):
    from poster_review.accounts.models import Role
    from poster_review.reviews.models import RubricVersion
    from tests.factories import add_role

    conference = make_conference(dbsession, phase="review")
    chair = make_user(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    url = f"/c/{conference.slug}/rubrics/review"
    form = testapp.get(url).forms["rubric-form"]
    assert form["criteria-0-key"].value == "relevance"
    form["criteria-0-weight"] = "0"
    page = form.submit(status=400)
    assert "The weight of Relevance to the congress theme must be more than 0." in page.text
    form = page.forms["rubric-form"]
    form["criteria-0-weight"] = "30"
    form["criteria-5-key"] = "handout"
    form["criteria-5-name"] = "Handout or QR link"
    form["criteria-5-weight"] = "5"
    form["criteria-5-levels"] = "1: none\n5: excellent"
    form.submit(status=303)
    versions = dbsession.scalars(select(RubricVersion)).all()
    assert len(versions) == 1  # no score yet: edited in place
    keys = [c["key"] for c in versions[0].definition["criteria"]]
    assert keys[-1] == "handout" and versions[0].definition["criteria"][0]["weight"] == 30

    # Once a review uses it, a change makes version 2 and the review keeps version 1.
    assignment = make_assignment(dbsession, conference=conference)
    login(_reviewer(dbsession, assignment))
    _save(testapp, assignment, {"revision": 0, "scores": {"relevance": 3}})
    login(chair)
    form = testapp.get(url).forms["rubric-form"]
    form["criteria-1-weight"] = "20"
    form.submit(status=303)
    versions = dbsession.scalars(select(RubricVersion).order_by(RubricVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]
    review = dbsession.scalars(select(Review)).one()
    assert review.rubric_id == versions[0].id


def _rubric_chair(dbsession, login, **settings):
    from poster_review.accounts.models import Role
    from tests.factories import add_role

    conference = make_conference(dbsession, phase="review", **settings)
    chair = make_user(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    login(chair)
    return conference, chair


def test_reviewers_see_the_rubric_in_their_language(testapp, dbsession, login, monkeypatch):
    from poster_review.reviews.models import RubricVersion

    # The interface offers French (as it will once its catalogue ships).
    monkeypatch.setattr("poster_review.i18n.AVAILABLE_LOCALES", ("en", "fr"))
    conference, _chair = _rubric_chair(dbsession, login, languages="en fr es")
    form = testapp.get(f"/c/{conference.slug}/rubrics/review").forms["rubric-form"]
    assert "tr-de-name" not in form.fields  # only the conference's languages
    assert "tr-en-name" not in form.fields  # nor the base language
    form["tr-fr-name"] = "Évaluation des posters"
    form["tr-fr-c0-name"] = "Pertinence par rapport au thème"
    form["tr-fr-c0-levels"] = "1: Sans rapport avec le thème.\n5: Au cœur du thème."
    form["tr-fr-t0-label"] = "Commentaires pour les auteurs"
    form["tr-es-c1-name"] = "Originalidad e impacto"
    form.submit(status=303)
    stored = dbsession.scalars(select(RubricVersion)).one().definition
    assert stored["translations"]["fr"] == {
        "name": "Évaluation des posters",
        "criteria": {
            "relevance": {
                "name": "Pertinence par rapport au thème",
                "levels": {"1": "Sans rapport avec le thème.", "5": "Au cœur du thème."},
            }
        },
        "text_fields": {"comments_authors": {"label": "Commentaires pour les auteurs"}},
    }
    assert stored["translations"]["es"] == {
        "criteria": {"originality": {"name": "Originalidad e impacto"}}
    }

    french = make_user(dbsession, locale="fr")
    assignment = make_assignment(dbsession, conference=conference, reviewer=french)
    login(french)
    page = testapp.get(f"/reviews/{assignment.id}/")
    assert "Pertinence par rapport au thème" in page.text
    assert "Relevance to the congress theme" not in page.text
    assert "Sans rapport avec le thème." in page.text and "Au cœur du thème." in page.text
    assert "Loosely related." in page.text  # level 2 has no translation: the base text
    assert "Originality and impact" in page.text  # translated in Spanish only
    assert "Commentaires pour les auteurs" in page.text
    # What is missing to submit is named as the reviewer read it.
    form = page.forms["review-form"]
    form["score-originality"] = "3"
    page = form.submit("action", value="submit", status=400)
    assert "Please complete: Pertinence par rapport au thème, Clarity of content" in page.text

    english = make_user(dbsession, locale="en")
    other = make_assignment(dbsession, conference=conference, reviewer=english)
    login(english)
    page = testapp.get(f"/reviews/{other.id}/")
    assert (
        "Relevance to the congress theme" in page.text and "Not related to the theme." in page.text
    )
    assert "Pertinence" not in page.text and "Originalidad" not in page.text


def test_translations_of_a_used_rubric_are_edited_in_place(testapp, dbsession, login):
    from poster_review.reviews.models import RubricVersion

    conference, chair = _rubric_chair(dbsession, login, languages="en fr")
    url = f"/c/{conference.slug}/rubrics/review"
    assignment = make_assignment(dbsession, conference=conference)
    login(_reviewer(dbsession, assignment))
    _save(testapp, assignment, {"revision": 0, "scores": {"relevance": 3}})
    login(chair)
    page = testapp.get(url)
    assert "creates a new version" in page.text
    form = page.forms["rubric-form"]
    form["tr-fr-c2-name"] = "Clarté du contenu"
    page = form.submit(status=303).follow()
    assert "Only the translations differ, so reviews keep using version 1." in page.text
    version = dbsession.scalars(select(RubricVersion)).one()
    assert version.definition["translations"]["fr"]["criteria"]["clarity"]["name"] == (
        "Clarté du contenu"
    )
    # A change of the base text is a new version, which keeps the translations.
    form = page.forms["rubric-form"]
    assert form["tr-fr-c2-name"].value == "Clarté du contenu"
    form["criteria-2-levels"] = "1: Unclear.\n5: Clear at a glance."
    form.submit(status=303)
    versions = dbsession.scalars(select(RubricVersion).order_by(RubricVersion.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].definition["translations"] == versions[0].definition["translations"]


def test_a_translated_level_the_rubric_does_not_describe_is_refused(testapp, dbsession, login):
    from poster_review.reviews.models import RubricVersion

    conference, _chair = _rubric_chair(dbsession, login, languages="en fr")
    form = testapp.get(f"/c/{conference.slug}/rubrics/review").forms["rubric-form"]
    form["criteria-0-levels"] = "1: Not related.\n5: Central."
    form["tr-fr-c0-levels"] = "1: Sans rapport.\n3: À moitié."
    page = form.submit(status=400)
    assert (
        "The fr translation of Relevance to the congress theme describes level 3, but the "
        "rubric gives that level no text." in page.text
    )
    assert page.forms["rubric-form"]["tr-fr-c0-levels"].value == "1: Sans rapport.\n3: À moitié.\n"
    stored = dbsession.scalars(select(RubricVersion)).one().definition
    assert "translations" not in stored and stored["criteria"][0]["levels"]["3"] == (
        "Related, but the link is left to the reader."
    )  # still the default rubric: nothing saved
