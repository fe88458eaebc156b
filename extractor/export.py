"""Stored records as CSV, XLSX, Parquet and JSON Lines, with the JSON Schema beside them.

One file per record kind and format (`indicators.csv`, `findings.parquet` …). Columns are the SPEC
field names, nested objects flattened with dots (`target.raw`, `source.page`), `confidence` opened
into one column per field (`confidence.name`), preceded by the document's `document.*` fields.
Lists (`source.bbox`, `refs`) are JSON text; a finding's `expected`/`found` (number or text) are text.

Every row carries the review state, so a scoring tool can tell checked data from raw: the document's
`document.reviewed` / `document.reviewed_by` / `document.reviewed_at`, and for the record itself
`review.corrected` (a reviewer changed one of its fields), `review.corrected_fields` and
`review.corrected_by` (JSON lists, from the corrections audit).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Optional, Union, get_args, get_origin

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine, or_
from sqlmodel import Session, col, select

from extractor.store import session_scope
from models import RECORD_TABLES, Correction, Document, DocumentReview, FindingRow, as_utc
from models.convert import flat_paths, flatten, row_to_record
from schemas import DocumentInfo, ExtractionResult

RecordKind = Literal["indicators", "budget_lines", "scores", "findings"]
ExportFormat = Literal["csv", "xlsx", "parquet", "jsonl"]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
SCHEMA_FILE = "extraction_result.schema.json"
DOCUMENT_COLUMNS = ("sha256", "file", "kind", "department", "year")
XLSX_MAX_ROWS = 1_048_575
REVIEW_COLUMNS = {
    "document.reviewed": "boolean",
    "document.reviewed_by": "string",
    "document.reviewed_at": "string",
    "review.corrected": "boolean",
    "review.corrected_fields": "string",
    "review.corrected_by": "string",
}
DEDUCTIONS_COLUMN = "deductions"
"""JSON list of the scoring deductions ({ref, points, reason}) made on a record, for scored kinds."""


class ExportFilter(BaseModel):
    department: Optional[str] = None
    year: Optional[int] = None
    status: Optional[str] = None
    """Document status; records exist for `done` documents (and none for failed ones)."""
    rule: Optional[str] = None
    """Findings of this rule; other kinds: the records those findings refer to."""
    min_confidence: Optional[float] = None
    """Records whose every field confidence is at least this (a record with none passes)."""
    reviewed_only: bool = False
    """Only documents a reviewer marked reviewed."""
    since: Optional[datetime] = None
    """Only documents changed (re-read, corrected) or marked reviewed at or after this moment."""


def _documents_query(filters: ExportFilter) -> Any:
    query = select(Document.id)
    if filters.reviewed_only or filters.since is not None:
        query = query.outerjoin(DocumentReview, col(DocumentReview.document_id) == col(Document.id))
    if filters.reviewed_only:
        query = query.where(col(DocumentReview.reviewed_at).is_not(None))
    if filters.since is not None:
        since = filters.since if filters.since.tzinfo else filters.since.replace(tzinfo=timezone.utc)
        changed = [col(Document.updated_at) >= since, col(DocumentReview.reviewed_at) >= since]
        latest = select(Correction.document_id).where(col(Correction.at) >= since)
        query = query.where(or_(*changed, col(Document.id).in_(latest)))
    if filters.department is not None:
        query = query.where(Document.department == filters.department)
    if filters.year is not None:
        query = query.where(Document.year == filters.year)
    if filters.status is not None:
        query = query.where(Document.status == filters.status)
    return query


def _flagged_refs(session: Session, filters: ExportFilter) -> Optional[set[tuple[int, str]]]:
    """(document id, record id) pairs that a finding of `filters.rule` points at."""
    if filters.rule is None:
        return None
    query = select(FindingRow.document_id, FindingRow.refs).where(
        FindingRow.rule == filters.rule, col(FindingRow.document_id).in_(_documents_query(filters))
    )
    return {(document_id, ref.split(".", 1)[0]) for document_id, refs in session.exec(query) for ref in refs or []}


def _cell(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    return value


class ReviewState(BaseModel):
    """What the exported rows say about review: the document's mark and who corrected which field."""

    reviewed: dict[int, tuple[str, str]] = {}
    """document id → (reviewed_by, reviewed_at ISO)."""
    corrected: dict[tuple[int, str], dict[str, list[str]]] = {}
    """(document id, record id) → field → who corrected it (in order, without repeats)."""


