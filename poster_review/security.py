"""Who is asking (sessions), what they may do (ACLs), CSRF and security headers.

- Sessions are signed cookies (stateless app processes): HttpOnly, SameSite=Lax,
  Secure when the public URL is HTTPS. The session holds the user id and the user's
  ``auth_version``; bumping that version logs the person out everywhere.
- Authorization is Pyramid's ACL helper over the principals from :func:`principals_for`.
- CSRF is required on every unsafe method (token in the form or the X-CSRF-Token header).
- Every response carries a strict Content-Security-Policy (no inline script) and friends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.config import Configurator
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.interfaces import ISecurityPolicy
from pyramid.registry import Registry
from pyramid.request import Request
from pyramid.response import Response
from pyramid.session import JSONSerializer, SignedCookieSessionFactory
from sqlalchemy import select
from zope.interface import implementer

from poster_review.accounts.models import Membership, User
from poster_review.permissions import Permission
from poster_review.resources import conference_principal
from poster_review.settings import Settings

SESSION_USER = "auth.user_id"
SESSION_VERSION = "auth.version"


def principals_for(user: User | None, memberships: Iterable[Membership] = ()) -> list[str]:
    """The principals of ``user``: ``user:<id>``, ``role:admin``, ``conference:<id>:<role>``."""
    if user is None:
        return [Everyone]
    principals = [Everyone, Authenticated, f"user:{user.id}"]
    if user.is_admin:
        principals.append("role:admin")
    principals += [conference_principal(m.conference_id, m.role.value) for m in memberships]
    return principals


@implementer(ISecurityPolicy)
class SecurityPolicy:
    def __init__(self) -> None:
        self.acl = ACLHelper()

    def identity(self, request: Request) -> User | None:
        return request.user  # type: ignore[no-any-return]

    def authenticated_userid(self, request: Request) -> int | None:
        user = request.user
        return None if user is None else int(user.id)

    def permits(self, request: Request, context: Any, permission: str) -> Any:
        return self.acl.permits(context, request.principals, permission)

    def remember(self, request: Request, userid: Any, **kw: Any) -> list[tuple[str, str]]:
        user = request.dbsession.get(User, int(userid))
        # A fresh session at log-in: whatever an attacker planted before is dropped.
        request.session.invalidate()
        request.session[SESSION_USER] = int(userid)
        request.session[SESSION_VERSION] = user.auth_version if user else 0
        request.session.new_csrf_token()
        request.__dict__.pop("user", None)
        request.__dict__.pop("principals", None)
        return []

    def forget(self, request: Request, **kw: Any) -> list[tuple[str, str]]:
        request.session.invalidate()
        request.__dict__.pop("user", None)
        request.__dict__.pop("principals", None)
        return []


def _user(request: Request) -> User | None:
    user_id = request.session.get(SESSION_USER)
    if user_id is None:
        return None
    user = request.dbsession.get(User, user_id)
    if user is None or user.auth_version != request.session.get(SESSION_VERSION):
        return None
    return user  # type: ignore[no-any-return]


def _principals(request: Request) -> list[str]:
    user = request.user
    if user is None:
        return principals_for(None)
    memberships = request.dbsession.scalars(
        select(Membership).where(Membership.user_id == user.id)
    ).all()
    return principals_for(user, memberships)


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers_tween_factory(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    settings: Settings = registry.poster_settings

    def tween(request: Request) -> Response:
        response = handler(request)
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if settings.https:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.user is not None or request.method != "GET":
            # Pages for signed-in people are private: no shared cache may keep them.
            headers.setdefault("Cache-Control", "private, no-store")
        return response

    return tween


def includeme(config: Configurator) -> None:
    settings: Settings = config.registry.poster_settings
    config.set_session_factory(
        SignedCookieSessionFactory(
            settings.secret,
            cookie_name="poster_review_session",
            secure=settings.https,
            httponly=True,
            samesite="Lax",
            max_age=None,  # a browser-session cookie; the server-side timeout below applies
            timeout=settings.session_max_age,
            reissue_time=600,
            serializer=JSONSerializer(),
        )
    )
    config.set_security_policy(SecurityPolicy())
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(
        require_csrf=True,
        token="csrf_token",  # noqa: S106 - a form field name, not a secret
        header="X-CSRF-Token",
    )
    # Deny by default: a view that forgets its permission is for admins only.
    config.set_default_permission(Permission.AdminAccess)
    config.add_request_method(_user, "user", reify=True)
    config.add_request_method(_principals, "principals", reify=True)
    config.add_tween("poster_review.security.security_headers_tween_factory")
