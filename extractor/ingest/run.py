"""`extractor ingest`: many files into the store, in parallel worker processes, resumable.

A pipeline, so that no worker waits for the store:
- the parent finds the files, hashes and claims them a few at a time (one transaction per few);
- each worker holds up to PREFETCH tasks: it starts the next document the moment it answers one;
- a worker answers with its result already turned into the store's rows (when the workers fill every
  core; with a core to spare, the parent builds them);
- the parent reads answers as they come and hands batches of them to one writer thread, which
  stores each batch (done + records, or failed + reason, for every document in it) in ONE transaction.
A batch is all or nothing: a crash loses at most the answers not yet committed, whose documents stay
claimed (`running`) and are queued again by the next run; what was committed is skipped by it.
The parent keeps only counters and at most a few batches, so its memory does not grow with the run.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from multiprocessing.connection import wait
from pathlib import Path
from types import FrameType
from typing import Optional

from pydantic import BaseModel, Field
from rich.console import Console
from sqlalchemy import Engine

from extractor.digest import file_sha256
from extractor.ingest.discover import discover
from extractor.ingest.progress import ingest_progress
from extractor.ingest.record import Recorded, record_outcomes
from extractor.ingest.worker import Outcome, Task, WorkerHandle
from extractor.store import session_scope
from extractor.store.jobs import (
    HEARTBEAT_EVERY_S,
    beat,
    claim_files,
    finish_job,
    recover_dead_jobs,
    release_unfinished,
    start_job,
)
from models import Job, JobStatus
from schemas import ExtractOptions

MAX_LISTED_FAILURES = 50
PREFETCH = 2
"""Tasks a worker holds: the one it extracts and the next, waiting in its socket."""
CLAIM_AT_LEAST = 8
"""Files hashed and claimed per transaction (at least): a claim costs a commit, like a write."""


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
    batch_size: int = Field(default=16, ge=1)
    """Answers written per transaction (at most): fewer commits and statements per document."""
    batch_wait_s: float = Field(default=2.0, ge=0)
    """An answer waits at most this long for its batch to fill before it is written anyway, so the
    store and the progress bar stay current when documents are slow."""
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
        # Claimed but never answered or written (an interrupted run, a lost Ray actor's unwritten
        # answers): queued again, for the next run to do.
        release_unfinished(session=session, job_id=summary.job_id)
        for name in ("files", "ok", "failed", "skipped", "not_documents", "pages", "findings"):
            setattr(job, name, getattr(summary, name))
        finish_job(session=session, job=job, status=status)


def claimed_tasks(
    *,
    engine: Engine,
    paths: list[Path],
    job_id: int,
    force: bool,
    summary: IngestSummary,
    retry_failed: bool = False,
    chunk: int = 1,
) -> Iterator[Task]:
    """Hash, register and claim the files `chunk` at a time (one transaction per chunk); yields only
    documents this run must extract. Claimed ahead of need by at most one chunk: a run that dies
    leaves them `running`, and the next run queues them again."""
    remaining = iter(paths)
    while batch := list(islice(remaining, chunk)):
        hashed: list[tuple[Path, str]] = []
        for path in batch:
            try:
                hashed.append((path, file_sha256(path)))
            except OSError as error:
                summary.add_failure(f"{path.name}: 无法读取文件 (cannot read: {error.strerror or error})")
        with session_scope(engine) as session:
            claimed = claim_files(
                session=session,
                files=[(sha256, str(path)) for path, sha256 in hashed],
                job_id=job_id,
                force=force,
                retry_failed=retry_failed,
            )
        tasks: list[Task] = []
        for path, sha256 in hashed:
            # Not claimed: done already (idempotent re-run), a duplicate of a file met earlier in this run,
            # or being extracted right now by another live run on the same store.
            document_id = claimed.pop(sha256, None)
            if document_id is None:
                summary.skipped += 1
            else:
                tasks.append(Task(document_id=document_id, path=str(path), sha256=sha256))
        yield from tasks


class _Stop(BaseException):
    """SIGTERM asks for the same orderly stop as Ctrl-C (a BaseException like KeyboardInterrupt, so
    that no `except Exception` on the way — the writer's per-document retry — swallows it)."""


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
        # Workers that fill every core build the rows themselves; with a core to spare the parent does.
        prepare = worker_count >= (os.cpu_count() or 1)
        workers = [
            WorkerHandle(memory_mb=options.memory_mb, options=options.extract, prepare=prepare)
            for _ in range(worker_count)
        ]
        tasks = claimed_tasks(
            engine=engine,
            paths=found.documents,
            job_id=job_id,
            force=options.force,
            summary=summary,
            retry_failed=options.retry_failed,
            chunk=max(CLAIM_AT_LEAST, worker_count * PREFETCH),
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
            worker.hang_up()
        for worker in workers:
            worker.stop()
        summary.seconds = time.monotonic() - started
        summary.interrupted = status is JobStatus.interrupted
        end_job(engine=engine, summary=summary, status=status)
    return summary


Writer = Callable[[list[tuple[Outcome, Path]]], list[Recorded]]


class _Batches:
    """Answers waiting to be written, and the one batch being written by the writer thread."""

    def __init__(self, *, write: Writer, size: int, wait_s: float, summary: IngestSummary) -> None:
        self.write = write
        self.size = size
        self.wait_s = wait_s
        self.summary = summary
        self.pending: list[tuple[Outcome, Path]] = []
        self.oldest = 0.0
        self.writing: Optional[Future[list[Recorded]]] = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer")

    def add(self, outcome: Outcome, path: Path) -> None:
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append((outcome, path))

    def settle(self, *, block: bool = False) -> bool:
        """Count the batch being written once it is; True if it was (or none was being written).
        A failed write raises here, in the main thread: the run stops, interrupted."""
        if self.writing is None:
            return True
        if not block and not self.writing.done():
            return False
        for recorded in self.writing.result():
            self.summary.add(recorded)
        self.writing = None
        return True

    def due(self, *, in_flight: bool) -> bool:
        """Write now: a full batch, an answer that waited long enough, or nothing left to wait for."""
        if not self.pending:
            return False
        full = len(self.pending) >= self.size
        return full or not in_flight or time.monotonic() - self.oldest >= self.wait_s

    def flush(self, *, in_flight: bool) -> None:
        """Hand the oldest answers (a batch at most) to the writer if they are due and the writer is free.
        Answers wait while it writes; past a few batches of them the parent waits for the writer."""
        if not self.settle(block=len(self.pending) >= 4 * self.size) or not self.due(in_flight=in_flight):
            return
        self._submit()

    def _submit(self) -> None:
        """The oldest answers, at most a batch of them, to the writer."""
        batch, self.pending = self.pending[: self.size], self.pending[self.size :]
        self.oldest = time.monotonic()
        self.writing = self.executor.submit(self.write, batch)

    def seconds_to_due(self) -> float:
        return max(0.0, self.oldest + self.wait_s - time.monotonic()) if self.pending else HEARTBEAT_EVERY_S

    def finish(self) -> None:
        """Write what is left (an orderly end or stop) and wait for it."""
        self.settle(block=True)
        while self.pending:
            self._submit()
            self.settle(block=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


def _supervise(
    *,
    engine: Engine,
    workers: list[WorkerHandle],
    tasks: Iterator[Task],
    options: IngestOptions,
    summary: IngestSummary,
    on_done: Callable[[], None],
    writer: Optional[Writer] = None,
) -> None:
    """Keep every worker supplied, collect answers as they come, write them in batches, kill what
    runs past its limit, beat the heartbeat. `writer` replaces the store write (tests)."""
    paths: dict[int, Path] = {}
    exhausted = False
    last_beat = time.monotonic()

    def write(answers: list[tuple[Outcome, Path]]) -> list[Recorded]:
        return record_outcomes(engine=engine, answers=answers, job_id=summary.job_id)

    batches = _Batches(write=writer or write, size=options.batch_size, wait_s=options.batch_wait_s, summary=summary)

    def refill() -> None:
        nonlocal exhausted
        for depth in range(1, PREFETCH + 1):  # first one task each, then the second: no worker starves
            for worker in workers:
                if worker.held >= depth or exhausted:
                    continue
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    return
                paths[task.document_id] = Path(task.path)
                worker.give(task, options.timeout_s)

    try:
        while True:
            refill()
            busy = [worker for worker in workers if worker.busy]
            batches.flush(in_flight=bool(busy))
            on_done()  # skipped files and written batches count as progress
            if not busy:
                batches.finish()
                on_done()
                return
            now = time.monotonic()
            next_deadline = min(worker.deadline for worker in busy)
            wait(
                [obj for worker in busy for obj in worker.wait_objects()],
                timeout=max(0.0, min(next_deadline - now, HEARTBEAT_EVERY_S, batches.seconds_to_due())),
            )
            now = time.monotonic()
            for worker in busy:
                while outcome := worker.collect():
                    batches.add(outcome, paths.pop(outcome.document_id))
                if outcome := worker.expire(now):
                    batches.add(outcome, paths.pop(outcome.document_id))
            if now - last_beat >= HEARTBEAT_EVERY_S:
                with session_scope(engine) as session:
                    beat(session=session, job_id=summary.job_id)
                last_beat = now
    except (_Stop, KeyboardInterrupt):
        # An orderly stop (SIGTERM, Ctrl-C) keeps the work already done: the answers in hand are written first.
        batches.finish()
        raise
    finally:
        batches.close()
