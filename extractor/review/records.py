"""Store functions of the review service: correct a field, re-apply corrections, write a result.

Keyword-only over an explicit session, like extractor.store; none of them commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import delete
from sqlmodel import Session, col, select

from extractor.review.corrections import CorrectionError, apply, prepare
from extractor.review.summary import refresh_summary
from extractor.store import add_correction, document_result, list_corrections
from models import RECORD_TABLES, Correction, Document, DocumentStatus, document_values, utc_now
from models.convert import record_to_row
from schemas import ExtractionResult, Problem


class NotCorrectable(LookupError):
    """The document does not exist or has no records to correct (queued, running, failed)."""


def revalidate(result: ExtractionResult) -> ExtractionResult:
    """The result with its proposed scores (where it was scored) and its findings recomputed."""
    from extractor.rules import validate  # late, as in the pipeline: rules are optional for reading
    from extractor.scoring.stage import rescore  # a corrected actual changes the proposal it implies

    result = rescore(result)
    return result.model_copy(update={"findings": validate(result)})


def write_result(
    *, session: Session, document: Document, result: ExtractionResult, previous: Optional[ExtractionResult] = None
) -> None:
    """Store `result` as the document's fields and records, and recount its review summary.

    With `previous` (what is stored now), only the record lists that differ are rewritten: a
    correction touches one record, maybe one table's cells, and the findings — not the narrative.
    """
    assert document.id is not None
    for name, value in document_values(result).items():
        setattr(document, name, value)
    document.updated_at = utc_now()
    session.add(document)
    session.flush()
    for list_name, (_, row_class) in RECORD_TABLES.items():
        records = getattr(result, list_name)
        if previous is not None and getattr(previous, list_name) == records:
            continue
        session.exec(delete(row_class).where(col(row_class.document_id) == document.id))  # type: ignore[call-overload]
        session.add_all(
            [
                record_to_row(record, row_class, document_id=document.id, ordinal=ordinal)
                for ordinal, record in enumerate(records)
            ]
        )
    refresh_summary(session=session, document_id=document.id, result=result)


def locked_document(*, session: Session, document_id: int) -> Document:
    """The document row, locked against a concurrent correction or re-extraction (PostgreSQL)."""
    document = session.exec(select(Document).where(Document.id == document_id).with_for_update()).first()
    if document is None:
        raise NotCorrectable(f"没有编号为 {document_id} 的文档 (no document {document_id})")
    if document.status != DocumentStatus.done.value:
        raise NotCorrectable(f"{document.file} 尚无可更正的记录 (document is {document.status})")
    return document


@dataclass
class Corrected:
    result: ExtractionResult
    correction: Correction


def correct_field(
    *, session: Session, document_id: int, ref: str, value: Any, who: str, reason: Optional[str] = None
) -> Corrected:
    """Apply one correction, re-validate, store the result, and append the audit entry.

    Raises NotCorrectable (no such document, no records) or CorrectionError (bad ref or value).
    """
    document = locked_document(session=session, document_id=document_id)
    result = document_result(session=session, document_id=document_id)
    change = prepare(result, ref, value)
    corrected = revalidate(apply(result, change.ref, change.after))
    write_result(session=session, document=document, result=corrected, previous=result)
    correction = add_correction(
        session=session,
        document_id=document_id,
        who=who,
        ref=change.ref,
        before=change.before,
        after=change.after,
        reason=reason,
    )
    return Corrected(result=corrected, correction=correction)


def with_corrections(result: ExtractionResult, corrections: list[Correction]) -> ExtractionResult:
    """`result` with every stored correction applied in order and findings recomputed.

    A correction whose ref no longer exists (the new extraction numbered records differently) is
    reported as a Problem of stage `review` instead of being lost silently.
    """
    problems: list[Problem] = []
    for correction in corrections:
        try:
            result = apply(result, correction.ref, correction.after)
        except CorrectionError as error:
            problems.append(
                Problem(stage="review", message=f"更正 #{correction.id} ({correction.ref}) 未能重新应用: {error}")
            )
    result = revalidate(result)
    if problems:
        result = result.model_copy(update={"problems": [*result.problems, *problems]})
    return result


def reapply_corrections(*, session: Session, document: Document, result: ExtractionResult) -> ExtractionResult:
    """After a (re-)extraction stored `result`: apply the document's corrections again and store that.

    Called by ingest right after save_result, in the same transaction, so a re-extracted document
    never shows uncorrected values. Without corrections only the review summary is recounted.
    """
    assert document.id is not None
    corrections = list(list_corrections(session=session, document_id=document.id))
    if not corrections:
        refresh_summary(session=session, document_id=document.id, result=result)
        return result
    corrected = with_corrections(result, corrections)
    write_result(session=session, document=document, result=corrected, previous=result)
    return corrected
