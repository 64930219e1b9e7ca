"""``poster-review db upgrade|current|downgrade``."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="migrate the database schema")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="apply migrations (default: up to the newest)")
    up.add_argument("revision", nargs="?", default="head")
    actions.add_parser("current", help="print the schema revision of the database")
    down = actions.add_parser("downgrade", help="revert migrations down to REVISION")
    down.add_argument("revision")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from poster_review import migrate
    from poster_review.commands.env import ensure_sqlite_dir, load_settings
    from poster_review.db import make_engine

    settings = load_settings(args)
    ensure_sqlite_dir(settings)
    engine = make_engine(settings.database_url)
    try:
        if args.db_action == "upgrade":
            migrate.upgrade(engine, args.revision)
            print(f"database at revision {migrate.current_revision(engine)}")
        elif args.db_action == "downgrade":
            migrate.downgrade(engine, args.revision)
            print(f"database at revision {migrate.current_revision(engine)}")
        else:
            current = migrate.current_revision(engine)
            head = migrate.head_revision(settings.database_url)
            state = "up to date" if current == head else f"behind (newest is {head})"
            print(f"{current or 'empty'} ({state})")
    finally:
        engine.dispose()
    return 0
