"""One table per SPEC record list, one row per record.

Column names are the SPEC field names with nested objects flattened by `_`
(`target.raw` → `target_raw`, `source.page` → `source_page`); the record's own `id`
(`i12`) is `ref`, because `id` is the row's primary key. Lists, dicts and boxes
(cells, refs, confidence, bbox) are JSON. `ordinal` keeps the order of the list.
Anything the schema gains later without a column here lands in `extra` (see models.convert).
"""

from __future__ import annotations

from typing import Any, Optional

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from models.types import JSONValue as JSON


class _RecordRow(SQLModel):
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True, ondelete="CASCADE")
    ordinal: int
    ref: Optional[str] = None
    extra: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)


RecordRow = _RecordRow
"""What every record table has (document_id, ordinal …): the type code that handles any of them names."""


class _SourceColumns(SQLModel):
    source_page: Optional[int] = None
    source_bbox: Optional[list[float]] = Field(default=None, sa_type=JSON)
    source_table: Optional[str] = None
    source_row: Optional[int] = None


class SectionRow(_RecordRow, table=True):
    __tablename__ = "sections"

    kind: str
    title: str = Field(sa_type=Text)
    project_name: Optional[str] = Field(default=None, sa_type=Text)


class TableRow(_RecordRow, table=True):
    __tablename__ = "doc_tables"

    section: Optional[str] = None
    role: Optional[str] = None
    title: Optional[str] = Field(default=None, sa_type=Text)
    pages: Optional[list[int]] = Field(default=None, sa_type=JSON)
    n_rows: Optional[int] = None
    n_cols: Optional[int] = None
    cells: Optional[list[dict[str, Any]]] = Field(default=None, sa_type=JSON)


class IndicatorRow(_SourceColumns, _RecordRow, table=True):
    __tablename__ = "indicators"

    section: Optional[str] = None
    level1: Optional[str] = Field(default=None, sa_type=Text)
    level2: Optional[str] = Field(default=None, sa_type=Text)
    name: str = Field(sa_type=Text)
    target_raw: Optional[str] = Field(default=None, sa_type=Text)
    target_op: Optional[str] = None
    target_value: Optional[float] = None
    target_unit: Optional[str] = None
    target_qualitative: Optional[bool] = None
    actual_raw: Optional[str] = Field(default=None, sa_type=Text)
    actual_op: Optional[str] = None
    actual_value: Optional[float] = None
    actual_unit: Optional[str] = None
    actual_qualitative: Optional[bool] = None
    weight: Optional[float] = None
    score: Optional[float] = None
    review_score: Optional[float] = None
    description: Optional[str] = Field(default=None, sa_type=Text)
    deviation_reason: Optional[str] = Field(default=None, sa_type=Text)
    review_comment: Optional[str] = Field(default=None, sa_type=Text)
    confidence: Optional[dict[str, float]] = Field(default=None, sa_type=JSON)


class BudgetLineRow(_SourceColumns, _RecordRow, table=True):
    __tablename__ = "budget_lines"

    section: Optional[str] = None
    item: str = Field(sa_type=Text)
    initial: Optional[float] = None
    adjustment: Optional[float] = None
    adjusted: Optional[float] = None
    actual: Optional[float] = None
    rate: Optional[float] = None
    unit: Optional[str] = None
    weight: Optional[float] = None
    score: Optional[float] = None
    review_score: Optional[float] = None
    confidence: Optional[dict[str, float]] = Field(default=None, sa_type=JSON)


class ScoreSummaryRow(_SourceColumns, _RecordRow, table=True):
    __tablename__ = "score_summaries"

    section: Optional[str] = None
    label: str = Field(sa_type=Text)
    weight: Optional[float] = None
    score: Optional[float] = None
    review_score: Optional[float] = None
    confidence: Optional[dict[str, float]] = Field(default=None, sa_type=JSON)


class FindingRow(_RecordRow, table=True):
    __tablename__ = "findings"

    rule: str = Field(index=True)
    severity: str
    message: str = Field(sa_type=Text)
    refs: list[str] = Field(default_factory=list, sa_type=JSON)
    expected: Any = Field(default=None, sa_type=JSON, nullable=True)
    """float or str: JSON keeps which one it was."""
    found: Any = Field(default=None, sa_type=JSON, nullable=True)


class ParagraphRow(_RecordRow, table=True):
    """Narrative paragraphs (ExtractionResult.narrative)."""

    __tablename__ = "paragraphs"

    text: str = Field(sa_type=Text)
    page: Optional[int] = None
    bbox: Optional[list[float]] = Field(default=None, sa_type=JSON)
    section: Optional[str] = None


class ProblemRow(_RecordRow, table=True):
    """What went wrong reading part of a file (ExtractionResult.problems)."""

    __tablename__ = "problems"

    stage: str
    message: str = Field(sa_type=Text)
    page: Optional[int] = None
