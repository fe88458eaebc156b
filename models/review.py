"""Tables of the review service: API tokens, and each document's review state.

Added by the review service (extractor/review) in migration 0002; nothing here changes the
store's own tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel

from models.documents import utc_now


class ApiToken(SQLModel, table=True):
    """A bearer token of the review service. Only a salted sha256 of its secret is kept.

    The token a user holds is `<key>.<secret>`: `key` finds the row, the secret is checked
    against `secret_hash` = sha256(salt ‖ secret). Secrets are 32 random bytes, so a fast
    hash is enough (there is nothing to guess, unlike a password).
    """

    __tablename__ = "api_tokens"

    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(max_length=32, unique=True, index=True)
    name: str
    """Who holds it: written into corrections as `who`."""
    role: str
    """reviewer, ingest or admin."""
    salt: str = Field(max_length=64)
    secret_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    revoked_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True), nullable=True)


class DocumentReview(SQLModel, table=True):
    """What the review queue needs about a document, kept beside it (one row per document).

    The counts are recomputed whenever the document's records are written by the review service
    or re-applied after a forced re-extraction, and when the service finds them older than the
    document (an ingest that ran without the service).
    """

    __tablename__ = "document_reviews"

    document_id: int = Field(foreign_key="documents.id", primary_key=True, ondelete="CASCADE")
    errors: int = 0
    """Findings of severity error."""
    warnings: int = 0
    findings: int = 0
    low_confidence: int = 0
    """Record fields read with a confidence under extractor.review.summary.LOW_CONFIDENCE."""
    min_confidence: Optional[float] = None
    computed_at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    reviewed_at: Optional[datetime] = Field(default=None, sa_type=DateTime(timezone=True), nullable=True)
    reviewed_by: Optional[str] = None


class FindingAcceptance(SQLModel, table=True):
    """A reviewer's word that a flagged field is right as printed: the finding stays, marked accepted.

    Findings are renumbered on every re-validation, so the acceptance names the finding by its
    stable key (rule + cited cells, extractor.review.boxes.finding_key). Added in migration 0003_review.
    """

    __tablename__ = "finding_acceptances"

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True, ondelete="CASCADE")
    finding_key: str = Field(max_length=64)
    ref: str
    """The field the reviewer accepted (`i7.actual`)."""
    who: str
    at: datetime = Field(default_factory=utc_now, sa_type=DateTime(timezone=True))
    reason: Optional[str] = None


class DocumentLease(SQLModel, table=True):
    """Who has a document open on the review page, until when (renewed by the page every half minute).

    Only informs ("also open by 张三"); saving is guarded by the document version, not by leases.
    """

    __tablename__ = "document_leases"

    document_id: int = Field(foreign_key="documents.id", primary_key=True, ondelete="CASCADE")
    who: str = Field(primary_key=True)
    until: datetime = Field(sa_type=DateTime(timezone=True))
