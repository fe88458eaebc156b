"""`extractor ingest --ray [ADDRESS]`: the same per-document work as Ray actor tasks, one shared store.

Each actor owns one long-lived worker process (extractor.ingest.worker) — the same memory limit,
time limit and kill-and-restart as local runs, and the pipeline's models loaded once per actor, not
per document. The actor writes the answers to the store itself (so the store must be one every node
reaches: PostgreSQL; SQLite only works for a local instance), in batches, one transaction per batch,
and each batch while its worker extracts the next document — so the worker never waits for the store.
It returns a few counters per document written. The driver claims documents, ships their bytes
(remote nodes need not see the driver's files), keeps two calls queued per actor, beats the
heartbeat, asks every actor to write what it still holds at the end, and sums up. An actor that dies
fails the document it was extracting; the answers it held unwritten go to another actor again.
On a cluster the nodes need this package installed.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Optional, cast

import ray
from rich.console import Console
from sqlalchemy import Engine

from extractor.ingest.discover import discover
from extractor.ingest.progress import ingest_progress
from extractor.ingest.record import Recorded, record_outcome, record_outcomes
from extractor.ingest.run import (
    CLAIM_AT_LEAST,
    PREFETCH,
    IngestOptions,
    IngestSummary,
    begin_job,
    claimed_tasks,
    end_job,
)
from extractor.ingest.worker import Outcome, Task, WorkerHandle
from extractor.store import make_engine, session_scope
from extractor.store.jobs import HEARTBEAT_EVERY_S, beat
from models import JobStatus
from schemas import ExtractOptions

Written = list[dict[str, Any]]
"""What an actor call returns: one entry per document it wrote (document_id, ok, pages, findings,
error, worker_pid)."""


@ray.remote(num_cpus=1, max_restarts=0)
class IngestActor:
    """One worker process behind a Ray actor; documents arrive as bytes and leave as rows in the store."""

    def __init__(
        self, database_url: str, memory_mb: int, options_json: str, timeout_s: float, batch_size: int = 16
    ) -> None:
        self.engine = make_engine(database_url)
        self.timeout_s = timeout_s
        self.batch_size = batch_size
        self.worker = WorkerHandle(memory_mb=memory_mb, options=ExtractOptions.model_validate_json(options_json))
        self.scratch = Path(tempfile.mkdtemp(prefix="extractor-ray-"))
        self.pending: list[tuple[Outcome, Path]] = []
        self.job_id = 0

    def process(self, task: Task, data: bytes, job_id: int) -> Written:
        """Extract one document; meanwhile write the answers held from earlier calls if a batch is full."""
        self.job_id = job_id
        original = Path(task.path)
        local = self.scratch / str(task.document_id) / original.name  # same file name: DocumentInfo.file
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        try:
            self.worker.give(task.model_copy(update={"path": str(local)}), self.timeout_s)
            written = self._write() if len(self.pending) >= self.batch_size else []
            outcome = self._answer()
        finally:
            local.unlink(missing_ok=True)
            local.parent.rmdir()
        self.pending.append((outcome, original))
        return written

    def flush(self) -> Written:
        """Write every answer still held (the end of a run)."""
        return self._write()

    def _write(self) -> Written:
        answers, self.pending = self.pending, []
        recorded = record_outcomes(engine=self.engine, answers=answers, job_id=self.job_id)
        return [
            {
                "document_id": outcome.document_id,
                "ok": item.ok,
                "pages": item.pages,
                "findings": dict(item.findings),
                "error": item.error,
                "worker_pid": outcome.worker_pid,
            }
            for (outcome, _), item in zip(answers, recorded)
        ]

    def _answer(self) -> Outcome:
        while True:
            wait(self.worker.wait_objects(), timeout=max(0.0, self.worker.deadline - time.monotonic()))
            outcome = self.worker.collect() or self.worker.expire(time.monotonic())
            if outcome is not None:
                return outcome

    def stop(self) -> None:
        self.worker.stop()
        self.engine.dispose()


def start_local_ray(*, num_cpus: int, temp_dir: Optional[Path] = None) -> None:
    """A local Ray instance whose workers import this very checkout of the package, as the driver does.

    `temp_dir`: where Ray keeps its session files and sockets (Ray's default is /tmp/ray).
    """
    import extractor

    code_root = str(Path(extractor.__file__).resolve().parents[1])
    ray.init(
        num_cpus=num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": code_root}},
        _temp_dir=str(temp_dir) if temp_dir is not None else None,
    )


def _connect(address: Optional[str], workers: int) -> bool:
    """Join the cluster at `address` (or RAY_ADDRESS), else start a local instance; True if we started Ray."""
    if ray.is_initialized():
        return False
    if address is None and not os.environ.get("RAY_ADDRESS"):
        start_local_ray(num_cpus=workers)
    else:
        ray.init(address=address, log_to_driver=False)  # address None: RAY_ADDRESS
    return True


def ingest_on_ray(
    *,
    engine: Engine,
    paths: list[Path],
    options: IngestOptions,
    address: Optional[str] = None,
    console: Optional[Console] = None,
    show_progress: bool = True,
) -> IngestSummary:
    started = time.monotonic()
    found = discover(paths)
    job_id = begin_job(engine=engine, mode="ray", options=options)
    summary = IngestSummary(job_id=job_id, files=len(found.documents), not_documents=found.not_documents)
    started_ray = False
    actors: list[Any] = []
    status = JobStatus.interrupted
    try:
        started_ray = _connect(address, options.workers)
        actor_count = max(1, min(options.workers, len(found.documents)))
        actors = [_new_actor(engine, options) for _ in range(actor_count)]
        tasks = claimed_tasks(
            engine=engine,
            paths=found.documents,
            job_id=job_id,
            force=options.force,
            summary=summary,
            retry_failed=options.retry_failed,
            chunk=max(CLAIM_AT_LEAST, actor_count * PREFETCH),
        )
        with ingest_progress(console or Console(stderr=True), enabled=show_progress) as progress:
            bar = progress.add_task("ingest (ray)", total=len(found.documents), pages=0)
            _drive(
                engine=engine,
                actors=actors,
                tasks=iter(tasks),
                summary=summary,
                options=options,
                on_done=lambda: progress.update(
                    bar, completed=summary.ok + summary.failed + summary.skipped, pages=summary.pages
                ),
            )
        status = JobStatus.done
    finally:
        _stop_actors(actors)
        summary.seconds = time.monotonic() - started
        summary.interrupted = status is JobStatus.interrupted
        end_job(engine=engine, summary=summary, status=status)
        if started_ray:
            ray.shutdown()
    return summary


def _drive(
    *, engine: Engine, actors: list[Any], tasks: Any, summary: IngestSummary, options: IngestOptions, on_done: Any
) -> None:
    """PREFETCH calls queued per actor; at the end every actor writes what it holds. An actor that dies
    fails its document and is replaced; the answers it held unwritten are extracted again elsewhere."""
    in_flight: dict[Any, tuple[Any, Task]] = {}
    held: dict[Any, dict[int, Task]] = {}  # per actor: documents given to it and not reported written yet
    again: list[Task] = []
    idle = [actor for actor in actors for _ in range(PREFETCH)]
    replaced: dict[Any, Any] = {}
    last_beat = time.monotonic()

    def count(written: Written, actor: Any) -> None:
        for answer in written:
            held.get(actor, {}).pop(answer["document_id"], None)
            summary.add(
                Recorded(
                    ok=answer["ok"],
                    pages=answer["pages"],
                    error=answer["error"],
                    findings=Counter(answer["findings"]),
                    worker_pid=answer["worker_pid"],
                )
            )

    while True:
        while idle:
            task = again.pop() if again else next(tasks, None)
            if task is None:
                break
            actor = idle.pop()
            held.setdefault(actor, {})[task.document_id] = task
            in_flight[actor.process.remote(task, Path(task.path).read_bytes(), summary.job_id)] = (actor, task)
        on_done()
        if not in_flight:
            break
        ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=HEARTBEAT_EVERY_S)
        for ref in ready:
            actor, task = in_flight.pop(ref)
            try:
                count(ray.get(ref), actor)
            except ray.exceptions.RayError as error:
                reason = f"{Path(task.path).name}: Ray 任务失败 (ray task failed: {type(error).__name__})"
                outcome = Outcome(document_id=task.document_id, ok=False, error=reason, transient=True)
                summary.add(record_outcome(engine=engine, outcome=outcome, path=Path(task.path), job_id=summary.job_id))
                # Answered by the dead actor but never written (not this call, not one still queued to
                # it — those fail as this one did): still claimed by this run, extracted again elsewhere.
                queued = {other.document_id for other_actor, other in in_flight.values() if other_actor is actor}
                lost = held.pop(actor, {})
                again.extend(other for key, other in lost.items() if key != task.document_id and key not in queued)
                if actor not in replaced:
                    replaced[actor] = _replace(actors, actor, options, engine)
                actor = replaced[actor]
            idle.append(actor)
            on_done()
        if time.monotonic() - last_beat >= HEARTBEAT_EVERY_S:
            with session_scope(engine) as session:
                beat(session=session, job_id=summary.job_id)
            last_beat = time.monotonic()
    for actor, ref in [(actor, actor.flush.remote()) for actor in actors]:
        try:
            count(ray.get(ref), actor)
        except ray.exceptions.RayError:
            pass  # its unwritten answers stay claimed; end_job queues them again for the next run
    on_done()


def _stop_actors(actors: list[Any]) -> None:
    """Let each actor stop its worker process, then end the actors."""
    try:
        ray.get([actor.stop.remote() for actor in actors], timeout=15)
    except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
        pass  # a dead actor's worker exits by itself when its pipe closes
    for actor in actors:
        ray.kill(actor)


def _new_actor(engine: Engine, options: IngestOptions) -> Any:
    # @ray.remote adds `.remote` at run time; mypy sees the plain class.
    return cast(Any, IngestActor).remote(
        engine.url.render_as_string(hide_password=False),
        options.memory_mb,
        options.extract.model_dump_json(),
        options.timeout_s,
        options.batch_size,
    )


def _replace(actors: list[Any], dead: Any, options: IngestOptions, engine: Engine) -> Any:
    fresh = _new_actor(engine, options)
    actors[actors.index(dead)] = fresh
    return fresh
