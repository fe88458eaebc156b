"""A table as a grid of blocks: header rows, body rows and what each column holds.

One printed table often holds several blocks (a budget block, an indicator block,
a 总分 row), each under its own header rows. A block's columns are classified
from its body: numbers, rates, row labels, 序号/行次 indexes and 科目编码 codes.
The reader stores the blocks as `tables[].regions` (see `statements/__init__.py`); the
validator rebuilds these objects from them and never classifies a column itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Optional

from extractor.facts.tolerance import Printed, is_blank_marker, parse_printed
from extractor.forms.lexicon import lexicon
from extractor.forms.values import is_spreadsheet_error  # re-exported for the rule modules
from extractor.tables.cellgrid import CellGrid
from extractor.text.join import squeeze  # re-exported: rules modules import it from here
from schemas import Cell, RateRelation, Table, TotalRelation

ColumnKind = Literal["number", "rate", "label", "index", "code", "text"]
HEADER_SEPARATOR = " › "
"""Joins the header texts above a column; they are squeezed, so a spaced separator never occurs inside one
(a "/" does: 预算执行率(B/A))."""


def header_parts(header: str) -> list[str]:
    return header.split(HEADER_SEPARATOR) if header else []


def header_leaf(header: str) -> str:
    """The lowest header text above a column (预算数 under 2024年 › 预算数)."""
    return header.rsplit(HEADER_SEPARATOR, 1)[-1] if header else ""


_PATTERNS = lexicon().statements.patterns


class FigureGrid(CellGrid):
    """The shared cell grid (grown to every span) with the figures its cells print, parsed once per text."""

    def __init__(self, table: Table) -> None:
        super().__init__(table, grow=True)
        self._numbers: dict[tuple[str, bool], Optional[Printed]] = {}
        self._filled: dict[int, list[str]] = {}

    def squeezed(self, cell: Cell) -> str:
        """The cell's text without whitespace (every block and rule reads it; `squeeze` keeps each
        distinct text's answer, which costs less than a second table keyed by cell)."""
        return squeeze(cell.text)

    def squeezed_at(self, row: int, col: int) -> str:
        cell = self.anchored(row, col)
        return self.squeezed(cell) if cell is not None else ""

    def filled_texts(self, row: int) -> list[str]:
        found = self._filled.get(row)
        if found is None:
            found = self._filled[row] = [text for c in self.anchors[row] if (text := self.squeezed(c))]
        return found

    def number(self, text: str, exact_integers: bool = False) -> Optional[Printed]:
        """parse_printed, remembered per text: a table repeats the same few figures and markers."""
        key = (text, exact_integers)
        if key not in self._numbers:
            self._numbers[key] = parse_printed(text, exact_integers=exact_integers)
        return self._numbers[key]


@dataclass
class Column:
    col: int
    header: str
    """The header texts above this column, top to bottom, whitespace removed and joined by HEADER_SEPARATOR."""
    kind: ColumnKind = "text"
    evidence: str = "none"
    """What decided the kind: `head:<header word>` or `content:<what the cells print>`."""


@dataclass
class Block:
    """Header rows and the body rows they head, inside one table."""

    grid: FigureGrid
    header_rows: list[int]
    body_rows: list[int]
    columns: dict[int, Column] = field(default_factory=dict)
    is_indicator_block: bool = False
    """Headed 一级指标/指标值 …: its 总分 is checked against its records, not as a statement total."""
    totals: list[TotalRelation] = field(default_factory=list)
    """The totals the block prints (rows.py, columns.py), as the reader read them."""
    rates: list[RateRelation] = field(default_factory=list)
    """Each rate column's numerator and denominator (rates.py), as the reader read them."""

    def numeric_columns(self) -> list[int]:
        return [c for c, column in sorted(self.columns.items()) if column.kind in ("number", "rate")]

    def label_column(self, col: int) -> Optional[int]:
        """The row-label column of a numeric column: the nearest label column to its left."""
        for left in range(col - 1, -1, -1):
            column = self.columns.get(left)
            if column is not None and column.kind == "label":
                return left
        return None

    def printed(self, row: int, col: int) -> Optional[Printed]:
        """The number a body cell prints; blank markers read as an exact zero; None for text/blank."""
        return self.grid.number(self.grid.text(row, col), _is_score_header(self.columns[col].header))


def _is_score_header(header: str) -> bool:
    return bool(_PATTERNS.score_header.search(header))


def _row_kind(grid: FigureGrid, row: int) -> Literal["data", "header", "column_numbers", "text"]:
    texts = grid.filled_texts(row)
    if not texts:
        return "text"
    if _PATTERNS.column_number_row.match(texts[0]):
        return "column_numbers"
    if any(is_spreadsheet_error(t) or grid.number(t) is not None for t in texts):
        return "data"
    header_like = [
        t for t in texts if len(t) <= 24 and not _PATTERNS.list_numbering.match(t) and _PATTERNS.header_words.search(t)
    ]
    if len(texts) >= 2 and len(header_like) >= 2 and len(header_like) * 2 >= len(texts):
        return "header"
    return "text"


def _subheading(grid: FigureGrid, row: int) -> bool:
    """A one-cell header line inside a header (科目编码 over 类/款/项)."""
    texts = grid.filled_texts(row)
    return 0 < len(texts) <= 2 and all(len(t) <= 12 and _PATTERNS.header_words.search(t) for t in texts)


