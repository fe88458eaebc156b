"""Listing documents for the API: filters, paging, and the review queue order."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, Field
from sqlalchemy import case, func, or_
from sqlmodel import Session, col, select

from extractor.review.summary import review_state
from models import Document, DocumentReview, FindingRow, as_utc

Order = Literal["id", "queue"]


class DocumentFilter(BaseModel):
    status: Optional[str] = None
    department: Optional[str] = None
    year: Optional[int] = None
    rule: Optional[str] = None
    """Documents with at least one finding of this rule."""
    min_confidence: Optional[float] = Field(default=None, ge=0, le=1)
    """Documents whose every field was read with at least this confidence."""
    below_confidence: Optional[float] = Field(default=None, ge=0, le=1)
    """Documents with a field read with less than this confidence."""
    reviewed: Optional[bool] = None


class Page(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[dict[str, Any]]


def _filtered(query: Any, filters: DocumentFilter) -> Any:
    if filters.status is not None:
        query = query.where(Document.status == filters.status)
    if filters.department is not None:
        query = query.where(Document.department == filters.department)
    if filters.year is not None:
        query = query.where(Document.year == filters.year)
    if filters.rule is not None:
        # IN (uncorrelated), not EXISTS: SQLite ran the correlated form once per document through
        # the rule index (5 s at 10,000 documents); this reads the rule's findings once.
        flagged = select(FindingRow.document_id).where(col(FindingRow.rule) == filters.rule)
        query = query.where(col(Document.id).in_(flagged))
    if filters.min_confidence is not None:
        query = query.where(
            or_(
                col(DocumentReview.min_confidence).is_(None),
                col(DocumentReview.min_confidence) >= filters.min_confidence,
            )
        )
    if filters.below_confidence is not None:
        query = query.where(col(DocumentReview.min_confidence) < filters.below_confidence)
    if filters.reviewed is not None:
        reviewed = col(DocumentReview.reviewed_at).is_not(None)
        query = query.where(reviewed if filters.reviewed else ~reviewed | col(DocumentReview.document_id).is_(None))
    return query


def _queue_order() -> list[Any]:
    """What needs a person first: failed documents (someone must see why), then done ones not reviewed
    by errors, low-confidence fields and warnings; then those still being read; reviewed ones last."""
    status = col(Document.status)
    return [
        case(
            (status == "failed", 0),
            (status.in_(("queued", "running")), 2),
            (col(DocumentReview.reviewed_at).is_(None), 1),
            else_=3,
        ),
        func.coalesce(col(DocumentReview.errors), 0).desc(),
        func.coalesce(col(DocumentReview.low_confidence), 0).desc(),
        func.coalesce(col(DocumentReview.warnings), 0).desc(),
        col(Document.id),
    ]


def list_documents(
    *, session: Session, filters: DocumentFilter, offset: int = 0, limit: int = 50, order: Order = "id"
) -> Page:
    joined = select(Document, DocumentReview).outerjoin(
        DocumentReview, col(DocumentReview.document_id) == col(Document.id)
    )
    query = _filtered(joined, filters)
    counted = _filtered(
        select(func.count())
        .select_from(Document)
        .outerjoin(DocumentReview, col(DocumentReview.document_id) == col(Document.id)),
        filters,
    )
    total = session.exec(counted).one()
    ordering = _queue_order() if order == "queue" else [col(Document.id)]
    rows = session.exec(query.order_by(*ordering).offset(offset).limit(limit)).all()
    return Page(total=total, offset=offset, limit=limit, items=[item(document, review) for document, review in rows])


def item(document: Document, review: Optional[DocumentReview]) -> dict[str, Any]:
    """One document in a listing: identity, document fields, status, the queue counts."""
    finished = as_utc(document.finished_at)
    return {
        "id": document.id,
        "sha256": document.sha256,
        "file": document.file,
        "kind": document.kind,
        "pages": document.pages,
        "department": document.department,
        "year": document.year,
        "self_score": document.self_score,
        "status": document.status,
        "error": document.error,
        "finished_at": finished.isoformat() if finished else None,
        "errors": review.errors if review else None,
        "warnings": review.warnings if review else None,
        "findings": review.findings if review else None,
        "low_confidence": review.low_confidence if review else None,
        "min_confidence": review.min_confidence if review else None,
        **review_state(review),
    }
