"""A batch of hostile files among good ones: every good file stored, every bad one failed with its
reason, the out-of-memory worker replaced, the run ends with its summary; retries follow the reason."""

from __future__ import annotations

import time
from multiprocessing.connection import wait
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from extractor.ingest import IngestOptions, ingest
from extractor.ingest.record import MAX_RETRIES, record_outcome
from extractor.ingest.worker import Outcome, Task, WorkerHandle
from extractor.pipeline import file_sha256
from extractor.store import make_engine, register_file, session_scope, upgrade
from extractor.store.jobs import claim_document, start_job
from models import Document
from schemas import ExtractOptions, ReadLimits
from tests.hostile import files


def _store(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite'}")
    upgrade(engine)
    return engine


def test_the_batch_goes_on_past_every_hostile_file(tmp_path: Path) -> None:
    batch = tmp_path / "in"
    batch.mkdir()
    good = [
        files.text_pdf(batch / "good1.pdf", "Report one"),
        files.text_pdf(batch / "good2.pdf", "Report two"),
        files.docx_with_pdf_marker(batch / "marker.docx"),
    ]
    partial = files.truncated_pdf(batch / "cut.pdf", files.text_pdf(tmp_path / "whole.pdf", pages=5))
    bad = {
        "fanout.pdf": (files.fanout_pdf(batch / "fanout.pdf"), "Form XObjects draw more than"),
        "long.xlsx": (files.xlsx_long_shared_string(batch / "long.xlsx"), "文本过多"),
        "unsafe.xlsx": (files.xlsx_unsafe_part(batch / "unsafe.xlsx"), "unsafe XML"),
        # Followed (in discovery order) by unsafe.xlsx: a worker that answered out-of-memory and
        # exited must have been replaced before it (the parent's send once hit a closed pipe here).
        "oom.pdf": (files.scan_pdf(batch / "oom.pdf", side=4000), "内存超限"),
    }
    (batch / "empty.pdf").write_bytes(b"")
    # Pixel budgets raised so the 123 MP scan is actually rendered and runs out of memory.
    options = IngestOptions(
        workers=1,
        timeout_s=120,
        memory_mb=1024,
        extract=ExtractOptions(limits=ReadLimits(max_page_pixels=10**9, max_document_pixels=10**10)),
    )
    engine = _store(tmp_path)
    summary = ingest(engine=engine, paths=[batch], options=options, show_progress=False)

    assert not summary.interrupted
    assert (summary.ok, summary.failed) == (len(good) + 1, len(bad) + 1)
    assert summary.worker_pids, "outcomes name the worker that answered them"
    with session_scope(engine) as session:
        documents = {doc.file: doc for doc in session.exec(select(Document)).all()}
    for path in [*good, partial]:
        assert documents[path.name].status == "done", documents[path.name].error
    for name, (_, fragment) in bad.items():
        assert documents[name].status == "failed"
        assert fragment in (documents[name].error or ""), documents[name].error
        assert documents[name].retry is False, "a deterministic failure is not retried by the next run"
    assert "空文件" in (documents["empty.pdf"].error or "")
    engine.dispose()


def _document(engine: Engine, path: Path) -> int:
    with session_scope(engine) as session:
        document = register_file(session=session, sha256=file_sha256(path), path=path)
        assert document.id is not None
        return document.id


def _attempt(engine: Engine, document_id: int, path: Path, *, transient: bool, retry_failed: bool = False) -> bool:
    """Claim (as a new run would) and fail the document; whether the run was allowed to claim it."""
    with session_scope(engine) as session:
        job = start_job(session=session, mode="local", workers=1, options={})
        assert job.id is not None
        job_id = job.id
        if not claim_document(session=session, document_id=document_id, job_id=job_id, retry_failed=retry_failed):
            return False
    reason = f"{path.name}: {'超时 (timed out after 1 s)' if transient else '空文件 (empty file)'}"
    outcome = Outcome(document_id=document_id, ok=False, error=reason, transient=transient)
    record_outcome(engine=engine, outcome=outcome, path=path, job_id=job_id)
    return True


def test_transient_failures_are_retried_then_dead_lettered_with_every_reason(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    path = files.text_pdf(tmp_path / "slow.pdf")
    document_id = _document(engine, path)
    attempts = 0
    while _attempt(engine, document_id, path, transient=True):
        attempts += 1
        assert attempts <= 10
    assert attempts == MAX_RETRIES + 1
    with session_scope(engine) as session:
        document = session.get(Document, document_id)
        assert document is not None and document.status == "failed"
        assert "dead-lettered after 4 attempts" in (document.error or "")
        assert [failure["transient"] for failure in document.failures or []] == [True] * attempts
        assert all("超时" in failure["reason"] for failure in document.failures or [])
    assert _attempt(engine, document_id, path, transient=True, retry_failed=True)


def test_a_deterministic_failure_is_not_retried_unless_asked(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    path = files.text_pdf(tmp_path / "bad.pdf")
    document_id = _document(engine, path)
    assert _attempt(engine, document_id, path, transient=False)
    assert not _attempt(engine, document_id, path, transient=False)
    assert _attempt(engine, document_id, path, transient=False, retry_failed=True)
    with session_scope(engine) as session:
        document = session.get(Document, document_id)
        assert document is not None and len(document.failures or []) == 2


def test_the_time_limit_counts_from_when_the_worker_starts_the_document(tmp_path: Path) -> None:
    """A fresh worker spends its first second or two importing; an empty file must still fail as
    empty, not as a timeout charged with the worker's start-up (the Ray bug under load)."""
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    worker = WorkerHandle(memory_mb=2048, options=ExtractOptions())
    try:
        worker.give(Task(document_id=1, path=str(empty), sha256="0" * 64), timeout_s=0.3)
        outcome = None
        while outcome is None:
            wait(worker.wait_objects(), timeout=max(0.0, worker.deadline - time.monotonic()))  # type: ignore[arg-type]
            outcome = worker.collect() or worker.expire(time.monotonic())
        assert outcome.error is not None and "空文件" in outcome.error, outcome.error
    finally:
        worker.stop()
