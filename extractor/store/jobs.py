"""Ingest runs (jobs) and the claim on a document that makes runs resumable.

What is written when:
1. a run starts: a `jobs` row (host, pid, heartbeat) — committed;
2. before a document is handed to a worker: its row is claimed, `running` with this job's id — committed
   (a few files per transaction, claim_files);
3. after the worker answers: status `done` and all its records, or `failed` and the reason, in ONE
   transaction with the other answers of its batch — so a document is either complete or not done,
   never half stored;
4. every few seconds: the job's heartbeat.
A run that dies (SIGKILL, power loss) leaves its job unfinished and some documents `running`.
The next run finds such jobs dead (same host and pid gone, or heartbeat too old), marks them
`interrupted` and puts their `running` documents back to `queued`, so they are done again exactly once.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Document, DocumentStatus, Job, JobStatus, as_utc, utc_now

HEARTBEAT_EVERY_S = 5.0
STALE_AFTER_S = 120.0
"""A job from another host whose heartbeat is older than this is taken for dead."""


def start_job(*, session: Session, mode: str, workers: int, options: dict[str, Any]) -> Job:
    job = Job(mode=mode, workers=workers, host=socket.gethostname(), pid=os.getpid(), options=options)
    session.add(job)
    session.flush()
    return job


def beat(*, session: Session, job_id: int) -> None:
    session.exec(update(Job).where(col(Job.id) == job_id).values(heartbeat_at=utc_now()))


def finish_job(*, session: Session, job: Job, status: JobStatus = JobStatus.done) -> None:
    job.status = status.value
    job.finished_at = utc_now()
    job.heartbeat_at = job.finished_at
    session.add(job)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def job_is_dead(job: Job, *, stale_after_s: float = STALE_AFTER_S) -> bool:
    if job.finished_at is not None:
        return True
    if job.host == socket.gethostname() and job.pid != os.getpid() and not _process_alive(job.pid):
        return True
    heartbeat = as_utc(job.heartbeat_at)
    return heartbeat is None or utc_now() - heartbeat > timedelta(seconds=stale_after_s)


def recover_dead_jobs(*, session: Session, stale_after_s: float = STALE_AFTER_S) -> int:
    """Close the jobs whose process is gone and requeue their `running` documents; returns how many."""
    unfinished = session.exec(select(Job).where(Job.status == JobStatus.running.value)).all()
    requeued = 0
    for job in unfinished:
        if not job_is_dead(job, stale_after_s=stale_after_s):
            continue
        outcome = session.exec(
            update(Document)
            .where(col(Document.job_id) == job.id, col(Document.status) == DocumentStatus.running.value)
            .values(status=DocumentStatus.queued.value, updated_at=utc_now())
        )
        requeued += outcome.rowcount or 0
        if job.finished_at is None:
            finish_job(session=session, job=job, status=JobStatus.interrupted)
    # A `running` row without any job (written by hand, or its job row lost) is requeued too.
    orphans = session.exec(
        update(Document)
        .where(col(Document.status) == DocumentStatus.running.value, col(Document.job_id).is_(None))
        .values(status=DocumentStatus.queued.value)
    )
    return requeued + (orphans.rowcount or 0)


def _claimable(*, force: bool, retry_failed: bool) -> ColumnElement[bool]:
    """The one claim condition of claim_document and claim_files: queued (or done, when forced), or failed
    and retryable (any failure with retry_failed)."""
    statuses = [DocumentStatus.queued.value]
    if force:
        statuses.append(DocumentStatus.done.value)
    failed = col(Document.status) == DocumentStatus.failed.value
    if not retry_failed:
        failed = and_(failed, col(Document.retry))
    return or_(col(Document.status).in_(statuses), failed)


def _running_values(job_id: int) -> dict[str, Any]:
    """What a claim writes: running for this job, one more attempt."""
    now = utc_now()
    return {
        "status": DocumentStatus.running.value,
        "job_id": job_id,
        "started_at": now,
        "updated_at": now,
        "attempts": Document.attempts + 1,
    }


def claim_document(
    *, session: Session, document_id: int, job_id: int, force: bool = False, retry_failed: bool = False
) -> bool:
    """Mark the document `running` for this job unless it is done (and not forced), failed for good
    (a deterministic failure or a dead letter, unless retry_failed) or someone runs it.

    A single conditional UPDATE, so two runs sharing a PostgreSQL store never both take a document.
    """
    outcome = session.exec(
        update(Document)
        .where(col(Document.id) == document_id, _claimable(force=force, retry_failed=retry_failed))
        .values(**_running_values(job_id))
    )
    return bool(outcome.rowcount)


def claim_files(
    *,
    session: Session,
    files: list[tuple[str, str]],
    job_id: int,
    force: bool = False,
    retry_failed: bool = False,
) -> dict[str, int]:
    """Register and claim many files at once: `files` are (sha256, path); returns sha256 → document id
    of those this job claimed (the rest are done, failed for good, run by someone else, or repeated).

    Three statements for the lot instead of three per file: find the known ones, insert the new ones
    (`queued`), one conditional UPDATE … RETURNING for the claim — the same condition as claim_document,
    so two runs sharing a store still never both take a document.
    """
    from extractor.store.documents import register_file

    unique: dict[str, str] = {}
    for sha256, path in files:
        unique.setdefault(sha256, path)
    if not unique:
        return {}
    known = dict(session.exec(select(Document.sha256, Document.id).where(col(Document.sha256).in_(list(unique)))).all())
    new = [sha256 for sha256 in unique if sha256 not in known]
    if new:
        rows = [
            Document(
                sha256=sha256, file=Path(unique[sha256]).name, path=unique[sha256], status=DocumentStatus.queued.value
            )
            for sha256 in new
        ]
        try:
            with session.begin_nested():
                session.add_all(rows)
        except IntegrityError:  # another run registered some of them meanwhile: one by one, the unique key decides
            rows = [register_file(session=session, sha256=sha256, path=Path(unique[sha256])) for sha256 in new]
        known.update({row.sha256: row.id for row in rows})
    ids = {document_id: sha256 for sha256, document_id in known.items() if document_id is not None}
    claimed = session.exec(
        update(Document)
        .where(col(Document.id).in_(sorted(ids)), _claimable(force=force, retry_failed=retry_failed))
        .values(**_running_values(job_id))
        .returning(col(Document.id))
    ).all()
    return {ids[document_id]: document_id for (document_id,) in claimed}


def release_unfinished(*, session: Session, job_id: int) -> int:
    """On an orderly stop (Ctrl-C), put this job's `running` documents back to `queued`."""
    outcome = session.exec(
        update(Document)
        .where(col(Document.job_id) == job_id, col(Document.status) == DocumentStatus.running.value)
        .values(status=DocumentStatus.queued.value, updated_at=utc_now())
    )
    return outcome.rowcount or 0


def get_job(*, session: Session, job_id: int) -> Optional[Job]:
    return session.get(Job, job_id)


__all__ = [
    "HEARTBEAT_EVERY_S",
    "STALE_AFTER_S",
    "beat",
    "claim_document",
    "claim_files",
    "finish_job",
    "get_job",
    "job_is_dead",
    "recover_dead_jobs",
    "release_unfinished",
    "start_job",
]
