"""Database plumbing: Base with naming conventions, UTC datetimes, engine and sessions.

Each request gets ``request.dbsession`` joined to the request's transaction by
zope.sqlalchemy; pyramid_tm commits at the end unless the response is an error
(commit veto), and pyramid_retry replays a request that hit a serialization failure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import transaction
import zope.sqlalchemy
from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import Response
from pyramid.tweens import INGRESS
from sqlalchemy import DateTime, MetaData, TypeDecorator, engine_from_config, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant: accepts only aware datetimes, stores UTC, returns aware UTC.

    SQLite has no time zones; PostgreSQL's timestamptz does. Both give back the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for an instant; use an aware UTC datetime")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime}  # noqa: RUF012 - SQLAlchemy reads it


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def after_commit_once(dbsession: Session, key: str, action: Callable[[], None]) -> None:
    """Run ``action`` once the session's current transaction commits (never if it rolls
    back). Calls with the same ``key`` in one transaction run it once."""
    if dbsession.info.get(key):
        return
    dbsession.info[key] = True

    def committed(session: Session) -> None:
        session.info.pop(key, None)
        action()

    def rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
        # A savepoint rolled back: the transaction (and the hook) may still commit.
        if not previous_transaction.nested:
            session.info.pop(key, None)

    event.listen(dbsession, "after_commit", committed, once=True)
    event.listen(dbsession, "after_soft_rollback", rolled_back)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers proceed during a write; foreign keys are off by default in SQLite;
    # the busy timeout makes a writer wait for the lock instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # pysqlite starts transactions lazily and only before DML; emit BEGIN ourselves so
    # that SELECTs are inside the transaction (repeatable reads, working savepoints).
    # Requests that write take the write lock first (BEGIN IMMEDIATE): they then wait
    # their turn (busy timeout) instead of failing when their snapshot goes stale.
    mode = conn.get_execution_options().get("sqlite_begin", "")
    conn.exec_driver_sql(f"BEGIN {mode}" if mode in ("IMMEDIATE", "EXCLUSIVE") else "BEGIN")


def _sqlite_busy_is_retryable(context: Any) -> None:
    # Two writers in WAL mode: the one whose snapshot went stale gets "database is locked"
    # at once instead of waiting. Replaying the whole request (pyramid_retry) is correct,
    # like a serialization failure on PostgreSQL.
    original = context.original_exception
    if "locked" in str(original) or "busy" in str(original):
        from pyramid_retry import mark_error_retryable

        if context.sqlalchemy_exception is not None:
            mark_error_retryable(context.sqlalchemy_exception)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine configured for a web app on SQLite or PostgreSQL."""
    settings = {"sqlalchemy.url": url}
    if url.startswith("sqlite"):
        engine = engine_from_config(
            settings, prefix="sqlalchemy.", connect_args={"timeout": 10}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _sqlite_busy_is_retryable)
        return engine
    return engine_from_config(settings, prefix="sqlalchemy.", pool_pre_ping=True, **kwargs)


def get_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Every mapper must be known before the first flush resolves foreign keys; commands
    # and workers that import only one domain would otherwise fail at their first write.
    import poster_review.models  # noqa: F401

    return sessionmaker(bind=engine, expire_on_commit=False)


def get_tm_session(
    session_factory: sessionmaker[Session],
    transaction_manager: transaction.TransactionManager,
    request: Request | None = None,
) -> Session:
    """A session joined to ``transaction_manager``: it commits or aborts with it."""
    dbsession = session_factory(info={"request": request})
    zope.sqlalchemy.register(dbsession, transaction_manager=transaction_manager)
    return dbsession


#: Form bodies larger than this (bytes) are parsed before the request's transaction.
LARGE_BODY = 1_000_000


def parse_large_bodies_tween_factory(
    handler: Callable[[Request], Response], registry: Any
) -> Callable[[Request], Response]:
    """Parse a large form body (a poster upload) before the route factory or the CSRF
    check opens the database transaction: on SQLite, writers hold the write lock from
    their first query, and parsing 30 MB inside it made every other writer wait."""

    def tween(request: Request) -> Response:
        if request.method == "POST" and (request.content_length or 0) > LARGE_BODY:
            _ = request.POST  # webob spools the parts to temporary files
        return handler(request)

    return tween


def includeme(config: Configurator) -> None:
    settings: Mapping[str, Any] = config.get_settings()
    settings_obj = config.registry.poster_settings
    config.add_tween("poster_review.db.parse_large_bodies_tween_factory", under=INGRESS)
    config.include("pyramid_tm")
    config.include("pyramid_retry")
    # An error response (4xx/5xx) must not commit what the request wrote.
    config.add_settings({"tm.commit_veto": "pyramid_tm.default_commit_veto"})
    if "retry.attempts" not in settings:
        config.add_settings({"retry.attempts": 3})
    engine = make_engine(settings_obj.database_url)
    factory = get_session_factory(engine)
    config.registry["dbsession_factory"] = factory
    config.registry["db_engine"] = engine

    def dbsession(request: Request) -> Session:
        # Tests inject their own session (joined to a doomed transaction) through the environ.
        injected: Session | None = request.environ.get("app.dbsession")
        if injected is not None:
            return injected
        session = get_tm_session(factory, request.tm, request=request)
        if request.method in UNSAFE_METHODS and engine.dialect.name == "sqlite":
            # Writers wait for the lock here rather than fail later. Large form bodies
            # are parsed before this point (see parse_large_bodies_tween_factory), so an
            # upload holds the lock only while its file is stored and its rows written.
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        return session

    config.add_request_method(dbsession, reify=True)