def review_state(session: Session, filters: ExportFilter) -> ReviewState:
    documents = _documents_query(filters)
    reviewed = {}
    marks = select(DocumentReview).where(
        col(DocumentReview.document_id).in_(documents), col(DocumentReview.reviewed_at).is_not(None)
    )
    for mark in session.exec(marks):
        moment = as_utc(mark.reviewed_at)
        reviewed[mark.document_id] = (mark.reviewed_by or "", moment.isoformat() if moment else "")
    corrected: dict[tuple[int, str], dict[str, list[str]]] = {}
    audit = select(Correction).where(col(Correction.document_id).in_(documents)).order_by(col(Correction.id))
    for correction in session.exec(audit):
        record_id, _, field = correction.ref.partition(".")
        names = corrected.setdefault((correction.document_id, record_id), {}).setdefault(field, [])
        if correction.who not in names:
            names.append(correction.who)
    return ReviewState(reviewed=reviewed, corrected=corrected)


def _review_columns(record: BaseModel, document: Document, state: ReviewState) -> dict[str, Any]:
    mark = state.reviewed.get(document.id or 0)
    fields = state.corrected.get((document.id or 0, str(getattr(record, "id", ""))), {})
    who = list(dict.fromkeys(name for names in fields.values() for name in names))
    return {
        "document.reviewed": mark is not None,
        "document.reviewed_by": mark[0] if mark else None,
        "document.reviewed_at": mark[1] if mark else None,
        "review.corrected": bool(fields),
        "review.corrected_fields": json.dumps(sorted(fields), ensure_ascii=False),
        "review.corrected_by": json.dumps(who, ensure_ascii=False),
    }


def _deductions_by_record(session: Session, document_id: Optional[int]) -> dict[str, list[dict[str, Any]]]:
    """Record id → the deductions a scoring profile made on it (kept on the document's sections)."""
    section_class, section_row = RECORD_TABLES["sections"]
    # type: ignore: RECORD_TABLES types its rows as plain SQLModel, which declares no document_id
    query = select(section_row).where(section_row.document_id == document_id)  # type: ignore[attr-defined]
    found: dict[str, list[dict[str, Any]]] = {}
    for stored in session.exec(query):
        section = row_to_record(stored, section_class)
        for deduction in getattr(section, "deductions", []):
            found.setdefault(deduction.ref.split(".", 1)[0], []).append(deduction.model_dump(mode="json"))
    return found


def _flat_row(
    record: BaseModel,
    document: Document,
    deductions: Optional[list[dict[str, Any]]] = None,
    state: Optional[ReviewState] = None,
) -> dict[str, Any]:
    row: dict[str, Any] = {f"document.{name}": getattr(document, name) for name in DOCUMENT_COLUMNS}
    row.update(_review_columns(record, document, state or ReviewState()))
    for path, value in flatten(record).items():
        if path == "confidence":
            for field_name, confidence in sorted(value.items()):
                row[f"confidence.{field_name}"] = confidence
        elif path in ("expected", "found"):
            row[path] = None if value is None else str(value)
        else:
            row[path] = _cell(value)
    if "expected_score" in row:  # a scored kind: its scoring deductions beside the proposal
        row[DEDUCTIONS_COLUMN] = json.dumps(deductions, ensure_ascii=False) if deductions else None
    return row


