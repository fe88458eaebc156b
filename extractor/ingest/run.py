"""`extractor ingest`: many files into the store, in parallel worker processes, resumable.

The parent finds the files, hashes them, claims each document right before handing it to a worker,
and writes each answer (done + records, or failed + reason) in one transaction. It keeps only
counters, so its memory does not grow with the number of documents.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import wait
from pathlib import Path
from types import FrameType
from typing import Optional

from pydantic import BaseModel, Field
from rich.console import Console
from sqlalchemy import Engine

from extractor.ingest.discover import discover
from extractor.ingest.progress import ingest_progress
from extractor.ingest.record import Recorded, record_outcome
from extractor.ingest.worker import Task, WorkerHandle
from extractor.pipeline import file_sha256
from extractor.store import register_file, session_scope
from extractor.store.jobs import (
    HEARTBEAT_EVERY_S,
    beat,
    claim_document,
    finish_job,
    recover_dead_jobs,
    release_unfinished,
    start_job,
)
from models import Job, JobStatus
from schemas import ExtractOptions

MAX_LISTED_FAILURES = 50


class IngestOptions(BaseModel):
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    timeout_s: float = Field(default=600.0, gt=0)
    """Per document; past it the worker is killed and the document fails."""
    memory_mb: int = Field(default=4096, ge=256)
    """Address-space limit of each worker process (RLIMIT_AS)."""
    force: bool = False
    """Extract documents that are already done again (records replaced, corrections kept)."""
    retry_failed: bool = False
    """Also try documents failed for good: deterministic failures (unreadable, over a limit) and dead
    letters (transient failures past the retry limit). Transient failures are retried anyway."""
    extract: ExtractOptions = Field(default_factory=ExtractOptions)


class IngestSummary(BaseModel):
    job_id: int
    files: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    not_documents: int = 0
    pages: int = 0
    findings: dict[str, int] = Field(default_factory=dict)
    failures: list[str] = Field(default_factory=list)
    """The first MAX_LISTED_FAILURES reasons, one line each."""
    seconds: float = 0.0
    interrupted: bool = False
    worker_pids: list[int] = Field(default_factory=list)
    """Distinct worker processes that extracted documents: one per worker unless one was restarted."""

    def add(self, recorded: Recorded) -> None:
        if recorded.worker_pid is not None and recorded.worker_pid not in self.worker_pids:
            self.worker_pids.append(recorded.worker_pid)
        if recorded.ok:
            self.ok += 1
            self.pages += recorded.pages
            for rule, count in recorded.findings.items():
                self.findings[rule] = self.findings.get(rule, 0) + count
        else:
            self.add_failure(recorded.error or "")

    def add_failure(self, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_LISTED_FAILURES:
            self.failures.append(reason)


def begin_job(*, engine: Engine, mode: str, options: IngestOptions) -> int:
    """Requeue what dead runs left `running`, then open this run's job row."""
    with session_scope(engine) as session:
        recover_dead_jobs(session=session)
        job = start_job(session=session, mode=mode, workers=options.workers, options=options.model_dump(mode="json"))
        assert job.id is not None
        return job.id


def end_job(*, engine: Engine, summary: IngestSummary, status: JobStatus) -> None:
    with session_scope(engine) as session:
        job = session.get(Job, summary.job_id)
        if job is None:
            return
        if status is JobStatus.interrupted:
            release_unfinished(session=session, job_id=summary.job_id)
        for name in ("files", "ok", "failed", "skipped", "not_documents", "pages", "findings"):
            setattr(job, name, getattr(summary, name))
        finish_job(session=session, job=job, status=status)


def claimed_tasks(
    *, engine: Engine, paths: list[Path], job_id: int, force: bool, summary: IngestSummary, retry_failed: bool = False
) -> Iterator[Task]:
    """Hash, register and claim each file in turn; yields only documents this run must extract."""
    for path in paths:
        try:
            sha256 = file_sha256(path)
        except OSError as error:
            summary.add_failure(f"{path.name}: 无法读取文件 (cannot read: {error.strerror or error})")
            continue
        with session_scope(engine) as session:
            document = register_file(session=session, sha256=sha256, path=path)
            assert document.id is not None
            claimed = claim_document(
                session=session, document_id=document.id, job_id=job_id, force=force, retry_failed=retry_failed
            )
            # Done already (idempotent re-run), a duplicate of a file met earlier in this run, or
            # being extracted right now by another live run on the same store.
            if not claimed:
                summary.skipped += 1
                continue
        yield Task(document_id=document.id, path=str(path), sha256=sha256)


