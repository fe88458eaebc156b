"""Run one piece of work on one document in a child process with time, memory and output limits.

Every entry point that reads an untrusted file goes through a bounded child: `extractor extract`
and `extract_limited()` fork one here (after the imports, so start-up is paid once), ingest and
uploads use the long-lived workers of extractor.ingest.worker (same limits, same reasons), and the
review service renders page images through `run_limited` too. The parent survives whatever the
file does to the child: an address-space limit (RLIMIT_AS) turns runaway allocation into a
MemoryError or a crash of the child, a deadline kills it, and an answer larger than the output
limit is refused. Each way of failing ends as a `SandboxFailure` with a one-line reason.
"""

from __future__ import annotations

import os
import pickle
import re
import resource
import select
import signal
import struct
import time
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, Field

from extractor.errors import InputError
from schemas import ExtractionResult, ExtractOptions

T = TypeVar("T")

ALLOCATION_FAILED = re.compile(
    r"malloc|out of memory|cannot allocate|bad_alloc|insufficient memory|MemoryError", re.IGNORECASE
)
"""MuPDF, OpenCV and ONNX Runtime report an allocation that failed as an error of their own."""

_HEADER = struct.Struct("!Q")


class Limits(BaseModel):
    """Bounds of one document's work; the defaults suit a 2-core, 8 GB machine."""

    timeout_s: float = Field(default=600.0, gt=0)
    """Wall-clock seconds for the whole document."""
    memory_mb: int = Field(default=4096, ge=256)
    """Address space of the child (RLIMIT_AS), MB; models and libraries count too."""
    output_mb: int = Field(default=256, ge=1)
    """Largest answer (the pickled result) the parent accepts, MB."""


class FailureKind(str, Enum):
    timeout = "timeout"
    memory = "memory"
    crashed = "crashed"
    output = "output"
    input = "input"
    """The file itself cannot be read (InputError): deterministic, not worth a retry."""
    error = "error"
    """Any other exception in the child: deterministic as far as we can tell."""

    @property
    def transient(self) -> bool:
        """Failures that another attempt (another moment, another worker) may not repeat."""
        return self in (FailureKind.timeout, FailureKind.crashed)


class SandboxFailure(Exception):
    """The child did not answer with a result; `str()` is one line naming the file and the reason."""

    def __init__(self, name: str, kind: FailureKind, reason: str) -> None:
        self.name = name
        self.kind = kind
        self.reason = reason
        super().__init__(f"{name}: {reason}")


def memory_reason(memory_mb: int, detail: str = "") -> str:
    suffix = f": {detail}" if detail else ""
    return f"内存超限 (memory limit {memory_mb} MB exceeded{suffix})"


def timeout_reason(seconds: float) -> str:
    return f"超时 (timed out after {seconds:g} s)"


def crash_reason(how: str, memory_mb: int) -> str:
    return f"处理进程异常退出 (worker died: {how}; a crash under the {memory_mb} MB memory limit is the usual cause)"


def limit_memory(memory_mb: int) -> None:
    """RLIMIT_AS: allocations past the limit fail instead of exhausting the machine; no core files."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def mapped_mb() -> int:
    """The address space this process has mapped now, in MB (0 where /proc is not there)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * resource.getpagesize() // (1024 * 1024)


def classify(error: BaseException, memory_mb: int) -> tuple[FailureKind, str]:
    """The kind and one-line reason of an exception raised while reading a document."""
    if isinstance(error, InputError):
        return FailureKind.input, error.reason
    if isinstance(error, MemoryError) or ALLOCATION_FAILED.search(str(error)):
        return FailureKind.memory, memory_reason(memory_mb, type(error).__name__)
    if isinstance(error, RecursionError):
        return FailureKind.error, f"嵌套过深 (recursion limit: {error})"
    return FailureKind.error, f"处理失败 ({type(error).__name__}: {error})"


