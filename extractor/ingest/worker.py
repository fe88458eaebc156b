"""A worker process that extracts documents one at a time, under a memory and a time limit.

The worker imports the pipeline (and, lazily, any OCR model) once and then serves many documents,
so models are loaded once per worker, not per document. The parent's WorkerHandle gives it one
task at a time, kills it when the task runs past its time limit, and starts a fresh worker after a
kill, a crash or a memory error: one bad or hanging file never stops the batch.

Protocol over a socketpair: the parent sends the WorkerConfig, then Tasks; the worker answers each
with an Outcome (the result as SPEC JSON text).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict

from extractor.errors import InputError
from extractor.sandbox import FailureKind, classify, crash_reason, limit_memory, timeout_reason
from schemas import ExtractOptions

# A worker is `python -m extractor.ingest.worker_process FD`, not a multiprocessing child: spawn would re-run
# the caller's __main__ in every worker (a script without a main guard ingests recursively), fork
# would copy the parent's database connections and threads. It talks over one end of a socketpair,
# wrapped in multiprocessing's Connection for message framing.


class Task(BaseModel):
    document_id: int
    path: str
    sha256: str


class Started(BaseModel):
    """Sent by the worker when it takes a task: the document's time limit counts from here, not from
    when the parent handed it over (a worker still importing, or a busy Ray node, is not the file's fault)."""

    document_id: int


STARTUP_GRACE_S = 300.0
"""How long a worker may take to start (imports, warm-up) before its first task counts as hanging."""


class Outcome(BaseModel):
    # `prepared` is a plain dataclass checked by type only: its rows are not validated twice.
    model_config = ConfigDict(arbitrary_types_allowed=True)

    document_id: int
    ok: bool
    prepared: Optional[Any] = None
    """When ok: the result as the store's rows (extractor.store.batch.PreparedResult), built in the
    worker so that the parent, which writes every document, only inserts."""
    result_json: Optional[str] = None
    """The ExtractionResult as JSON, when ok and not prepared (answers built by other code)."""
    error: Optional[str] = None
    """One line naming the file and the reason, when not ok."""
    seconds: float = 0.0
    out_of_memory: bool = False
    worker_pid: Optional[int] = None
    """The process that extracted it (None when the parent decided: timeout, crash)."""
    transient: bool = False
    """Another attempt may succeed (timeout, worker death); a file that cannot be read, or needs more
    memory than the limit, fails the same way every time and is not retried unless asked."""


def run_task(task: Task, options: ExtractOptions, memory_mb: int, prepare: bool = True) -> Outcome:
    """Extract one document and turn every way it can go wrong into a one-line reason
    (the same reasons as extractor.sandbox gives the CLI). `prepare`: answer with the store's rows
    (extractor.store.batch.prepare_result) rather than the result's JSON."""
    from extractor.pipeline import extract
    from extractor.store.batch import prepare_result

    name = Path(task.path).name
    started = time.perf_counter()
    try:
        result = extract(Path(task.path), options)
        if result.document.sha256 != task.sha256:
            raise InputError(task.path, "读取期间文件被修改 (file changed while being ingested)")
        return Outcome(
            document_id=task.document_id,
            ok=True,
            prepared=prepare_result(result, document_id=task.document_id) if prepare else None,
            result_json=None if prepare else result.model_dump_json(),
            seconds=time.perf_counter() - started,
            worker_pid=os.getpid(),
        )
    except Exception as error:  # noqa: BLE001 - any failure of one document is that document's reason
        kind, reason = classify(error, memory_mb)  # MemoryError included: it is an Exception
    return Outcome(
        document_id=task.document_id,
        ok=False,
        out_of_memory=kind is FailureKind.memory,
        error=f"{name}: {reason}",
        seconds=time.perf_counter() - started,
        worker_pid=os.getpid(),
    )


WARM_UP_MODULES = (
    "extractor.pipeline",
    "extractor.backends.pdf",
    "extractor.backends.docx",
    "extractor.backends.xlsx",
    "extractor.backends.xls",
    "extractor.rules",
)
"""Imported when a worker starts, not inside its first document's time limit (OCR models stay lazy:
they load on the first scanned page, once per worker)."""


PREPARE_MODULES = ("extractor.store.batch", "extractor.review.summary")
"""Also imported by a worker that builds the store's rows (WorkerConfig.prepare); the others never load
them, so their address space (and what the memory limit leaves for documents) stays as it was."""


def _warm_up(prepare: bool = False) -> None:
    for name in (*WARM_UP_MODULES, *(PREPARE_MODULES if prepare else ())):
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # a module that moved only costs the first document its import time


class WorkerConfig(BaseModel):
    memory_mb: int
    options: ExtractOptions
    prepare: bool = True
    """Turn results into the store's rows here. Worth it when the workers fill every core and the
    parent, which writes every document, would compete with them; a parent with a core of its own
    does it there, and the workers' documents are extracted that much sooner."""


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this worker when its parent dies (PR_SET_PDEATHSIG).

    Without it a worker whose parent was SIGKILLed would finish its document first — and a hanging
    document never finishes, so it would burn a core forever. A check of the parent's pid afterwards
    covers a parent that died before the request. Other systems: the worker ends at its next message.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if parent_pid and os.getppid() != parent_pid:
        os._exit(1)


def worker_main(connection: Connection, parent_pid: int = 0) -> None:
    """A worker process: read its config, limit its memory, then serve tasks until the parent hangs up."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    config = WorkerConfig.model_validate_json(connection.recv_bytes())
    memory_mb, options, prepare = config.memory_mb, config.options, config.prepare
    limit_memory(memory_mb)
    _warm_up(prepare)

    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if task is None:
            # Nothing of the worker's needs tearing down (it holds no store connection, writes no file), and an
            # interpreter's orderly exit over a heap of caches and models took seconds the run then waited for.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        try:
            connection.send(Started(document_id=task.document_id))
            outcome = run_task(task, options, memory_mb, prepare)
            connection.send(outcome)
        except (BrokenPipeError, OSError):
            return
        if outcome.out_of_memory:
            return  # after a MemoryError the heap may be in any state: let the parent start a fresh worker


class WorkerHandle:
    """The parent's side of one worker process: start, give tasks, collect, kill on timeout.

    A worker may hold more than one task: the first is being extracted, the others wait in its
    socket, so the worker starts the next document the moment it answers the previous one — it
    never waits for the parent to write a result. The time limit applies to the task in hand; when
    the worker dies or is killed, that task fails and the waiting ones go to its fresh replacement.

    Start and restart it from one long-lived thread: on Linux the worker is killed when the *thread*
    that started it ends (PR_SET_PDEATHSIG), which is what makes it die with a SIGKILLed parent."""

    def __init__(self, *, memory_mb: int, options: ExtractOptions, prepare: bool = True) -> None:
        self.memory_mb = memory_mb
        self.config = WorkerConfig(memory_mb=memory_mb, options=options, prepare=prepare).model_dump_json().encode()
        self.tasks: deque[Task] = deque()
        self.deadline = 0.0
        self.started = 0.0
        self.timeout_s = 0.0
        self._start()

    def _start(self) -> None:
        self._hung_up = False
        ours, theirs = socket.socketpair()
        import extractor

        # The worker imports the same checkout of the package as this process.
        code_root = str(Path(extractor.__file__).resolve().parents[1])
        pythonpath = os.pathsep.join(filter(None, [code_root, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "extractor.ingest.worker_process", str(theirs.fileno()), str(os.getpid())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONPATH": pythonpath},
        )
        theirs.close()
        self.connection = Connection(ours.detach())
        self.connection.send_bytes(self.config)

    def _alive(self) -> bool:
        return self.process.poll() is None

    @property
    def task(self) -> Optional[Task]:
        """The task in hand (being extracted, or next to start)."""
        return self.tasks[0] if self.tasks else None

    @property
    def busy(self) -> bool:
        return bool(self.tasks)

    @property
    def held(self) -> int:
        """Tasks given and not answered yet: the one in hand and those waiting behind it."""
        return len(self.tasks)

    def _arm(self) -> None:
        """The deadline of the task now in hand. Until the worker says it started the document, it may
        still be starting itself (or finishing the previous one), hence the grace."""
        self.started = time.monotonic()
        self.deadline = self.started + self.timeout_s + STARTUP_GRACE_S

    def give(self, task: Task, timeout_s: float) -> None:
        if not self._alive():
            self.restart()
        self.timeout_s = timeout_s
        self.tasks.append(task)
        if len(self.tasks) == 1:
            self._arm()
        try:
            self.connection.send(task)
        except OSError:  # it died between two documents (poll() had not noticed yet): a fresh one takes them
            self.restart()

    def collect(self) -> Optional[Outcome]:
        """The next outcome if the worker answered; a failure if it died; None if nothing is ready.
        Call again until None: a worker holding several tasks may have answered more than one."""
        if not self.tasks:
            return None
        while self.connection.poll():
            try:
                message: Started | Outcome = self.connection.recv()
            except (EOFError, OSError):
                return self._died()
            if isinstance(message, Started):
                self.started = time.monotonic()
                self.deadline = self.started + self.timeout_s
                continue
            self.tasks.popleft()
            if self.tasks:
                self._arm()
            if message.out_of_memory:
                # The worker exits after answering out-of-memory (its heap may be in any state):
                # replace it now, so the next document never meets a dying process.
                self.restart()
            return message
        if not self._alive():
            return self._died()
        return None

    def _died(self) -> Outcome:
        """The task in hand failed with the worker; the waiting ones go to a fresh worker."""
        task = self.tasks.popleft()
        try:
            code: Optional[int] = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
        reason = f"{Path(task.path).name}: {crash_reason(how, self.memory_mb)}"
        seconds = time.monotonic() - self.started
        self.restart()
        return Outcome(document_id=task.document_id, ok=False, error=reason, seconds=seconds, transient=True)

    def expire(self, now: float) -> Optional[Outcome]:
        """If the task in hand ran past its limit: kill the worker, start another, and report the timeout."""
        if not self.tasks or now < self.deadline:
            return None
        task = self.tasks.popleft()
        limit = self.deadline - self.started
        self.restart()
        return Outcome(
            document_id=task.document_id,
            ok=False,
            seconds=limit,
            error=f"{Path(task.path).name}: {timeout_reason(limit)}",
            transient=True,
        )

    def restart(self) -> None:
        """A fresh worker process, given again every task still held (none of them was started by it)."""
        self.kill()
        self._start()
        if self.tasks:
            self._arm()
        for task in self.tasks:
            self.connection.send(task)

    def kill(self) -> None:
        if self._alive():
            self.process.kill()
        self.process.wait()
        self.connection.close()

    def hang_up(self) -> None:
        """Ask an idle worker to finish, without waiting: stopping many workers, hang up on all of them
        first, then stop() each, so that they end together rather than one after the other."""
        if self._hung_up or self.tasks or not self._alive():
            return
        try:
            self.connection.send(None)
            self._hung_up = True
        except OSError:
            pass

    def stop(self) -> None:
        """Ask an idle worker to finish, kill it if it does not."""
        self.hang_up()
        try:
            if self._hung_up:
                self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def wait_objects(self) -> list[Connection]:
        """Readable when the worker answers, and also when it dies (its end of the socket closes)."""
        return [self.connection]
