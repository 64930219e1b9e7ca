"""``poster-review serve``: waitress with the settings file's [server:main]."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("serve", help="serve the app with waitress")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    import plaster

    from poster_review.cli import UsageError

    path = Path(args.config)
    if not path.is_file():
        raise UsageError(f"Cannot find the settings file {args.config}; pass it with -c INI.")
    loader = plaster.get_loader(str(path.resolve()), protocols=["wsgi"])
    loader.setup_logging({})
    app = loader.get_wsgi_app()
    from poster_review import tasks
    from poster_review.commands.env import load_settings

    settings = load_settings(args)
    if settings.tasks_embedded_worker and settings.tasks_url != "immediate":
        # Development: thumbnails and checks run in this process; production runs
        # `poster-review worker` beside the app instead (tasks.embedded_worker = false).
        tasks.start_embedded_consumer()
    server = loader.get_wsgi_server()
    server(app)
    return 0
