"""The output contract of ../shared/SPEC.md as pydantic models.

Field names here are fixed by the SPEC: downstream tools read exactly this JSON.
Fields beyond the SPEC are allowed (the SPEC says "add fields freely"), never
renamed or dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, Literal, Optional, Union, get_args

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Final = "1"

BBox = tuple[float, float, float, float]
"""[x0, y0, x1, y1] in PDF points of the page, origin top-left."""


def as_bbox(values: Iterable[float]) -> BBox:
    """Four numbers (a generator, a numpy row) as a BBox; any other count raises ValueError."""
    x0, y0, x1, y1 = values  # unpacked, not a generator: called for every cell of every table
    return (float(x0), float(y0), float(x1), float(y1))


Operator = Literal["=", ">=", "<=", ">", "<"]
DocumentKind = Literal["pdf_digital", "pdf_scanned", "pdf_mixed", "docx", "xlsx", "xls", "image", "html"]
SectionKind = Literal["department", "project", "review"]
RegionRole = Literal["amount", "rate", "label", "code", "index"]
TableRole = Literal["indicators", "budget", "scores", "header", "other"]
Severity = Literal["error", "warning", "info"]
RuleId = Literal[
    "sum_mismatch",
    "rate_mismatch",
    "score_exceeds_weight",
    "score_inconsistent",
    "described_vs_reported",
    "deviation_over_30",
    "unit_mismatch",
    "cross_reference_mismatch",
    "spreadsheet_error",
    "missing_value",
    "duplicate_indicator",
    "direction_mismatch",
]
RULE_IDS: tuple[str, ...] = get_args(RuleId)


_EXPECTED = "The score a scoring profile proposes for this record; null where the profile cannot decide."
_SCORING = "How the scoring profile arrives at expected_score (or why it cannot), in Chinese with the figures."


class _Model(BaseModel):
    """Common config: forbid unknown keys so typos in producers fail loudly."""

    model_config = ConfigDict(extra="forbid")


class Value(_Model):
    """A target or actual value as printed, with its parsed reading."""

    raw: Optional[str] = None
    op: Optional[Operator] = None
    value: Optional[float] = None
    unit: Optional[str] = None
    qualitative: bool = False


CellRef = tuple[int, int]
"""(row, col) of a cell in its table (the cell's top-left grid position)."""


class Source(_Model):
    """Where a record was read: page (1-based), bbox in points, table id and row."""

    page: int = 1
    bbox: Optional[BBox] = None
    table: Optional[str] = None
    row: Optional[int] = None
    cells: dict[str, list[CellRef]] = Field(default_factory=dict)
    """Field name → the cell(s) of `table` it was read from (several where the form prints one
    value across cells, e.g. operator | value | unit). The validator and review page use it."""


class DocumentInfo(_Model):
    file: str
    sha256: str
    kind: DocumentKind
    pages: int = 1
    department: Optional[str] = None
    year: Optional[int] = None
    self_score: Optional[float] = None
    review_score: Optional[float] = None
    proposed_review_score: Optional[float] = Field(
        default=None, description="The score the scoring profiles propose for the whole document (its overall form)."
    )


class Deduction(_Model):
    """One mark taken off by a scoring profile, with its reason and the record it concerns."""

    ref: str = Field(description="`<record id>.<field>` of the self-score concerned, e.g. `i7.score`.")
    points: float = Field(description="Points taken off the self-score (self-score − proposed score).")
    reason: str = Field(description="The profile's scoring of the record, in Chinese with the figures.")


class Section(_Model):
    id: str
    kind: SectionKind
    title: str
    project_name: Optional[str] = None
    template_family: Optional[str] = None
    """The family of form templates the section was read as (the key scoring profiles use)."""
    implementing_unit: Optional[str] = None
    """实施单位 of a project form; never used as document.department."""
    proposed_review_score: Optional[float] = Field(
        default=None,
        description="The section's score as its scoring profile proposes it: expected scores where decided, "
        "else the self-score (kept inside its qualitative band).",
    )
    deductions: list[Deduction] = Field(
        default_factory=list, description="Marks the profile takes off self-scores, one per record, with reasons."
    )
    scoring_profile: Optional[str] = Field(
        default=None, description="The scoring profile that proposed the section's scores (`extractor profiles`)."
    )


class Cell(_Model):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    page: int = 1
    bbox: Optional[BBox] = None
    confidence: float = 1.0
    indent: Optional[float] = None
    """Left offset of the text inside the cell (points, or indent levels for office files):
    a hint for the hierarchy of budget rows (合计 → 其中 → parts). None when unknown."""


class ColumnReading(_Model):
    """How the reader read one column of a table: its role and why."""

    col: int
    role: Optional[str] = None
    evidence: str = ""
    """`lexicon:<entry>`, `head:<head word>`, `content:<type>` or `none`."""


class TotalRelation(_Model):
    """One total the table prints: total = Σ parts along an axis (rows: a 合计/小计/类 row over its lines;
    columns: a 合计 column over its parts). Read by the reader from labels, 科目编码, numbering, 其中,
    header spans and indentation; the validator checks the figures on every line."""

    axis: Literal["rows", "columns"]
    total: int
    """The total's row (axis rows) or column (axis columns)."""
    parts: list[int]
    columns: list[int] = Field(default_factory=list)
    """Axis rows: the amount columns the relation holds in (one side of a two-sided 收支总表)."""
    label_col: Optional[int] = None
    """Axis rows: the column whose text names the rows."""
    partial: bool = False
    """The parts are 其中 lines: they may leave something out, so only parts exceeding the total are certain errors."""
    confirm: bool = False
    """Read from a weaker cue (a 合计 column followed by columns, a 增减 column): holds only where most lines agree."""
    bare_total: bool = False
    """A column headed just 合计/总计 over its sibling columns: checked even on a table's only line."""


class RateRelation(_Model):
    """A rate column and the columns it is the ratio of: rate = numerator ÷ denominator (执行率 = 执行数 ÷
    调整后预算数, 得分率 = 得分 ÷ 分值). Read by the reader; the validator checks the figures on every line."""

    rate: int
    numerator: int
    denominator: int
    evidence: Literal["header", "content"]
    """`header`: the headers name the rate and its two columns (lexicon `statements.rate_definitions`);
    `content`: no header reading, the pair of columns that agrees with the rate on ≥ 2 lines and more than it fails."""


class RegionColumn(_Model):
    """What one column of a region prints, as the reader classified it."""

    col: int
    role: Optional[RegionRole] = None
    """amount (figures that add up), rate (率/%), label (row names), code (科目编码 类/款/项), index (序号/行次);
    null for text."""
    evidence: str = "none"
    """`head:<header word>` or `content:<what the cells print>`; `none` for text columns."""
    header: str = ""
    """The header texts above the column, top to bottom, joined by " › " (2024年 › 预算数)."""


class TableRegion(_Model):
    """A run of header rows and the body rows they head (a table may hold several: budget, indicators, 总分)."""

    kind: Literal["statement", "indicators"] = "statement"
    header_rows: list[int] = Field(default_factory=list)
    body_rows: list[int] = Field(default_factory=list)
    columns: list[RegionColumn] = Field(default_factory=list)
    totals: list[TotalRelation] = Field(default_factory=list)
    """The totals the region prints, rows and columns (empty for an indicator region: its 总分 is read as scores)."""
    rates: Optional[list[RateRelation]] = None
    """Each rate column's numerator and denominator; null in results stored before the reader gave them."""


class Table(_Model):
    id: str
    section: Optional[str] = None
    role: TableRole = "other"
    title: Optional[str] = None
    pages: list[int] = Field(default_factory=list)
    n_rows: int = 0
    n_cols: int = 0
    cells: list[Cell] = Field(default_factory=list)
    columns: list[ColumnReading] = Field(default_factory=list)
    regions: list[TableRegion] = Field(default_factory=list)
    """The table read as statement regions (header rows, body rows, column roles, the totals it prints): the
    model the validator checks row and column totals on. Empty in results stored before the reader gave it."""


class Indicator(_Model):
    id: str
    section: str
    level1: Optional[str] = None
    level2: Optional[str] = None
    name: str
    target: Value = Field(default_factory=Value)
    actual: Value = Field(default_factory=Value)
    weight: Optional[float] = None
    score: Optional[float] = None
    review_score: Optional[float] = None
    description: Optional[str] = None
    deviation_reason: Optional[str] = None
    review_comment: Optional[str] = None
    criteria: Optional[str] = None
    """评分标准 / 评价标准 text."""
    explanation: Optional[str] = None
    """指标解释 / 指标说明 text."""
    parent: Optional[str] = None
    """Id of the level score summary this indicator adds into (scores[].id), null where none is printed."""
    expected_score: Optional[float] = Field(default=None, description=_EXPECTED)
    scoring: Optional[str] = Field(default=None, description=_SCORING)
    source: Source = Field(default_factory=Source)
    confidence: dict[str, float] = Field(default_factory=dict)


class BudgetLine(_Model):
    id: str
    section: Optional[str] = None
    item: str
    initial: Optional[float] = None
    adjustment: Optional[float] = None
    adjusted: Optional[float] = None
    actual: Optional[float] = None
    rate: Optional[float] = None
    unit: Optional[str] = None
    weight: Optional[float] = None
    score: Optional[float] = None
    review_score: Optional[float] = None
    parent: Optional[str] = None
    expected_score: Optional[float] = Field(default=None, description=_EXPECTED)
    scoring: Optional[str] = Field(default=None, description=_SCORING)
    source: Source = Field(default_factory=Source)
    confidence: dict[str, float] = Field(default_factory=dict)


class ScoreSummary(_Model):
    id: str
    section: Optional[str] = None
    label: str
    weight: Optional[float] = None
    score: Optional[float] = None
    review_score: Optional[float] = None
    parent: Optional[str] = None
    """Id of the score summary this one adds into (a level into its 一级, a 一级 into 总分); null for the top."""
    expected_score: Optional[float] = Field(default=None, description=_EXPECTED)
    scoring: Optional[str] = Field(default=None, description=_SCORING)
    source: Source = Field(default_factory=Source)
    confidence: dict[str, float] = Field(default_factory=dict)


class Finding(_Model):
    id: str
    rule: RuleId
    severity: Severity
    message: str
    refs: list[str] = Field(min_length=1)
    expected: Union[float, str, None] = None
    found: Union[float, str, None] = None


class Paragraph(_Model):
    """A narrative paragraph outside tables, kept so rules can read the prose."""

    id: str
    text: str
    page: int = 1
    bbox: Optional[BBox] = None
    section: Optional[str] = None


class Problem(_Model):
    """Something that went wrong while reading part of a file; the rest still counts."""

    stage: str
    message: str
    page: Optional[int] = None
    table: Optional[str] = None
    """The table concerned (t3), where the problem is about one."""
    cell: Optional[CellRef] = None
    """(row, col) of the cell concerned inside `table`."""


class PageInfo(_Model):
    """One page as the reader saw it: the size every bbox on it is measured in, and for a scanned
    page how the image was turned to make it upright (the review page shows it turned the same way)."""

    n: int
    width: float
    height: float
    """Points of the upright page (a page scanned sideways has its sides swapped)."""
    scanned: bool = False
    quarter_turns: int = 0
    """Counter-clockwise quarter turns applied after levelling (0..3)."""
    skew_degrees: float = 0.0
    """Counter-clockwise rotation that levelled the scan, applied first."""


class ExtractionResult(_Model):
    """The one JSON object `extractor extract FILE --json` prints."""

    schema_version: Literal["1"] = SCHEMA_VERSION
    document: DocumentInfo
    sections: list[Section] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    indicators: list[Indicator] = Field(default_factory=list)
    budget_lines: list[BudgetLine] = Field(default_factory=list)
    scores: list[ScoreSummary] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    narrative: list[Paragraph] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    pages: list[PageInfo] = Field(default_factory=list)
    """Page sizes and scan geometry (empty for office files and results stored before it existed)."""
