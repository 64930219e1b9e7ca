"""The poster session in the database: sessions and slots, the board map, board
numbering and moves, presenters' attendance, judges' availability, applying the judge
schedule, judges' routes, live coverage and reassignment during the session.

The hard parts are pure (``planning.py``, ``schedule.py``); this module reads their
input from the database and stores their results. Functions take the session and the
time explicitly and never commit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from poster_review.accounts.models import Membership, Role, User
from poster_review.assignment import services as assignment_services
from poster_review.assignment.errors import ConflictRefused
from poster_review.assignment.models import Assignment, ReviewRound
from poster_review.awards.models import Decision, Outcome
from poster_review.conferences.models import Conference, Track
from poster_review.errors import InvalidInput
from poster_review.i18n import _
from poster_review.notifications.services import queue_email
from poster_review.onsite import planning, schedule
from poster_review.onsite.models import (
    Board,
    JudgeAvailability,
    JudgeVisit,
    PosterPlacement,
    PosterSession,
    PresenterStatus,
    SessionSlot,
)
from poster_review.reviews.models import Review, ReviewState
from poster_review.submissions.models import Submission, SubmissionAuthor, SubmissionState

log = logging.getLogger(__name__)

MAX_SLOTS = 6
ACCEPTED = (Outcome.accept, Outcome.accept_with_revisions)


class SessionError(InvalidInput):
    """A session, board map or schedule change was refused; the message says why."""


class ReassignRefused(ConflictRefused):
    """The judge cannot be sent to the poster now (conflicted, busy or unavailable)."""


# --------------------------------------------------------------------------- sessions


def sessions_of(dbsession: Session, conference_id: int) -> list[PosterSession]:
    return list(
        dbsession.scalars(
            select(PosterSession)
            .where(PosterSession.conference_id == conference_id)
            .order_by(PosterSession.starts_at, PosterSession.id)
        )
    )


def get_session(dbsession: Session, conference_id: int, session_id: int) -> PosterSession | None:
    found = dbsession.get(PosterSession, session_id)
    return found if found is not None and found.conference_id == conference_id else None


def slots_of(dbsession: Session, session_id: int) -> list[SessionSlot]:
    return list(
        dbsession.scalars(
            select(SessionSlot)
            .where(SessionSlot.session_id == session_id)
            .order_by(SessionSlot.position)
        )
    )


def create_session(
    dbsession: Session,
    *,
    conference: Conference,
    name: str,
    hall: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    slot_count: int = 2,
    required_judges: int = 3,
    minutes_per_visit: int = 10,
    spare_boards: int = 2,
    track_ids: Sequence[int] = (),
    now: dt.datetime,
) -> PosterSession:
    """A session from ``starts_at`` to ``ends_at`` (UTC) cut into ``slot_count`` equal
    slots: with two, odd boards present in the first half and even boards in the second.
    Raises :class:`SessionError` when the window is empty or the slots do not fit."""
    if ends_at <= starts_at:
        raise SessionError(_("The session must end after it starts."))
    if not 1 <= slot_count <= MAX_SLOTS:
        raise SessionError(
            _("A session has from 1 to ${n} presentation slots.", mapping={"n": MAX_SLOTS})
        )
    step = (ends_at - starts_at) / slot_count
    if step < dt.timedelta(minutes=minutes_per_visit):
        raise SessionError(_("Each slot must be at least as long as one judge's visit."))
    known = set(dbsession.scalars(select(Track.id).where(Track.conference_id == conference.id)))
    session = PosterSession(
        conference_id=conference.id,
        name=name,
        hall=hall,
        track_ids=sorted(t for t in set(track_ids) if t in known),
        starts_at=starts_at,
        ends_at=ends_at,
        required_judges=required_judges,
        minutes_per_visit=minutes_per_visit,
        spare_boards=spare_boards,
        created_at=now,
    )
    dbsession.add(session)
    dbsession.flush()
    for i in range(slot_count):
        end = ends_at if i == slot_count - 1 else starts_at + (i + 1) * step
        dbsession.add(
            SessionSlot(
                session_id=session.id, position=i, starts_at=starts_at + i * step, ends_at=end
            )
        )
    dbsession.flush()
    log.info("poster session created conference=%d session=%d", conference.id, session.id)
    return session


# --------------------------------------------------------------------------- boards


def boards_of(dbsession: Session, conference_id: int, hall: str | None = None) -> list[Board]:
    query = select(Board).where(Board.conference_id == conference_id)
    if hall is not None:
        query = query.where(Board.hall == hall)
    return list(dbsession.scalars(query.order_by(Board.hall, Board.number)))


def layout_of(boards: Iterable[Board]) -> planning.HallLayout:
    return planning.HallLayout(
        tuple(planning.Board(b.hall, b.row, b.number, b.x, b.y) for b in boards)
    )


def replace_boards(dbsession: Session, *, conference_id: int, layout: planning.HallLayout) -> int:
    """Store ``layout`` as the boards of its halls, replacing what those halls had.

    The posters placed on the replaced boards lose their place (number them again);
    returns how many did."""
    halls = layout.halls()
    old_ids = list(
        dbsession.scalars(
            select(Board.id).where(Board.conference_id == conference_id, Board.hall.in_(halls))
        )
    )
    dropped = 0
    if old_ids:
        placements = list(
            dbsession.scalars(select(PosterPlacement).where(PosterPlacement.board_id.in_(old_ids)))
        )
        dropped = len(placements)
        for placement in placements:
            dbsession.delete(placement)
        dbsession.flush()
        dbsession.execute(delete(Board).where(Board.id.in_(old_ids)))
    for b in layout.boards:
        dbsession.add(
            Board(
                conference_id=conference_id, hall=b.hall, row=b.row, number=b.number, x=b.x, y=b.y
            )
        )
    dbsession.flush()
    log.info(
        "boards replaced conference=%d boards=%d unplaced=%d",
        conference_id,
        len(layout.boards),
        dropped,
    )
    return dropped


# --------------------------------------------------------------------------- numbering


def accepted_posters(dbsession: Session, conference_id: int) -> list[Submission]:
    return list(
        dbsession.scalars(
            select(Submission)
            .join(Decision, Decision.submission_id == Submission.id)
            .where(
                Submission.conference_id == conference_id,
                Submission.state == SubmissionState.submitted,
                Decision.outcome.in_(ACCEPTED),
            )
            .order_by(Submission.number)
        )
    )


def _author_keys(dbsession: Session, submission_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Presenting authors (all authors when none is marked) by e-mail address."""
    everyone: dict[int, set[str]] = defaultdict(set)
    presenting: dict[int, set[str]] = defaultdict(set)
    for author in dbsession.scalars(
        select(SubmissionAuthor).where(SubmissionAuthor.submission_id.in_(submission_ids))
    ):
        key = author.email.strip().lower()
        everyone[author.submission_id].add(key)
        if author.is_presenting:
            presenting[author.submission_id].add(key)
    return {sid: frozenset(presenting[sid] or everyone[sid]) for sid in submission_ids}


