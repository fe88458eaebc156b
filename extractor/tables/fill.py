"""Put text into grid cells and turn the rest of a page into paragraphs, in reading order."""

from __future__ import annotations

from typing import Optional

from extractor.tables.grid import Grid, GridCell
from extractor.text.join import join_lines
from schemas import Cell, PageContent, TableBlock, Word

CellKey = tuple[int, int]


def lines_of(words: list[Word]) -> list[list[Word]]:
    """Group words into text lines (top to bottom), each sorted left to right."""
    lines: list[list[Word]] = []
    top = bottom = 0.0  # extent of the last line so far, kept as it grows rather than recomputed per word
    for word in sorted(words, key=lambda w: ((w.bbox[1] + w.bbox[3]) / 2, w.bbox[0])):
        middle = (word.bbox[1] + word.bbox[3]) / 2
        if lines and top <= middle <= bottom:
            lines[-1].append(word)
            top, bottom = min(top, word.bbox[1]), max(bottom, word.bbox[3])
            continue
        lines.append([word])
        top, bottom = word.bbox[1], word.bbox[3]
    return [sorted(line, key=lambda w: w.bbox[0]) for line in lines]


def line_text(line: list[Word]) -> str:
    """Words of one printed line, with the spaces that separated them."""
    return " ".join(word.text for word in line)


def cell_text(words: list[Word]) -> str:
    return join_lines([line_text(line) for line in lines_of(words)])


def table_block(grid: Grid, page_number: int, texts: dict[CellKey, tuple[str, float, Optional[float]]]) -> TableBlock:
    """A TableBlock from a grid and the recognised text of its cells.

    `texts` maps (row, col) of a grid cell to (text, confidence, indent); missing cells are empty.
    """
    cells = []
    for grid_cell in grid.cells:
        text, confidence, indent = texts.get((grid_cell.row, grid_cell.col), ("", 1.0, None))
        cells.append(
            Cell(
                row=grid_cell.row,
                col=grid_cell.col,
                row_span=grid_cell.row_span,
                col_span=grid_cell.col_span,
                text=text,
                page=page_number,
                bbox=tuple(round(v, 2) for v in grid_cell.bbox),
                confidence=round(confidence, 4),
                indent=indent,
            )
        )
    bbox = tuple(round(v, 2) for v in grid.bbox)
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
        texts = {}
        for key, words in cell_words.items():
            confidence = min(word.confidence for word in words)
            indent = round(min(word.bbox[0] for word in words) - origin[key].bbox[0], 2)
            texts[key] = (cell_text(words), confidence, indent)
        tables.append(table_block(grid, page.number, texts))
    return tables, outside
