"""Writing what workers answered: a batch of documents' statuses and records change in one transaction."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

from sqlalchemy import Engine
from sqlmodel import Session

from extractor.ingest.worker import Outcome
from extractor.store import document_result, mark_failed, one_line, session_scope
from extractor.store.batch import PreparedResult, lock_documents, prepare_result, write_prepared
from models import Document, DocumentStatus, utc_now
from schemas import ExtractionResult


class Recorded:
    """What the run summary needs from one document (nothing that grows with the document)."""

    def __init__(
        self,
        *,
        ok: bool,
        pages: int = 0,
        findings: Optional[Counter[str]] = None,
        error: Optional[str] = None,
        worker_pid: Optional[int] = None,
    ) -> None:
        self.ok = ok
        self.worker_pid = worker_pid
        self.pages = pages
        self.findings = findings or Counter()
        self.error = error


MAX_RETRIES = 3
"""A transient failure (timeout, worker death) is tried again by later runs this many times, then
dead-lettered: kept `failed` with every attempt's reason until `ingest --retry-failed`."""


def note_failure(document: Document, *, error: str, transient: bool, job_id: int) -> str:
    """Add this attempt to the document's failures and decide whether ordinary runs try it again;
    the one-line error to store (a dead letter says so)."""
    attempt = {"at": utc_now().isoformat(), "job_id": job_id, "reason": error, "transient": transient}
    failures = [*(document.failures or []), attempt]
    document.failures = failures
    trailing = 0
    for earlier in reversed(failures):
        if not earlier.get("transient"):
            break
        trailing += 1
    document.retry = transient and trailing <= MAX_RETRIES
    if transient and not document.retry:
        return f"{error} — 已放弃 (dead-lettered after {trailing} attempts; `ingest --retry-failed` tries again)"
    return error


def record_outcome(*, engine: Engine, outcome: Outcome, path: Path, job_id: int) -> Recorded:
    """Store one answer: a batch of one (see record_outcomes)."""
    return record_outcomes(engine=engine, answers=[(outcome, path)], job_id=job_id)[0]


def record_outcomes(*, engine: Engine, answers: list[tuple[Outcome, Path]], job_id: int) -> list[Recorded]:
    """Store a batch of answers in ONE transaction: each document done with all its records, or failed
    with its reason. All or nothing: if the batch cannot be written, none of it is.

    If the batch fails, its documents are written one at a time, so one document the store refuses
    (a value the database rejects) fails alone — recorded as failed with the reason, transient, so a
    later run tries it again — instead of stopping the run. If even that cannot be written, the store
    itself is gone: the error propagates and the run ends interrupted, its documents queued again.
    """
    if not answers:
        return []
    try:
        with session_scope(engine) as session:
            return _record(session=session, answers=answers, job_id=job_id)
    except Exception as error:  # noqa: BLE001 - any refusal of the batch: retried per document below
        if len(answers) > 1:
            return [
                recorded
                for answer in answers
                for recorded in record_outcomes(engine=engine, answers=[answer], job_id=job_id)
            ]
        outcome, path = answers[0]
        if not outcome.ok:
            raise  # not even a failure can be written: the store is unusable
        reason = f"{path.name}: 无法写入存储 (cannot store the result: {type(error).__name__}: {error})"
        refused = Outcome(
            document_id=outcome.document_id, ok=False, error=reason, transient=True, worker_pid=outcome.worker_pid
        )
        return record_outcomes(engine=engine, answers=[(refused, path)], job_id=job_id)


def _prepared(outcome: Outcome) -> Optional[PreparedResult]:
    """The rows of a successful answer: built by the worker, or here from the result JSON (an answer
    made by other code, e.g. a Ray task's fallback)."""
    if outcome.prepared is not None:
        return outcome.prepared
    if outcome.result_json is None:
        return None
    result = ExtractionResult.model_validate_json(outcome.result_json)
    return prepare_result(result, document_id=outcome.document_id)


def _record(*, session: Session, answers: list[tuple[Outcome, Path]], job_id: int) -> list[Recorded]:
    documents = lock_documents(session=session, document_ids=[outcome.document_id for outcome, _ in answers])
    done: list[PreparedResult] = []
    recorded: dict[int, Recorded] = {}
    for outcome, path in answers:
        prepared = _prepared(outcome) if outcome.ok else None
        if prepared is not None:
            done.append(prepared)
            recorded[outcome.document_id] = Recorded(
                ok=True, pages=prepared.pages, worker_pid=outcome.worker_pid, findings=Counter(prepared.findings)
            )
            continue
        # Never an empty success: an answer that says ok but carries no result is a failure.
        fallback = (
            f"{path.name}: 未知错误 (unknown failure)"
            if not outcome.ok
            else f"{path.name}: 处理进程未返回结果 (the worker sent no result)"
        )
        error = one_line(outcome.error or fallback)
        recorded[outcome.document_id] = _record_failure(
            document=documents[outcome.document_id], error=error, outcome=outcome, job_id=job_id, session=session
        )
    paths = {outcome.document_id: str(path) for outcome, path in answers}
    corrected = write_prepared(session=session, prepared=done, documents=documents, paths=paths, job_id=job_id)
    if corrected:
        # Imported only when needed: the corrections machinery loads the lexicon, a cost the parent of a
        # run without corrections (nearly every run) should not pay at start-up.
        from extractor.review.records import reapply_corrections
    for document_id in corrected:
        # A re-extraction (--force) keeps the reviewers' corrections: re-applied here, same transaction,
        # to the result just written (read back: rare enough not to ship every result twice).
        result = document_result(session=session, document_id=document_id)
        result = reapply_corrections(session=session, document=documents[document_id], result=result)
        recorded[document_id].findings = Counter(finding.rule for finding in result.findings)
    return [recorded[outcome.document_id] for outcome, _ in answers]


def _record_failure(*, document: Document, error: str, outcome: Outcome, job_id: int, session: Session) -> Recorded:
    error = note_failure(document, error=error, transient=outcome.transient, job_id=job_id)
    if document.schema_version is not None:
        # A forced re-extraction failed: keep the earlier good records readable, note the failure.
        document.status = DocumentStatus.done.value
        document.error = error
        document.updated_at = utc_now()
        session.add(document)
    else:
        mark_failed(session=session, document=document, error=error)
    return Recorded(ok=False, error=error, worker_pid=outcome.worker_pid)
