"""A field's confidence: how sure we are the recognised text is right, that it is this field, and
that the reader's normalisation of it is the right one.

Recognition (OCR) confidence says whether the characters were read right; it says nothing about
whether the cell holds the field the reader says it does, nor whether turning the printed text into
the field's value involved a choice that could have gone the other way. Each is an independent way
of being wrong, so the field's confidence is a product:

    confidence = recognition(cell) × role(how the cell's role was known) × Π doubts(the reading)

- role (`RoleCertainty`): the header above the cell is an exact lexicon entry 1.0, a header matched
  by its head word 0.9, a fuzzy (misspelt / held-out) header 0.85, no header but the column's
  content 0.8 (the review threshold: alone it does not flag, with any doubt it does), no evidence 0.5. Indicator fields use the table's column reading (`tables[].columns`);
  budget and score fields, whose region has its own header row, the nearest header above the cell
  that names the field. Unknown evidence (a key-value pair) leaves the factor out.
- doubts (`ReadingCertainty`), each a family of situations where the reader chose one reading:
  `unparsed` a target/actual printing figures that no reading accounts for; `rescaled` a figure
  whose value is not the number printed (a rate printed as a fraction turned into percent, a scale
  taken from elsewhere); `fraction` a rate printed ≤ 1.5 without a percent sign and kept as printed;
  `punctuation` a label left starting or ending with punctuation or with unbalanced brackets;
  `joined` a value put together from several cells; `shared` one cell read as two fields;
  `side_label` a label taken from a cell spanning several rows; `inferred_level` a 一级/二级 carried
  down from a row above through blank cells; `unclaimed` the record's row prints a figure that no
  field took (a column the reader could not name: the figures beside it may be shifted, and one is
  missing from the record).

A born-digital cell under an exact header with no doubt keeps 1.0. `assess` returns every field's
confidence with its doubts (the review page and the calibration benchmark show them);
`with_reading_certainty` writes the confidences into the result. README, "Confidence", has the
calibration (`benchmarks/confidence_calibration.py`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Optional, Union

from pydantic import BaseModel, Field

from extractor.forms.figures import AMOUNT_UNITS, read_figure
from extractor.forms.lexicon import RegionKind, classify_header
from extractor.text.join import squeeze
from schemas import BudgetLine, Cell, ExtractionResult, Indicator, ScoreSummary, Table, Value

Record = Union[Indicator, BudgetLine, ScoreSummary]
UNPARSED = 0.6
"""Parsing certainty of a printed figure that no reading of the value parser accounts for."""
REGION_OF: dict[str, RegionKind] = {"indicators": "indicators", "budget_lines": "budget", "scores": "scores"}
LABEL_FIELDS = ("name", "item", "label", "level1", "level2")
LEVEL_FIELDS = ("level1", "level2")
FIGURE_FIELDS = ("initial", "adjustment", "adjusted", "actual", "rate", "weight", "score", "review_score")
FRACTION_LIMIT = 1.5
"""A rate printed without % at or under this could be a fraction (0.958) or a percent (1 = 1%)."""
_EDGE_PUNCTUATION = ":：,，、;；。.·"
_OPEN, _CLOSE = "(（[【", ")）]】"


class RoleCertainty(BaseModel):
    """How sure a column role is, by the kind of evidence that gave it (a calibration, not vocabulary)."""

    lexicon: float = Field(default=1.0, ge=0, le=1)
    """The header is an exact lexicon entry."""
    head: float = Field(default=0.9, ge=0, le=1)
    """The header was matched by its head word."""
    fuzzy: float = Field(default=0.85, ge=0, le=1)
    """The header was matched to a lexicon entry by spelling similarity (`lexicon:<entry>~`)."""
    content: float = Field(default=0.8, ge=0, le=1)
    """No header: the role was told from the cells' content. At the review threshold, not under it:
    the calibration found content-typed columns right (243 of 243 fields on the zoo and real forms),
    so content typing alone does not flag a field, together with any other doubt it does."""
    none: float = Field(default=0.5, ge=0, le=1)
    """The reader had no evidence for the role."""

    def of(self, evidence: str) -> Optional[float]:
        """The certainty of one evidence string (`lexicon:…`, `lexicon:…~`, `head:…`, `content:…`, `none`); None when empty."""
        kind = evidence.split(":", 1)[0].strip()
        if not kind:
            return None
        if kind == "lexicon" and evidence.split("+", 1)[0].endswith("~"):
            return self.fuzzy
        return float(getattr(self, kind)) if kind in ("lexicon", "head", "content", "none") else self.none


class ReadingCertainty(BaseModel):
    """The factor each doubt about a reading multiplies into the confidence (a calibration)."""

    unparsed: float = Field(default=UNPARSED, ge=0, le=1)
    rescaled: float = Field(default=0.85, ge=0, le=1)
    fraction: float = Field(default=0.7, ge=0, le=1)
    punctuation: float = Field(default=0.6, ge=0, le=1)
    joined: float = Field(default=0.9, ge=0, le=1)
    shared: float = Field(default=0.9, ge=0, le=1)
    side_label: float = Field(default=0.75, ge=0, le=1)
    inferred_level: float = Field(default=0.85, ge=0, le=1)
    unclaimed: float = Field(default=0.7, ge=0, le=1)


DOUBT_NOTES = {
    "unparsed": "印有数字但未能读成数值",
    "rescaled": "数值经换算，与单元格所印数字不同",
    "fraction": "执行率未印百分号且不大于1.5，按所印数值保留",
    "punctuation": "名称首尾带标点或括号不成对",
    "joined": "由多个单元格拼成",
    "shared": "同一单元格读出了两个字段",
    "side_label": "名称取自跨多行的单元格",
    "inferred_level": "一级/二级指标由上方行沿用",
    "unclaimed": "本行有数字未归入任何字段",
}
"""What each doubt tells the reviewer (Chinese, as the page shows it)."""


class Doubt(BaseModel):
    kind: str
    factor: float
    note: str


class FieldReading(BaseModel):
    """One field's confidence and the doubts that lowered it."""

    confidence: float
    doubts: list[Doubt] = Field(default_factory=list)
    role: Optional[str] = None
    """The evidence the role certainty came from (`lexicon:…`, `head:…`, `content:…`); None: unknown."""


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


