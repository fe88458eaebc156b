"""Put text into grid cells and turn the rest of a page into paragraphs, in reading order."""

from __future__ import annotations

from typing import Optional

from extractor.tables.grid import Grid, GridCell
from extractor.tables.text_lines import line_text, lines_of
from extractor.text.join import join_lines
from schemas import Cell, PageContent, TableBlock, Word
from schemas.records import as_bbox

CellKey = tuple[int, int]


def cell_text(words: list[Word]) -> str:
    if len(words) == 1:  # most cells hold one word: its text is what joining one line gives
        return words[0].text.strip()
    return join_lines([line_text(line) for line in lines_of(words)])


def table_block(grid: Grid, page_number: int, texts: dict[CellKey, tuple[str, float, Optional[float]]]) -> TableBlock:
    """A TableBlock from a grid and the recognised text of its cells.

    `texts` maps (row, col) of a grid cell to (text, confidence, indent); missing cells are empty.
    """
    cells = []
    empty = ("", 1.0, None)
    for grid_cell in grid.cells:
        text, confidence, indent = texts.get((grid_cell.row, grid_cell.col), empty)
        # unpacked, rounded then made float as as_bbox does: a generator per cell cost more than the Cell
        x0, y0, x1, y1 = grid_cell.bbox
        cells.append(
            Cell(
                row=grid_cell.row,
                col=grid_cell.col,
                row_span=grid_cell.row_span,
                col_span=grid_cell.col_span,
                text=text,
                page=page_number,
                bbox=(float(round(x0, 2)), float(round(y0, 2)), float(round(x1, 2)), float(round(y1, 2))),
                confidence=round(confidence, 4),
                indent=indent,
            )
        )
    bbox = as_bbox(round(v, 2) for v in grid.bbox)
    return TableBlock(
        cells=cells,
        n_rows=grid.n_rows,
        n_cols=grid.n_cols,
        pages=[page_number],
        bbox=bbox,
        last_bbox=bbox,
        column_edges=[round(x, 2) for x in grid.col_edges],
    )


def _assign_words(grids: list[Grid], words: list[Word]) -> tuple[list[dict[CellKey, list[Word]]], list[Word]]:
    per_grid: list[dict[CellKey, list[Word]]] = [{} for _ in grids]
    outside: list[Word] = []
    for word in words:
        x = (word.bbox[0] + word.bbox[2]) / 2
        y = (word.bbox[1] + word.bbox[3]) / 2
        for index, grid in enumerate(grids):
            cell: Optional[GridCell] = grid.locate(x, y)
            if cell is not None:
                per_grid[index].setdefault((cell.row, cell.col), []).append(word)
                break
        else:
            outside.append(word)
    return per_grid, outside


def fill_grids(page: PageContent, grids: list[Grid]) -> tuple[list[TableBlock], list[Word]]:
    """Tables with their cell text, and the words that fell outside every table."""
    per_grid, outside = _assign_words(grids, page.words)
    tables = []
    for grid, cell_words in zip(grids, per_grid):
        origin = {(c.row, c.col): c for c in grid.cells}
        texts: dict[CellKey, tuple[str, float, Optional[float]]] = {}
        for key, words in cell_words.items():
            confidence = min(word.confidence for word in words)
            indent = round(min(word.bbox[0] for word in words) - origin[key].bbox[0], 2)
            texts[key] = (cell_text(words), confidence, indent)
        tables.append(table_block(grid, page.number, texts))
    return tables, outside