def _session_for(
    posters: Sequence[Submission], sessions: Sequence[PosterSession]
) -> dict[int, int]:
    """Submission id -> session id: the first session listing the poster's track, else
    the first session without a track list; posters of no session are left out."""
    chosen: dict[int, int] = {}
    catch_all = next((s for s in sessions if not s.track_ids), None)
    for poster in posters:
        session = next((s for s in sessions if poster.track_id in s.track_ids), catch_all)
        if session is not None:
            chosen[poster.id] = session.id
    return chosen


def _overlap(sessions: Sequence[PosterSession]) -> bool:
    ordered = sorted(sessions, key=lambda s: s.starts_at)
    return any(b.starts_at < a.ends_at for a, b in itertools.pairwise(ordered))


@dataclass
class NumberingResult:
    placed: int = 0
    spare: int = 0
    unplaced: list[int] = field(default_factory=list)  # poster numbers without a session
    separated: list[list[int]] = field(default_factory=list)  # poster numbers, per cluster


def number_posters(
    dbsession: Session, *, conference: Conference, now: dt.datetime
) -> NumberingResult:
    """Give every accepted poster a board in its session's hall (``planning.number_boards``):
    one author's posters side by side, spare boards after each session, posters moved
    by hand kept where they are. Posters no longer accepted lose their placement.

    Raises :class:`SessionError` when there is no session or a hall has no boards, and
    ``planning.NotEnoughBoards`` when a hall is too small."""
    sessions = sessions_of(dbsession, conference.id)
    if not sessions:
        raise SessionError(_("Create a poster session first."))
    posters = accepted_posters(dbsession, conference.id)
    by_id = {p.id: p for p in posters}
    session_of = _session_for(posters, sessions)
    tracks = {
        t.id: t.name
        for t in dbsession.scalars(select(Track).where(Track.conference_id == conference.id))
    }
    keys = _author_keys(dbsession, list(by_id))
    existing = {
        p.submission_id: p
        for p in dbsession.scalars(
            select(PosterPlacement).where(PosterPlacement.session_id.in_([s.id for s in sessions]))
        )
    }
    result = NumberingResult(
        unplaced=[p.number for p in posters if p.id not in session_of],
    )
    halls: dict[str, list[PosterSession]] = defaultdict(list)
    for session in sessions:
        halls[session.hall].append(session)
    new_boards: dict[int, tuple[int, int, bool]] = {}  # submission -> (session, board id, pinned)
    for hall, hall_sessions in halls.items():
        boards = boards_of(dbsession, conference.id, hall)
        members = [sid for sid, ses in session_of.items() if ses in {s.id for s in hall_sessions}]
        if not members:
            continue
        if not boards:
            raise SessionError(
                _(
                    "Hall ${hall} has no boards yet: define its board map first.",
                    mapping={"hall": hall},
                )
            )
        layout = layout_of(boards)
        board_by_key = {(b.hall, b.number): b for b in boards}
        board_by_id = {b.id: b for b in boards}
        to_place = []
        for sid in members:
            old = existing.get(sid)
            pin = None
            if old is not None and old.pinned and old.session_id == session_of[sid]:
                board = board_by_id.get(old.board_id)
                if board is not None:
                    pin = (board.hall, board.number)
            poster = by_id[sid]
            to_place.append(
                planning.PosterToPlace(
                    id=sid,
                    session_id=session_of[sid],
                    track=tracks.get(poster.track_id or 0, ""),
                    author_keys=keys.get(sid, frozenset()),
                    pinned=pin,
                )
            )
        plan = planning.number_boards(
            to_place,
            [planning.PosterSession(s.id, s.name) for s in hall_sessions],
            layout,
            spare_boards=max(s.spare_boards for s in hall_sessions),
            reuse_boards=not _overlap(hall_sessions),
        )
        for placement in plan.placements:
            board = board_by_key[placement.board.key]
            new_boards[int(placement.poster_id)] = (
                int(placement.session_id),
                board.id,
                placement.pinned,
            )
        result.spare += len(plan.spare)
        result.separated += [
            sorted(by_id[int(pid)].number for pid in cluster) for cluster in plan.separated()
        ]
    for sid, old in existing.items():
        if sid not in new_boards:
            dbsession.delete(old)
    for sid, (session_id, board_id, pinned) in new_boards.items():
        old = existing.get(sid)
        if old is None:
            dbsession.add(
                PosterPlacement(
                    session_id=session_id,
                    submission_id=sid,
                    board_id=board_id,
                    pinned=pinned,
                    updated_at=now,
                )
            )
        elif (old.session_id, old.board_id) != (session_id, board_id):
            if old.session_id != session_id:  # another session: another slot to confirm
                old.presenter_status = PresenterStatus.pending
                old.presenter_answered_at = None
            old.session_id, old.board_id, old.pinned, old.updated_at = (
                session_id,
                board_id,
                pinned,
                now,
            )
    dbsession.flush()
    result.placed = len(new_boards)
    log.info(
        "posters numbered conference=%d placed=%d spare=%d",
        conference.id,
        result.placed,
        result.spare,
    )
    return result


