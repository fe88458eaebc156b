"""A field's confidence: how sure we are the recognised text is right AND that it is this field.

Recognition (OCR) confidence says whether the characters were read right; it says nothing about
whether the cell holds the field the reader says it does. The reader records why it gave a column
its role (`tables[].columns[].evidence`): an exact lexicon entry for the header is near certain,
a header matched by its head word less so, a column recognised by its content alone least. The
two are independent ways of being wrong, so the field's confidence is their product:

    confidence(field) = recognition(cell) × role_certainty(evidence of the cell's column) × parsing(value)

`parsing` is 1.0 unless a target/actual printed with figures could not be read as a number, an
operator phrase or a qualitative statement (value and op empty, not qualitative): then the text is
kept but its reading is doubtful. A born-digital cell has recognition 1.0, so its confidence is its role certainty; a scanned cell
under an exact header keeps its OCR confidence. Fields whose column has no recorded evidence keep
the recognition confidence unchanged (results of readers that do not record evidence).
"""

from __future__ import annotations

from typing import Optional, TypeVar

from pydantic import BaseModel, Field

from schemas import BudgetLine, ExtractionResult, Indicator, ScoreSummary, Table, Value

UNPARSED = 0.6
"""Parsing certainty of a printed figure that no reading of the value parser accounts for."""


class RoleCertainty(BaseModel):
    """How sure a column role is, by the kind of evidence that gave it (a calibration, not vocabulary)."""

    lexicon: float = Field(default=1.0, ge=0, le=1)
    """The header is an exact lexicon entry."""
    head: float = Field(default=0.9, ge=0, le=1)
    """The header was matched by its head word (a fuzzy header)."""
    content: float = Field(default=0.7, ge=0, le=1)
    """No header: the role was told from the cells' content."""
    none: float = Field(default=0.5, ge=0, le=1)
    """The reader had no evidence for the role."""

    def of(self, evidence: str) -> Optional[float]:
        """The certainty of one evidence string (`lexicon:…`, `head:…`, `content:…`, `none`); None when empty."""
        kind = evidence.split(":", 1)[0].strip()
        if not kind:
            return None
        return float(getattr(self, kind)) if kind in type(self).model_fields else self.none


def combine(recognition: float, role: Optional[float]) -> float:
    """The field's confidence from its recognition confidence and its role certainty (None: unknown)."""
    if role is None:
        return recognition
    return round(max(0.0, min(1.0, recognition)) * role, 4)


def parsing_certainty(value: object) -> float:
    """1.0 for a value the parser accounted for; UNPARSED for a Value whose printed text holds
    figures but that came out with no number, no operator and not qualitative."""
    if not isinstance(value, Value) or value.raw is None:
        return 1.0
    has_figure = any(character.isdigit() for character in value.raw)
    unread = value.value is None and value.op is None and not value.qualitative
    return UNPARSED if has_figure and unread else 1.0


def _column_evidence(table: Table, col: int) -> str:
    return next((column.evidence for column in table.columns if column.col == col), "")


def with_role_certainty(result: ExtractionResult, certainty: Optional[RoleCertainty] = None) -> ExtractionResult:
    """The result with every record field's confidence combined with its column's role certainty.

    Only fields whose cells the reader named (`source.cells`) and whose column carries evidence
    change; everything else is returned as it was.
    """
    certainty = certainty or RoleCertainty()
    tables = {table.id: table for table in result.tables}
    if not any(table.columns for table in tables.values()):
        return result
    # Only the records' confidence dicts change: copy those, share the rest (a deep copy of the
    # whole result, tables and cells included, cost more than interpreting the document).
    return result.model_copy(
        update={
            "indicators": [_with_certainty(record, tables, certainty) for record in result.indicators],
            "budget_lines": [_with_certainty(record, tables, certainty) for record in result.budget_lines],
            "scores": [_with_certainty(record, tables, certainty) for record in result.scores],
        }
    )


_Record = TypeVar("_Record", Indicator, BudgetLine, ScoreSummary)


def _with_certainty(record: _Record, tables: dict[str, Table], certainty: RoleCertainty) -> _Record:
    """The record with its fields' confidences combined with their columns' role certainty (a copy
    when anything changed, the record itself otherwise)."""
    table = tables.get(record.source.table or "")
    if table is None:
        return record
    confidence = dict(record.confidence)
    changed = False
    for field, cells in record.source.cells.items():
        roles = [certainty.of(_column_evidence(table, col)) for _, col in cells]
        known = [role for role in roles if role is not None]
        if not known:
            continue
        recognition = confidence.get(field, 1.0)
        parsing = parsing_certainty(getattr(record, field, None))
        confidence[field] = combine(recognition, min(known) * parsing)
        changed = True
    return record.model_copy(update={"confidence": confidence}) if changed else record
