"""Lossless conversion between the SPEC result (schemas/) and table rows (models/).

The mapping is derived from the pydantic classes, not written out per field: a record is
flattened to dotted paths (`target.raw`, `source.page`), each path is stored in the column of
the same name with `.` → `_` (the record `id` in `ref`), and any path without a column is kept
in the row's `extra` JSON. So a field added to schemas/ later is still stored and read back,
before anyone writes a migration for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Optional, TypeGuard

from pydantic import BaseModel
from sqlmodel import SQLModel

from models.documents import Document
from models.records import (
    BudgetLineRow,
    FindingRow,
    IndicatorRow,
    ParagraphRow,
    ProblemRow,
    RecordRow,
    ScoreSummaryRow,
    SectionRow,
    TableRow,
)
from models.types import exact_in_column
from schemas import (
    BudgetLine,
    DocumentInfo,
    ExtractionResult,
    Finding,
    Indicator,
    Paragraph,
    Problem,
    ScoreSummary,
    Section,
    Table,
)

RECORD_TABLES: dict[str, tuple[type[BaseModel], type[RecordRow]]] = {
    "sections": (Section, SectionRow),
    "tables": (Table, TableRow),
    "indicators": (Indicator, IndicatorRow),
    "budget_lines": (BudgetLine, BudgetLineRow),
    "scores": (ScoreSummary, ScoreSummaryRow),
    "findings": (Finding, FindingRow),
    "narrative": (Paragraph, ParagraphRow),
    "problems": (Problem, ProblemRow),
}
"""ExtractionResult list field → (its record class, the table that stores it)."""

_BOOKKEEPING = frozenset({"id", "document_id", "ordinal", "extra"})
_DOCUMENT_BOOKKEEPING = frozenset(Document.model_fields) - frozenset(DocumentInfo.model_fields)


def _is_model(annotation: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def flat_paths(model_class: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of a record class; fields typed as a model (Value, Source) are opened up."""
    paths: list[str] = []
    for name, field in model_class.model_fields.items():
        if _is_model(field.annotation):
            paths.extend(flat_paths(field.annotation, f"{prefix}{name}."))
        else:
            paths.append(f"{prefix}{name}")
    return paths


def flatten(record: BaseModel) -> dict[str, Any]:
    """`{"target.raw": "≥5个", "source.page": 3, ...}` with plain Python values (lists, dicts)."""
    return _flatten(record, record.model_dump(), "")


