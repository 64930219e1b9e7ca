"""The ``poster-review`` command.

Global option ``-c INI`` (default ``development.ini``). File-to-file commands
(``inspect``, ``match``, ``rank``) import neither Pyramid nor SQLAlchemy, so they start
fast; each subcommand imports what it needs when it runs. Bad input gives one
sentence on stderr and exit status 2; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Sequence
from typing import Any

#: Modules with an ``add_parser(subparsers)`` function, in help order.
COMMAND_MODULES = (
    "poster_review.commands.db",
    "poster_review.commands.demo",
    "poster_review.commands.user",
    "poster_review.commands.serve",
    "poster_review.commands.mail",
    "poster_review.commands.worker",
    "poster_review.commands.sweep",
    "poster_review.commands.backup",
    "poster_review.commands.assign",
    "poster_review.submissions.inspect_command",
    "poster_review.assignment.match_command",
    "poster_review.ranking.rank_command",
)


class UsageError(Exception):
    """Bad input from the command line; the message is one sentence."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poster-review",
        description="Poster-session submission, review, judging and awards.",
    )
    parser.add_argument(
        "-c",
        "--config",
        default="development.ini",
        metavar="INI",
        help="the settings file (default: development.ini)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # a command whose module is not part of this build
        module.add_parser(subparsers)
    return parser


def fail(message: str) -> int:
    print(f"poster-review: {message}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    # Pyramid 2.1 still imports pkg_resources; its deprecation notice is not for our users.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Any = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from poster_review.errors import ConfigurationError

    try:
        return int(func(args))
    except (UsageError, ConfigurationError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    # Run as `python -m poster_review.cli`, this file is loaded twice (as __main__ and by
    # name); use the named module so that commands' UsageError is the one caught.
    from poster_review.cli import main as named_main

    sys.exit(named_main())