def iter_rows(*, session: Session, kind: RecordKind, filters: ExportFilter) -> Iterator[dict[str, Any]]:
    """Flat rows of one record kind, in document then list order, streamed from the database."""
    record_class, row_class = RECORD_TABLES[kind]
    flagged = _flagged_refs(session, filters)
    state = review_state(session, filters)
    query = (
        select(row_class, Document)
        .join(Document, col(Document.id) == row_class.document_id)  # type: ignore[attr-defined]
        .where(col(Document.id).in_(_documents_query(filters)))
        .order_by(col(Document.id), row_class.ordinal)  # type: ignore[attr-defined]
        .execution_options(yield_per=500)
    )
    if kind == "findings" and filters.rule is not None:
        query = query.where(FindingRow.rule == filters.rule)
    deductions: dict[Optional[int], dict[str, list[dict[str, Any]]]] = {}
    for stored, document in session.exec(query):
        record = row_to_record(stored, record_class)
        if document.id not in deductions:
            deductions = {document.id: _deductions_by_record(session, document.id)}  # rows come document by document
        if flagged is not None and kind != "findings" and (document.id, getattr(record, "id", None)) not in flagged:
            continue
        confidence: dict[str, float] = getattr(record, "confidence", {}) or {}
        if filters.min_confidence is not None and any(v < filters.min_confidence for v in confidence.values()):
            continue
        yield _flat_row(record, document, deductions[document.id].get(getattr(record, "id", "")), state)


def _dtype(annotation: Any) -> str:
    """pandas nullable dtype for a schema annotation, so blanks stay blank in every format."""
    if get_origin(annotation) is Union:
        members = [member for member in get_args(annotation) if member is not type(None)]
        annotation = members[0] if len(members) == 1 else str
    return {int: "Int64", float: "Float64", bool: "boolean"}.get(annotation, "string")


def _column_types(kind: RecordKind) -> dict[str, str]:
    record_class, _ = RECORD_TABLES[kind]
    types = {f"document.{name}": _dtype(DocumentInfo.model_fields[name].annotation) for name in DOCUMENT_COLUMNS}
    types.update(REVIEW_COLUMNS)
    for path in flat_paths(record_class):
        if path == "confidence":
            continue
        owner: Any = record_class
        for part in path.split(".")[:-1]:
            owner = owner.model_fields[part].annotation
        annotation = owner.model_fields[path.split(".")[-1]].annotation
        types[path] = (
            "string" if path in ("expected", "found") or get_origin(annotation) in (list, tuple) else _dtype(annotation)
        )
    if "expected_score" in types:
        types[DEDUCTIONS_COLUMN] = "string"
    return types


def record_frame(rows: list[dict[str, Any]], kind: RecordKind) -> pd.DataFrame:
    types = _column_types(kind)
    confidence_columns = sorted({name for row in rows for name in row if name.startswith("confidence.")})
    columns = list(types) + confidence_columns
    frame = pd.DataFrame.from_records(rows, columns=columns)
    return frame.astype({**types, **{name: "Float64" for name in confidence_columns}})


def _write(frame: pd.DataFrame, rows: list[dict[str, Any]], kind: RecordKind, fmt: ExportFormat, out: Path) -> Path:
    path = out / f"{kind}.{fmt}"
    if fmt == "csv":
        # utf-8-sig: Excel opens Chinese text correctly only with the byte-order mark.
        frame.to_csv(path, index=False, encoding="utf-8-sig")
    elif fmt == "xlsx":
        if len(frame) > XLSX_MAX_ROWS:
            raise ValueError(f"{kind}: {len(frame)} rows do not fit one XLSX sheet; use csv or parquet")
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cleaned = frame.apply(
            lambda c: c.str.replace(ILLEGAL_CHARACTERS_RE, "", regex=True) if c.dtype == "string" else c
        )
        cleaned.to_excel(path, index=False, sheet_name=kind)
    elif fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:  # jsonl from the Python values: pandas would round floats to 10 digits
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps({name: row.get(name) for name in frame.columns}, ensure_ascii=False) + "\n")
    return path


def export(
    *,
    engine: Engine,
    out_dir: Path,
    kinds: tuple[RecordKind, ...] = RECORD_KINDS,
    formats: tuple[ExportFormat, ...] = FORMATS,
    filters: Optional[ExportFilter] = None,
) -> list[Path]:
    """Write every requested kind in every requested format, plus the JSON Schema; returns the files."""
    filters = filters if filters is not None else ExportFilter()
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for kind in kinds:
        with session_scope(engine) as session:
            rows = list(iter_rows(session=session, kind=kind, filters=filters))
        frame = record_frame(rows, kind)
        for fmt in formats:
            written.append(_write(frame, rows, kind, fmt, out_dir))
    schema_path = out_dir / SCHEMA_FILE
    schema_path.write_text(
        json.dumps(ExtractionResult.model_json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    written.append(schema_path)
    return written
