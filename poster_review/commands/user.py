"""``poster-review user add``: create or update an account and give it a role."""

from __future__ import annotations

import argparse
import getpass
from typing import Any

ROLES = ("admin", "chair", "reviewer", "judge", "author")


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("user", help="manage accounts")
    actions = parser.add_subparsers(dest="user_action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create an account (confirmed) or add a role to one")
    add.add_argument("email")
    add.add_argument("--name", help="the person's name (required for a new account)")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument("--conference", metavar="SLUG", help="the conference of the role")
    add.add_argument("--password", help="the password (asked for when omitted)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from poster_review.accounts import passwords, services
    from poster_review.accounts.models import Role, User
    from poster_review.cli import UsageError
    from poster_review.commands.env import db_session, load_settings
    from poster_review.conferences.services import get_by_slug
    from poster_review.db import utcnow
    from poster_review.forms import Form
    from poster_review.i18n import render

    settings = load_settings(args)
    form = Form({"email": args.email})
    email = form.email("email")
    if not form.ok:
        raise UsageError(f"{args.email!r} is not an e-mail address.")
    if args.role != "admin" and not args.conference:
        raise UsageError("A role other than admin needs --conference SLUG.")
    now = utcnow()
    with db_session(settings) as dbsession:
        user = services.find_user(dbsession, email)
        if user is None:
            if not args.name:
                raise UsageError("A new account needs --name.")
            password = args.password if args.password is not None else getpass.getpass("Password: ")
            problem = passwords.password_problem(password, email)
            if problem:
                raise UsageError(render(problem))
            user = User(
                email=email,
                name=args.name,
                email_confirmed_at=now,
                created_at=now,
                password_hash=passwords.hash_password(settings, password),
            )
            dbsession.add(user)
            dbsession.flush()
        if args.role == "admin":
            user.is_admin = True
        else:
            conference = get_by_slug(dbsession, args.conference)
            if conference is None:
                raise UsageError(f"There is no conference {args.conference!r}.")
            services.add_membership(
                dbsession, user=user, conference_id=conference.id, role=Role(args.role), now=now
            )
        print(
            f"user {user.id} <{user.email}>: {args.role}"
            + (f" in {args.conference}" if args.role != "admin" else "")
        )
    return 0
