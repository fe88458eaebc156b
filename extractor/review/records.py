"""Store functions of the review service: correct a field, re-apply corrections, write a result.

Keyword-only over an explicit session, like extractor.store; none of them commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from extractor.review.audit import unplaced_problem
from extractor.review.corrections import CELL_REF, CorrectionError, anchor_of, apply, place, prepare
from extractor.review.summary import refresh_summary
from extractor.store import add_correction, document_result, list_corrections
from models import RECORD_TABLES, Correction, Document, DocumentStatus, as_utc, document_values, utc_now
from models.convert import record_to_row
from schemas import ExtractionResult, Problem


class NotCorrectable(LookupError):
    """The document does not exist or has no records to correct (queued, running, failed)."""


class StaleVersion(RuntimeError):
    """The caller corrected a version of the document that is no longer the stored one."""

    def __init__(self, current: str) -> None:
        super().__init__(f"文档已被他人修改，请重新载入 (document changed since it was read; now {current})")
        self.current = current


def document_version(*, session: Session, document: Document) -> str:
    """A tag that changes with every write of the document's records and every correction.

    The last correction's id tells corrections apart even when two land within the clock's
    resolution; updated_at covers a re-extraction (which adds none). A review mark is not a version:
    it changes no field, so it does not make a colleague's open page stale.
    """
    assert document.id is not None
    last = session.exec(select(func.max(Correction.id)).where(col(Correction.document_id) == document.id)).one()
    updated = as_utc(document.updated_at)
    stamp = int(updated.timestamp() * 1_000_000) if updated else 0
    return f"{document.id}-{last or 0}-{stamp:x}"


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
        session.exec(delete(row_class).where(col(row_class.document_id) == document.id))
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


def follow_scores(previous: ExtractionResult, corrected: ExtractionResult, ref: str = "") -> ExtractionResult:
    """Document fields that were read from the page follow a correction of what they were read from:
    the header shows the new 自评得分 after the reviewer fixes the 总分 row, the new department or year
    after a fix to the cell printing it. A field the reviewer set on the document itself (or one the
    page did not give) is left alone: it changes only where it still equals what the page gave.
    Department and year are read again only for a table-cell correction (`t1.r2c3`), the one kind that
    can change them."""
    from extractor.forms.document import document_scores, result_fields

    before: dict[str, object] = dict(document_scores(previous.scores, previous.sections))
    after: dict[str, object] = dict(document_scores(corrected.scores, corrected.sections))
    if CELL_REF.match(ref.strip()):
        before.update({name: value for name, value in result_fields(previous).items() if name in PAGE_FIELDS})
        after.update({name: value for name, value in result_fields(corrected).items() if name in PAGE_FIELDS})
    updates = {
        name: after[name]
        for name in after
        if after[name] != before[name] and getattr(previous.document, name) == before[name] and after[name] is not None
    }
    if not updates:
        return corrected
    return corrected.model_copy(update={"document": corrected.document.model_copy(update=updates)})


PAGE_FIELDS = ("department", "year")
"""Document fields the reader takes from key-value cells (主管部门 | xx局, 年度 | 2023)."""


def correct_field(
    *,
    session: Session,
    document_id: int,
    ref: str,
    value: Any,
    who: str,
    reason: Optional[str] = None,
    expected_version: Optional[str] = None,
) -> Corrected:
    """Apply one correction, re-validate, store the result, and append the audit entry.

    With `expected_version` (the caller's If-Match), the version is compared under the row lock,
    so of two reviewers saving from the same page only the first wins; the second gets StaleVersion.
    Raises NotCorrectable (no such document, no records) or CorrectionError (bad ref or value).
    """
    document = locked_document(session=session, document_id=document_id)
    if expected_version is not None:
        current_version = document_version(session=session, document=document)
        if current_version != expected_version:
            raise StaleVersion(current_version)
    result = document_result(session=session, document_id=document_id)
    change = prepare(result, ref, value)
    anchor = anchor_of(result, change.ref)  # the printed cells, before this correction rewrites them
    corrected = revalidate(follow_scores(result, apply(result, change.ref, change.after), change.ref))
    write_result(session=session, document=document, result=corrected, previous=result)
    correction = add_correction(
        session=session,
        document_id=document_id,
        who=who,
        ref=change.ref,
        before=change.before,
        after=change.after,
        reason=reason,
        anchor=anchor,
    )
    return Corrected(result=corrected, correction=correction)


def with_corrections(result: ExtractionResult, corrections: list[Correction]) -> ExtractionResult:
    """`result` with every stored correction applied in order and findings recomputed.

    Each correction is placed by its anchor (corrections.place): on the field read from the same
    printed cells, whatever the new extraction numbered the records. One that can no longer be
    placed (its cells gone or printing something else, its record gone) is reported as a Problem
    of stage `review` naming the correction, its table and cells, and applied nowhere.
    """
    problems: list[Problem] = []
    for correction in corrections:
        try:
            ref = place(result, correction.ref, correction.anchor)
            result = follow_scores(result, apply(result, ref, correction.after), ref)
        except CorrectionError as error:
            problems.append(unplaced_problem(correction, error))
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
