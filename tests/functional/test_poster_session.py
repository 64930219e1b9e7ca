"""The physical poster session through the web: boards, numbering, presenters, the
judges' schedule, routes and calendars, live coverage and reassignment."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

from sqlalchemy import select

from poster_review.accounts.models import Role
from poster_review.assignment.models import (
    Assignment,
    ConflictSource,
    ConflictStatus,
    ReviewRound,
)
from poster_review.assignment.services import record_conflict
from poster_review.awards.models import Decision, Outcome
from poster_review.notifications.models import OutboxMessage
from poster_review.onsite import planning, services
from poster_review.onsite.models import (
    Board,
    JudgeVisit,
    PosterPlacement,
    PosterSession,
    PresenterStatus,
    SessionSlot,
)
from poster_review.onsite.views import board_label
from poster_review.reviews.models import ReviewState
from poster_review.reviews.services import review_for
from tests.factories import add_role, make_conference, make_submission, make_track, make_user


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _world(dbsession):
    """Four accepted posters (two by one presenter), one rejected, three judges (the
    first conflicted with the first poster) and a chair."""
    conference = make_conference(dbsession, phase="session")
    chair = make_user(dbsession, name="Chair")
    add_role(dbsession, chair, conference, Role.chair)
    archives = make_track(dbsession, conference, "Archives")
    libraries = make_track(dbsession, conference, "Libraries")
    shared = make_user(dbsession, name="Aigerim Shared")
    specs = [
        ([shared], archives, Outcome.accept, "Manuscripts of the steppe"),
        ([make_user(dbsession)], archives, Outcome.accept, "Digitised newspapers"),
        ([shared], archives, Outcome.accept_with_revisions, "Oral histories"),
        ([make_user(dbsession)], libraries, Outcome.accept, "Rural reading rooms"),
        ([make_user(dbsession)], libraries, Outcome.reject, "A rejected poster"),
    ]
    posters = []
    for authors, track, outcome, title in specs:
        submission = make_submission(
            dbsession,
            conference,
            authors=authors,
            title=title,
            state="submitted",
            track_id=track.id,
        )
        dbsession.add(
            Decision(
                submission_id=submission.id,
                conference_id=conference.id,
                outcome=outcome,
                decided_at=_now(),
            )
        )
        posters.append(submission)
    judges = [make_user(dbsession, name=f"Judge {i}") for i in range(3)]
    for judge in judges:
        add_role(dbsession, judge, conference, Role.judge)
    record_conflict(
        dbsession,
        conference_id=conference.id,
        submission_id=posters[0].id,
        user_id=judges[0].id,
        kind="institution",
        source=ConflictSource.detected,
        status=ConflictStatus.confirmed,
        evidence="same institution",
        now=_now(),
    )
    dbsession.flush()
    return conference, chair, shared, posters, judges


def _planned(dbsession, conference, chair, *, required: int = 1):
    """Boards, a session under way (slot 1 began 30 minutes ago), numbered and scheduled."""
    services.replace_boards(
        dbsession,
        conference_id=conference.id,
        layout=planning.grid_layout(2, 4, hall="Hall A"),
    )
    start = _now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    session = services.create_session(
        dbsession,
        conference=conference,
        name="Morning posters",
        hall="Hall A",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        slot_count=2,
        required_judges=required,
        minutes_per_visit=10,
        now=_now(),
    )
    services.number_posters(dbsession, conference=conference, now=_now())
    services.apply_schedule(dbsession, conference=conference, session=session, by=chair, now=_now())
    return session


def _placement(dbsession, submission_id: int) -> PosterPlacement:
    found = services.placement_of(dbsession, submission_id)
    assert found is not None
    return found


def _slot(placed: services.PlacedPoster) -> SessionSlot:
    assert placed.slot is not None
    return placed.slot


def test_board_numbering_through_the_web_keeps_an_authors_posters_adjacent(
    testapp, dbsession, login
):
    conference, chair, _shared, posters, _judges = _world(dbsession)
    login(chair)
    base = f"/c/{conference.slug}/poster-sessions"

    boards = testapp.get(base + "/boards")
    form = boards.forms["grid-form"]
    form["hall"], form["rows"], form["per_row"] = "Hall A", "2", "4"
    form.submit(status=303)
    stored = dbsession.scalars(select(Board).where(Board.conference_id == conference.id)).all()
    assert sorted((b.row, b.number) for b in stored)[:2] == [("A", 1), ("A", 2)]
    assert len(stored) == 8

    form = testapp.get(base).forms["session-form"]
    form["name"], form["hall"] = "Morning posters", "Hall A"
    form["date"], form["start"], form["end"] = "2026-06-12", "10:00", "11:30"
    form["slots"] = "2"
    page = form.submit(status=303).follow()
    session = dbsession.scalars(
        select(PosterSession).where(PosterSession.conference_id == conference.id)
    ).one()
    slots = dbsession.scalars(
        select(SessionSlot).where(SessionSlot.session_id == session.id).order_by("position")
    ).all()
    almaty = zoneinfo.ZoneInfo("Asia/Almaty")
    expected = dt.datetime(2026, 6, 12, 10, 0, tzinfo=almaty).astimezone(dt.UTC)
    assert [(s.starts_at, s.ends_at - s.starts_at) for s in slots] == [
        (expected, dt.timedelta(minutes=45)),
        (expected + dt.timedelta(minutes=45), dt.timedelta(minutes=45)),
    ]
    assert "10:00–10:45" in page.text and "10:45–11:30" in page.text

    page = page.forms["number-form"].submit("action", value="number", status=303).follow()
    assert "4 posters numbered; 2 boards kept free for late additions." in page.text
    rows = dbsession.execute(
        select(PosterPlacement.submission_id, Board.number).join(
            Board, Board.id == PosterPlacement.board_id
        )
    ).all()
    board_of = dict(rows)
    assert set(board_of) == {p.id for p in posters[:4]}  # the rejected poster has no board
    # One presenter's two posters hang side by side in the same row.
    assert abs(board_of[posters[0].id] - board_of[posters[2].id]) == 1
    assert board_label(posters[0]) == str(board_of[posters[0].id])
    assert board_label(posters[4]) == str(posters[4].number)

    # A keyboard move: type a board number, press the button. Onto an occupied board: swap.
    target = board_of[posters[3].id]
    form = next(
        f
        for f in page.forms.values()
        if f.fields.get("board") and f["submission_id"].value == str(posters[1].id)
    )
    form["board"] = str(target)
    page = form.submit("action", value="move", status=303).follow()
    dbsession.expire_all()
    moved = _placement(dbsession, posters[1].id)
    swapped = _placement(dbsession, posters[3].id)
    assert dbsession.get(Board, moved.board_id).number == target
    assert dbsession.get(Board, swapped.board_id).number == board_of[posters[1].id]
    assert moved.pinned and swapped.pinned
    form = next(
        f
        for f in page.forms.values()
        if f.fields.get("board") and f["submission_id"].value == str(posters[1].id)
    )
    form["board"] = "99"
    refused = form.submit("action", value="move", status=400)
    assert "Board 99 of hall Hall A does not exist." in refused.text

    svg = testapp.get(base + "/floor-map.svg")
    assert svg.content_type == "image/svg+xml"
    assert "Rural reading rooms" in svg.text and 'role="img"' in svg.text


def test_presenter_confirms_or_cannot_attend_and_chair_names_a_substitute(
    testapp, dbsession, login
):
    conference, chair, shared, posters, _judges = _world(dbsession)
    session = _planned(dbsession, conference, chair)
    placed = {p.submission.id: p for p in services.placements_of(dbsession, session)}
    mine = placed[posters[0].id]
    login(shared)
    page = testapp.get(f"/submissions/{posters[0].id}/presence")
    assert f"Board {mine.board.number} in Hall A, Morning posters." in page.text
    local = _slot(mine).starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Almaty")).strftime("%H:%M")
    assert f"from {local}" in page.text
    page.forms["presence-form"].submit("attending", value="yes", status=303)
    assert _placement(dbsession, posters[0].id).presenter_status == (PresenterStatus.confirmed)
    page = testapp.get(f"/submissions/{posters[0].id}/presence")
    page.forms["presence-form"].submit("attending", value="no", status=303)
    placement = _placement(dbsession, posters[0].id)
    assert placement.presenter_status == PresenterStatus.cannot_attend
    assert services.presenter_missing(placement)

    testapp.reset()
    login(chair)
    page = testapp.get(f"/c/{conference.slug}/poster-sessions/{session.id}")
    form = next(f for f in page.forms.values() if f.fields.get("substitute_name"))
    form["substitute_name"], form["substitute_email"] = "Dana Substitute", "dana@example.org"
    form.submit("action", value="substitute", status=303)
    placement = _placement(dbsession, posters[0].id)
    assert (placement.substitute_name, placement.substitute_email) == (
        "Dana Substitute",
        "dana@example.org",
    )
    assert not services.presenter_missing(placement)


def test_scheduler_apply_creates_judging_assignments_without_conflicted_judges(
    testapp, dbsession, login
):
    conference, chair, _shared, posters, judges = _world(dbsession)
    services.replace_boards(
        dbsession, conference_id=conference.id, layout=planning.grid_layout(2, 4, hall="Hall A")
    )
    start = _now() + dt.timedelta(days=1)
    session = services.create_session(
        dbsession,
        conference=conference,
        name="Morning posters",
        hall="Hall A",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=90),
        required_judges=3,
        now=_now(),
    )
    services.number_posters(dbsession, conference=conference, now=_now())
    login(chair)
    url = f"/c/{conference.slug}/poster-sessions/{session.id}/schedule"
    page = testapp.get(url)
    # The first judge cannot come in the second slot.
    form = page.forms["availability-form"]
    slots = services.slots_of(dbsession, session.id)
    form[f"avail-{judges[0].id}-{slots[1].id}"] = False
    form.submit("action", value="availability", status=303)
    assert services.availability_of(dbsession, session.id)[(judges[0].id, slots[1].id)] is False

    preview = testapp.get(url).forms["schedule-form"].submit("action", value="preview")
    # Poster 1 has 2 eligible judges of 3 needed (the third is conflicted).
    assert "only 2 eligible judges are available" in preview.text
    assert dbsession.scalars(select(JudgeVisit)).all() == []  # a preview writes nothing

    page = preview.forms["schedule-form"].submit("action", value="apply", status=303).follow()
    assert "Schedule applied" in page.text
    pairs = set(
        dbsession.execute(
            select(Assignment.reviewer_id, Assignment.submission_id).where(
                Assignment.conference_id == conference.id,
                Assignment.round == ReviewRound.judging,
            )
        ).all()
    )
    assert (judges[0].id, posters[0].id) not in pairs
    assert {(j.id, posters[0].id) for j in judges[1:]} <= pairs
    assert not any(sid == posters[4].id for _j, sid in pairs)  # rejected: not judged
    visits = dbsession.scalars(select(JudgeVisit).where(JudgeVisit.session_id == session.id)).all()
    assert len(visits) == len(pairs)
    slot_of = {p.submission.id: _slot(p).id for p in services.placements_of(dbsession, session)}
    for visit in visits:
        assignment = dbsession.get(Assignment, visit.assignment_id)
        assert visit.slot_id == slot_of[assignment.submission_id]
        if assignment.reviewer_id == judges[0].id:
            assert visit.slot_id != slots[1].id  # not when unavailable
    mails = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "judge_route")
    ).all()
    assert sorted(m.to_email for m in mails) == sorted(
        {j.email for j in judges if any(r == j.id for r, _s in pairs)}
    )
    assert "Board" in mails[0].body_text and "/route" in mails[0].body_text


def test_judge_route_page_and_calendar_show_only_their_own_visits(testapp, dbsession, login):
    conference, chair, _shared, _posters, judges = _world(dbsession)
    _planned(dbsession, conference, chair)
    judge = judges[1]
    stops = services.route_of(dbsession, conference.id, judge.id)
    assert stops
    login(judge)
    page = testapp.get(f"/c/{conference.slug}/route")
    for stop in stops:
        local = stop.visit.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Almaty"))
        assert f"{local:%H:%M}" in page.text
        assert f"Board {stop.board_label}" in page.text
        assert stop.submission.title in page.text
    ics = testapp.get(f"/c/{conference.slug}/route.ics")
    assert ics.content_type == "text/calendar"
    text = ics.body.decode("utf-8")
    assert text.count("BEGIN:VEVENT") == len(stops)
    first = stops[0]
    assert f"DTSTART:{first.visit.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in text
    assert f"UID:visit-{first.visit.id}@" in text
    assert "LOCATION:Hall A\\, Board" in text
    # Another judge's route: refused to a judge, shown to the chair.
    testapp.get(f"/c/{conference.slug}/route?judge={judges[2].id}", status=403)
    testapp.get(f"/c/{conference.slug}/route.ics?judge={judges[2].id}", status=403)
    testapp.reset()
    login(chair)
    other = testapp.get(f"/c/{conference.slug}/route?judge={judge.id}")
    assert f"Judging route of {judge.name}" in other.text


def test_live_json_counts_scores_absences_and_late_judges_for_the_chair_only(
    testapp, dbsession, login
):
    conference, chair, _shared, posters, judges = _world(dbsession)
    session = _planned(dbsession, conference, chair, required=2)
    url = f"/c/{conference.slug}/poster-sessions/{session.id}/live.json"
    login(chair)
    state = testapp.get(url).json
    by_poster = {p["submission_id"]: p for p in state["posters"]}
    assert set(by_poster) == {p.id for p in posters[:4]}
    assert all(p["done"] == 0 and p["required"] == 2 for p in state["posters"])
    # Slot 1 began 30 minutes ago: its first visits ended unscored, so someone is behind.
    assert sum(j["behind"] for j in state["judges"]) >= 1

    visits = services.visits_of_session(dbsession, session.id)
    _visit, assignment = visits[0]
    review = review_for(dbsession, assignment, _now())
    review.state = ReviewState.submitted
    review.presenter_absent = True
    dbsession.flush()
    state = testapp.get(url).json
    poster = next(p for p in state["posters"] if p["submission_id"] == assignment.submission_id)
    assert poster["done"] == 1 and poster["presenter_absent"] is True
    judge = next(j for j in state["judges"] if j["id"] == assignment.reviewer_id)
    assert judge["done"] == 1

    testapp.reset()
    login(judges[1])  # a judge sees their own route, not the chair's live state
    testapp.get(url, status=403)
    testapp.get(url.replace("live.json", "live"), status=403)
    testapp.reset()
    testapp.get(url, status=303)  # anonymous: sent to log in


def test_reassign_sends_a_free_judge_and_refuses_a_conflicted_one(testapp, dbsession, login):
    conference, chair, _shared, posters, judges = _world(dbsession)
    session = _planned(dbsession, conference, chair, required=1)
    visiting = {
        a.reviewer_id
        for _v, a in services.visits_of_session(dbsession, session.id)
        if a.submission_id == posters[0].id
    }
    free = next(j for j in judges[1:] if j.id not in visiting)
    login(chair)
    url = f"/c/{conference.slug}/poster-sessions/{session.id}/live"
    page = testapp.get(url)
    assert "Live coverage" in page.text and 'id="refresh"' in page.text
    token = page.html.find("input", {"name": "csrf_token"})["value"]
    before = dbsession.scalars(select(Assignment)).all()

    refused = testapp.post(
        url,
        {"csrf_token": token, "submission_id": posters[0].id, "judge_id": judges[0].id},
        status=409,
    )
    assert "This judge cannot take this poster" in refused.text
    assert dbsession.scalars(select(Assignment)).all() == before

    testapp.post(
        url,
        {"csrf_token": token, "submission_id": posters[0].id, "judge_id": free.id},
        status=303,
    )
    assignment = dbsession.scalars(
        select(Assignment).where(
            Assignment.reviewer_id == free.id, Assignment.submission_id == posters[0].id
        )
    ).one()
    assert assignment.round == ReviewRound.judging
    visit = dbsession.scalars(
        select(JudgeVisit).where(JudgeVisit.assignment_id == assignment.id)
    ).one()
    assert visit.source == "reassigned"
    mail = dbsession.scalars(
        select(OutboxMessage).where(OutboxMessage.event == "judge_visit_added")
    ).one()
    assert mail.to_email == free.email
    assert f"/reviews/{assignment.id}/" in mail.body_text
    state = testapp.get(url + ".json").json
    poster = next(p for p in state["posters"] if p["submission_id"] == posters[0].id)
    assert poster["planned"] == 2
    # The same judge twice: refused, as they visit it already.
    testapp.post(
        url,
        {"csrf_token": token, "submission_id": posters[0].id, "judge_id": free.id},
        status=409,
    )


def test_get_pages_write_nothing(testapp, dbsession, login):
    conference, chair, _shared, _posters, _judges = _world(dbsession)
    session = _planned(dbsession, conference, chair)
    login(chair)
    counts = [dbsession.scalars(select(m)).all() for m in (PosterPlacement, JudgeVisit)]
    for path in ("", f"/{session.id}", f"/{session.id}/schedule", f"/{session.id}/live"):
        testapp.get(f"/c/{conference.slug}/poster-sessions{path}")
    dbsession.expire_all()
    assert [dbsession.scalars(select(m)).all() for m in (PosterPlacement, JudgeVisit)] == counts
    assert (
        json.loads(
            testapp.get(f"/c/{conference.slug}/poster-sessions/{session.id}/live.json").text
        )["session_id"]
        == session.id
    )
