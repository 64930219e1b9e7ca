"""``poster-review demo``: load the demo congress (idempotent) and print how to sign in."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("demo", help="load the demo congress (once) and print accounts")
    parser.add_argument(
        "--no-inspect",
        action="store_true",
        help="skip PDF checks and thumbnails (faster; the worker does them later)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from poster_review.commands.env import db_session, load_settings
    from poster_review.demo.load import load_demo

    settings = load_settings(args)
    with db_session(settings) as dbsession:
        summary = load_demo(
            dbsession,
            settings,
            inspect=not args.no_inspect,
            progress=lambda message: print(f"  {message}", flush=True),
        )
    state = "loaded" if summary.created else "already loaded"
    print(f"Demo congress {state}: {summary.posters} posters.")
    print(f"Open {settings.public_url}/c/{summary.slug}/ and sign in as:")
    for role, email, password in summary.accounts:
        print(f"  {role:<9} {email:<24} password: {password}")
    return 0