@dataclass(frozen=True)
class PlacedPoster:
    placement: PosterPlacement
    submission: Submission
    board: Board
    slot: SessionSlot | None


def placements_of(dbsession: Session, session: PosterSession) -> list[PlacedPoster]:
    """The session's posters in board order, each with the slot its presenter stands in."""
    slots = slots_of(dbsession, session.id)
    rows = dbsession.execute(
        select(PosterPlacement, Submission, Board)
        .join(Submission, Submission.id == PosterPlacement.submission_id)
        .join(Board, Board.id == PosterPlacement.board_id)
        .where(PosterPlacement.session_id == session.id)
        .order_by(Board.hall, Board.number)
    ).all()
    return [PlacedPoster(p, s, b, _slot_of(b, slots) if slots else None) for p, s, b in rows]


def _slot_of(board: Board, slots: Sequence[SessionSlot]) -> SessionSlot:
    by_id = {s.id: s for s in slots}
    key = planning.slot_for_board(
        planning.Board(board.hall, board.row, board.number, board.x, board.y), [s.id for s in slots]
    )
    return by_id[int(key)]


def placement_of(dbsession: Session, submission_id: int) -> PosterPlacement | None:
    return dbsession.scalars(
        select(PosterPlacement).where(PosterPlacement.submission_id == submission_id)
    ).one_or_none()


