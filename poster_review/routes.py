"""Every route of the app, grouped by domain. Object routes name their factory."""

from __future__ import annotations

from pyramid.config import Configurator
from pyramid.security import NO_PERMISSION_REQUIRED

from poster_review.resources import ConferenceResource, Root


def includeme(config: Configurator) -> None:
    config.set_root_factory(Root)  # site-wide grants for routes without their own factory
    config.add_static_view(
        "static", "poster_review:static/", cache_max_age=3600, permission=NO_PERMISSION_REQUIRED
    )
    config.add_route("home", "/")
    config.add_route("health", "/health")

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