def _child(function: Callable[[], object], limits: Limits, write_fd: int) -> None:
    """In the forked child: limit, run, send (ok, payload) and leave without running the parent's cleanup."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        # A forked child starts with its parent's mappings (a library caller may have loaded torch, GBs of
        # address space): the limit bounds what the document adds on top of them.
        limit_memory(limits.memory_mb + mapped_mb())
        try:
            answer: tuple[str, object] = ("ok", function())

        except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent as a reason
            answer = ("failed", classify(error, limits.memory_mb))
        try:
            payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("failed", (FailureKind.memory, memory_reason(limits.memory_mb, "answer"))))
        if len(payload) > limits.output_mb * 1024 * 1024:
            reason = f"结果过大 (answer of {len(payload) / 1e6:.0f} MB exceeds the {limits.output_mb} MB output limit)"
            payload = pickle.dumps(("failed", (FailureKind.output, reason)))
        with os.fdopen(write_fd, "wb") as pipe:
            pipe.write(_HEADER.pack(len(payload)))
            pipe.write(payload)
    except BaseException:  # noqa: BLE001 - the parent reports a child that could not answer as a crash
        code = 70
    finally:
        os._exit(code)


def run_limited(function: Callable[[], T], limits: Limits, *, name: str) -> T:
    """`function()` in a forked child under `limits`; its return value, or SandboxFailure.

    Forked (not spawned) so everything already imported is shared; call it from a process without
    running threads of its own (the CLI), or keep the function to code that does not need them.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns here
        os.close(read_fd)
        _child(function, limits, write_fd)
    os.close(write_fd)
    try:
        data, timed_out, too_large = _read_answer(read_fd, limits, time.monotonic() + limits.timeout_s)
    finally:
        os.close(read_fd)
    if timed_out or too_large:
        _kill(pid)
    _, status = os.waitpid(pid, 0)
    if timed_out:
        raise SandboxFailure(name, FailureKind.timeout, timeout_reason(limits.timeout_s))
    if too_large:
        reason = f"结果过大 (answer exceeds the {limits.output_mb} MB output limit)"
        raise SandboxFailure(name, FailureKind.output, reason)
    if len(data) < _HEADER.size or len(data) != _HEADER.size + _HEADER.unpack_from(data)[0]:
        how = f"signal {signal.Signals(os.WTERMSIG(status)).name}" if os.WIFSIGNALED(status) else "no answer"
        if os.WIFEXITED(status):
            how = f"exit code {os.WEXITSTATUS(status)}"
        raise SandboxFailure(name, FailureKind.crashed, crash_reason(how, limits.memory_mb))
    outcome, payload = pickle.loads(data[_HEADER.size :])  # noqa: S301 - our own child's answer
    if outcome == "ok":
        return payload  # the child ran function(): a T
    kind, reason = payload
    raise SandboxFailure(name, FailureKind(kind), reason)


def _read_answer(read_fd: int, limits: Limits, deadline: float) -> tuple[bytes, bool, bool]:
    """Everything the child writes until it closes the pipe; (data, timed out, too large)."""
    ceiling = limits.output_mb * 1024 * 1024 + _HEADER.size
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", True, False
        readable, _, _ = select.select([read_fd], [], [], remaining)
        if not readable:
            continue
        chunk = os.read(read_fd, 1 << 20)
        if not chunk:
            return b"".join(chunks), False, False
        size += len(chunk)
        if size > ceiling:
            return b"", False, True
        chunks.append(chunk)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def extract_limited(
    path: Path | str, options: ExtractOptions | None = None, limits: Limits | None = None
) -> ExtractionResult:
    """`extractor.pipeline.extract` in a bounded child: the result, InputError for an unreadable file,
    or SandboxFailure (timeout, memory, crash, output) with its one-line reason."""
    from extractor.pipeline import extract

    path = Path(path)
    try:
        return run_limited(lambda: extract(path, options), limits or Limits(), name=path.name)
    except SandboxFailure as failure:
        if failure.kind is FailureKind.input:
            raise InputError(path, failure.reason) from None
        raise
