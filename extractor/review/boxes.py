"""Where each correctable field is printed: page and box, for the review page's highlight."""

from __future__ import annotations

import hashlib
from typing import Any, Optional

from extractor.review.corrections import (
    CorrectionError,
    cell_at,
    field_cells,
    find_record,
    find_table,
    resolve,
    source_cell,
)
from schemas import BudgetLine, Cell, ExtractionResult, Finding, Indicator, Paragraph, ScoreSummary
from schemas.records import BBox

REVIEW_FIELDS: dict[type, tuple[str, ...]] = {
    Indicator: ("target", "actual", "weight", "score", "review_score"),
    BudgetLine: ("initial", "adjustment", "adjusted", "actual", "rate", "weight", "score"),
    ScoreSummary: ("weight", "score", "review_score"),
}
"""The fields the review page lists for every record (others appear when a finding cites them)."""


def cells_of(result: ExtractionResult, ref: str) -> list[tuple[str, Cell]]:
    """The table cells a ref was read from, as (table id, cell): the reader's own record
    (`source.cells`), the same cells a correction rewrites. Only a result stored before the reader
    kept them falls back to the one cell of the row printing the value (corrections.source_cell)."""
    try:
        target = resolve(result, ref)
    except CorrectionError:
        return []
    if target.kind == "cell":
        cell = cell_at(find_table(result, target.table_id or ""), target.row, target.col)
        return [] if cell is None else [(target.table_id or "", cell)]
    if target.kind != "record":
        return []
    record = find_record(result, target.record_id or "")
    if record is None or isinstance(record, Paragraph):
        return []
    table = find_table(result, record.source.table or "")
    if table is None:
        return []
    cells = field_cells(result, record, target.field or "")
    if cells is None:
        cell = source_cell(result, record, target.field or "", getattr(record, target.field or ""))
        cells = [] if cell is None else [cell]
    return [(table.id, cell) for cell in cells]


def _union(cells: list[Cell]) -> Optional[BBox]:
    boxes = [cell.bbox for cell in cells if cell.bbox is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def box_of(result: ExtractionResult, ref: str) -> Optional[dict[str, Any]]:
    """`{"page": 7, "bbox": [...], "table": "t1", "row": 5, "col": 2}` for a ref: its cell(s) when they
    can be told (a value printed over several cells gets their union), else its record's row."""
    cells = cells_of(result, ref)
    if cells:
        table_id, first = cells[0]
        on_page = [cell for _, cell in cells if cell.page == first.page]
        return {"page": first.page, "bbox": _union(on_page), "table": table_id, "row": first.row, "col": first.col}
    try:
        target = resolve(result, ref)
    except CorrectionError:
        return None
    record = find_record(result, target.record_id or "") if target.kind == "record" else None
    if isinstance(record, Paragraph):
        return {"page": record.page, "bbox": record.bbox}
    if record is None:
        return None
    return {"page": record.source.page, "bbox": record.source.bbox, "table": record.source.table}


def finding_key(result: ExtractionResult, finding: Finding) -> str:
    """A key for a finding that survives re-validation (finding ids are renumbered every time):
    its rule and the cells it cites (`t1.r5c2`; a ref without a cell stands for itself)."""
    cited = []
    for ref in finding.refs:
        cells = cells_of(result, ref)
        cited += [f"{table}.r{cell.row}c{cell.col}" for table, cell in cells] or [ref]
    digest = hashlib.sha1("|".join([finding.rule, *sorted(set(cited))]).encode("utf-8")).hexdigest()[:12]
    return f"{finding.rule}:{digest}"


def finding_keys(result: ExtractionResult) -> dict[str, str]:
    """Finding id → stable key, for every finding of the result."""
    return {finding.id: finding_key(result, finding) for finding in result.findings}


def field_boxes(result: ExtractionResult) -> dict[str, Optional[dict[str, Any]]]:
    """Boxes of every listed field and of every ref a finding cites."""
    refs = [
        f"{record.id}.{name}"
        for records in (result.indicators, result.budget_lines, result.scores)
        for record in records
        for name in REVIEW_FIELDS[type(record)]
    ]
    refs += [ref for finding in result.findings for ref in finding.refs]
    return {ref: box_of(result, ref) for ref in dict.fromkeys(refs)}
