"""Stored documents, ingest runs (jobs) and the append-only corrections audit.

A document is identified by the sha256 of its bytes; the same file ingested twice is one row.
Its `status` tells what an ingest run did with it:

    queued ─► running ─► done
                    └──► failed (error: one-line reason)

A row left `running` by a run that died is put back to `queued` by the next run
(see extractor.store.jobs.recover_dead_jobs), so no document is lost or stored twice.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any, Optional, overload

from sqlalchemy import DateTime, Text, true
from sqlmodel import Field, SQLModel

from models.types import JSONValue as JSON


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
@overload
def as_utc(moment: Optional[datetime]) -> Optional[datetime]: ...
def as_utc(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands timestamps back without a zone; every timestamp we write is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


class DocumentStatus(str, Enum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class JobStatus(str, Enum):
    running = "running"
    done = "done"
    interrupted = "interrupted"
    """The run stopped before the end: Ctrl-C, or its process died and a later run noticed."""


def _timestamp(**kwargs: Any) -> Any:
    return Field(sa_type=DateTime(timezone=True), **kwargs)


class Job(SQLModel, table=True):
    """One `extractor ingest` run: when, where, and what it did."""

    __tablename__ = "jobs"

    id: Optional[int] = Field(default=None, primary_key=True)
    status: str = Field(default=JobStatus.running.value, index=True)
    mode: str = "local"
    """`local` (worker processes) or `ray`."""
    host: str = ""
    pid: int = 0
    workers: int = 1
    started_at: datetime = _timestamp(default_factory=utc_now)
    heartbeat_at: datetime = _timestamp(default_factory=utc_now)
    """Refreshed every few seconds while the run lives; a stale heartbeat means the run is dead."""
    finished_at: Optional[datetime] = _timestamp(default=None, nullable=True)
    files: int = 0
    """Candidate documents found in the given paths."""
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    not_documents: int = 0
    pages: int = 0
    findings: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
    """Findings of the documents this run stored, by rule id."""
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class Document(SQLModel, table=True):
    """One input file (by content) and the SPEC `document` fields read from it."""

    __tablename__ = "documents"

    id: Optional[int] = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True, index=True)
    file: str
    """File name as given, no directories (SPEC document.file)."""
    path: Optional[str] = None
    """Where the file was last ingested from."""
    kind: Optional[str] = None
    pages: Optional[int] = None
    department: Optional[str] = Field(default=None, index=True)
    year: Optional[int] = Field(default=None, index=True)
    self_score: Optional[float] = None
    review_score: Optional[float] = None
    schema_version: Optional[str] = None
    status: str = Field(default=DocumentStatus.queued.value, index=True)
    error: Optional[str] = Field(default=None, sa_type=Text)
    """One-line reason when status is failed."""
    attempts: int = 0
    failures: Optional[list[dict[str, Any]]] = Field(default=None, sa_type=JSON)
    """Every failed attempt, oldest first: {at, job_id, reason, transient} (what `extractor list` shows)."""
    retry: bool = Field(default=True, sa_column_kwargs={"server_default": true()})
    """May an ordinary run try it again: False after a deterministic failure, or after the last
    allowed attempt of a transient one (dead-lettered); `ingest --retry-failed` tries it anyway."""
    job_id: Optional[int] = Field(default=None, foreign_key="jobs.id", index=True)
    """The run that last claimed this document."""
    created_at: datetime = _timestamp(default_factory=utc_now)
    updated_at: datetime = _timestamp(default_factory=utc_now)
    started_at: Optional[datetime] = _timestamp(default=None, nullable=True)
    finished_at: Optional[datetime] = _timestamp(default=None, nullable=True)
    extra: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)
    """DocumentInfo fields added to the schema after this table was migrated (kept, not lost)."""
    result_extra: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)
    """ExtractionResult top-level fields that have no table of their own."""


class Correction(SQLModel, table=True):
    """A reviewer's change to one field, never updated or deleted (database triggers refuse it).

    Kept when a document is re-extracted with `ingest --force`: corrections belong to the
    document (its sha256), not to one extraction of it.
    """

    __tablename__ = "corrections"

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    who: str
    at: datetime = _timestamp(default_factory=utc_now)
    ref: str
    """`<record id>.<field>` as in Finding.refs, e.g. `i7.actual`."""
    before: Any = Field(default=None, sa_type=JSON, nullable=True)
    after: Any = Field(default=None, sa_type=JSON, nullable=True)
    reason: Optional[str] = Field(default=None, sa_type=Text)
    anchor: Any = Field(default=None, sa_type=JSON, nullable=True)
    """Where the corrected field is printed, so that it lands on the same cell after a re-extraction
    renumbers records: `{"field": "actual", "table": "t1", "cells": [{"row": 5, "col": 2, "text": "90%"}]}`
    (the cells it was read from and their printed text when corrected; no `field` for a cell ref).
    None for a document field and for corrections stored before migration 0004_anchors."""