def move_poster(
    dbsession: Session,
    *,
    session: PosterSession,
    submission_id: int,
    board_number: int,
    now: dt.datetime,
) -> planning.Move:
    """Move a poster to board ``board_number`` of its session's hall, swapping with the
    poster there; both are pinned. Raises ``planning.MoveError`` when the move is not
    possible (unknown board, the board it already has)."""
    placed = placements_of(dbsession, session)
    others = list(
        dbsession.scalars(select(PosterPlacement).where(PosterPlacement.session_id != session.id))
    )
    hall_sessions = [
        s for s in sessions_of(dbsession, session.conference_id) if s.hall == session.hall
    ]
    reuse = not _overlap(hall_sessions)
    boards = boards_of(dbsession, session.conference_id, session.hall)
    layout = layout_of(boards)
    by_id = {b.id: b for b in boards}
    entries = [
        planning.Placement(
            p.placement.submission_id,
            p.placement.session_id,
            layout.board((p.board.hall, p.board.number)),
            p.placement.pinned,
        )
        for p in placed
    ]
    if not reuse:  # posters of the hall's other sessions hold their boards too
        entries += [
            planning.Placement(
                o.submission_id,
                o.session_id,
                layout.board((by_id[o.board_id].hall, by_id[o.board_id].number)),
                o.pinned,
            )
            for o in others
            if o.board_id in by_id
        ]
    plan = planning.BoardPlan(layout=layout, placements=tuple(entries), reuse_boards=reuse)
    change = planning.move(plan, submission_id, (session.hall, board_number))
    board_ids = {(b.hall, b.number): b.id for b in boards}
    for poster_id, board in change.changes():
        placement = placement_of(dbsession, int(poster_id))
        if placement is None:  # pragma: no cover - every poster of the plan has one
            continue
        if placement.session_id != session.id:
            raise planning.MoveError(
                _(
                    "Board ${board} holds a poster of another session.",
                    mapping={"board": board.number},
                )
            )
        placement.board_id = board_ids[board.key]
        placement.pinned = True
        placement.updated_at = now
    dbsession.flush()
    log.info("poster moved session=%d submission=%d", session.id, submission_id)
    return change


def board_numbers(dbsession: Session, submission_ids: Iterable[int]) -> dict[int, str]:
    """Submission id -> the label of its board ("12", or "Hall B 12" with several halls)."""
    ids = list(submission_ids)
    if not ids:
        return {}
    rows = dbsession.execute(
        select(PosterPlacement.submission_id, Board)
        .join(Board, Board.id == PosterPlacement.board_id)
        .where(PosterPlacement.submission_id.in_(ids))
    ).all()
    halls = {b.hall for _sid, b in rows}
    return {sid: (f"{b.hall} {b.number}" if len(halls) > 1 else str(b.number)) for sid, b in rows}


# --------------------------------------------------------------------------- presenters


def answer_attendance(
    dbsession: Session, *, placement: PosterPlacement, attending: bool, now: dt.datetime
) -> None:
    """A presenting author confirms they stand at the board in their slot, or says
    they cannot come (a chair may then record a substitute)."""
    placement.presenter_status = (
        PresenterStatus.confirmed if attending else PresenterStatus.cannot_attend
    )
    placement.presenter_answered_at = now
    placement.updated_at = now
    dbsession.flush()
    log.info(
        "presenter answered submission=%d status=%s",
        placement.submission_id,
        placement.presenter_status.value,
    )


