"""Load settings and a database session for commands that need the app's database."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from poster_review.settings import Settings


def raw_settings(args: argparse.Namespace) -> dict[str, str]:
    from poster_review.cli import UsageError

    path = Path(args.config)
    if not path.is_file():
        raise UsageError(f"Cannot find the settings file {args.config}; pass it with -c INI.")
    import plaster

    loader = plaster.get_loader(str(path.resolve()), protocols=["wsgi"])
    settings = dict(loader.get_settings("app:main"))
    settings.setdefault("here", str(path.resolve().parent))
    return settings


def load_settings(args: argparse.Namespace) -> Settings:
    from poster_review.settings import parse

    return parse(raw_settings(args))


@contextmanager
def db_session(settings: Settings) -> Iterator[Any]:
    """A session in a transaction that commits on success and rolls back on error."""
    from poster_review.db import get_session_factory, make_engine

    engine = make_engine(settings.database_url)
    factory = get_session_factory(engine)
    try:
        with factory.begin() as session:
            yield session
    finally:
        engine.dispose()


def ensure_sqlite_dir(settings: Settings) -> None:
    url = settings.database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
