"""``poster-review send-mail``: deliver queued outbox messages."""

from __future__ import annotations

import argparse
import time
from typing import Any


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser("send-mail", help="deliver queued e-mail from the outbox")
    parser.add_argument("--loop", action="store_true", help="keep running (production worker)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between polls")
    parser.add_argument("--batch", type=int, default=100, help="messages claimed at a time")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from poster_review.commands.env import load_settings
    from poster_review.db import get_session_factory, make_engine
    from poster_review.notifications.sender import make_transport, send_batch

    settings = load_settings(args)
    engine = make_engine(settings.database_url)
    factory = get_session_factory(engine)
    transport = make_transport(settings)
    total_sent = total_failed = 0
    try:
        while True:
            sent, failed = send_batch(factory, settings, transport, limit=args.batch)
            total_sent, total_failed = total_sent + sent, total_failed + failed
            if not args.loop and sent + failed < args.batch:
                break
            if sent + failed == 0:
                transport.close()
                time.sleep(args.interval)
    finally:
        transport.close()
        engine.dispose()
    print(f"sent {total_sent}, failed {total_failed}")
    return 0
