"""The app factory: one ``configure(settings)``, includes in a deliberate order."""

from __future__ import annotations

from collections.abc import Mapping

from pyramid.config import Configurator

from poster_review import settings as settings_module
from poster_review.paths import templates_dir


def configure(raw_settings: Mapping[str, str]) -> Configurator:
    parsed = settings_module.parse(raw_settings)  # fails fast with one sentence
    config = Configurator(
        settings={
            **dict(raw_settings),
            "sqlalchemy.url": parsed.database_url,
            "jinja2.i18n.domain": "poster_review",
            "jinja2.undefined": "strict",  # a typo in a template fails the test, not the user
        }
    )
    config.registry.poster_settings = parsed
    # Jinja2 templates live in the top-level templates/ (or the wheel's copy of it).
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    config.add_jinja2_search_path(str(templates_dir()), name=".jinja2")
    config.commit()
    config.include(".jinja")  # filters and globals for the templates
    config.include(".i18n")  # locale negotiation and catalogues
    config.include(".db")  # request.dbsession, pyramid_tm (commit veto), pyramid_retry
    config.include(".tasks")  # the background queue, sharing the session factory
    config.include(".security")  # sessions, policy, CSRF, default permission, headers
    config.include(".routes")  # every route, grouped by domain
    config.scan(
        "poster_review",
        ignore=["poster_review.demo", "poster_review._migrations", "poster_review._templates"],
    )
    return config
