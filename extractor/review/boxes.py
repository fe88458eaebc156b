"""Where each correctable field is printed: page and box, for the review page's highlight."""

from __future__ import annotations

from typing import Any, Optional

from extractor.review.corrections import CorrectionError, cell_at, find_record, find_table, resolve, source_cell
from schemas import BudgetLine, ExtractionResult, Indicator, Paragraph, ScoreSummary

REVIEW_FIELDS: dict[type, tuple[str, ...]] = {
    Indicator: ("target", "actual", "weight", "score", "review_score"),
    BudgetLine: ("initial", "adjustment", "adjusted", "actual", "rate", "weight", "score"),
    ScoreSummary: ("weight", "score", "review_score"),
}
"""The fields the review page lists for every record (others appear when a finding cites them)."""


def box_of(result: ExtractionResult, ref: str, view: Optional[Any] = None) -> Optional[dict[str, Any]]:
    """`{"page": 7, "bbox": [...]}` for a ref: its cell when it can be told, else its record's row."""
    try:
        target = resolve(result, ref)
    except CorrectionError:
        return None
    if target.kind == "cell":
        cell = cell_at(find_table(result, target.table_id or ""), target.row, target.col)
        return None if cell is None else {"page": cell.page, "bbox": cell.bbox}
    if target.kind != "record":
        return None
    record = find_record(result, target.record_id or "")
    if isinstance(record, Paragraph):
        return {"page": record.page, "bbox": record.bbox}
    if record is None:
        return None
    cell = source_cell(result, record, target.field or "", getattr(record, target.field or ""), view)
    if cell is not None:
        return {"page": cell.page, "bbox": cell.bbox}
    return {"page": record.source.page, "bbox": record.source.bbox}


def field_boxes(result: ExtractionResult) -> dict[str, Optional[dict[str, Any]]]:
    """Boxes of every listed field and of every ref a finding cites."""
    refs = [
        f"{record.id}.{name}"
        for records in (result.indicators, result.budget_lines, result.scores)
        for record in records
        for name in REVIEW_FIELDS[type(record)]
    ]
    refs += [ref for finding in result.findings for ref in finding.refs]
    from extractor.rules.docview import DocView

    view = DocView(result)  # built once: it tells apart cells of a row that print the same figure
    return {ref: box_of(result, ref, view) for ref in dict.fromkeys(refs)}
