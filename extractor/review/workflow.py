"""Reviewer workflow over the store: undo a correction, accept a flagged field, retry a failed
document, and the lease that tells who else has a document open.

Keyword-only over an explicit session, like extractor.review.records; none of them commits.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional

from sqlmodel import Session, col, select

from extractor.ingest.worker import Task
from extractor.review.corrections import Unplaceable, place
from extractor.review.records import Corrected, correct_field
from models import Correction, Document, DocumentLease, DocumentStatus, FindingAcceptance, as_utc, utc_now


class NotUndoable(LookupError):
    """No such correction on this document."""


class NotAccepted(LookupError):
    """The field is cited by no finding: there is nothing to accept."""


class NotRetryable(RuntimeError):
    """Only a failed document with a known source file can be read again."""


def as_text(stored: Any) -> Any:
    """A stored field value as the text a reviewer would type: a Value's printed `raw`, else itself."""
    if isinstance(stored, dict):
        return stored.get("raw")
    return stored


def undo_correction(
    *,
    session: Session,
    document_id: int,
    correction_id: int,
    who: str,
    expected_version: Optional[str] = None,
) -> Corrected:
    """Put back what correction `correction_id` replaced, as a new correction (the audit stays append-only)."""
    earlier = session.get(Correction, correction_id)
    if earlier is None or earlier.document_id != document_id:
        raise NotUndoable(f"文档 {document_id} 没有更正 #{correction_id} (no such correction)")
    from extractor.review.records import locked_document
    from extractor.store import document_result

    locked_document(session=session, document_id=document_id)  # NotCorrectable before reading it
    # The field it corrected, by its cells: a re-extraction since may have renumbered the records.
    try:
        ref = place(
            document_result(session=session, document_id=document_id), earlier.ref, earlier.anchor, same_text=False
        )
    except Unplaceable as error:
        raise NotUndoable(f"更正 #{correction_id} 无法撤销: {error}") from error
    return correct_field(
        session=session,
        document_id=document_id,
        ref=ref,
        value=as_text(earlier.before),
        who=who,
        reason=f"撤销更正 #{correction_id}",
        expected_version=expected_version,
    )


def retry_document(*, session: Session, document_id: int) -> Task:
    """Queue a failed document again; the caller hands the task to the upload processor."""
    document = session.get(Document, document_id)
    if document is None or document.id is None:
        raise NotRetryable(f"没有编号为 {document_id} 的文档 (no document {document_id})")
    if document.status != DocumentStatus.failed.value:
        raise NotRetryable(f"{document.file} 未失败，无需重试 (document is {document.status})")
    if not document.path:
        raise NotRetryable(f"{document.file}: 不知道原文件在哪里 (no source path)")
    document.status = DocumentStatus.queued.value
    document.error = None
    document.updated_at = utc_now()
    session.add(document)
    return Task(document_id=document.id, path=document.path, sha256=document.sha256)


def acceptances(*, session: Session, document_id: int) -> dict[str, dict[str, Any]]:
    """Stable finding key → the latest acceptance of it (who, when, which field, why)."""
    query = (
        select(FindingAcceptance)
        .where(col(FindingAcceptance.document_id) == document_id)
        .order_by(col(FindingAcceptance.id))
    )
    accepted: dict[str, dict[str, Any]] = {}
    for row in session.exec(query):
        at = as_utc(row.at)
        accepted[row.finding_key] = {
            "who": row.who,
            "at": at.isoformat() if at else None,
            "ref": row.ref,
            "reason": row.reason,
        }
    return accepted


def accept_field(
    *, session: Session, document_id: int, ref: str, who: str, reason: Optional[str] = None
) -> list[FindingAcceptance]:
    """Record that the flagged field `ref` is right as printed: every finding citing it is accepted
    (kept, and shown as accepted). Raises NotAccepted when no finding cites the field."""
    from extractor.review.boxes import finding_key
    from extractor.review.records import locked_document
    from extractor.store import document_result

    locked_document(session=session, document_id=document_id)
    result = document_result(session=session, document_id=document_id)
    citing = [finding for finding in result.findings if ref in finding.refs]
    if not citing:
        raise NotAccepted(f"{ref} 没有被任何校验发现引用 (no finding cites {ref})")
    rows = [
        FindingAcceptance(
            document_id=document_id, finding_key=finding_key(result, finding), ref=ref, who=who, reason=reason
        )
        for finding in citing
    ]
    session.add_all(rows)
    session.flush()
    return rows


LEASE_SECONDS = 60
"""How long an open page counts as open without renewing (the page renews every 30 s)."""


def hold_lease(*, session: Session, document_id: int, who: str, seconds: int = LEASE_SECONDS) -> list[str]:
    """Renew `who`'s lease on the document; answer who else holds an unexpired one."""
    now = utc_now()
    lease = session.get(DocumentLease, (document_id, who)) or DocumentLease(document_id=document_id, who=who, until=now)
    lease.until = now + timedelta(seconds=seconds)
    session.add(lease)
    others = select(DocumentLease.who).where(
        col(DocumentLease.document_id) == document_id, col(DocumentLease.who) != who, col(DocumentLease.until) > now
    )
    return sorted(session.exec(others).all())
