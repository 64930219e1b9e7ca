"""The exact ACL of a submission: order matters, the first match wins."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from pyramid.authorization import ALL_PERMISSIONS, ACLHelper, Allow, Deny, Everyone

from poster_review.permissions import Permission as P
from poster_review.resources import CHAIR_PERMISSIONS, REVIEWING, SubmissionResource


def _resource(conflicted=frozenset(), authors=frozenset({1}), reviewers=frozenset(), editable=True):
    resource = object.__new__(SubmissionResource)
    resource.conflicted_ids, resource.author_ids = set(conflicted), set(authors)
    resource.reviewer_ids = set(reviewers)
    resource.public = False
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    resource.submission = SimpleNamespace(  # type: ignore[assignment]
        state="draft", reopened_until=future if editable else None
    )
    resource.conference = SimpleNamespace(id=7, schedule=None)  # type: ignore[assignment]
    return resource


def test_acl_lists_conflict_denials_first():
    acl = _resource(conflicted={5}, authors={1}, reviewers={4, 5}).__acl__()
    assert acl == [
        (Deny, "user:5", REVIEWING),
        (Allow, "user:1", (P.SubmissionsRead, P.SubmissionsStatus)),
        (Allow, "user:4", (P.SubmissionsRead, P.ReviewsWrite)),
        (Allow, "user:1", P.SubmissionsWrite),
        (Allow, "conference:7:chair", CHAIR_PERMISSIONS),
        (Allow, "role:admin", ALL_PERMISSIONS),
        (Deny, Everyone, ALL_PERMISSIONS),
    ]


def test_conflicted_chair_cannot_read_reviews_but_others_can():
    resource = _resource(conflicted={9})
    helper = ACLHelper()
    conflicted_chair = [Everyone, "system.Authenticated", "user:9", "conference:7:chair"]
    other_chair = [Everyone, "system.Authenticated", "user:8", "conference:7:chair"]
    assert not helper.permits(resource, conflicted_chair, P.ReviewsRead)
    assert not helper.permits(resource, conflicted_chair, P.DecisionsWrite)
    assert helper.permits(resource, conflicted_chair, P.SubmissionsStatus)  # still administers
    assert helper.permits(resource, other_chair, P.ReviewsRead)
    assert not helper.permits(resource, [Everyone], P.SubmissionsRead)
