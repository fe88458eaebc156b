"""Accepting an uploaded file: size limit, type from the bytes, one document per sha256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine

from extractor.errors import InputError
from extractor.ingest.worker import Task
from extractor.sniff import sniff_kind
from extractor.store import get_document, register_file, session_scope
from models import Document, DocumentStatus

CHUNK = 1 << 20
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
_EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "xls": ".xls", "image": ".img"}


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"文件超过上传上限 {limit / 1024 / 1024:g} MB (upload larger than {limit} bytes)")


class NotADocument(Exception):
    """The bytes are no PDF, DOCX, XLSX, XLS or image (the message is sniff's one line)."""


@dataclass
class Accepted:
    document: Document
    created: bool
    """False when a file with these bytes was stored before: that document is returned."""
    task: Task | None
    """What to extract, when the document is new (or waits in the queue)."""


def safe_name(name: str | None, kind: str) -> str:
    """The file name as given, without directories or characters a file system refuses."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = _UNSAFE.sub("_", base).strip(" .")[:200]
    return base or f"upload{_EXTENSIONS.get(kind, '')}"


def _receive(stream: BinaryIO, destination: BinaryIO, limit: int) -> str:
    """Copy at most `limit` bytes, hashing them; TooLarge past the limit."""
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(limit)
        digest.update(chunk)
        destination.write(chunk)
    return digest.hexdigest()


def accept_upload(*, engine: Engine, uploads_dir: Path, stream: BinaryIO, filename: str | None, limit: int) -> Accepted:
    """Store new bytes under uploads/<sha256>/<name> and register them as a queued document;
    bytes stored before return their existing document (nothing is written twice)."""
    staging = uploads_dir / ".incoming"
    staging.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=staging)
    temp_path = Path(temporary)
    try:
        with os.fdopen(handle, "wb") as destination:
            sha256 = _receive(stream, destination, limit)
        try:
            kind = sniff_kind(temp_path)
        except InputError as error:
            raise NotADocument(f"{safe_name(filename, '')}: {error.reason}") from error
        with session_scope(engine) as session:
            existing = get_document(session=session, sha256=sha256)
        if existing is not None:
            return Accepted(document=existing, created=False, task=_task(existing))
        folder = uploads_dir / sha256
        folder.mkdir(parents=True, exist_ok=True)
        earlier = sorted(folder.iterdir())  # a concurrent upload of the same bytes got here first
        final = earlier[0] if earlier else folder / safe_name(filename, kind)
        if not earlier:
            os.replace(temp_path, final)
    finally:
        temp_path.unlink(missing_ok=True)
    with session_scope(engine) as session:
        existing = get_document(session=session, sha256=sha256)
        document = existing or register_file(session=session, sha256=sha256, path=final)
    return Accepted(document=document, created=existing is None, task=_task(document))


def _task(document: Document) -> Task | None:
    """Work for the processor when the document waits in the queue, or failed in a way another
    attempt may not repeat (a re-upload after a timeout or a worker death); its claim decides who runs it."""
    waiting = document.status == DocumentStatus.queued.value
    retryable = document.status == DocumentStatus.failed.value and document.retry
    if not (waiting or retryable) or not document.path or document.id is None:
        return None
    return Task(document_id=document.id, path=document.path, sha256=document.sha256)
