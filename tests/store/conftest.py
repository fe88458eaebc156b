"""Store tests run twice: against a SQLite file and against the real PostgreSQL server.

PostgreSQL: a database of its own per test session (created on the server at
EXTRACTOR_TEST_POSTGRES_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/test, and dropped
at the end), so parallel runs never collide. If the server cannot be reached the PostgreSQL half
is skipped with the reason, except under CI (env CI set), where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from extractor.store import make_engine, upgrade

ADMIN_URL = os.environ.get("EXTRACTOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _admin_engine() -> Engine:
    return create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a fresh, migrated PostgreSQL database for this test session."""
    name = f"extractor_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - any connection failure means "no server here"
        admin.dispose()
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL}: {type(error).__name__}")
    url = make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_postgres(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _empty_postgres(engine: Engine) -> None:
    """TRUNCATE (not DELETE), with triggers off for this transaction (session_replication_role, a
    superuser's switch): the audit refuses TRUNCATE and DELETE of corrections to everyone else."""
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")
        ).scalars()
        names = ", ".join(f'"{table}"' for table in tables)
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def postgres_engine(migrated_postgres: Engine) -> Engine:
    """The empty PostgreSQL store alone, for what only a shared server store can do (Ray)."""
    _empty_postgres(migrated_postgres)
    return migrated_postgres


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty store; the URL is what EXTRACTOR_DATABASE_URL would hold."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.sqlite'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    engine = request.getfixturevalue("migrated_postgres")
    _empty_postgres(engine)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    engine = make_engine(store_url)
    yield engine
    engine.dispose()
