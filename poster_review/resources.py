"""Route factories: each loads its object (404 when absent) and carries its ``__acl__``.

The first matching ACL entry wins, walking up ``__parent__``; site-wide grants live on
:class:`Root`. Principals are ``user:<id>``, ``role:admin`` and
``conference:<id>:<role>`` (see ``security.principals_for``).
"""

from __future__ import annotations

from typing import Any

from pyramid.authorization import ALL_PERMISSIONS, Allow, Authenticated, Deny, Everyone
from pyramid.httpexceptions import HTTPNotFound
from pyramid.request import Request
from sqlalchemy import select

from poster_review.assignment import services as assignment_services
from poster_review.awards import services as award_services
from poster_review.awards.models import Decision
from poster_review.conferences.models import Conference
from poster_review.db import utcnow
from poster_review.permissions import Permission as P
from poster_review.submissions import services
from poster_review.submissions.models import Submission

ACL = list[tuple[str, str, Any]]

#: What a conflict of interest takes away, whoever the person is.
REVIEWING = (P.ReviewsRead, P.ReviewsWrite, P.DecisionsWrite)

CHAIR_PERMISSIONS = (
    P.ConferenceManage,
    P.ConferenceView,
    P.MembersInvite,
    P.SubmissionsList,
    P.SubmissionsRead,
    P.SubmissionsStatus,
    P.SubmissionsManage,
    P.ReviewsRead,
    P.AssignmentsManage,
    P.DecisionsWrite,
    P.MailManage,
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

    def __init__(self, request: Request, conference: Conference | None = None) -> None:
        if conference is None:
            slug = request.matchdict["slug"]
            conference = request.dbsession.scalars(
                select(Conference).where(Conference.slug == slug)
            ).one_or_none()
            if conference is None:
                raise HTTPNotFound()
        self.conference: Conference = conference
        self.request = request
        self.__parent__ = Root(request)
        self.__name__ = conference.slug

    def __acl__(self) -> ACL:
        cid = self.conference.id
        return [
            (Allow, conference_principal(cid, "chair"), CHAIR_PERMISSIONS),
            (Allow, conference_principal(cid, "reviewer"), P.BidsWrite),
            (Allow, conference_principal(cid, "judge"), P.BidsWrite),
            (Allow, Everyone, P.ConferenceView),
            (Allow, Authenticated, P.SubmissionsCreate),
        ]


class SubmissionResource:
    """One submission, found by ``submission_id``; its conference is the parent."""

    def __init__(self, request: Request) -> None:
        try:
            submission_id = int(request.matchdict["submission_id"])
        except ValueError:
            raise HTTPNotFound() from None
        submission = request.dbsession.get(Submission, submission_id)
        if submission is None:
            raise HTTPNotFound()
        self.submission: Submission = submission
        self.conference: Conference = request.dbsession.get_one(
            Conference, submission.conference_id
        )
        self.author_ids = services.author_user_ids(request.dbsession, submission.id)
        self.conflicted_ids = assignment_services.conflicted_user_ids(
            request.dbsession, submission.id
        )
        self.reviewer_ids = assignment_services.assigned_reviewer_ids(
            request.dbsession, submission.id
        )
        decision = request.dbsession.scalars(
            select(Decision).where(Decision.submission_id == submission.id)
        ).one_or_none()
        self.public = award_services.is_public(self.conference, decision, utcnow())
        self.request = request
        self.__parent__ = ConferenceResource(request, self.conference)
        self.__name__ = str(submission.id)

    def __acl__(self) -> ACL:
        # The first matching entry wins: a conflict is refused before any grant is read,
        # chairs and admins included (HotCRP's rule).
        acl: ACL = [(Deny, f"user:{uid}", REVIEWING) for uid in sorted(self.conflicted_ids)]
        acl += [
            (Allow, f"user:{uid}", (P.SubmissionsRead, P.SubmissionsStatus))
            for uid in sorted(self.author_ids)
        ]
        acl += [
            (Allow, f"user:{uid}", (P.SubmissionsRead, P.ReviewsWrite))
            for uid in sorted(self.reviewer_ids - self.conflicted_ids)
        ]
        if services.is_editable(self.submission, self.conference, utcnow()):
            acl += [(Allow, f"user:{uid}", P.SubmissionsWrite) for uid in sorted(self.author_ids)]
        # Nothing else is inherited from the conference except the chairs' grants
        # (and the admin's from Root): the public sees no submission before publication.
        acl.append((Allow, conference_principal(self.conference.id, "chair"), CHAIR_PERMISSIONS))
        acl.append((Allow, "role:admin", ALL_PERMISSIONS))
        if self.public:  # an accepted poster after the chairs published the posters
            acl.append((Allow, Everyone, P.SubmissionsRead))
        acl.append((Deny, Everyone, ALL_PERMISSIONS))
        return acl


class AssignmentResource:
    """One reviewer's assignment (and so their review) of one submission."""

    def __init__(self, request: Request) -> None:
        from poster_review.assignment.models import Assignment

        try:
            assignment_id = int(request.matchdict["assignment_id"])
        except ValueError:
            raise HTTPNotFound() from None
        assignment = request.dbsession.get(Assignment, assignment_id)
        if assignment is None:
            raise HTTPNotFound()
        self.assignment = assignment
        self.submission: Submission = request.dbsession.get_one(
            Submission, assignment.submission_id
        )
        self.conference: Conference = request.dbsession.get_one(
            Conference, assignment.conference_id
        )
        self.conflicted_ids = assignment_services.conflicted_user_ids(
            request.dbsession, self.submission.id
        )
        self.request = request
        self.__parent__ = ConferenceResource(request, self.conference)
        self.__name__ = str(assignment.id)

    def __acl__(self) -> ACL:
        acl: ACL = [(Deny, f"user:{uid}", REVIEWING) for uid in sorted(self.conflicted_ids)]
        acl.append((Allow, f"user:{self.assignment.reviewer_id}", (P.ReviewsWrite, P.ReviewsRead)))
        acl.append((Allow, conference_principal(self.conference.id, "chair"), P.ReviewsRead))
        acl.append((Allow, "role:admin", P.ReviewsRead))
        # Nobody else: not even a chair writes someone's review.
        acl.append((Deny, Everyone, ALL_PERMISSIONS))
        return acl
