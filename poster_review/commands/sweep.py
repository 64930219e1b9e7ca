"""``poster-review sweep``: delete uploaded files no row references (after a grace period)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("sweep", help="remove stored files nothing refers to")
    parser.add_argument(
        "--grace-hours",
        type=float,
        default=24.0,
        help="keep unreferenced files younger than this (default 24)",
    )
    parser.add_argument("--dry-run", action="store_true", help="only count what would go")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import datetime as dt

    from poster_review.cli import UsageError
    from poster_review.commands.env import db_session, load_settings
    from poster_review.storage import blob_store
    from poster_review.submissions.sweep import sweep

    if args.grace_hours < 0:
        raise UsageError("--grace-hours cannot be negative.")
    settings = load_settings(args)
    with db_session(settings) as dbsession:
        result = sweep(
            dbsession,
            blob_store(settings.upload_dir),
            now=dt.datetime.now(dt.UTC),
            grace=dt.timedelta(hours=args.grace_hours),
            dry_run=args.dry_run,
        )
    verb = "would remove" if args.dry_run else "removed"
    print(
        f"{verb} {result.removed} files ({result.removed_bytes / 1e6:.1f} MB) and "
        f"{result.temporary_removed} interrupted uploads; kept {result.kept}"
    )
    return 0