def record_substitute(
    dbsession: Session, *, placement: PosterPlacement, name: str, email: str, now: dt.datetime
) -> None:
    """The chair's substitute presenter for a poster whose presenter cannot attend."""
    if not name:
        raise SessionError(_("Give the substitute presenter's name."))
    placement.substitute_name, placement.substitute_email = name, email
    placement.updated_at = now
    dbsession.flush()
    log.info("substitute presenter recorded submission=%d", placement.submission_id)


def presenter_missing(placement: PosterPlacement) -> bool:
    return (
        placement.presenter_status == PresenterStatus.cannot_attend
        and not placement.substitute_name
    )


# --------------------------------------------------------------------------- judges


def judges_of(dbsession: Session, conference_id: int) -> list[User]:
    return list(
        dbsession.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.conference_id == conference_id, Membership.role == Role.judge)
            .order_by(User.name, User.id)
        )
    )


def availability_of(dbsession: Session, session_id: int) -> dict[tuple[int, int], bool]:
    """(user id, slot id) -> available, for the rows stored; no row means available."""
    rows = dbsession.scalars(
        select(JudgeAvailability)
        .join(SessionSlot, SessionSlot.id == JudgeAvailability.slot_id)
        .where(SessionSlot.session_id == session_id)
    )
    return {(r.user_id, r.slot_id): r.available for r in rows}


def set_availability(
    dbsession: Session,
    *,
    session: PosterSession,
    user_id: int,
    available_slot_ids: Iterable[int],
) -> None:
    """Store in which of the session's slots a judge can judge. Raises
    :class:`SessionError` for someone who is not a judge of the conference."""
    if not assignment_services.in_pool(
        dbsession, session.conference_id, user_id, ReviewRound.judging
    ):
        raise SessionError(_("This person is not a judge of this conference."))
    wanted = set(available_slot_ids)
    stored = {
        r.slot_id: r
        for r in dbsession.scalars(
            select(JudgeAvailability)
            .join(SessionSlot, SessionSlot.id == JudgeAvailability.slot_id)
            .where(SessionSlot.session_id == session.id, JudgeAvailability.user_id == user_id)
        )
    }
    for slot in slots_of(dbsession, session.id):
        row = stored.get(slot.id) or JudgeAvailability(slot_id=slot.id, user_id=user_id)
        row.available = slot.id in wanted
        dbsession.add(row)
    dbsession.flush()
    log.info("judge availability saved session=%d user=%d", session.id, user_id)


# --------------------------------------------------------------------------- scheduling


@dataclass(frozen=True)
class Problem:
    problem: schedule.ScheduleProblem
    placed: dict[int, PlacedPoster]  # by submission id
    slots: dict[int, SessionSlot]
    judges: dict[int, User]


def build_problem(dbsession: Session, session: PosterSession) -> Problem:
    """The scheduler's input from the database: placed posters (absent presenters
    included, so that shortfalls name them), judges with their availability, confirmed
    conflicts."""
    slots = slots_of(dbsession, session.id)
    placed = placements_of(dbsession, session)
    judges = judges_of(dbsession, session.conference_id)
    availability = availability_of(dbsession, session.id)
    conflicts = {
        (user_id, sid)
        for sid, user_id in assignment_services.conflict_pairs(dbsession, session.conference_id)
    }
    absent_now = _absent_in_judging(dbsession, [p.submission.id for p in placed])
    problem = schedule.ScheduleProblem(
        slots=[schedule.Slot(s.id, s.starts_at, s.ends_at) for s in slots],
        posters=[
            schedule.JudgedPoster(
                id=p.submission.id,
                board=str(p.board.number),
                x=p.board.x,
                y=p.board.y,
                slot_id=p.slot.id if p.slot else 0,
                required=session.required_judges,
                presenter_absent=presenter_missing(p.placement) or p.submission.id in absent_now,
            )
            for p in placed
            if p.slot is not None
        ],
        judges=[
            schedule.Judge(
                id=j.id,
                slot_ids=frozenset(s.id for s in slots if availability.get((j.id, s.id), True)),
            )
            for j in judges
        ],
        conflicts=conflicts,
        minutes_per_visit=session.minutes_per_visit,
    )
    return Problem(
        problem,
        {p.submission.id: p for p in placed},
        {s.id: s for s in slots},
        {j.id: j for j in judges},
    )


