"""Writing what a worker answered: a document's status and records change in one transaction."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

from sqlalchemy import Engine
from sqlmodel import select

from extractor.ingest.worker import Outcome
from extractor.review.records import reapply_corrections
from extractor.store import mark_failed, one_line, session_scope
from extractor.store.documents import save_result
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
    """Store the result (status done + all records) or the failure (status failed + reason).

    The document row is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite has a single writer)
    so that two runs finishing the same document one after the other can never leave both record sets.
    """
    with session_scope(engine) as session:
        document = session.exec(select(Document).where(Document.id == outcome.document_id).with_for_update()).one()
        if outcome.ok and outcome.result_json is not None:
            result = ExtractionResult.model_validate_json(outcome.result_json)
            stored = save_result(session=session, result=result, path=path, job_id=job_id)
            stored.retry = True
            # A re-extraction (--force) keeps the reviewers' corrections: re-applied here, same transaction.
            result = reapply_corrections(session=session, document=stored, result=result)
            return Recorded(
                ok=True,
                pages=result.document.pages,
                worker_pid=outcome.worker_pid,
                findings=Counter(finding.rule for finding in result.findings),
            )
        error = one_line(outcome.error or f"{path.name}: 未知错误 (unknown failure)")
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
