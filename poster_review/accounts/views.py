"""Log-in, registration, confirmation, password reset, account settings, invitations."""

from __future__ import annotations

from typing import Any

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.view import view_config

from poster_review.accounts import dashboard, passwords, services
from poster_review.accounts.errors import (
    EmailNotConfirmed,
    InvalidCredentials,
    InvalidToken,
    LoginThrottled,
)
from poster_review.accounts.models import TokenPurpose
from poster_review.db import utcnow
from poster_review.errors import InvalidInput
from poster_review.forms import Form
from poster_review.i18n import AVAILABLE_LOCALES, _
from poster_review.permissions import Permission as P
from poster_review.views import safe_next


def _flash(request: Request, message: str, queue: str = "") -> None:
    request.session.flash(request.localizer.translate(message), queue)


def _client_ip(request: Request) -> str:
    # Behind a reverse proxy, waitress's trusted_proxy settings put the client in remote_addr.
    return (request.remote_addr or "unknown")[:45]


@view_config(
    route_name="accounts.login", renderer="accounts/login.jinja2", permission=NO_PERMISSION_REQUIRED
)
def login(request: Request) -> Response | dict[str, Any]:
    next_url = safe_next(request.params.get("next"), request.route_url("accounts.dashboard"))
    form = Form(request.POST)
    page: dict[str, Any] = {"form": form, "next": next_url, "unconfirmed": False}
    if request.method != "POST":
        return page
    email = form.email("email")
    form.text("password", required=True, max_length=passwords.MAX_LENGTH)
    if not form.ok:
        request.response.status = 400
        return page
    try:
        user = services.authenticate(
            request.dbsession,
            request.registry.poster_settings,
            email=email,
            password=form.raw("password"),
            ip=_client_ip(request),
            now=utcnow(),
        )
    except LoginThrottled as exc:
        form.errors["password"] = exc.message
        request.response.status = 429
        return page
    except EmailNotConfirmed as exc:
        form.errors["email"] = exc.message
        page["unconfirmed"] = True
        request.response.status = 400
        return page
    except InvalidCredentials as exc:
        form.errors["password"] = exc.message
        request.response.status = 400
        # The failure must be recorded although the response is an error (throttling).
        request.response.headers["x-tm"] = "commit"
        return page
    headers = remember(request, user.id)
    _flash(request, _("Welcome, ${name}.", mapping={"name": user.name}), "success")
    return HTTPSeeOther(next_url, headers=headers)


@view_config(route_name="accounts.logout", request_method="POST", permission=NO_PERMISSION_REQUIRED)
def logout(request: Request) -> Response:
    headers = forget(request)
    _flash(request, _("You are signed out."), "success")
    return HTTPSeeOther(request.route_url("home"), headers=headers)


@view_config(
    route_name="accounts.register",
    renderer="accounts/register.jinja2",
    permission=NO_PERMISSION_REQUIRED,
)
def register(request: Request) -> Response | dict[str, Any]:
    form = Form(request.POST)
    if request.method != "POST":
        return {"form": form}
    name = form.text("name", required=True, max_length=200)
    name_latin = form.text("name_latin", max_length=200)
    email = form.email("email")
    password = form.raw("password")
    problem = passwords.password_problem(password, email)
    if problem:
        form.errors["password"] = problem
    elif password != form.raw("password2"):
        form.errors["password2"] = _("The two passwords are not the same.")
    if not form.ok:
        request.response.status = 400
        return {"form": form}
    services.register(
        request.dbsession,
        request.registry.poster_settings,
        email=email,
        name=name,
        name_latin=name_latin,
        password=password,
        now=utcnow(),
        locale=request.locale_name,
    )
    return HTTPSeeOther(request.route_url("accounts.login", _query={"registered": "1"}))


@view_config(
    route_name="accounts.confirm",
    renderer="accounts/message.jinja2",
    permission=NO_PERMISSION_REQUIRED,
    request_method="GET",
)
def confirm(request: Request) -> Response | dict[str, Any]:
    # A GET that shows a button: mail scanners that pre-fetch links must not use the token.
    try:
        services.peek_token(
            request.dbsession, request.matchdict["token"], TokenPurpose.confirm_email, utcnow()
        )
    except InvalidToken as exc:
        request.response.status = 400
        return {"title": _("Link not valid"), "message": exc.message, "resend": True}
    return {"title": _("Confirm your e-mail address"), "confirm_action": request.path}


