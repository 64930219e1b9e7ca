"""Every route of the app, grouped by domain. Object routes name their factory."""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.security import NO_PERMISSION_REQUIRED

from poster_review.resources import (
    AssignmentResource,
    ConferenceResource,
    Root,
    SubmissionResource,
)


def includeme(config: Configurator) -> None:
    config.set_root_factory(Root)  # site-wide grants for routes without their own factory
    config.add_static_view(
        "static", "poster_review:static/", cache_max_age=3600, permission=NO_PERMISSION_REQUIRED
    )
    config.add_route("home", "/")
    config.add_route("health", "/health")
    # The offline service worker must be served from the root to control every page.
    config.add_route("service_worker", "/sw.js")

    # accounts
    config.add_route("accounts.login", "/account/login")
    config.add_route("accounts.logout", "/account/logout")
    config.add_route("accounts.register", "/account/register")
    config.add_route("accounts.confirm", "/account/confirm/{token}")
    config.add_route("accounts.reset_request", "/account/reset")
    config.add_route("accounts.reset", "/account/reset/{token}")
    config.add_route("accounts.settings", "/account/")
    config.add_route("accounts.email_confirm", "/account/email/{token}")
    config.add_route("accounts.invitation", "/invitation/{token}")
    config.add_route("accounts.dashboard", "/dashboard")
    config.add_route("accounts.locale", "/locale")

    # conferences
    config.add_route("conferences.new", "/conferences/new")
    config.add_route("conferences.detail", "/c/{slug}/", factory=ConferenceResource)
    config.add_route("conferences.settings", "/c/{slug}/settings", factory=ConferenceResource)
    config.add_route("conferences.tracks", "/c/{slug}/tracks", factory=ConferenceResource)
    config.add_route("conferences.members", "/c/{slug}/members", factory=ConferenceResource)

    # submissions
    config.add_route("submissions.new", "/c/{slug}/submit", factory=ConferenceResource)
    config.add_route("submissions.mine", "/c/{slug}/my-posters", factory=ConferenceResource)
    config.add_route("submissions.list", "/c/{slug}/submissions", factory=ConferenceResource)
    sub = "/submissions/{submission_id:\\d+}"
    for name, path in [
        ("detail", "/"),
        ("edit", "/edit"),
        ("upload", "/upload"),
        ("submit", "/submit"),
        ("withdraw", "/withdraw"),
        ("reopen", "/reopen"),
        ("receipt", "/receipt"),
        ("status", "/status.json"),
        ("file", "/files/{file_id:\\d+}/poster.pdf"),
        ("thumbnail", "/files/{file_id:\\d+}/{size:small|large}.png"),
    ]:
        config.add_route(f"submissions.{name}", sub + path, factory=SubmissionResource)

    # reviews and judging
    config.add_route("reviews.mine", "/c/{slug}/reviews", factory=ConferenceResource)
    review = "/reviews/{assignment_id:\\d+}"
    for name, path in [
        ("edit", "/"),
        ("autosave", "/autosave"),
        ("state", "/state.json"),
        ("conflict", "/conflict"),
    ]:
        config.add_route(f"reviews.{name}", review + path, factory=AssignmentResource)

    # at the poster session
    config.add_route("onsite.judges", "/c/{slug}/judges", factory=ConferenceResource)
    config.add_route("onsite.labels", "/c/{slug}/labels.pdf", factory=ConferenceResource)
    config.add_route("onsite.board", "/c/{slug}/board/{number}", factory=ConferenceResource)
    config.add_route("onsite.magic", "/judge/{token}")

    # the poster session
    ps = "/c/{slug}/poster-sessions"
    one = ps + "/{session_id:\\d+}"
    for name, path in [
        ("sessions", ps),
        ("boards", ps + "/boards"),
        ("floormap", ps + "/floor-map.svg"),
        ("session", one),
        ("schedule", one + "/schedule"),
        ("live", one + "/live"),
        ("live_json", one + "/live.json"),
        ("availability", "/c/{slug}/my-availability"),
        ("route", "/c/{slug}/route"),
        ("route_ics", "/c/{slug}/route.ics"),
    ]:
        config.add_route(f"onsite.{name}", path, factory=ConferenceResource)
    config.add_route("onsite.presence", sub + "/presence", factory=SubmissionResource)

    _awards(config)

    # reviewer pool, conflicts and assignment
    config.add_route("assignment.overview", "/c/{slug}/assignments", factory=ConferenceResource)
    config.add_route(
        "assignment.run", "/c/{slug}/assignments/runs/{run_id}", factory=ConferenceResource
    )
    config.add_route("assignment.conflicts", "/c/{slug}/conflicts", factory=ConferenceResource)
    config.add_route("assignment.pool", "/c/{slug}/reviewers", factory=ConferenceResource)
    config.add_route("assignment.profile", "/c/{slug}/my-profile", factory=ConferenceResource)
    config.add_route("assignment.bids", "/c/{slug}/bids", factory=ConferenceResource)

    # mail: templates, batches, outbox
    config.add_route("mail.index", "/c/{slug}/mail", factory=ConferenceResource)
    config.add_route(
        "mail.template", "/c/{slug}/mail/templates/{event}/{locale}", factory=ConferenceResource
    )
    config.add_route("mail.send", "/c/{slug}/mail/send/{event}", factory=ConferenceResource)
    config.add_route("mail.outbox", "/c/{slug}/mail/outbox", factory=ConferenceResource)
    config.add_route(
        "reviews.rubric", "/c/{slug}/rubrics/{round:review|judging}", factory=ConferenceResource
    )


def _awards(config: Configurator) -> None:
    """Ranking, decisions, awards and the public pages of their results."""
    config.add_route("awards.decisions", "/c/{slug}/decisions", factory=ConferenceResource)
    config.add_route("awards.gallery", "/c/{slug}/posters", factory=ConferenceResource)
    config.add_route("ranking.page", "/c/{slug}/ranking", factory=ConferenceResource)
    config.add_route(
        "ranking.export", "/c/{slug}/ranking.{fmt:csv|xlsx|json}", factory=ConferenceResource
    )
    config.add_route("awards.manage", "/c/{slug}/awards/manage", factory=ConferenceResource)
    config.add_route(
        "awards.category",
        "/c/{slug}/awards/manage/{category_id:\\d+}",
        factory=ConferenceResource,
    )
    config.add_route("awards.audit", "/c/{slug}/audit", factory=ConferenceResource)
    config.add_route("awards.public", "/c/{slug}/awards", factory=ConferenceResource)
    config.add_route(
        "awards.export", "/c/{slug}/awards.{fmt:csv|xlsx|json}", factory=ConferenceResource
    )
