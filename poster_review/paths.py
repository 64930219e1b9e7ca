"""Where the top-level templates/ and alembic/ folders are, computed once.

From a source checkout (or an editable install) they sit beside the package; a wheel
carries them as ``poster_review._templates`` and ``poster_review._migrations``.
"""

from __future__ import annotations

import functools
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"


def _locate(top_level: str, packaged: str) -> Path:
    source = PACKAGE_DIR.parent / top_level
    if (source / ".poster_review").exists():
        return source
    shipped = PACKAGE_DIR / packaged
    if shipped.is_dir():
        return shipped
    raise RuntimeError(f"cannot find the {top_level!r} folder; is the installation complete?")


@functools.cache
def templates_dir() -> Path:
    return _locate("templates", "_templates")


@functools.cache
def migrations_dir() -> Path:
    return _locate("alembic", "_migrations")