@view_config(
    route_name="accounts.confirm",
    request_method="POST",
    permission=NO_PERMISSION_REQUIRED,
    renderer="accounts/message.jinja2",
)
def confirm_post(request: Request) -> Response | dict[str, Any]:
    try:
        services.confirm_email(request.dbsession, request.matchdict["token"], utcnow())
    except InvalidToken as exc:
        request.response.status = 400
        return {"title": _("Link not valid"), "message": exc.message, "resend": True}
    _flash(request, _("Your e-mail address is confirmed. You can sign in now."), "success")
    return HTTPSeeOther(request.route_url("accounts.login"))


@view_config(
    route_name="accounts.reset_request",
    renderer="accounts/reset_request.jinja2",
    permission=NO_PERMISSION_REQUIRED,
)
def reset_request(request: Request) -> Response | dict[str, Any]:
    form = Form(request.POST)
    if request.method != "POST":
        return {"form": form, "sent": False}
    email = form.email("email")
    if not form.ok:
        request.response.status = 400
        return {"form": form, "sent": False}
    settings = request.registry.poster_settings
    if request.POST.get("purpose") == "confirm":
        services.resend_confirmation(request.dbsession, settings, email=email, now=utcnow())
    else:
        services.request_password_reset(request.dbsession, settings, email=email, now=utcnow())
    return {"form": form, "sent": True}


@view_config(
    route_name="accounts.reset", renderer="accounts/reset.jinja2", permission=NO_PERMISSION_REQUIRED
)
def reset(request: Request) -> Response | dict[str, Any]:
    raw = request.matchdict["token"]
    form = Form(request.POST)
    try:
        services.peek_token(request.dbsession, raw, TokenPurpose.reset_password, utcnow())
    except InvalidToken as exc:
        request.response.status = 400
        return {"form": form, "invalid": exc.message}
    if request.method != "POST":
        return {"form": form, "invalid": None}
    password = form.raw("password")
    if password != form.raw("password2"):
        form.errors["password2"] = _("The two passwords are not the same.")
        request.response.status = 400
        return {"form": form, "invalid": None}
    try:
        user = services.reset_password(
            request.dbsession,
            request.registry.poster_settings,
            raw_token=raw,
            password=password,
            now=utcnow(),
        )
    except InvalidInput as exc:
        form.errors["password"] = exc.message
        request.response.status = 400
        return {"form": form, "invalid": None}
    headers = remember(request, user.id)
    _flash(request, _("Your new password is saved and you are signed in."), "success")
    return HTTPSeeOther(request.route_url("accounts.dashboard"), headers=headers)


@view_config(
    route_name="accounts.settings", renderer="accounts/settings.jinja2", permission=P.AccountManage
)
def account_settings(request: Request) -> Response | dict[str, Any]:
    user = request.user
    form = Form(request.POST)
    page: dict[str, Any] = {"form": form, "user": user, "locales": AVAILABLE_LOCALES}
    if request.method != "POST":
        return page
    action = request.POST.get("action")
    settings = request.registry.poster_settings
    try:
        if action == "profile":
            name = form.text("name", required=True, max_length=200)
            name_latin = form.text("name_latin", max_length=200)
            locale = form.choice("locale", list(AVAILABLE_LOCALES))
            if form.ok:
                user.name, user.name_latin, user.locale = name, name_latin or None, locale
                _flash(request, _("Your profile is saved."), "success")
                return HTTPSeeOther(request.route_url("accounts.settings"))
        elif action == "password":
            ok, _rehash = passwords.verify_password(
                settings, user.password_hash, form.raw("current_password")
            )
            if not ok:
                form.errors["current_password"] = _("Your current password is not right.")
            elif form.raw("new_password") != form.raw("password2"):
                form.errors["password2"] = _("The two passwords are not the same.")
            else:
                services.set_password(request.dbsession, settings, user, form.raw("new_password"))
                headers = remember(request, user.id)  # this session stays; others end
                _flash(
                    request,
                    _("Your password is changed. Other sessions were signed out."),
                    "success",
                )
                return HTTPSeeOther(request.route_url("accounts.settings"), headers=headers)
        elif action == "email":
            new_email = form.email("new_email")
            if form.ok:
                services.request_email_change(
                    request.dbsession,
                    settings,
                    user=user,
                    new_email=new_email,
                    password=form.raw("current_password"),
                    now=utcnow(),
                )
                _flash(
                    request,
                    _(
                        "We sent a link to ${email}. Your address changes when you follow it.",
                        mapping={"email": new_email},
                    ),
                    "success",
                )
                return HTTPSeeOther(request.route_url("accounts.settings"))
        else:
            form.errors["action"] = _("Unknown action.")
    except InvalidCredentials as exc:
        form.errors["current_password"] = exc.message
    except InvalidInput as exc:
        form.errors["new_password" if action == "password" else "new_email"] = exc.message
    request.response.status = 400
    return page