def _absent_in_judging(dbsession: Session, submission_ids: Sequence[int]) -> set[int]:
    """Posters a judge found without their presenter (Review.presenter_absent)."""
    if not submission_ids:
        return set()
    return set(
        dbsession.scalars(
            select(Assignment.submission_id)
            .join(Review, Review.assignment_id == Assignment.id)
            .where(
                Assignment.submission_id.in_(submission_ids),
                Assignment.round == ReviewRound.judging,
                Review.presenter_absent.is_(True),
            )
        )
    )


def plan_session(dbsession: Session, session: PosterSession) -> tuple[Problem, schedule.Schedule]:
    """Run the scheduler (reads only)."""
    problem = build_problem(dbsession, session)
    return problem, schedule.schedule(problem.problem)


def visits_of_session(dbsession: Session, session_id: int) -> list[tuple[JudgeVisit, Assignment]]:
    rows = dbsession.execute(
        select(JudgeVisit, Assignment)
        .join(Assignment, Assignment.id == JudgeVisit.assignment_id)
        .where(JudgeVisit.session_id == session_id)
        .order_by(JudgeVisit.starts_at, JudgeVisit.position, JudgeVisit.id)
    ).all()
    return [(visit, assignment) for visit, assignment in rows]


@dataclass
class Applied:
    visits: int = 0
    judges: int = 0
    removed: int = 0
    coverage: schedule.Coverage | None = None


def apply_schedule(
    dbsession: Session,
    *,
    conference: Conference,
    session: PosterSession,
    by: User | None,
    now: dt.datetime,
    public_url: str = "",
) -> Applied:
    """Plan the session and store it: one judging assignment (``add_assignment``, which
    refuses conflicts) and one visit per planned stop, then mail every judge their
    route. The session's previous visits are replaced; their assignments that are no
    longer planned and hold no review are removed."""
    problem, plan = plan_session(dbsession, session)
    planned = {(v.judge_id, v.poster_id) for v in plan.visits()}
    result = Applied(coverage=plan.coverage)
    for visit, assignment in visits_of_session(dbsession, session.id):
        dbsession.delete(visit)
        dbsession.flush()
        if (assignment.reviewer_id, assignment.submission_id) in planned:
            continue
        has_review = dbsession.scalars(
            select(Review.id).where(Review.assignment_id == assignment.id)
        ).first()
        if has_review is None:
            assignment_services.remove_assignment(
                dbsession, assignment, by=by, now=now, public_url=public_url
            )
            result.removed += 1
    for route in plan.routes:
        for position, stop in enumerate(route.visits):
            placed = problem.placed[int(stop.poster_id)]
            assignment = assignment_services.add_assignment(
                dbsession,
                conference=conference,
                submission=placed.submission,
                reviewer_id=int(stop.judge_id),
                round_=ReviewRound.judging,
                by=by,
                now=now,
                source="solver",
            )
            dbsession.add(
                JudgeVisit(
                    session_id=session.id,
                    slot_id=int(stop.slot_id),
                    assignment_id=assignment.id,
                    position=position,
                    starts_at=stop.start,
                    ends_at=stop.end,
                    source="schedule",
                )
            )
            result.visits += 1
    dbsession.flush()
    judge_ids = sorted({int(r.judge_id) for r in plan.routes})
    result.judges = len(judge_ids)
    for judge_id in judge_ids:
        _mail_route(
            dbsession,
            conference=conference,
            session=session,
            judge=problem.judges[judge_id],
            now=now,
            public_url=public_url,
        )
    log.info(
        "judge schedule applied session=%d visits=%d judges=%d removed=%d",
        session.id,
        result.visits,
        result.judges,
        result.removed,
    )
    return result


