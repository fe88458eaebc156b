"""Extraction of uploaded files in worker processes, as `ingest` does it.

One background thread owns the workers (extractor.ingest.worker.WorkerHandle: spawned processes
under a memory limit, killed past the time limit) and writes each outcome with the ingest's own
record_outcome, in one transaction, corrections re-applied. The service is one `jobs` row of mode
`api` with a heartbeat, so a service that dies leaves its `running` documents to be requeued by
the next run (extractor.store.jobs.recover_dead_jobs), and uploads still `queued` when the service
starts are picked up again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from multiprocessing.connection import wait
from pathlib import Path
from typing import Optional

from sqlalchemy import Engine
from sqlmodel import col, select

from extractor.ingest.record import record_outcome
from extractor.ingest.run import IngestOptions, IngestSummary, begin_job, end_job
from extractor.ingest.worker import Outcome, Task, WorkerHandle
from extractor.review.settings import ServiceSettings
from extractor.store import session_scope
from extractor.store.jobs import HEARTBEAT_EVERY_S, beat, claim_document
from models import Document, DocumentStatus, JobStatus

log = logging.getLogger("extractor.review")

POLL_S = 0.2
"""How soon a new upload reaches an idle worker while others are busy."""


class UploadProcessor:
    """Queue of uploaded documents and the worker processes that extract them."""

    def __init__(self, *, engine: Engine, settings: ServiceSettings) -> None:
        self.engine = engine
        self.options = IngestOptions(
            workers=settings.workers, timeout_s=settings.timeout_s, memory_mb=settings.memory_mb
        )
        self.uploads_dir = settings.uploads_dir
        self._queue: queue.Queue[Optional[Task]] = queue.Queue()
        """Uploads to extract; None only wakes the thread (to stop)."""
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self._workers: list[WorkerHandle] = []
        self.summary: Optional[IngestSummary] = None

    def start(self) -> None:
        job_id = begin_job(engine=self.engine, mode="api", options=self.options)
        self.summary = IngestSummary(job_id=job_id)
        for task in self._pending_uploads():
            self.submit(task)
        self._thread = threading.Thread(target=self._run, name="upload-processor", daemon=True)
        self._thread.start()

    def submit(self, task: Task) -> None:
        self._queue.put(task)

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=30)
        for worker in self._workers:
            worker.stop()
        if self.summary is not None:
            end_job(engine=self.engine, summary=self.summary, status=JobStatus.done)

    def _pending_uploads(self) -> list[Task]:
        """Uploads accepted by an earlier run of the service but never extracted."""
        with session_scope(self.engine) as session:
            queued = session.exec(
                select(Document).where(Document.status == DocumentStatus.queued.value).order_by(col(Document.id))
            ).all()
        return [
            Task(document_id=doc.id, path=doc.path, sha256=doc.sha256)
            for doc in queued
            if doc.id is not None
            and doc.path
            and Path(doc.path).is_relative_to(self.uploads_dir)
            and Path(doc.path).is_file()
        ]

    def _run(self) -> None:
        pending: deque[Task] = deque()
        paths: dict[int, Path] = {}
        last_beat = time.monotonic()
        while not self._stop.is_set():
            try:
                last_beat = self._step(pending, paths, last_beat)
            except Exception:  # noqa: BLE001 - the service must keep serving; the failure is logged
                log.exception("upload processing failed; continuing")
                time.sleep(5.0)  # e.g. a worker cannot start: do not spin

    def _step(self, pending: deque[Task], paths: dict[int, Path], last_beat: float) -> float:
        assert self.summary is not None
        while True:
            try:
                self._add(pending, self._queue.get_nowait())
            except queue.Empty:
                break
        while pending and (idle := self._idle_worker()) is not None:
            task = pending.popleft()
            if self._claim(task):
                paths[task.document_id] = Path(task.path)
                idle.give(task, self.options.timeout_s)
        busy = [worker for worker in self._workers if worker.busy]
        if not busy:
            try:
                self._add(pending, self._queue.get(timeout=HEARTBEAT_EVERY_S))
            except queue.Empty:
                pass
        else:
            wait([obj for worker in busy for obj in worker.wait_objects()], timeout=POLL_S)
            now = time.monotonic()
            for worker in busy:
                outcome: Optional[Outcome] = worker.collect() or worker.expire(now)
                if outcome is not None:
                    path = paths.pop(outcome.document_id)
                    self.summary.add(
                        record_outcome(engine=self.engine, outcome=outcome, path=path, job_id=self.summary.job_id)
                    )
        if time.monotonic() - last_beat >= HEARTBEAT_EVERY_S:
            with session_scope(self.engine) as session:
                beat(session=session, job_id=self.summary.job_id)
            return time.monotonic()
        return last_beat

    @staticmethod
    def _add(pending: deque[Task], task: Optional[Task]) -> None:
        if task is not None:
            pending.append(task)

    def _idle_worker(self) -> Optional[WorkerHandle]:
        for worker in self._workers:
            if not worker.busy:
                return worker
        if len(self._workers) < self.options.workers:
            # Started on first need: a service that only serves reviews never spawns one.
            worker = WorkerHandle(memory_mb=self.options.memory_mb, options=self.options.extract)
            self._workers.append(worker)
            return worker
        return None

    def _claim(self, task: Task) -> bool:
        assert self.summary is not None
        with session_scope(self.engine) as session:
            claimed = claim_document(session=session, document_id=task.document_id, job_id=self.summary.job_id)
        if claimed:
            self.summary.files += 1
        return claimed
