"""Every permission the app checks, in one enum. Views name these, never role strings."""

from __future__ import annotations

import enum


class Permission(enum.StrEnum):
    AccountManage = "account:manage"  # one's own profile, e-mail and password
    AdminAccess = "admin:access"  # site-wide: create conferences, see all
    AssignmentsManage = "assignments:manage"  # reviewer pool, conflicts, assignment runs
    BidsWrite = "bids:write"  # a reviewer's bids and own reviewer profile
    ConferenceManage = "conference:manage"  # chair: settings, phases, tracks, members
    ConferenceView = "conference:view"  # the public conference page
    DashboardView = "dashboard:view"
    DecisionsWrite = "decisions:write"  # one's own conferences and next actions
    MailManage = "mail:manage"  # templates, batches and the outbox of a conference
    MembersInvite = "members:invite"
    ReviewsRead = "reviews:read"
    ReviewsWrite = "reviews:write"
    SubmissionsCreate = "submissions:create"
    SubmissionsList = "submissions:list"  # every submission of a conference (chairs)
    SubmissionsManage = "submissions:manage"  # reopen after the deadline
    SubmissionsRead = "submissions:read"  # the poster itself (reviewers: anonymised)
    SubmissionsStatus = "submissions:status"  # the author's status page, history, receipt
    SubmissionsWrite = "submissions:write"