def _mail_route(
    dbsession: Session,
    *,
    conference: Conference,
    session: PosterSession,
    judge: User,
    now: dt.datetime,
    public_url: str,
) -> None:
    stops = [r for r in route_of(dbsession, conference.id, judge.id) if r.session.id == session.id]
    queue_email(
        dbsession,
        event="judge_route",
        to_email=judge.email,
        to_name=judge.name,
        recipient_id=judge.id,
        now=now,
        conference_id=conference.id,
        locale=judge.locale or conference.default_locale,
        context={
            "conference_name": conference.name,
            "session_name": session.name,
            "hall": session.hall,
            "timezone": conference.timezone,
            "visits": [
                {"start": s.visit.starts_at, "board": s.board_label, "title": s.submission.title}
                for s in stops
            ],
            "route_url": f"{public_url}/c/{conference.slug}/route",
        },
    )


# --------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class Stop:
    visit: JudgeVisit
    assignment: Assignment
    submission: Submission
    session: PosterSession
    board_label: str
    done: bool  # a submitted score
    presenter_absent: bool


def route_of(dbsession: Session, conference_id: int, user_id: int) -> list[Stop]:
    """A judge's planned visits in the conference, in time order."""
    rows = dbsession.execute(
        select(JudgeVisit, Assignment, Submission, PosterSession)
        .join(Assignment, Assignment.id == JudgeVisit.assignment_id)
        .join(Submission, Submission.id == Assignment.submission_id)
        .join(PosterSession, PosterSession.id == JudgeVisit.session_id)
        .where(Assignment.conference_id == conference_id, Assignment.reviewer_id == user_id)
        .order_by(JudgeVisit.starts_at, JudgeVisit.position, JudgeVisit.id)
    ).all()
    labels = board_numbers(dbsession, [s.id for _v, _a, s, _p in rows])
    reviews = {
        r.assignment_id: r
        for r in dbsession.scalars(
            select(Review).where(Review.assignment_id.in_([a.id for _v, a, _s, _p in rows]))
        )
    }
    stops = []
    for visit, assignment, submission, session in rows:
        review = reviews.get(assignment.id)
        stops.append(
            Stop(
                visit,
                assignment,
                submission,
                session,
                labels.get(submission.id, str(submission.number)),
                review is not None and review.state == ReviewState.submitted,
                review is not None and review.presenter_absent,
            )
        )
    return stops


# --------------------------------------------------------------------------- live


def live_state(dbsession: Session, *, session: PosterSession, now: dt.datetime) -> dict[str, Any]:
    """What the chair's live page shows, as JSON-ready values: per poster the judges
    done of those required and whether its presenter is missing; per judge the visits
    done and those planned to have ended by ``now`` but not scored (behind)."""
    placed = placements_of(dbsession, session)
    visits = visits_of_session(dbsession, session.id)
    assignment_ids = [a.id for _v, a in visits]
    reviews = {
        r.assignment_id: r
        for r in dbsession.scalars(select(Review).where(Review.assignment_id.in_(assignment_ids)))
    }
    judge_ids = sorted({a.reviewer_id for _v, a in visits})
    names = {u.id: u.name for u in dbsession.scalars(select(User).where(User.id.in_(judge_ids)))}
    by_poster: dict[int, list[tuple[JudgeVisit, Assignment]]] = defaultdict(list)
    by_judge: dict[int, list[tuple[JudgeVisit, Assignment]]] = defaultdict(list)
    for visit, assignment in visits:
        by_poster[assignment.submission_id].append((visit, assignment))
        by_judge[assignment.reviewer_id].append((visit, assignment))

    def done(assignment: Assignment) -> bool:
        review = reviews.get(assignment.id)
        return review is not None and review.state == ReviewState.submitted

    def absent(assignment: Assignment) -> bool:
        review = reviews.get(assignment.id)
        return review is not None and review.presenter_absent

    posters = []
    for p in placed:
        mine = by_poster.get(p.submission.id, [])
        posters.append(
            {
                "submission_id": p.submission.id,
                "number": p.submission.number,
                "board": p.board.number,
                "title": p.submission.title,
                "slot": p.slot.position + 1 if p.slot else None,
                "required": session.required_judges,
                "planned": len(mine),
                "done": sum(1 for _v, a in mine if done(a)),
                "presenter_absent": any(absent(a) for _v, a in mine),
                "presenter_cannot_attend": presenter_missing(p.placement),
            }
        )
    judges = []
    for judge_id in judge_ids:
        mine = by_judge[judge_id]
        judges.append(
            {
                "id": judge_id,
                "name": names.get(judge_id, ""),
                "planned": len(mine),
                "done": sum(1 for _v, a in mine if done(a)),
                "behind": sum(1 for v, a in mine if v.ends_at <= now and not done(a)),
            }
        )
    return {
        "session_id": session.id,
        "at": now.isoformat(),
        "posters": posters,
        "judges": judges,
    }