@view_config(
    route_name="accounts.email_confirm",
    renderer="accounts/message.jinja2",
    permission=NO_PERMISSION_REQUIRED,
)
def email_confirm(request: Request) -> Response | dict[str, Any]:
    if request.method != "POST":
        try:
            services.peek_token(
                request.dbsession, request.matchdict["token"], TokenPurpose.change_email, utcnow()
            )
        except InvalidToken as exc:
            request.response.status = 400
            return {"title": _("Link not valid"), "message": exc.message}
        return {"title": _("Confirm your new e-mail address"), "confirm_action": request.path}
    try:
        services.confirm_email_change(request.dbsession, request.matchdict["token"], utcnow())
    except (InvalidToken, InvalidInput) as exc:
        request.response.status = 400
        return {"title": _("Link not valid"), "message": exc.message}
    _flash(request, _("Your e-mail address is changed."), "success")
    return HTTPSeeOther(
        request.route_url("accounts.settings" if request.user else "accounts.login")
    )


@view_config(
    route_name="accounts.invitation",
    renderer="accounts/invitation.jinja2",
    permission=NO_PERMISSION_REQUIRED,
)
def invitation(request: Request) -> Response | dict[str, Any]:
    raw = request.matchdict["token"]
    form = Form(request.POST)
    try:
        token = services.peek_token(request.dbsession, raw, TokenPurpose.invitation, utcnow())
    except InvalidToken as exc:
        request.response.status = 400
        return {"form": form, "invalid": exc.message}
    existing = services.find_user(request.dbsession, token.email or "")
    if existing is not None and existing.password_hash is None:
        existing = None  # imported without an account yet: they set a password here
    page: dict[str, Any] = {
        "form": form,
        "invalid": None,
        "token": token,
        "has_account": existing is not None,
    }
    if request.method != "POST":
        return page
    if request.user is None and existing is not None:
        # The address has an account: it must sign in first (then comes back here).
        return HTTPSeeOther(request.route_url("accounts.login", _query={"next": request.path}))
    name = form.text("name", required=request.user is None, max_length=200)
    if not form.ok:
        request.response.status = 400
        return page
    try:
        user = services.accept_invitation(
            request.dbsession,
            request.registry.poster_settings,
            raw_token=raw,
            current_user=request.user,
            name=name,
            password=form.raw("password") or None,
            now=utcnow(),
        )
    except InvalidInput as exc:
        form.errors["password"] = exc.message
        request.response.status = 400
        return page
    headers = remember(request, user.id) if request.user is None else []
    _flash(request, _("Welcome aboard. Your new role is on your dashboard."), "success")
    return HTTPSeeOther(request.route_url("accounts.dashboard"), headers=headers)


@view_config(
    route_name="accounts.dashboard",
    renderer="accounts/dashboard.jinja2",
    permission=P.DashboardView,
)
def dashboard_view(request: Request) -> dict[str, Any]:
    return {"cards": dashboard.cards_for(request.dbsession, request.user, now=utcnow())}
