"""Models and migrations agree, on SQLite and on PostgreSQL (whichever the suite runs on)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from poster_review import migrate
from poster_review.db import make_engine
from poster_review.models import Base


def test_migrated_schema_matches_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_head(engine, settings):
    assert migrate.current_revision(engine) == migrate.head_revision(settings.database_url)


def test_upgrade_downgrade_upgrade_on_empty_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"users", "conferences", "memberships", "outbox_messages"} <= tables
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision(url)
    engine.dispose()


def test_sqlite_connections_are_tuned(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    engine.dispose()
    # A plain engine has none of it: the tuning is ours, not SQLite's default.
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    with plain.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    plain.dispose()