def reassign(
    dbsession: Session,
    *,
    conference: Conference,
    session: PosterSession,
    submission_id: int,
    judge_id: int,
    by: User | None,
    now: dt.datetime,
    public_url: str = "",
) -> JudgeVisit:
    """Send judge ``judge_id`` to a poster now, if ``schedule.replacement_judges``
    proposes them (available in the poster's slot, a visit free, not conflicted, not
    visiting it already); the judge is told by mail. Raises :class:`ReassignRefused`
    otherwise."""
    problem = build_problem(dbsession, session)
    if submission_id not in problem.placed:
        raise SessionError(_("This poster is not in this session."))
    current = [
        schedule.Visit(
            judge_id=a.reviewer_id,
            poster_id=a.submission_id,
            slot_id=v.slot_id,
            board="",
            start=v.starts_at,
            end=v.ends_at,
        )
        for v, a in visits_of_session(dbsession, session.id)
    ]
    candidates = schedule.replacement_judges(
        problem.problem, current, submission_id, at=now, limit=None
    )
    if judge_id not in {c.judge_id for c in candidates}:
        raise ReassignRefused(
            _(
                "This judge cannot take this poster: they have a conflict of interest, are "
                "not available in its slot, have no free visit left or visit it already."
            )
        )
    placed = problem.placed[submission_id]
    slot = placed.slot
    assert slot is not None  # noqa: S101 - posters without a slot are not in the problem
    assignment = assignment_services.add_assignment(
        dbsession,
        conference=conference,
        submission=placed.submission,
        reviewer_id=judge_id,
        round_=ReviewRound.judging,
        by=by,
        now=now,
    )
    step = dt.timedelta(minutes=session.minutes_per_visit)
    theirs = [o for o in current if o.judge_id == judge_id and o.slot_id == slot.id]
    start = max([slot.starts_at, now, *(o.end for o in theirs)])
    latest = max(slot.starts_at, slot.ends_at - step)
    start = min(start, latest)
    visit = JudgeVisit(
        session_id=session.id,
        slot_id=slot.id,
        assignment_id=assignment.id,
        position=len(theirs),
        starts_at=start,
        ends_at=start + step,
        source="reassigned",
    )
    dbsession.add(visit)
    dbsession.flush()
    judge = problem.judges[judge_id]
    queue_email(
        dbsession,
        event="judge_visit_added",
        to_email=judge.email,
        to_name=judge.name,
        recipient_id=judge.id,
        now=now,
        conference_id=conference.id,
        locale=judge.locale or conference.default_locale,
        context={
            "conference_name": conference.name,
            "session_name": session.name,
            "timezone": conference.timezone,
            "start": start,
            "board": placed.board.number,
            "title": placed.submission.title,
            "review_url": f"{public_url}/reviews/{assignment.id}/",
            "route_url": f"{public_url}/c/{conference.slug}/route",
        },
    )
    log.info(
        "judge reassigned session=%d submission=%d judge=%d", session.id, submission_id, judge_id
    )
    return visit


def candidates_for(
    problem: Problem, visits: Sequence[tuple[JudgeVisit, Assignment]], now: dt.datetime
) -> dict[int, list[schedule.Candidate]]:
    """Submission id -> judges who could be sent to it now (for the live page)."""
    current = [
        schedule.Visit(a.reviewer_id, a.submission_id, v.slot_id, "", v.starts_at, v.ends_at)
        for v, a in visits
    ]
    return {
        int(p.id): list(
            schedule.replacement_judges(problem.problem, current, p.id, at=now, limit=5)
        )
        for p in problem.problem.posters
    }
