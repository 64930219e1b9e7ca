"""Route factories: each loads its object (404 when absent) and carries its ``__acl__``.

The first matching ACL entry wins, walking up ``__parent__``; site-wide grants live on
:class:`Root`. Principals are ``user:<id>``, ``role:admin`` and
``conference:<id>:<role>`` (see ``security.principals_for``).
"""

from __future__ import annotations

from typing import Any

from pyramid.authorization import ALL_PERMISSIONS, Allow, Authenticated, Everyone
from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request
from sqlalchemy import select

from poster_review.conferences.models import Conference
from poster_review.permissions import Permission as P

ACL = list[tuple[str, str, Any]]

CHAIR_PERMISSIONS = (
    P.ConferenceManage,
    P.ConferenceView,
    P.MembersInvite,
    P.SubmissionsRead,
    P.ReviewsRead,
)


def conference_principal(conference_id: int, role: str) -> str:
    return f"conference:{conference_id}:{role}"


class Root:
    __parent__ = None
    __name__ = ""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __acl__(self) -> ACL:
        return [
            (Allow, "role:admin", ALL_PERMISSIONS),
            (Allow, Authenticated, (P.AccountManage, P.DashboardView)),
        ]


class ConferenceResource:
    """A conference, found by the ``slug`` in the URL."""

    def __init__(self, request: Request) -> None:
        slug = request.matchdict["slug"]
        conference = request.dbsession.scalars(
            select(Conference).where(Conference.slug == slug)
        ).one_or_none()
        if conference is None:
            raise HTTPNotFound()
        self.conference: Conference = conference
        self.request = request
        self.__parent__ = Root(request)
        self.__name__ = slug

    def __acl__(self) -> ACL:
        cid = self.conference.id
        return [
            (Allow, conference_principal(cid, "chair"), CHAIR_PERMISSIONS),
            (Allow, Everyone, P.ConferenceView),
            (Allow, Authenticated, P.SubmissionsCreate),
        ]