def _flatten(record: BaseModel, dumped: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, field in type(record).model_fields.items():
        if _is_model(field.annotation):
            flat.update(_flatten(getattr(record, name), dumped[name], f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = dumped[name]
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = nested
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = value
    return nested


def column_of(path: str) -> str:
    """The column a dotted path is stored in (`target.raw` → `target_raw`, `id` → `ref`)."""
    return "ref" if path == "id" else path.replace(".", "_")


def record_values(record: BaseModel, row_class: type[SQLModel], *, document_id: int, ordinal: int) -> dict[str, Any]:
    """Every column of the record's row (except the primary key) as a plain dict, ready for INSERT."""
    unset = dict.fromkeys(_row_columns(row_class))
    return {**unset, **_dumped_values(record.model_dump(), _leaf_plan(type(record), row_class), document_id, ordinal)}


@cache
def _leaf_plan(
    record_class: type[BaseModel], row_class: type[SQLModel]
) -> tuple[tuple[str, tuple[str, ...], str, bool], ...]:
    """Per leaf of a record class: its dotted path, the keys leading to it in the record's dump, its
    column and whether the row has that column — worked out once per class, not once per record."""
    columns = frozenset(row_class.model_fields) - _BOOKKEEPING
    plan = []
    for path in flat_paths(record_class):
        column = column_of(path)
        plan.append((path, tuple(path.split(".")), column, column in columns))
    return tuple(plan)


@cache
def _row_columns(row_class: type[SQLModel]) -> tuple[str, ...]:
    return tuple(sorted(frozenset(row_class.model_fields) - _BOOKKEEPING))


def _dumped_values(
    dumped: Mapping[str, Any], plan: tuple[tuple[str, tuple[str, ...], str, bool], ...], document_id: int, ordinal: int
) -> dict[str, Any]:
    """record_values from the record's dump (model_dump): a value without a column of its own, or one the
    column would change (exact_in_column), is kept in `extra` too."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for path, keys, column, has_column in plan:
        value: Any = dumped
        for key in keys:
            value = value[key]
        if has_column:
            values[column] = value
        if not has_column or not exact_in_column(value):
            extra[path] = value
    values.update(document_id=document_id, ordinal=ordinal, extra=extra or None)
    return values


def record_to_row(record: BaseModel, row_class: type[SQLModel], *, document_id: int, ordinal: int) -> SQLModel:
    return row_class(**record_values(record, row_class, document_id=document_id, ordinal=ordinal))


def row_to_record(row: SQLModel, record_class: type[BaseModel]) -> BaseModel:
    flat: dict[str, Any] = {}
    for path in flat_paths(record_class):
        column = column_of(path)
        if column in type(row).model_fields and column not in _BOOKKEEPING:
            flat[path] = getattr(row, column)
    flat.update(getattr(row, "extra", None) or {})
    return record_class.model_validate(unflatten(flat))


def result_to_rows(*, result: ExtractionResult, document_id: int) -> list[SQLModel]:
    """Every record of `result` as a row of its table, in list order (ordinal)."""
    rows: list[SQLModel] = []
    for field_name, (_, row_class) in RECORD_TABLES.items():
        for ordinal, record in enumerate(getattr(result, field_name)):
            rows.append(record_to_row(record, row_class, document_id=document_id, ordinal=ordinal))
    return rows


def result_to_values(
    *, result: ExtractionResult, document_id: int, dumped: Optional[Mapping[str, Any]] = None
) -> dict[type[RecordRow], list[dict[str, Any]]]:
    """The same rows as result_to_rows, as column dicts per table: a bulk INSERT is ~10x faster than
    building SQLModel objects, which matters to the ingest parent (it writes every document).
    `dumped`: result.model_dump() if the caller has it — one dump of the whole result costs a fraction
    of one dump per record."""
    dumped = result.model_dump() if dumped is None else dumped
    values: dict[type[RecordRow], list[dict[str, Any]]] = {}
    for field_name, (record_class, row_class) in RECORD_TABLES.items():
        plan = _leaf_plan(record_class, row_class)
        unset = dict.fromkeys(_row_columns(row_class))
        values[row_class] = [
            {**unset, **_dumped_values(record, plan, document_id, ordinal)}
            for ordinal, record in enumerate(dumped[field_name])
        ]
    return values


def document_values(result: ExtractionResult, *, dumped: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """Column values of the `documents` row for a result (DocumentInfo fields + leftovers); `dumped` as in
    result_to_values."""
    columns = set(Document.model_fields) - _DOCUMENT_BOOKKEEPING
    values: dict[str, Any] = {"schema_version": result.schema_version, "extra": None, "result_extra": None}
    extra: dict[str, Any] = {}
    for path, value in flatten(result.document).items():
        if path in columns:
            values[path] = value
        if path not in columns or not exact_in_column(value):
            extra[path] = value
    values["extra"] = extra or None
    known = {"schema_version", "document", *RECORD_TABLES}
    dumped = result.model_dump() if dumped is None else dumped
    leftovers = {name: value for name, value in dumped.items() if name not in known}
    values["result_extra"] = leftovers or None
    return values


def rows_to_result(document: Document, records: Mapping[str, Iterable[RecordRow]]) -> ExtractionResult:
    """Rebuild the ExtractionResult from a done document row and its rows, each list in ordinal order."""
    info: dict[str, Any] = {
        path: getattr(document, path) for path in flat_paths(DocumentInfo) if path in Document.model_fields
    }
    info.update(document.extra or {})
    data: dict[str, Any] = {"document": unflatten(info)}
    if document.schema_version is not None:
        data["schema_version"] = document.schema_version
    for field_name, (record_class, _) in RECORD_TABLES.items():
        rows: Sequence[RecordRow] = sorted(records.get(field_name, ()), key=lambda row: row.ordinal)
        data[field_name] = [row_to_record(row, record_class) for row in rows]
    data.update(document.result_extra or {})
    return ExtractionResult.model_validate(data)
