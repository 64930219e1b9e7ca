"""``poster-review worker``: consume background tasks (PDF checks, thumbnails)."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("worker", help="run the background task consumer")
    parser.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging

    from poster_review import tasks
    from poster_review.cli import UsageError
    from poster_review.commands.env import load_settings

    settings = load_settings(args)
    if settings.tasks_url == "immediate":
        raise UsageError("tasks.url is 'immediate': tasks run in the app, no worker is needed.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    tasks.configure(settings)
    # PDF work happens in child processes; threads only wait for them.
    tasks.huey.create_consumer(workers=args.workers, worker_type="thread").run()
    return 0
