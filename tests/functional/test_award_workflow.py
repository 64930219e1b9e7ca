"""Awards: declare, shortlist, judge, tie-break, freeze, publish; ranking page and exports."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from sqlalchemy import select

from poster_review.accounts.models import Role
from poster_review.assignment.models import ConflictSource, ConflictStatus, ReviewRound
from poster_review.assignment.services import record_conflict
from poster_review.awards import categories
from poster_review.awards.models import (
    AuditEntry,
    AwardCategory,
    AwardSnapshot,
    AwardState,
    Decision,
    Outcome,
    SnapshotImmutable,
)
from poster_review.reviews.models import Review, ReviewState
from poster_review.reviews.services import current_rubric
from tests.factories import add_role, make_assignment, make_conference, make_submission, make_user


def _review(dbsession, conference, assignment, total, scores=None, round_=ReviewRound.review):
    review = Review(
        assignment_id=assignment.id,
        rubric_id=current_rubric(dbsession, conference.id, round_).id,
        total=total,
        confidence=3,
        state=ReviewState.submitted,
        scores=scores or {},
        texts={},
    )
    dbsession.add(review)
    dbsession.flush()
    return review


@pytest.fixture
def congress(dbsession):
    """Five accepted posters (totals 90, 80, 70, 60 and 50 from three reviewers),
    one rejected poster with the best score, a student presenter on posters 2 and 4."""
    conference = make_conference(dbsession, phase="decided", languages="en fr")
    chair = make_user(dbsession, name="Chair Person")
    add_role(dbsession, chair, conference, Role.chair)
    reviewers = [make_user(dbsession) for _ in range(3)]
    posters = []
    for i, total in enumerate([90, 80, 70, 60, 50, 99]):
        poster = make_submission(
            dbsession,
            conference,
            authors=[make_user(dbsession, name=f"Presenter {i}")],
            state="submitted",
            title=f"Award poster {i}",
        )
        poster.authors[0].is_presenting = True
        poster.authors[0].is_student = i in (1, 3)
        posters.append(poster)
        for reviewer in reviewers:
            assignment = make_assignment(
                dbsession, conference=conference, reviewer=reviewer, submission=poster
            )
            _review(dbsession, conference, assignment, total, {"relevance": total // 20})
        outcome = Outcome.reject if i == 5 else Outcome.accept
        dbsession.add(
            Decision(
                submission_id=poster.id,
                conference_id=conference.id,
                outcome=outcome,
                decided_by_id=chair.id,
            )
        )
    dbsession.flush()
    return conference, chair, posters, reviewers


def _create(testapp, conference, **fields):
    page = testapp.get(f"/c/{conference.slug}/awards/manage")
    form = page.forms["award-form"]
    form["name"] = fields.pop("name", "Best Poster")
    for key, value in fields.items():
        form[key] = value
    response = form.submit()
    assert response.status_int == 303, response.text
    return response.follow()


def _act(testapp, page, action, **fields):
    form = next(f for f in page.forms.values() if "version" in f.fields)
    params = {"csrf_token": form["csrf_token"].value, "version": form["version"].value}
    params.update(fields)
    params["action"] = action
    return testapp.post(page.request.path, params, status="*")


def test_full_award_workflow_from_declaration_to_public_list(testapp, dbsession, login, congress):
    conference, chair, posters, _reviewers = congress
    login(chair)
    page = _create(
        testapp,
        conference,
        places="2",
        shortlist_size="3",
        tie_break_0="criterion:relevance",
        name_fr="Meilleur poster",
    )
    category = dbsession.scalars(select(AwardCategory)).one()
    assert category.tie_breaks == [["criterion", "relevance"]]
    assert category.name_translations == {"fr": "Meilleur poster"}
    # The rejected poster (best score) is not eligible; the shortlist is the best three.
    assert "Award poster 5" not in page.text
    assert "5 accepted posters are eligible" in page.text

    response = _act(testapp, page, "shortlist")
    assert response.status_int == 303
    dbsession.refresh(category)
    assert category.state == AwardState.shortlisted
    assert category.shortlist == [posters[0].id, posters[1].id, posters[2].id]

    # Rules are fixed now: changing the number of places is refused with a message.
    page = testapp.get(page.request.path)
    refused = _act(testapp, page, "save", name="Best Poster", places="1", shortlist_size="3")
    assert refused.status_int == 400
    assert "fixed since its shortlist was drawn" in refused.text

    # Judges at the board reverse the order of the first two posters.
    for j in range(2):
        judge = make_user(dbsession)
        for poster, total in [(posters[0], 60), (posters[1], 85), (posters[2], 70)]:
            assignment = make_assignment(
                dbsession,
                conference=conference,
                reviewer=judge,
                submission=poster,
                round_="judging",
            )
            _review(dbsession, conference, assignment, total + j, round_=ReviewRound.judging)
    page = testapp.get(page.request.path)
    assert "Ranked by the judges&#39; scores at the board." in page.text
    response = _act(testapp, page, "freeze")
    assert response.status_int == 303
    snapshot = dbsession.scalars(select(AwardSnapshot)).one()
    assert [e["number"] for e in snapshot.entries] == [posters[1].number, posters[2].number]
    assert snapshot.entries[0]["presenters"] == ["Presenter 1"]
    assert snapshot.software_version and snapshot.seed == conference.id * 1000 + category.id
    assert categories.verify(snapshot)

    # Nothing is public before publishing, not even to the chair's exports.
    testapp.get(f"/c/{conference.slug}/awards.csv", status=404)
    assert "No award has been published yet." in testapp.get(f"/c/{conference.slug}/awards").text

    page = testapp.get(page.request.path)
    assert "recomputed from its inputs: identical" in page.text
    assert _act(testapp, page, "publish").status_int == 303

    testapp.reset()  # signed out: the public sees the same list
    public = testapp.get(f"/c/{conference.slug}/awards")
    assert "Best Poster" in public.text and "Award poster 1" in public.text
    assert public.text.index("Award poster 1") < public.text.index("Award poster 2")
    french = testapp.get(f"/c/{conference.slug}/awards", {"lang": "fr"})
    assert "Meilleur poster" in french.text and '<div lang="fr">' in french.text
    french_csv = testapp.get(f"/c/{conference.slug}/awards.csv", {"lang": "fr"}).text
    assert "Meilleur poster" in french_csv

    rows = list(csv.reader(io.StringIO(testapp.get(f"/c/{conference.slug}/awards.csv").text)))
    assert rows[1][:3] == ["Best Poster", "1", str(posters[1].number)]
    document = json.loads(testapp.get(f"/c/{conference.slug}/awards.json").text)
    assert [w["place"] for w in document["awards"][0]["winners"]] == [1, 2]
    assert document["awards"][0]["snapshot"]["result_sha256"] == snapshot.result_sha256
    xlsx = testapp.get(f"/c/{conference.slug}/awards.xlsx").body
    archive = zipfile.ZipFile(io.BytesIO(xlsx))
    assert any("Award poster 1" in archive.read(n).decode() for n in archive.namelist())

    actions = [e.action for e in dbsession.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["award.created", "award.shortlisted", "award.frozen", "award.published"]
    login(chair)
    audit = testapp.get(f"/c/{conference.slug}/audit")
    assert "award.frozen" in audit.text and "Chair Person" in audit.text


def test_frozen_result_ignores_later_review_edits_and_cannot_be_updated(dbsession, congress):
    conference, chair, posters, _reviewers = congress
    category = categories.save_category(
        dbsession,
        conference=conference,
        data=categories.CategoryInput(name="Best Poster", places=1, shortlist_size=2),
        actor=chair,
        now=conference.created_at,
    )
    categories.draw_shortlist(
        dbsession, conference=conference, category=category, actor=chair, now=conference.created_at
    )
    snapshot = categories.freeze(
        dbsession, conference=conference, category=category, actor=chair, now=conference.created_at
    )
    assert [e["number"] for e in snapshot.entries] == [posters[0].number]
    frozen = json.dumps(snapshot.result, sort_keys=True)
    # A reviewer edits a score afterwards: the frozen result does not move...
    for review in dbsession.scalars(select(Review)):
        if review.assignment.submission_id == posters[1].id:
            review.total = 100.0
    dbsession.flush()
    dbsession.expire_all()
    stored = dbsession.get(AwardSnapshot, snapshot.id)
    assert json.dumps(stored.result, sort_keys=True) == frozen
    assert categories.verify(stored)
    # ...while a fresh computation from today's data would.
    assert categories.preview(dbsession, conference, category).winners[0].poster == posters[1].id
    # And the snapshot row itself refuses to change.
    stored.result = {"winners": []}
    with pytest.raises(SnapshotImmutable):
        dbsession.flush()
    dbsession.rollback()


def test_student_award_only_admits_student_presenters(dbsession, congress):
    conference, chair, posters, _reviewers = congress
    category = categories.save_category(
        dbsession,
        conference=conference,
        data=categories.CategoryInput(
            name="Best Student Poster", student_presenter=True, places=1, shortlist_size=2
        ),
        actor=chair,
        now=conference.created_at,
    )
    result = categories.preview(dbsession, conference, category)
    assert set(result.eligible) == {posters[1].id, posters[3].id}
    assert [w.poster for w in result.winners] == [posters[1].id]


def test_casting_vote_needed_then_refused_to_a_conflicted_chair(
    testapp, dbsession, login, congress
):
    conference, chair, posters, _reviewers = congress
    login(chair)
    # Tolerance 15 ties the top three posters; only the casting vote can separate them.
    page = _create(
        testapp,
        conference,
        places="1",
        shortlist_size="3",
        tolerance="15",
        tie_break_0="casting",
    )
    page = testapp.get(_act(testapp, page, "shortlist").location)
    assert "Posters still tied for a place" in page.text
    refused = _act(testapp, page, "freeze")
    assert refused.status_int == 400
    assert "need a casting vote first" in refused.text

    record_conflict(
        dbsession,
        conference_id=conference.id,
        submission_id=posters[2].id,
        user_id=chair.id,
        kind="colleague",
        source=ConflictSource.chair,
        status=ConflictStatus.confirmed,
        evidence="same institute",
        now=conference.created_at,
    )
    numbers = f"{posters[2].number}, {posters[0].number}, {posters[1].number}"
    refused = _act(testapp, page, "cast", order=numbers)
    assert refused.status_int == 403
    assert "another chair must cast it" in refused.text

    other = make_user(dbsession)
    add_role(dbsession, other, conference, Role.chair)
    login(other)
    page = testapp.get(page.request.path)
    assert _act(testapp, page, "cast", order=numbers).status_int == 303
    page = testapp.get(page.request.path)
    assert _act(testapp, page, "freeze").status_int == 303
    snapshot = dbsession.scalars(select(AwardSnapshot)).one()
    assert snapshot.entries[0]["number"] == posters[2].number


def test_stale_form_gets_a_conflict(testapp, dbsession, login, congress):
    conference, chair, _posters, _reviewers = congress
    login(chair)
    page = _create(testapp, conference)
    category = dbsession.scalars(select(AwardCategory)).one()
    category.description = "changed elsewhere"
    dbsession.flush()
    response = _act(testapp, page, "shortlist")
    assert response.status_int == 409
    assert "Someone else changed this award" in response.text


def test_award_pages_are_for_chairs_and_public_list_for_everyone(
    testapp, dbsession, login, congress
):
    conference, _chair, _posters, reviewers = congress
    login(reviewers[0])
    testapp.get(f"/c/{conference.slug}/awards/manage", status=403)
    testapp.get(f"/c/{conference.slug}/ranking", status=403)
    testapp.get(f"/c/{conference.slug}/ranking.csv", status=403)
    testapp.get(f"/c/{conference.slug}/audit", status=403)
    assert "No award has been published yet." in testapp.get(f"/c/{conference.slug}/awards").text
    other = make_conference(dbsession, phase="decided")
    other_chair = make_user(dbsession)
    add_role(dbsession, other_chair, other, Role.chair)
    login(other_chair)
    testapp.get(f"/c/{conference.slug}/awards/manage", status=403)


def test_ranking_page_filters_by_track_and_exports(testapp, dbsession, login, congress):
    from tests.factories import make_track

    conference, chair, posters, _reviewers = congress
    track = make_track(dbsession, conference, name="Digital libraries")
    posters[3].track_id = track.id
    dbsession.flush()
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/ranking")
    body = page.text
    assert (
        body.index("Award poster 5") < body.index("Award poster 0") < body.index("Award poster 4")
    )
    assert "Relevance" in body  # the per-criterion breakdown column
    filtered = testapp.get(f"/c/{conference.slug}/ranking", {"track": str(track.id)})
    assert "Award poster 3" in filtered.text and "Award poster 0" not in filtered.text
    rows = list(csv.reader(io.StringIO(testapp.get(f"/c/{conference.slug}/ranking.csv").text)))
    assert rows[0][:3] == ["Rank", "Poster", "Title"]
    assert [r[1] for r in rows[1:]] == [str(p.number) for p in [posters[5], *posters[:5]]]
    document = json.loads(testapp.get(f"/c/{conference.slug}/ranking.json").text)
    assert document["method"] == "calibrated" and len(document["posters"]) == 6


def test_bulk_decide_from_the_ranking(testapp, dbsession, login):
    conference = make_conference(dbsession, phase="decided")
    chair = make_user(dbsession)
    add_role(dbsession, chair, conference, Role.chair)
    reviewer = make_user(dbsession)
    posters = []
    for total in (30, 90, 60):
        poster = make_submission(
            dbsession, conference, authors=[make_user(dbsession)], state="submitted"
        )
        assignment = make_assignment(
            dbsession, conference=conference, reviewer=reviewer, submission=poster
        )
        _review(dbsession, conference, assignment, total)
        posters.append(poster)
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/decisions")
    form = page.forms["bulk-form"]
    form["bulk_top"] = "2"
    form["bulk_top_outcome"] = "accept"
    form["bulk_rest_outcome"] = "reject"
    assert form.submit("action", value="bulk").status_int == 303
    outcomes = {d.submission_id: d.outcome for d in dbsession.scalars(select(Decision))}
    assert outcomes == {
        posters[1].id: Outcome.accept,
        posters[2].id: Outcome.accept,
        posters[0].id: Outcome.reject,
    }
    entry = dbsession.scalars(select(AuditEntry)).one()
    assert entry.action == "decisions.bulk" and len(entry.details["outcomes"]) == 3


def test_published_exports_neutralise_spreadsheet_formulas(testapp, dbsession, congress):
    conference, chair, posters, _reviewers = congress
    posters[0].title = '=HYPERLINK("http://evil.example","click")'
    dbsession.flush()
    category = categories.save_category(
        dbsession,
        conference=conference,
        data=categories.CategoryInput(name="+Best Poster", places=1, shortlist_size=1),
        actor=chair,
        now=conference.created_at,
    )
    kwargs = {"conference": conference, "category": category, "actor": chair}
    categories.draw_shortlist(dbsession, now=conference.created_at, **kwargs)
    categories.freeze(dbsession, now=conference.created_at, **kwargs)
    categories.publish(dbsession, now=conference.created_at, **kwargs)
    rows = list(csv.reader(io.StringIO(testapp.get(f"/c/{conference.slug}/awards.csv").text)))
    assert rows[1][0] == "'+Best Poster"
    assert rows[1][3] == "'" + posters[0].title
    xlsx = testapp.get(f"/c/{conference.slug}/awards.xlsx").body
    archive = zipfile.ZipFile(io.BytesIO(xlsx))
    sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # stored as text, never as a formula
    assert 'quotePrefix="1"' in archive.read("xl/styles.xml").decode()
