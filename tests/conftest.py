"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
POSTER_REVIEW_TEST_DATABASE_URL says so), the app, and per-test rollback.

Every test that touches the database runs in a transaction that is doomed (a commit in
the code under test fails loudly) and aborted at the end, so tests never see each
other's rows. Tests that need real commits (workers, concurrency) use ``committing_url``
and clean up after themselves.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import transaction
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from webtest import TestApp

from poster_review import migrate
from poster_review.config import configure
from poster_review.db import get_session_factory, get_tm_session, make_engine
from poster_review.settings import Settings, parse

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_PASSWORD = "correct horse battery"
DB_ENV = "POSTER_REVIEW_TEST_DATABASE_URL"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_url(base: str, schema: str) -> str:
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get(DB_ENV, "")
    if not base:
        path = tmp_path_factory.mktemp("db") / f"test-{_worker()}.sqlite"
        yield f"sqlite:///{path}"
        return
    if not base.startswith("postgresql"):
        raise pytest.UsageError(f"{DB_ENV} must be a postgresql+psycopg:// URL or empty")
    # One schema per test worker, so parallel runs share the database but no tables.
    # The process id keeps two test runs on one database (a developer's and CI's) apart.
    worker = re.sub(r"\W", "_", _worker())
    schema = f"pr_test_{worker}_{os.getpid()}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    yield _postgres_url(base, schema)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(scope="session")
def raw_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("var")
    return {
        "here": str(REPO_ROOT),
        "sqlalchemy.url": database_url,
        "poster_review.environment": "testing",
        "poster_review.secret": "test-secret-" + "x" * 32,
        "poster_review.public_url": "http://localhost",
        "poster_review.upload_dir": str(var / "uploads"),
        "poster_review.login_max_failures": "5",
        # Cheap hashing keeps the suite fast; production parameters are tested separately.
        "poster_review.argon2_time_cost": "1",
        "poster_review.argon2_memory_kib": "8",
        "poster_review.argon2_parallelism": "1",
        "mail.transport": f"file:{var / 'mail'}",
        "tasks.url": "immediate",
        "retry.attempts": "1",
    }


@pytest.fixture(scope="session")
def settings(raw_settings: dict[str, str]) -> Settings:
    return parse(raw_settings, environ={})


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(raw_settings: dict[str, str], engine: Engine) -> Any:
    return configure(raw_settings).make_wsgi_app()


@pytest.fixture
def tm() -> Iterator[transaction.TransactionManager]:
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()  # a commit in the code under test fails loudly
    yield manager
    manager.abort()  # everything the test wrote disappears


@pytest.fixture
def dbsession(app: Any, tm: transaction.TransactionManager) -> Session:
    return get_tm_session(app.registry["dbsession_factory"], tm)


@pytest.fixture
def testapp(app: Any, tm: transaction.TransactionManager, dbsession: Session) -> TestApp:
    env = {
        "tm.active": True,
        "tm.manager": tm,
        "app.dbsession": dbsession,
        "REMOTE_ADDR": "192.0.2.10",
    }
    return TestApp(app, extra_environ=env)


@pytest.fixture
def login(testapp: TestApp) -> Callable[..., Any]:
    """Sign ``user`` in through the real log-in form."""

    def do_login(user: Any, password: str = TEST_PASSWORD) -> Any:
        testapp.reset()
        form = testapp.get("/account/login").forms["login-form"]
        form["email"] = user.email
        form["password"] = password
        return form.submit(status=303)

    return do_login


@pytest.fixture
def committing_factory(settings: Settings, engine: Engine) -> Iterator[Any]:
    """A plain session factory whose commits are real (for workers and concurrency)."""
    eng = make_engine(settings.database_url)
    yield get_session_factory(eng)
    eng.dispose()


REQUIRE_ALL = os.environ.get("POSTER_REVIEW_REQUIRE_ALL") == "1"


def require(available: bool, reason: str) -> None:
    """Skip with ``reason`` on a machine that lacks a component; in CI
    (POSTER_REVIEW_REQUIRE_ALL=1) a missing component is a failure, not a skip."""
    if available:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip_slow = pytest.mark.skip(reason="slow: run with `make test-slow`")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip_slow)
