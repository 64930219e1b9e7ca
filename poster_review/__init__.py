"""poster_review: poster-session submission, review, judging at the board and awards."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def main(global_config: dict[str, Any], **settings: str) -> Any:
    """PasteDeploy entry point (``use = egg:poster_review``)."""
    from poster_review.config import configure

    return configure({**settings, "here": global_config.get("here", ".")}).make_wsgi_app()
