"""The corrections audit cannot be rewritten: not by REPLACE, UPDATE, DELETE, TRUNCATE or by turning
the triggers off as the application's role (real SQLite and real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from extractor.store import session_scope
from models import Correction, Document

APP_ROLE = "extractor_app"


def _one_correction(engine: Engine) -> int:
    with session_scope(engine) as session:
        document = Document(sha256="a" * 64, file="a.pdf")
        session.add(document)
        session.flush()
        assert document.id is not None
        correction = Correction(document_id=document.id, who="r", ref="i1.actual", before="1", after="2")
        session.add(correction)
        session.flush()
        assert correction.id is not None
        return correction.id


def _refused(engine: Engine, statement: str, **params: object) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as connection:
        connection.execute(text(statement), params)
    return str(caught.value.orig)


def _reasons(engine: Engine, correction_id: int) -> list[str]:
    with engine.connect() as connection:
        return list(
            connection.execute(text("SELECT who FROM corrections WHERE id = :id"), {"id": correction_id}).scalars()
        )


def test_sqlite_refuses_replace_update_and_delete(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the SQLite triggers")
    cid = _one_correction(engine)
    row = "(:id, (SELECT document_id FROM corrections WHERE id = :id), 'mallory', CURRENT_TIMESTAMP, 'i1.actual')"
    columns = "(id, document_id, who, at, ref)"
    for verb in ("INSERT OR REPLACE INTO", "REPLACE INTO"):
        assert "append-only" in _refused(engine, f"{verb} corrections {columns} VALUES {row}", id=cid)
    assert "append-only" in _refused(engine, "UPDATE corrections SET who = 'mallory' WHERE id = :id", id=cid)
    assert "append-only" in _refused(engine, "DELETE FROM corrections WHERE id = :id", id=cid)
    assert _reasons(engine, cid) == ["r"]
    _one_correction_more(engine, cid)


def _one_correction_more(engine: Engine, cid: int) -> None:
    """Appending still works: a new id is a new row."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO corrections (document_id, who, at, ref) SELECT document_id, 'r2', at, ref FROM corrections WHERE id = :id"
            ),
            {"id": cid},
        )
        assert connection.execute(text("SELECT count(*) FROM corrections")).scalar() == 2


def test_postgres_owner_cannot_truncate(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL triggers")
    cid = _one_correction(engine)
    assert "append-only" in _refused(engine, "TRUNCATE corrections")
    assert "append-only" in _refused(engine, "TRUNCATE documents CASCADE")
    assert _reasons(engine, cid) == ["r"]


@pytest.fixture
def app_engine(engine: Engine) -> Iterator[Engine]:
    """The same database, connected as the application role the migration created."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL roles")
    with engine.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).scalar():
            pytest.fail(f"the migration did not create {APP_ROLE} (the test server's role can create roles)")
    url = make_url(engine.url.render_as_string(hide_password=False)).set(username=APP_ROLE, password=None)
    app = create_engine(url)
    yield app
    app.dispose()


def test_postgres_application_role_cannot_rewrite_the_audit(engine: Engine, app_engine: Engine) -> None:
    cid = _one_correction(engine)
    for statement in (
        "UPDATE corrections SET who = 'mallory' WHERE id = :id",
        "DELETE FROM corrections WHERE id = :id",
        "TRUNCATE corrections",
        "ALTER TABLE corrections DISABLE TRIGGER ALL",
        "ALTER TABLE corrections DISABLE TRIGGER corrections_append_only",
        "DROP TRIGGER corrections_no_truncate ON corrections",
    ):
        reason = _refused(app_engine, statement, id=cid)
        assert "permission denied" in reason or "must be owner" in reason, (statement, reason)
    assert _reasons(engine, cid) == ["r"]


def test_postgres_application_role_does_its_work(engine: Engine, app_engine: Engine) -> None:
    """Reads, appends corrections, and writes documents (the service and ingest run as this role)."""
    cid = _one_correction(engine)
    with app_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO corrections (document_id, who, at, ref) SELECT document_id, 'r2', at, ref FROM corrections WHERE id = :id"
            ),
            {"id": cid},
        )
        connection.execute(text("UPDATE documents SET status = 'done'"))
        assert connection.execute(text("SELECT count(*) FROM corrections")).scalar() == 2