def _heads_new_block(grid: FigureGrid, row: int, figures: Optional[set[int]]) -> bool:
    """Inside a body, a header row names columns that held figures (使用非财政拨款结余 | 结余分配 does not)."""
    if figures is None:
        return True
    return any(
        grid.squeezed(c) and any(col in figures for col in range(c.col, c.col + c.col_span)) for c in grid.anchors[row]
    )


def split_blocks(grid: FigureGrid) -> list[Block]:
    """Blocks: a run of header rows followed by data, up to the next such run."""
    kinds = [_row_kind(grid, r) for r in range(grid.n_rows)]
    blocks: list[Block] = []
    current: Optional[Block] = None
    figures: set[int] = set()
    """Columns where the current block's rows print figures."""
    row = 0
    while row < grid.n_rows:
        if kinds[row] == "header" and _heads_new_block(grid, row, figures if current and current.body_rows else None):
            run = row
            while run < grid.n_rows and (
                kinds[run] == "header"
                or (kinds[run] == "text" and _subheading(grid, run))
                or (not grid.filled_texts(run) and run + 1 < grid.n_rows and kinds[run + 1] == "header")
            ):
                run += 1
            following = next((k for k in kinds[run:] if k != "column_numbers"), None)
            if following == "data":
                current = Block(grid, list(range(row, run)), [])
                blocks.append(current)
                figures = set()
                row = run
                continue
        if kinds[row] != "column_numbers":
            if current is None:
                current = Block(grid, [], [])
                blocks.append(current)
            if current.body_rows or kinds[row] == "data":
                current.body_rows.append(row)
                figures.update(c.col for c in grid.anchors[row] if grid.number(grid.squeezed(c)) is not None)
        row += 1
    for block in blocks:
        classify_columns(block)
        block.is_indicator_block = any(_PATTERNS.indicator_header.search(c.header) for c in block.columns.values())
    return [b for b in blocks if b.body_rows]


def _header_text(grid: FigureGrid, rows: list[int], col: int) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    for row in rows:
        cell = grid.cell(row, col)
        if cell is not None and id(cell) not in seen and squeeze(cell.text):
            seen.add(id(cell))
            parts.append(squeeze(cell.text))
    return HEADER_SEPARATOR.join(parts)


def _looks_like_codes(digits: list[str]) -> bool:
    """科目编码 without a header: 201 / 06 / 2010601 — zero-padded or of code lengths, not 1, 2, 3 …"""
    if len(digits) < 2 or len(set(digits)) == len(digits) and _is_sequence([Printed(float(d)) for d in digits]):
        return False
    return any(d.startswith("0") for d in digits) or all(len(d) in (3, 5, 7) for d in digits)


def _is_sequence(values: list[Printed]) -> bool:
    return (
        len(values) >= 2
        and all(v.decimals == 0 for v in values)
        and [int(v.value) for v in values] == list(range(int(values[0].value), int(values[0].value) + len(values)))
    )


def _classify(header: str, texts: list[str], grid: FigureGrid) -> tuple[ColumnKind, str]:
    """A column's kind from its header leaf and its body texts, with the evidence that decided it."""
    last = header_leaf(header)
    numbers = [p for t in texts if (p := grid.number(t)) is not None and not is_blank_marker(t)]
    errors = [t for t in texts if is_spreadsheet_error(t)]
    digits = sum(t.isdigit() for t in texts)
    if (
        texts
        and digits * 3 >= len(texts) * 2
        and all(t.isdigit() or _PATTERNS.code_words.search(t) for t in texts)
        and (_PATTERNS.code_header.search(last) or _looks_like_codes([t for t in texts if t.isdigit()]))
    ):
        return "code", f"head:{last}" if _PATTERNS.code_header.search(last) else "content:code"
    if _PATTERNS.index_header.match(last):
        return "index", f"head:{last}"
    if numbers and len(numbers) == len(texts) and _is_sequence(numbers) and not _PATTERNS.rate_header.search(header):
        return "index", "content:sequence"
    if texts and digits == len(texts) and all(t.startswith("0") and len(t) >= 2 for t in texts):
        return "code", "content:code"
    if numbers and (len(numbers) + len(errors)) * 2 >= len(texts):
        if _PATTERNS.rate_header.search(last):
            return "rate", f"head:{last}"
        percents = sum(1 for p in numbers if p.percent)
        return ("rate", "content:percent") if percents * 5 >= len(numbers) * 3 else ("number", "content:number")
    if texts and not numbers:
        return "label", "content:text"
    return "text", "none"


def classify_columns(block: Block) -> None:
    grid = block.grid
    for col in range(grid.n_cols):
        header = _header_text(grid, block.header_rows, col)
        texts = [grid.squeezed_at(r, col) for r in block.body_rows]
        kind, evidence = _classify(header, [t for t in texts if t], grid)
        block.columns[col] = Column(col, header, kind, evidence)
    for col, column in block.columns.items():
        # An all-blank column under an amount header (经营收入 with nothing printed) holds zeros.
        if (
            column.kind == "text"
            and _PATTERNS.amount_header.search(header_leaf(column.header))
            and not any(squeeze(grid.text(r, col)) for r in block.body_rows)
            and block.label_column(col) is not None
        ):
            column.kind = "number"
            column.evidence = f"head:{header_leaf(column.header)}"
