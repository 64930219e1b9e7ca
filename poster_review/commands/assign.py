"""``poster-review assign --conference SLUG [--apply]``: the optimal assignment on the database."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("assign", help="propose (and apply) an optimal assignment")
    parser.add_argument("--conference", required=True, metavar="SLUG")
    parser.add_argument("--k", type=int, default=3, help="reviewers per poster (default 3)")
    parser.add_argument("--min-load", type=int, default=0)
    parser.add_argument("--max-load", type=int, default=6)
    parser.add_argument("--fairness", action="store_true")
    parser.add_argument(
        "--apply",
        action="store_true",
        help="make the assignments and tell the reviewers (default: preview)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from poster_review.assignment import algorithm, runs
    from poster_review.cli import UsageError
    from poster_review.commands.env import db_session, load_settings
    from poster_review.conferences.services import get_by_slug
    from poster_review.db import utcnow
    from poster_review.errors import InvalidInput
    from poster_review.i18n import render

    settings = load_settings(args)
    with db_session(settings) as dbsession:
        conference = get_by_slug(dbsession, args.conference)
        if conference is None:
            raise UsageError(f"There is no conference {args.conference!r}.")
        now = utcnow()
        try:
            result = runs.run_solver(
                dbsession,
                conference,
                by=None,
                now=now,
                settings=runs.RunSettings(
                    reviews_per_poster=args.k,
                    min_load=args.min_load,
                    max_load=args.max_load,
                    fairness=args.fairness,
                ),
            )
        except (algorithm.Infeasible, InvalidInput) as exc:
            raise UsageError(render(exc.message)) from None
        loads: dict[int, int] = {}
        for _s, reviewer, _v in result.pairs:
            loads[int(reviewer)] = loads.get(int(reviewer), 0) + 1
        print(
            f"proposal {result.id}: {len(result.pairs)} pairs, total affinity "
            f"{result.objective:.3f}, loads {min(loads.values())}-{max(loads.values())}"
        )
        if args.apply:
            created = runs.apply_run(
                dbsession,
                result,
                conference=conference,
                by=None,
                now=now,
                public_url=settings.public_url,
            )
            print(f"applied: {created} new assignments")
    return 0
