"""Every permission the app checks, in one enum. Views name these, never role strings."""

from __future__ import annotations

import enum


class Permission(enum.StrEnum):
    AccountManage = "account:manage"  # one's own profile, e-mail and password
    AdminAccess = "admin:access"  # site-wide: create conferences, see all
    ConferenceManage = "conference:manage"  # chair: settings, phases, tracks, members
    ConferenceView = "conference:view"  # the public conference page
    DashboardView = "dashboard:view"  # one's own conferences and next actions
    MembersInvite = "members:invite"
    ReviewsRead = "reviews:read"
    ReviewsWrite = "reviews:write"
    SubmissionsCreate = "submissions:create"
    SubmissionsList = "submissions:list"  # every submission of a conference (chairs)
    SubmissionsManage = "submissions:manage"  # reopen after the deadline
    SubmissionsRead = "submissions:read"
    SubmissionsWrite = "submissions:write"
