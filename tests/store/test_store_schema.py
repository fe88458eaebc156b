"""The schema comes from the migrations, matches the models, and protects the corrections audit."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)
from extractor.store import (
    StoreSettings,
    add_correction,
    current_revision,
    find_document,
    head_revision,
    list_corrections,
    open_store,
    save_result,
    session_scope,
)
from extractor.store.migrate import downgrade, upgrade
from schemas import ExtractionResult


def _result(sha: str, file: str = "a.pdf", n_indicators: int = 2) -> ExtractionResult:
    return ExtractionResult.model_validate(
        {
            "document": {"file": file, "sha256": sha, "kind": "pdf_digital", "pages": 1},
            "indicators": [{"id": f"i{n}", "section": "s1", "name": f"指标{n}"} for n in range(n_indicators)],
        }
    )


def test_migrations_build_exactly_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_migrations_go_down_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {"documents", "indicators", "corrections", "jobs"} <= set(inspect(engine).get_table_names())


def test_open_store_creates_the_sqlite_file_in_the_data_dir(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EXTRACTOR_DATA_DIR", str(tmp_path / "nested" / "data"))
    monkeypatch.delenv("EXTRACTOR_DATABASE_URL", raising=False)
    engine = open_store(StoreSettings())
    assert (tmp_path / "nested" / "data" / "extractor.sqlite").is_file()
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_corrections_are_append_only_and_survive_re_extraction(engine: Engine) -> None:
    with session_scope(engine) as session:
        document = save_result(session=session, result=_result("c" * 64))
        add_correction(
            session=session,
            document_id=document.id,
            who="审核员甲",
            ref="i1.actual",
            before={"raw": "5个"},
            after={"raw": "6个"},
            reason="原表笔误",
        )
    with session_scope(engine) as session:  # re-extraction (ingest --force) replaces the records
        save_result(session=session, result=_result("c" * 64, n_indicators=1))
    with session_scope(engine) as session:
        corrections = list_corrections(session=session, document_id=document.id)
    assert [(c.who, c.ref, c.before, c.after) for c in corrections] == [
        ("审核员甲", "i1.actual", {"raw": "5个"}, {"raw": "6个"})
    ]
    for statement in ("UPDATE corrections SET who = 'x'", "DELETE FROM corrections"):
        with pytest.raises(DBAPIError, match="append-only"):
            with engine.begin() as connection:
                connection.execute(text(statement))


def test_find_document_by_id_or_sha256_prefix(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = save_result(session=session, result=_result("abcd1" + "0" * 59, "first.pdf"))
        save_result(session=session, result=_result("abcd2" + "0" * 59, "second.pdf"))
    with session_scope(engine) as session:
        assert find_document(session=session, key=str(first.id)).file == "first.pdf"
        assert find_document(session=session, key="ABCD1").file == "first.pdf"
        assert find_document(session=session, key="abcd2000").file == "second.pdf"
        with pytest.raises(LookupError, match="ambiguous"):
            find_document(session=session, key="abcd")
        with pytest.raises(LookupError, match="neither"):
            find_document(session=session, key="abc")
        with pytest.raises(LookupError, match="no document"):
            find_document(session=session, key="ffff")