class _Grid:
    """A table's cells by position, and per column the header hits above each row (built once)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.at: dict[tuple[int, int], Cell] = {(cell.row, cell.col): cell for cell in table.cells}
        self.readings = {column.col: column for column in table.columns}
        self._columns: dict[int, list[Cell]] = {}
        for cell in sorted(table.cells, key=lambda c: c.row):
            for col in range(cell.col, cell.col + cell.col_span):
                self._columns.setdefault(col, []).append(cell)

    def header_above(self, row: int, col: int, region: RegionKind, field: str) -> Optional[str]:
        """The evidence of the nearest cell above `row` in `col` that names `field` in a `region` header."""
        for cell in reversed(self._columns.get(col, [])):
            if cell.row >= row:
                continue
            hit = classify_header(cell.text, region) if cell.text.strip() else None
            if hit is not None and hit.role == field:
                return hit.evidence
        return None

    def header_names_role(self, row: int, col: int, region: RegionKind) -> bool:
        """Does the nearest text (not a figure) above `row` in `col` name any role of `region`?"""
        for cell in reversed(self._columns.get(col, [])):
            if cell.row >= row or not cell.text.strip() or read_figure(cell.text, units=AMOUNT_UNITS) is not None:
                continue
            return classify_header(cell.text, region) is not None
        return False

    def role_evidence(self, kind: str, field: str, ref: tuple[int, int]) -> Optional[str]:
        """How the reader knew the cell at `ref` holds `field` (None: nothing recorded)."""
        row, col = ref
        reading = self.readings.get(col)
        column = reading.evidence if reading is not None and reading.role == field else None
        if kind == "indicators" and column:
            return column  # the indicator header is the table's column reading, content typing included
        above = self.header_above(row, col, REGION_OF[kind], field)
        return above or column


def _doubt(kind: str, certainty: ReadingCertainty) -> Doubt:
    return Doubt(kind=kind, factor=float(getattr(certainty, kind)), note=DOUBT_NOTES[kind])


def _text(grid: _Grid, refs: Iterable[tuple[int, int]]) -> str:
    return "".join(grid.at[ref].text for ref in refs if ref in grid.at)


def _figure_doubt(field: str, value: object, printed: str) -> Optional[str]:
    """`rescaled` when the value is not the number printed, `fraction` for an undecided rate."""
    if field not in FIGURE_FIELDS or not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    figure = read_figure(printed, units=AMOUNT_UNITS)
    if figure is None or figure.blank:
        return None
    if not math.isclose(figure.value, value, abs_tol=1e-9):
        return "rescaled"
    if field == "rate" and not figure.percent and 0 < value <= FRACTION_LIMIT:
        return "fraction"
    return None


def _stray_punctuation(label: str) -> bool:
    text = squeeze(label)
    if not text:
        return False
    unbalanced = sum(text.count(c) for c in _OPEN) != sum(text.count(c) for c in _CLOSE)
    return text[0] in _EDGE_PUNCTUATION + _CLOSE or text[-1] in _EDGE_PUNCTUATION + _OPEN or unbalanced


def _claimed(result: ExtractionResult) -> dict[str, set[tuple[int, int]]]:
    """Table id → every cell some record read (a figure there is taken, even if by another record)."""
    claimed: dict[str, set[tuple[int, int]]] = {}
    for record in _records(result):
        table = claimed.setdefault(record.source.table or "", set())
        for refs in record.source.cells.values():
            table.update(refs)
    return claimed


def _records(result: ExtractionResult) -> list[Record]:
    return [*result.indicators, *result.budget_lines, *result.scores]


def _unclaimed_figure(grid: _Grid, kind: str, record: Record, claimed: set[tuple[int, int]]) -> bool:
    """The record's row prints a figure, right of the record's first cell, that no record took and
    whose column header names no role (vocabulary the lexicon does not know). A column whose header
    names a role another column took (初步复核得分 beside 复核得分) is a choice, not an unknown."""
    row = record.source.row
    refs = [ref for refs in record.source.cells.values() for ref in refs if ref[0] == row]
    if row is None or not refs:
        return False
    first = min(col for _, col in refs)
    for (cell_row, col), cell in grid.at.items():
        if cell_row != row or col <= first or (cell_row, col) in claimed:
            continue
        figure = read_figure(cell.text, units=AMOUNT_UNITS)
        if figure is not None and not figure.blank and not grid.header_names_role(row, col, REGION_OF[kind]):
            return True
    return False


def _field_reading(
    grid: _Grid,
    kind: str,
    record: Record,
    field: str,
    refs: list[tuple[int, int]],
    shared: set[tuple[int, int]],
    unclaimed: bool,
    roles: RoleCertainty,
    reading: ReadingCertainty,
) -> FieldReading:
    cells = [grid.at[ref] for ref in refs if ref in grid.at]
    recognition = record.confidence.get(field, min((cell.confidence for cell in cells), default=1.0))
    evidence = grid.role_evidence(kind, field, refs[0]) if field not in LEVEL_FIELDS else None
    role = roles.of(evidence) if evidence else None
    value = getattr(record, field, None)
    kinds: list[str] = []
    if parsing_certainty(value) < 1.0:
        kinds.append("unparsed")
    figure = _figure_doubt(field, value, _text(grid, refs[:1]))
    if figure:
        kinds.append(figure)
    if field in LABEL_FIELDS and isinstance(value, str) and _stray_punctuation(value):
        kinds.append("punctuation")
    if len(refs) > 1:
        kinds.append("joined")
    if any(ref in shared for ref in refs):
        kinds.append("shared")
    row = record.source.row
    if field in ("name", "item", "label") and cells and cells[0].row_span > 1 and cells[0].row != row:
        kinds.append("side_label")
    if field in LEVEL_FIELDS and cells and row is not None and cells[0].row + cells[0].row_span <= row:
        kinds.append("inferred_level")
    if unclaimed and field in FIGURE_FIELDS:
        kinds.append("unclaimed")
    doubts = [_doubt(name, reading) for name in kinds]
    confidence = combine(recognition, role) if role is not None else recognition
    for doubt in doubts:
        confidence *= doubt.factor
    return FieldReading(confidence=round(max(0.0, min(1.0, confidence)), 4), doubts=doubts, role=evidence)


def assess(
    result: ExtractionResult,
    roles: Optional[RoleCertainty] = None,
    reading: Optional[ReadingCertainty] = None,
) -> dict[str, dict[str, FieldReading]]:
    """Record id → field → its confidence and doubts, for every field read from a cell of a table.

    Fields of records without `source.cells` (readers that do not name cells) are left out.
    """
    roles, reading = roles or RoleCertainty(), reading or ReadingCertainty()
    grids = {table.id: _Grid(table) for table in result.tables}
    claimed = _claimed(result)
    found: dict[str, dict[str, FieldReading]] = {}
    for kind in REGION_OF:
        records: list[Record] = getattr(result, kind)
        for record in records:
            grid = grids.get(record.source.table or "")
            if grid is None or not record.source.cells:
                continue
            seen: dict[tuple[int, int], int] = {}
            for refs in record.source.cells.values():
                for ref in set(refs):
                    seen[ref] = seen.get(ref, 0) + 1
            shared = {ref for ref, count in seen.items() if count > 1}
            unclaimed = _unclaimed_figure(grid, kind, record, claimed.get(record.source.table or "", set()))
            found[record.id] = {
                field: _field_reading(grid, kind, record, field, refs, shared, unclaimed, roles, reading)
                for field, refs in record.source.cells.items()
                if refs
            }
    return found


def with_reading_certainty(
    result: ExtractionResult,
    roles: Optional[RoleCertainty] = None,
    reading: Optional[ReadingCertainty] = None,
) -> ExtractionResult:
    """The result with every record field's confidence replaced by its assessed confidence."""
    assessed = assess(result, roles, reading)
    if not assessed:
        return result
    # Only the records' confidence dicts change: copy those, share the rest (a deep copy of the
    # whole result, tables and cells included, cost more than interpreting the document).
    return result.model_copy(
        update={kind: [_reassessed(record, assessed) for record in getattr(result, kind)] for kind in REGION_OF}
    )


def _reassessed(record: Record, assessed: dict[str, dict[str, FieldReading]]) -> Record:
    """The record with its assessed fields' confidences (a copy), or the record itself when none is assessed."""
    fields = assessed.get(record.id)
    if not fields:
        return record
    confidence = dict(sorted({**record.confidence, **{k: v.confidence for k, v in fields.items()}}.items()))
    return record.model_copy(update={"confidence": confidence})


with_role_certainty = with_reading_certainty
"""The earlier name (role certainty was the first factor)."""


def doubts_by_record(result: ExtractionResult) -> dict[str, dict[str, list[str]]]:
    """Record id → field → the notes of the doubts that lowered its confidence. Fields without doubts
    are left out, and so are fields at 1.0: a reviewer's correction sets 1.0, a person has checked it."""
    confidences = {record.id: record.confidence for record in _records(result)}
    found: dict[str, dict[str, list[str]]] = {}
    for record, fields in assess(result).items():
        for field, item in fields.items():
            if item.doubts and confidences.get(record, {}).get(field, 1.0) < 1.0:
                found.setdefault(record, {})[field] = [doubt.note for doubt in item.doubts]
    return found
