"""Per-document counts behind the review queue (table document_reviews).

The queue orders documents by what needs a person: findings of severity error first, then fields
read with low confidence. Counting those needs the whole result, so the counts are kept in a row
beside the document, refreshed whenever its records are written (see extractor.review.records).
"""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from extractor.store import document_result, session_scope
from models import Document, DocumentReview, DocumentStatus, as_utc, utc_now
from schemas import ExtractionResult

LOW_CONFIDENCE = 0.8
"""A field read with less confidence than this is worth a person's look."""


def field_confidences(result: ExtractionResult) -> list[float]:
    return [
        value
        for records in (result.indicators, result.budget_lines, result.scores)
        for record in records
        for value in record.confidence.values()
    ]


def counts(result: ExtractionResult) -> dict[str, Any]:
    """The queue's counts for a result (the columns of document_reviews that describe it)."""
    confidences = field_confidences(result)
    return {
        "errors": sum(1 for finding in result.findings if finding.severity == "error"),
        "warnings": sum(1 for finding in result.findings if finding.severity == "warning"),
        "findings": len(result.findings),
        "low_confidence": sum(1 for value in confidences if value < LOW_CONFIDENCE),
        "min_confidence": min(confidences) if confidences else None,
    }


def refresh_summary(*, session: Session, document_id: int, result: ExtractionResult) -> DocumentReview:
    """Recount the document's findings and low-confidence fields; the review mark is kept."""
    review = session.get(DocumentReview, document_id) or DocumentReview(document_id=document_id)
    for name, value in counts(result).items():
        setattr(review, name, value)
    review.computed_at = utc_now()
    session.add(review)
    return review


def stale_document_ids(*, session: Session, limit: Optional[int] = None) -> list[int]:
    """Done documents whose counts are missing or older than their records."""
    query = (
        select(Document.id)
        .outerjoin(DocumentReview, col(DocumentReview.document_id) == col(Document.id))
        .where(Document.status == DocumentStatus.done.value)
        .where(
            or_(col(DocumentReview.document_id).is_(None), col(DocumentReview.computed_at) < col(Document.updated_at))
        )
        .order_by(col(Document.id))
    )
    if limit is not None:
        query = query.limit(limit)
    return [document_id for document_id in session.exec(query).all() if document_id is not None]


def refresh_stale(*, engine: Engine, batch: int = 200) -> int:
    """Bring every stale count up to date (documents ingested without the review service); returns how many."""
    refreshed = 0
    while True:
        with session_scope(engine) as session:
            ids = stale_document_ids(session=session, limit=batch)
            for document_id in ids:
                refresh_summary(
                    session=session,
                    document_id=document_id,
                    result=document_result(session=session, document_id=document_id),
                )
        refreshed += len(ids)
        if len(ids) < batch:
            return refreshed


def mark_reviewed(*, session: Session, document_id: int, who: str, reviewed: bool = True) -> DocumentReview:
    review = session.get(DocumentReview, document_id)
    if review is None:
        review = refresh_summary(
            session=session, document_id=document_id, result=document_result(session=session, document_id=document_id)
        )
    review.reviewed_at = utc_now() if reviewed else None
    review.reviewed_by = who if reviewed else None
    session.add(review)
    return review


def review_state(review: Optional[DocumentReview]) -> dict[str, object]:
    if review is None:
        return {"reviewed": False, "reviewed_at": None, "reviewed_by": None}
    reviewed_at = as_utc(review.reviewed_at)
    return {
        "reviewed": reviewed_at is not None,
        "reviewed_at": reviewed_at.isoformat() if reviewed_at else None,
        "reviewed_by": review.reviewed_by,
    }
