"""Engines and sessions, always passed explicitly: there is no global engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

from extractor.store.migrate import upgrade
from extractor.store.settings import StoreSettings
from models.types import EncodedJSON

SQLITE_BUSY_TIMEOUT_S = 60
"""How long a SQLite writer waits for another one (parallel Ray actors, the API) before giving up."""


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets its directory created, foreign keys on and WAL journaling."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, json_serializer=_json_serializer)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _json_serializer(value: Any) -> str:
    """JSON columns' text: as encoded by the ingest worker if it was (models.types.EncodedJSON)."""
    return str(value) if isinstance(value, EncodedJSON) else json.dumps(value)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets readers (export, the review service) work while an ingest writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_store(settings: StoreSettings | None = None, *, migrate: bool = True) -> Engine:
    """The engine for the configured store, its schema upgraded to the newest migration."""
    settings = settings or StoreSettings()
    engine = make_engine(settings.url())
    if migrate:
        upgrade(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