class _Stop(Exception):
    """SIGTERM asks for the same orderly stop as Ctrl-C."""


def _raise_stop(_signum: int, _frame: Optional[FrameType]) -> None:
    raise _Stop()


def ingest(
    *,
    engine: Engine,
    paths: list[Path],
    options: IngestOptions,
    console: Optional[Console] = None,
    show_progress: bool = True,
) -> IngestSummary:
    """Extract and store every document under `paths` with local worker processes."""
    started = time.monotonic()
    found = discover(paths)
    job_id = begin_job(engine=engine, mode="local", options=options)
    summary = IngestSummary(job_id=job_id, files=len(found.documents), not_documents=found.not_documents)
    console = console or Console(stderr=True)
    # SIGTERM stops as Ctrl-C does; signal handlers can only be set from the main thread (an API
    # server calling ingest() from a worker thread keeps its own handling).
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_sigterm = signal.signal(signal.SIGTERM, _raise_stop) if in_main_thread else None
    workers: list[WorkerHandle] = []
    status = JobStatus.interrupted
    try:
        worker_count = min(options.workers, len(found.documents))
        workers = [WorkerHandle(memory_mb=options.memory_mb, options=options.extract) for _ in range(worker_count)]
        tasks = claimed_tasks(
            engine=engine,
            paths=found.documents,
            job_id=job_id,
            force=options.force,
            summary=summary,
            retry_failed=options.retry_failed,
        )
        with ingest_progress(console, enabled=show_progress) as progress:
            bar = progress.add_task("ingest", total=len(found.documents), pages=0)
            _supervise(
                engine=engine,
                workers=workers,
                tasks=tasks,
                options=options,
                summary=summary,
                on_done=lambda: progress.update(
                    bar, completed=summary.ok + summary.failed + summary.skipped, pages=summary.pages
                ),
            )
        status = JobStatus.done
    except _Stop:
        pass
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_sigterm)
        for worker in workers:
            worker.stop()
        summary.seconds = time.monotonic() - started
        summary.interrupted = status is JobStatus.interrupted
        end_job(engine=engine, summary=summary, status=status)
    return summary


def _supervise(
    *,
    engine: Engine,
    workers: list[WorkerHandle],
    tasks: Iterator[Task],
    options: IngestOptions,
    summary: IngestSummary,
    on_done: Callable[[], None],
) -> None:
    """Keep every worker busy, collect answers, kill what runs past its limit, beat the heartbeat."""
    paths: dict[int, Path] = {}
    exhausted = False
    last_beat = time.monotonic()

    def refill() -> None:
        nonlocal exhausted
        for worker in workers:
            if worker.busy or exhausted:
                continue
            task = next(tasks, None)
            if task is None:
                exhausted = True
                return
            paths[task.document_id] = Path(task.path)
            worker.give(task, options.timeout_s)

    while True:
        refill()
        on_done()  # skipped files count as progress too
        busy = [worker for worker in workers if worker.busy]
        if not busy:
            return
        now = time.monotonic()
        next_deadline = min(worker.deadline for worker in busy)
        wait(
            [obj for worker in busy for obj in worker.wait_objects()],  # type: ignore[misc]
            timeout=max(0.0, min(next_deadline - now, HEARTBEAT_EVERY_S)),
        )
        now = time.monotonic()
        outcomes = [outcome for worker in busy if (outcome := worker.collect() or worker.expire(now))]
        refill()  # the workers start their next document while this one is written
        for outcome in outcomes:
            path = paths.pop(outcome.document_id)
            summary.add(record_outcome(engine=engine, outcome=outcome, path=path, job_id=summary.job_id))
            on_done()
        if now - last_beat >= HEARTBEAT_EVERY_S:
            with session_scope(engine) as session:
                beat(session=session, job_id=summary.job_id)
            last_beat = now
