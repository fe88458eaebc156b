"""Spreadsheet sheets (XLSX and legacy XLS) to tables and paragraphs.

A sheet is split into bands at fully blank rows. A band whose rows use several
columns is a table (merged ranges become spans; a first row that is one merged
cell across the band is its caption); a band of single-cell rows is narrative.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import BaseModel, Field

from extractor.forms.lexicon import lexicon
from schemas import Block, Cell, ParagraphBlock, TableBlock

_UNIT_LINE = lexicon().layout_words.sheet_unit_line
Merge = tuple[int, int, int, int]
"""(first_row, first_col, last_row, last_col), 0-based, inclusive."""


class SheetGrid(BaseModel):
    """A sheet's printed texts by (row, col), its merged ranges and indent levels."""

    name: str
    texts: dict[tuple[int, int], str] = Field(default_factory=dict)
    merges: list[Merge] = Field(default_factory=list)
    indents: dict[tuple[int, int], float] = Field(default_factory=dict)
    bordered: set[tuple[int, int]] = Field(default_factory=set)
    """Cells with a border; empty when the reader does not know borders."""


def format_number(value: float, number_format: str) -> str:
    """The number as the cell's format prints it (the common formats of budget sheets)."""
    fmt = (number_format or "General").split(";")[0]
    decimals_match = re.search(r"0\.(0+)", fmt)
    decimals = len(decimals_match.group(1)) if decimals_match else 0
    if "%" in fmt:
        return f"{value * 100:.{decimals}f}%"
    if fmt == "General" or not re.search(r"[0#]", fmt):
        if float(value).is_integer():
            return str(int(value))
        return f"{value:.10g}"
    text = f"{value:,.{decimals}f}" if "," in fmt else f"{value:.{decimals}f}"
    return text


def _bands(grid: SheetGrid) -> list[tuple[int, int]]:
    if not grid.texts:
        return []
    used_rows = {row for row, _ in grid.texts}
    for r0, _, r1, _ in grid.merges:
        if any(r0 <= row <= r1 for row in used_rows):
            used_rows.update(range(r0, r1 + 1))
    bands: list[tuple[int, int]] = []
    for row in sorted(used_rows):
        if bands and row == bands[-1][1] + 1:
            bands[-1] = (bands[-1][0], row)
        else:
            bands.append((row, row))
    return bands


def sheet_blocks(grid: SheetGrid, page: int = 1) -> list[Block]:
    """Blocks of one sheet; `page` is the sheet's number, so captions never cross sheets."""
    blocks: list[Block] = []
    for first, last in _bands(grid):
        merges = [m for m in grid.merges if first <= m[0] <= last]
        covered = {
            (r, c)
            for r0, c0, r1, c1 in merges
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)
        }
        anchors = {(r, c): t for (r, c), t in grid.texts.items() if first <= r <= last and (r, c) not in covered}
        columns = {c for _, c in anchors} | {c for m in merges for c in range(m[1], m[3] + 1)}
        texts = [text for text in anchors.values() if text]
        if len(columns) <= 1 or (first == last and len(texts) <= 1):
            blocks.extend(ParagraphBlock(text=anchors[key], page=page) for key in sorted(anchors) if anchors[key])
            continue
        blocks.extend(_band_table(grid, first, last, min(columns), max(columns), merges, covered, page))
    return blocks


def _single_cell_row(grid: SheetGrid, row: int, col0: int, width: int, spans: dict) -> Optional[str]:
    """The text of a row that is one merged cell across the band (a caption or unit line), else None."""
    span = spans.get((row, col0))
    if span and span[0] == 1 and span[1] == width:
        return grid.texts.get((row, col0))
    return None


def _band_table(
    grid: SheetGrid,
    first: int,
    last: int,
    col0: int,
    col1: int,
    merges: list[Merge],
    covered: set[tuple[int, int]],
    page: int,
) -> list[Block]:
    spans = {(m[0], m[1]): (m[2] - m[0] + 1, m[3] - m[1] + 1) for m in merges}
    width = col1 - col0 + 1
    blocks: list[Block] = []
    caption = _single_cell_row(grid, first, col0, width, spans) if last > first else None
    if caption is not None and (first, col0) in grid.bordered:
        caption = None  # a ruled first row is the table's own heading row, not a caption above it
    if caption is not None:
        first += 1
        unit = _single_cell_row(grid, first, col0, width, spans) if last > first else None
        if unit is not None and _UNIT_LINE.search(unit):
            blocks.append(ParagraphBlock(text=unit, page=page))
            first += 1
    below = _single_cell_row(grid, last, col0, width, spans) if last > first else None
    if below is not None and grid.bordered and (last, col0) not in grid.bordered:
        last -= 1  # an unruled caption printed under the table (…对比表)
    else:
        below = None
    cells: list[Cell] = []
    for row in range(first, last + 1):
        for col in range(col0, col1 + 1):
            if (row, col) in covered:
                continue
            row_span, col_span = spans.get((row, col), (1, 1))
            row_span = min(row_span, last - row + 1)
            cells.append(
                Cell(
                    row=row - first,
                    col=col - col0,
                    row_span=row_span,
                    col_span=col_span,
                    text=grid.texts.get((row, col), ""),
                    page=page,
                    indent=grid.indents.get((row, col)),
                )
            )
    if not any(cell.text for cell in cells):
        return blocks
    blocks.append(TableBlock(cells=cells, n_rows=last - first + 1, n_cols=width, pages=[page], caption=caption))
    if below is not None:
        blocks.append(ParagraphBlock(text=below, page=page))
    return blocks
