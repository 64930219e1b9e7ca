"""Site-wide views: home, health, locale choice, and the error pages."""

from __future__ import annotations

import logging
import re
from typing import Any

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import FileResponse, Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import (
    exception_view_config,
    forbidden_view_config,
    notfound_view_config,
    view_config,
)
from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from poster_review.conferences.models import Conference
from poster_review.errors import DomainError
from poster_review.i18n import AVAILABLE_LOCALES, _
from poster_review.paths import STATIC_DIR

log = logging.getLogger(__name__)

#: Form fields never echoed back into a page.
SECRET_FIELDS = frozenset(
    {"csrf_token", "password", "password2", "new_password", "current_password"}
)


@view_config(route_name="home", renderer="home.jinja2", permission=NO_PERMISSION_REQUIRED)
def home(request: Request) -> dict[str, Any]:
    conferences = request.dbsession.scalars(select(Conference).order_by(Conference.name)).all()
    return {"conferences": conferences}


@view_config(route_name="health", renderer="json", permission=NO_PERMISSION_REQUIRED)
def health(request: Request) -> dict[str, Any]:
    request.dbsession.execute(text("SELECT 1"))
    return {"status": "ok"}


@view_config(route_name="service_worker", permission=NO_PERMISSION_REQUIRED)
def service_worker(request: Request) -> Response:
    response = FileResponse(
        str(STATIC_DIR / "sw.js"), request=request, content_type="text/javascript"
    )
    response.cache_control = "no-cache"  # browsers must see a new worker at once
    return response


@view_config(route_name="accounts.locale", request_method="POST", permission=NO_PERMISSION_REQUIRED)
def choose_locale(request: Request) -> Response:
    locale = request.POST.get("locale", "")
    target = safe_next(request.POST.get("next"), request.route_url("home"))
    response = HTTPSeeOther(target)
    if locale in AVAILABLE_LOCALES:
        response.set_cookie(
            "_LOCALE_", locale, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
        if request.user is not None:
            request.user.locale = locale
    return response


#: A same-site path as browsers send it: printable ASCII, no spaces (they are %-encoded).
_SAME_SITE_PATH = re.compile(r"/(?![/\\])[!-~]*")


def safe_next(candidate: object, default: str) -> str:
    """Only same-site paths may be redirect targets (no open redirects, and nothing that
    cannot go into a Location header: line breaks, other control or non-ASCII
    characters). Anything else, a file included, gives ``default``."""
    if isinstance(candidate, str) and _SAME_SITE_PATH.fullmatch(candidate):
        return candidate
    return default


@notfound_view_config(renderer="errors/404.jinja2", append_slash=HTTPSeeOther)
def notfound(request: Request) -> dict[str, Any]:
    request.response.status = 404
    return {}


@forbidden_view_config(renderer="errors/403.jinja2")
def forbidden(request: Request) -> Any:
    if request.user is None:
        # Not signed in: ask for a log-in first, then come back here.
        came_from = request.path_qs if request.method == "GET" else "/"
        return HTTPSeeOther(request.route_url("accounts.login", _query={"next": came_from}))
    request.response.status = 403
    return {}


@exception_view_config(BadCSRFToken, renderer="errors/session_expired.jinja2")
@exception_view_config(BadCSRFOrigin, renderer="errors/session_expired.jinja2")
def session_expired(exc: Exception, request: Request) -> dict[str, Any]:
    """A POST whose session or form token expired. The typed values are offered again
    in a fresh form (passwords and files excepted), so nothing typed is lost."""
    request.response.status = 400
    kept = [
        (k, v) for k, v in request.POST.items() if k not in SECRET_FIELDS and isinstance(v, str)
    ]
    return {
        "action": request.path_qs,
        "kept": kept,
        "had_files": any(not isinstance(v, str) for v in request.POST.values()),
    }


@exception_view_config(StaleDataError, renderer="errors/domain.jinja2")
def stale(exc: StaleDataError, request: Request) -> dict[str, Any]:
    request.response.status = 409
    # The failed write left the transaction unusable (PostgreSQL refuses every further
    # statement); roll it back so the page can still read the user's language. The
    # 409 status vetoes the commit anyway.
    request.dbsession.rollback()
    return {
        "message": _(
            "Someone else saved this at the same time. Reload the page to see "
            "their changes, then make yours again."
        ),
        "status": 409,
    }


@exception_view_config(DomainError, renderer="errors/domain.jinja2")
def domain_error(exc: DomainError, request: Request) -> dict[str, Any]:
    request.response.status = exc.status
    return {"message": exc.message, "status": exc.status}
