"""`extractor ingest --ray [ADDRESS]`: the same per-document work as Ray actor tasks, one shared store.

Each actor owns one long-lived worker process (extractor.ingest.worker) — the same memory limit,
time limit and kill-and-restart as local runs, and the pipeline's models loaded once per actor, not
per document. The actor writes the answer to the store itself (so the store must be one every node
reaches: PostgreSQL; SQLite only works for a local instance) and returns a few counters. The driver
claims documents, ships their bytes (remote nodes need not see the driver's files), beats the
heartbeat and sums up. On a cluster the nodes need this package installed.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections import Counter
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Optional

import ray
from rich.console import Console
from sqlalchemy import Engine

from extractor.ingest.discover import discover
from extractor.ingest.progress import ingest_progress
from extractor.ingest.record import Recorded, record_outcome
from extractor.ingest.run import IngestOptions, IngestSummary, begin_job, claimed_tasks, end_job
from extractor.ingest.worker import Outcome, Task, WorkerHandle
from extractor.store import make_engine, session_scope
from extractor.store.jobs import HEARTBEAT_EVERY_S, beat
from models import JobStatus
from schemas import ExtractOptions


@ray.remote(num_cpus=1, max_restarts=0)
class IngestActor:
    """One worker process behind a Ray actor; documents arrive as bytes and leave as rows in the store."""

    def __init__(self, database_url: str, memory_mb: int, options_json: str, timeout_s: float) -> None:
        self.engine = make_engine(database_url)
        self.timeout_s = timeout_s
        self.worker = WorkerHandle(memory_mb=memory_mb, options=ExtractOptions.model_validate_json(options_json))
        self.scratch = Path(tempfile.mkdtemp(prefix="extractor-ray-"))

    def process(self, task: Task, data: bytes, job_id: int) -> dict[str, Any]:
        original = Path(task.path)
        local = self.scratch / str(task.document_id) / original.name  # same file name: DocumentInfo.file
        local.parent.mkdir(parents=True, exist_ok=True)
        local.write_bytes(data)
        try:
            outcome = self._run(task.model_copy(update={"path": str(local)}))
        finally:
            local.unlink(missing_ok=True)
            local.parent.rmdir()
        recorded = record_outcome(engine=self.engine, outcome=outcome, path=original, job_id=job_id)
        return {
            "ok": recorded.ok,
            "pages": recorded.pages,
            "findings": dict(recorded.findings),
            "error": recorded.error,
            "worker_pid": outcome.worker_pid,
        }

    def _run(self, task: Task) -> Outcome:
        self.worker.give(task, self.timeout_s)
        while True:
            wait(self.worker.wait_objects(), timeout=max(0.0, self.worker.deadline - time.monotonic()))  # type: ignore[arg-type]
            outcome = self.worker.collect() or self.worker.expire(time.monotonic())
            if outcome is not None:
                return outcome

    def stop(self) -> None:
        self.worker.stop()
        self.engine.dispose()


def start_local_ray(*, num_cpus: int) -> None:
    """A local Ray instance whose workers import this very checkout of the package, as the driver does."""
    import extractor

    code_root = str(Path(extractor.__file__).resolve().parents[1])
    ray.init(
        num_cpus=num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {"PYTHONPATH": code_root}},
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
    """Two tasks in flight per actor; an actor that dies fails its document and is replaced."""
    in_flight: dict[Any, tuple[Any, Task]] = {}
    idle = [actor for actor in actors for _ in range(2)]
    replaced: dict[Any, Any] = {}
    last_beat = time.monotonic()
    while True:
        while idle:
            task = next(tasks, None)
            if task is None:
                break
            actor = idle.pop()
            in_flight[actor.process.remote(task, Path(task.path).read_bytes(), summary.job_id)] = (actor, task)
        on_done()
        if not in_flight:
            return
        ready, _ = ray.wait(list(in_flight), num_returns=1, timeout=HEARTBEAT_EVERY_S)
        for ref in ready:
            actor, task = in_flight.pop(ref)
            try:
                answer = ray.get(ref)
                summary.add(
                    Recorded(
                        ok=answer["ok"],
                        pages=answer["pages"],
                        error=answer["error"],
                        findings=Counter(answer["findings"]),
                        worker_pid=answer["worker_pid"],
                    )
                )
            except ray.exceptions.RayError as error:
                reason = f"{Path(task.path).name}: Ray 任务失败 (ray task failed: {type(error).__name__})"
                outcome = Outcome(document_id=task.document_id, ok=False, error=reason, transient=True)
                summary.add(record_outcome(engine=engine, outcome=outcome, path=Path(task.path), job_id=summary.job_id))
                if actor not in replaced:
                    replaced[actor] = _replace(actors, actor, options, engine)
                actor = replaced[actor]
            idle.append(actor)
            on_done()
        if time.monotonic() - last_beat >= HEARTBEAT_EVERY_S:
            with session_scope(engine) as session:
                beat(session=session, job_id=summary.job_id)
            last_beat = time.monotonic()


def _stop_actors(actors: list[Any]) -> None:
    """Let each actor stop its worker process, then end the actors."""
    try:
        ray.get([actor.stop.remote() for actor in actors], timeout=15)
    except (ray.exceptions.RayError, ray.exceptions.GetTimeoutError):
        pass  # a dead actor's worker exits by itself when its pipe closes
    for actor in actors:
        ray.kill(actor)


def _new_actor(engine: Engine, options: IngestOptions) -> Any:
    return IngestActor.remote(
        engine.url.render_as_string(hide_password=False),
        options.memory_mb,  # type: ignore[attr-defined]
        options.extract.model_dump_json(),
        options.timeout_s,
    )


def _replace(actors: list[Any], dead: Any, options: IngestOptions, engine: Engine) -> Any:
    fresh = _new_actor(engine, options)
    actors[actors.index(dead)] = fresh
    return fresh
