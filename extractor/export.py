"""Stored records as CSV, XLSX, Parquet and JSON Lines, with the JSON Schema beside them.

One file per record kind and format (`indicators.csv`, `findings.parquet` …). Columns are the SPEC
field names, nested objects flattened with dots (`target.raw`, `source.page`), `confidence` opened
into one column per field (`confidence.name`), preceded by the document's `document.*` fields.
Lists (`source.bbox`, `refs`) are JSON text; a finding's `expected`/`found` (number or text) are text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, Optional, Union, get_args, get_origin

import pandas as pd
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from extractor.store import session_scope
from models import RECORD_TABLES, Document, FindingRow
from models.convert import flat_paths, flatten, row_to_record
from schemas import DocumentInfo, ExtractionResult

RecordKind = Literal["indicators", "budget_lines", "scores", "findings"]
ExportFormat = Literal["csv", "xlsx", "parquet", "jsonl"]
RECORD_KINDS: tuple[RecordKind, ...] = get_args(RecordKind)
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)
SCHEMA_FILE = "extraction_result.schema.json"
DOCUMENT_COLUMNS = ("sha256", "file", "kind", "department", "year")
XLSX_MAX_ROWS = 1_048_575
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


def _documents_query(filters: ExportFilter) -> Any:
    query = select(Document.id)
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
    record: BaseModel, document: Document, deductions: Optional[list[dict[str, Any]]] = None
) -> dict[str, Any]:
    row: dict[str, Any] = {f"document.{name}": getattr(document, name) for name in DOCUMENT_COLUMNS}
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
        yield _flat_row(record, document, deductions[document.id].get(getattr(record, "id", "")))


def _dtype(annotation: Any) -> str:
    """pandas nullable dtype for a schema annotation, so blanks stay blank in every format."""
    if get_origin(annotation) is Union:
        members = [member for member in get_args(annotation) if member is not type(None)]
        annotation = members[0] if len(members) == 1 else str
    return {int: "Int64", float: "Float64", bool: "boolean"}.get(annotation, "string")


def _column_types(kind: RecordKind) -> dict[str, str]:
    record_class, _ = RECORD_TABLES[kind]
    types = {f"document.{name}": _dtype(DocumentInfo.model_fields[name].annotation) for name in DOCUMENT_COLUMNS}
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
