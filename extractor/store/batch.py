"""Writing many extraction results in one transaction: the ingest write path.

A worker turns its result into the rows the store holds (`prepare_result`, in the worker process, in
parallel with the other workers), so the ingest parent only inserts them. The parent collects
answers and writes a batch of them at once (`write_prepared`): one SELECT … FOR UPDATE of the batch's
document rows, one DELETE per record table for documents stored before, one multi-row INSERT per
table, one commit. A batch is all or nothing: a crash before its commit leaves its documents
`running` (the next run queues them again), never half stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any, Optional

from sqlalchemy import Dialect, delete
from sqlmodel import Session, col, select

from extractor.store.documents import mark_done
from models import RECORD_TABLES, Correction, Document, DocumentReview, document_values, utc_now
from models.convert import result_to_values
from models.records import RecordRow
from models.types import JSONValue, encode_json
from schemas import ExtractionResult


@dataclass(frozen=True)
class PreparedResult:
    """One extraction result as the store's rows, built where the result was made.

    A plain dataclass (not pydantic): it travels between our own processes and is not validated
    again, which is the point — the parent should not pay per field for what the worker built."""

    document_id: int
    sha256: str
    document: dict[str, Any]
    """Column values of the `documents` row (models.document_values)."""
    records: dict[str, list[tuple[Any, ...]]]
    """RECORD_TABLES field name → each row's values in the order of `columns` (document_id and ordinal
    filled, JSON columns as JSON text): the parameters of the INSERT, sent to the driver as they are."""
    columns: dict[str, tuple[str, ...]]
    """RECORD_TABLES field name → the columns of its rows' values (insert_columns)."""
    review: dict[str, Any]
    """The review queue's counts (extractor.review.summary.counts)."""
    pages: int
    findings: dict[str, int]
    """Findings per rule id, for the run summary."""

    def rows(self) -> int:
        return sum(len(values) for values in self.records.values())


@cache
def _json_columns(row_class: type[RecordRow]) -> frozenset[str]:
    table = row_class.__table__  # type: ignore[attr-defined]  # SQLModel table classes get it at run time
    return frozenset(name for name, column in table.columns.items() if isinstance(column.type, JSONValue))


@cache
def insert_columns(row_class: type[RecordRow]) -> tuple[str, ...]:
    """The columns a record row is inserted with: every column but the generated primary key."""
    table = row_class.__table__  # type: ignore[attr-defined]  # SQLModel table classes get it at run time
    return tuple(name for name, column in table.columns.items() if not column.primary_key)


def prepare_result(result: ExtractionResult, *, document_id: int) -> PreparedResult:
    """The rows of `result`, JSON columns already encoded (the writer's costliest step per row)."""
    from extractor.review.summary import counts

    dumped = result.model_dump()
    values = result_to_values(result=result, document_id=document_id, dumped=dumped)
    records: dict[str, list[tuple[Any, ...]]] = {}
    columns: dict[str, tuple[str, ...]] = {}
    for field_name, (_, row_class) in RECORD_TABLES.items():
        encoded = _json_columns(row_class)
        names = columns[field_name] = insert_columns(row_class)
        records[field_name] = [
            tuple(
                str(encode_json(row[name])) if name in encoded and row[name] is not None else row[name]
                for name in names
            )
            for row in values[row_class]
        ]
    return PreparedResult(
        document_id=document_id,
        sha256=result.document.sha256,
        document=document_values(result, dumped=dumped),
        records=records,
        columns=columns,
        review=counts(result),
        pages=result.document.pages,
        findings=dict(Counter(finding.rule for finding in result.findings)),
    )


def lock_documents(*, session: Session, document_ids: list[int]) -> dict[int, Document]:
    """The documents' rows, locked against a concurrent run or correction (FOR UPDATE on PostgreSQL;
    SQLite has a single writer). Locked in id order, so two writers never wait on each other in a cycle."""
    if not document_ids:
        return {}
    query = select(Document).where(col(Document.id).in_(sorted(document_ids))).order_by(col(Document.id))
    return {document.id: document for document in session.exec(query.with_for_update()).all() if document.id}


def write_prepared(
    *,
    session: Session,
    prepared: list[PreparedResult],
    documents: dict[int, Document],
    paths: dict[int, str],
    job_id: Optional[int] = None,
) -> list[int]:
    """Store each prepared result as its document's fields and records (status done), replacing any
    earlier records; returns the ids of documents that hold reviewer corrections, which the caller
    re-applies (rare: only a forced re-extraction of a reviewed document has any). Does not commit."""
    if not prepared:
        return []
    ids = [item.document_id for item in prepared]
    now = utc_now()
    stored_before = [item.document_id for item in prepared if documents[item.document_id].schema_version is not None]
    for item in prepared:
        document = documents[item.document_id]
        for name, value in item.document.items():
            setattr(document, name, value)
        mark_done(document, path=paths.get(item.document_id), job_id=job_id, now=now)
        session.add(document)
    session.flush()
    connection = session.connection()
    for field_name, (_, row_class) in RECORD_TABLES.items():
        if stored_before:
            connection.execute(delete(row_class).where(col(row_class.document_id).in_(stored_before)))
        by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for item in prepared:
            by_columns.setdefault(item.columns[field_name], []).extend(item.records[field_name])
        for names, rows in by_columns.items():
            if rows:
                # The driver's executemany with the rows as they came: SQLAlchemy's per-row parameter
                # processing was most of the parent's writing time, and there is nothing left for it to do.
                connection.exec_driver_sql(_insert_sql(connection.dialect, row_class, names), rows)
    _refresh_reviews(session=session, prepared=prepared, now=now)
    corrected = session.exec(
        select(Correction.document_id).where(col(Correction.document_id).in_(ids)).distinct()
    ).all()
    return sorted(document_id for document_id in corrected if document_id is not None)


_POSITIONAL_MARKERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _insert_sql(dialect: Dialect, row_class: type[RecordRow], names: tuple[str, ...]) -> str:
    """INSERT INTO table (names…) VALUES (?, …) in the driver's own parameter style."""
    quote = dialect.identifier_preparer.quote
    table = row_class.__table__  # type: ignore[attr-defined]  # SQLModel table classes get it at run time
    marker = _POSITIONAL_MARKERS.get(dialect.paramstyle)
    if marker is None:  # sqlite3 and psycopg are positional; a driver that is not would need named rows
        raise NotImplementedError(f"rows as tuples need a positional parameter style, not {dialect.paramstyle}")
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join(marker for _ in names)})"
    )


def _refresh_reviews(*, session: Session, prepared: list[PreparedResult], now: Any) -> None:
    """The review queue's counts of every document in the batch (the review mark, if any, is kept)."""
    ids = [item.document_id for item in prepared]
    existing = {
        review.document_id: review
        for review in session.exec(select(DocumentReview).where(col(DocumentReview.document_id).in_(ids))).all()
    }
    for item in prepared:
        review = existing.get(item.document_id) or DocumentReview(document_id=item.document_id)
        for name, value in item.review.items():
            setattr(review, name, value)
        review.computed_at = now
        session.add(review)
