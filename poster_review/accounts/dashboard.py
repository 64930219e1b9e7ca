"""The "my conferences" dashboard: one card per conference, with each role's next actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from poster_review.accounts.models import Membership, Role, User
from poster_review.conferences.models import Conference
from poster_review.conferences.phases import Action, is_open
from poster_review.i18n import _


@dataclass
class NextAction:
    text: str
    route: str  # a route name under /c/{slug}/
    deadline: dt.datetime | None = None
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class Card:
    conference: Conference
    roles: list[Role]
    actions: list[NextAction] = field(default_factory=list)


def cards_for(dbsession: Session, user: User, *, now: dt.datetime) -> list[Card]:
    rows = dbsession.execute(
        select(Conference, Membership.role)
        .join(Membership, Membership.conference_id == Conference.id)
        .where(Membership.user_id == user.id)
        .order_by(Conference.name, Membership.role)
    ).all()
    cards: dict[int, Card] = {}
    for conference, role in rows:
        card = cards.setdefault(conference.id, Card(conference, []))
        card.roles.append(role)
    for card in cards.values():
        schedule = card.conference.schedule
        if Role.chair in card.roles:
            card.actions.append(
                NextAction(_("Review the conference settings and calendar"), "conferences.settings")
            )
        if Role.reviewer in card.roles and is_open(schedule, Action.review, now):
            card.actions.append(
                NextAction(
                    _("Score the posters assigned to you"),
                    "reviews.mine",
                    schedule.reviews_close_at,
                )
            )
        if Role.judge in card.roles and is_open(schedule, Action.judge, now):
            card.actions.append(
                NextAction(
                    _("Judge posters at the boards"),
                    "reviews.mine",
                    schedule.session_ends_at,
                    {"round": "judging"},
                )
            )
        if Role.author in card.roles and is_open(schedule, Action.submit, now):
            card.actions.append(
                NextAction(
                    _("Finish and submit your poster"),
                    "submissions.mine",
                    schedule.submission_deadline_at,
                )
            )
    return list(cards.values())
