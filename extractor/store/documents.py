"""Keyword-only functions over an explicit session: documents, their records, corrections.

None of these commit: the caller decides the transaction (see engine.session_scope), so a
document's status and its records always change together.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import delete, func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import (
    RECORD_TABLES,
    Correction,
    Document,
    DocumentStatus,
    document_values,
    rows_to_result,
    utc_now,
)
from models.convert import result_to_values
from schemas import ExtractionResult

MAX_ERROR_CHARS = 500


def one_line(message: str) -> str:
    """A failure reason as one line (the SPEC/brief contract for errors), bounded in length."""
    line = " ".join(message.split())
    return line if len(line) <= MAX_ERROR_CHARS else line[: MAX_ERROR_CHARS - 1] + "…"


def get_document(
    *, session: Session, document_id: Optional[int] = None, sha256: Optional[str] = None
) -> Optional[Document]:
    if document_id is not None:
        return session.get(Document, document_id)
    if sha256 is not None:
        return session.exec(select(Document).where(Document.sha256 == sha256)).first()
    raise ValueError("get_document needs document_id or sha256")


def find_document(*, session: Session, key: str) -> Document:
    """A document by numeric id or by a sha256 prefix (at least 4 hex digits); LookupError otherwise."""
    key = key.strip().lower()
    if key.isdigit() and len(key) < 4:
        document = session.get(Document, int(key))
        if document is None:
            raise LookupError(f"no document with id {key}")
        return document
    if not re.fullmatch(r"[0-9a-f]{4,64}", key):
        raise LookupError(f"{key!r} is neither a document id nor a sha256 prefix (4+ hex digits)")
    matches = session.exec(select(Document).where(col(Document.sha256).startswith(key)).limit(6)).all()
    if not matches and key.isdigit():
        document = session.get(Document, int(key))
        if document is not None:
            return document
    if not matches:
        raise LookupError(f"no document whose sha256 starts with {key}")
    if len(matches) > 1:
        shown = ", ".join(f"{doc.sha256[:12]} ({doc.file})" for doc in matches[:5])
        raise LookupError(f"sha256 prefix {key} is ambiguous: {shown}")
    return matches[0]


def list_documents(
    *,
    session: Session,
    status: Optional[str] = None,
    department: Optional[str] = None,
    year: Optional[int] = None,
) -> Sequence[Document]:
    query = select(Document).order_by(col(Document.id))
    if status is not None:
        query = query.where(Document.status == status)
    if department is not None:
        query = query.where(Document.department == department)
    if year is not None:
        query = query.where(Document.year == year)
    return session.exec(query).all()


def count_by_status(*, session: Session) -> dict[str, int]:
    rows = session.exec(select(Document.status, func.count()).group_by(Document.status)).all()
    return {status: count for status, count in rows}


def register_file(*, session: Session, sha256: str, path: Path) -> Document:
    """The document row for these bytes, inserted as `queued` when it is new.

    Safe against a concurrent run registering the same bytes: the unique sha256 decides, and
    the loser reads the winner's row.
    """
    existing = get_document(session=session, sha256=sha256)
    if existing is not None:
        return existing
    document = Document(sha256=sha256, file=path.name, path=str(path), status=DocumentStatus.queued.value)
    try:
        with session.begin_nested():
            session.add(document)
    except IntegrityError:
        existing = get_document(session=session, sha256=sha256)
        if existing is None:
            raise
        return existing
    return document


def replace_records(*, session: Session, document: Document, result: ExtractionResult) -> None:
    """Delete the document's records and insert those of `result` (corrections are untouched)."""
    assert document.id is not None, "flush the document before adding records"
    for _, row_class in RECORD_TABLES.values():
        session.exec(delete(row_class).where(col(row_class.document_id) == document.id))
    for row_class, values in result_to_values(result=result, document_id=document.id).items():
        if values:
            session.execute(insert(row_class), values)


def save_result(
    *,
    session: Session,
    result: ExtractionResult,
    path: Optional[Path] = None,
    job_id: Optional[int] = None,
) -> Document:
    """Store `result` as a done document, replacing any earlier records of the same sha256."""
    document = get_document(session=session, sha256=result.document.sha256)
    if document is None:
        document = Document(sha256=result.document.sha256, file=result.document.file)
        session.add(document)
    for name, value in document_values(result).items():
        setattr(document, name, value)
    mark_done(document, path=None if path is None else str(path), job_id=job_id, now=utc_now())
    session.flush()
    replace_records(session=session, document=document, result=result)
    return document


def mark_done(document: Document, *, path: Optional[str], job_id: Optional[int], now: datetime) -> None:
    """Done as of `now`, with the file's path and the job that read it when given (else kept).

    `retry` goes back to its default: it is read only on failed documents, and a later failure sets it
    afresh, so a done document carries no dead-letter mark from an earlier failure."""
    if path is not None:
        document.path = path
    if job_id is not None:
        document.job_id = job_id
    document.status = DocumentStatus.done.value
    document.error = None
    document.retry = True
    document.updated_at = now
    document.finished_at = now


def mark_failed(*, session: Session, document: Document, error: str) -> None:
    """Failed with a one-line reason; the records of an earlier successful run are left alone."""
    now = utc_now()
    document.status = DocumentStatus.failed.value
    document.error = one_line(error)
    document.updated_at = now
    document.finished_at = now
    session.add(document)


def document_result(*, session: Session, document_id: int) -> ExtractionResult:
    """The stored ExtractionResult of a done document, equal to the one that was saved."""
    document = session.get(Document, document_id)
    if document is None:
        raise LookupError(f"no document with id {document_id}")
    if document.status != DocumentStatus.done.value:
        reason = f": {document.error}" if document.error else ""
        raise LookupError(f"document {document.file} is {document.status}{reason}")
    records: dict[str, list[Any]] = {}
    for field_name, (_, row_class) in RECORD_TABLES.items():
        query = select(row_class).where(col(row_class.document_id) == document_id).order_by(col(row_class.ordinal))
        records[field_name] = list(session.exec(query).all())
    return rows_to_result(document, records)


def add_correction(
    *,
    session: Session,
    document_id: int,
    who: str,
    ref: str,
    before: Any,
    after: Any,
    reason: Optional[str] = None,
    anchor: Any = None,
) -> Correction:
    """Append one audit entry; corrections are never changed or deleted afterwards."""
    correction = Correction(
        document_id=document_id, who=who, ref=ref, before=before, after=after, reason=reason, anchor=anchor
    )
    session.add(correction)
    session.flush()
    return correction


def list_corrections(*, session: Session, document_id: int) -> Sequence[Correction]:
    query = select(Correction).where(Correction.document_id == document_id).order_by(col(Correction.id))
    return session.exec(query).all()
