"""The one cell-grid helper: which cell owns each (row, col) position of a table, and the cells of a row.

The reader (forms/, as `forms.view.TableView`) and the validator (rules/) both look at a table
through it, so a merged cell means the same thing to both.
"""

from __future__ import annotations

from typing import Optional, Protocol

from extractor.text.join import squeeze
from schemas import Cell


class HasCells(Protocol):
    """A table as the schemas print it (`Table` of a result, `TableBlock` of a page)."""

    cells: list[Cell]
    n_rows: int
    n_cols: int


class CellGrid:
    """Read-only grid access: owners, anchored cells, row cells and texts.

    `grow=False` keeps the table's own n_rows/n_cols and clips spans to them (the reader's view
    of a page table); `grow=True` widens the grid to every span (a stored result may be ragged).
    """

    def __init__(self, table: HasCells, *, grow: bool = False) -> None:
        self.table = table
        self.n_rows = table.n_rows
        self.n_cols = table.n_cols
        if grow:
            self.n_rows = max([table.n_rows] + [c.row + c.row_span for c in table.cells])
            self.n_cols = max([table.n_cols] + [c.col + c.col_span for c in table.cells])
        self._owner: list[list[Optional[Cell]]] = [[None] * self.n_cols for _ in range(self.n_rows)]
        self.anchors: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        """Cells that start in each row, left to right."""
        owner, n_rows, n_cols = self._owner, self.n_rows, self.n_cols
        for cell in table.cells:
            row0, col0 = cell.row, cell.col
            if row0 < n_rows:
                self.anchors[row0].append(cell)
                if cell.row_span == 1 and cell.col_span == 1:  # most cells: no span ranges to walk
                    if col0 < n_cols:  # exactly what the two ranges below do for a 1×1 cell
                        owner[row0][col0] = cell
                    continue
            for row in range(row0, min(row0 + cell.row_span, n_rows)):
                for col in range(col0, min(col0 + cell.col_span, n_cols)):
                    owner[row][col] = cell
        for anchored in self.anchors:
            anchored.sort(key=lambda c: c.col)
        self._row_cells: list[Optional[tuple[Cell, ...]]] = [None] * self.n_rows
        self.derived: dict[str, object] = {}
        """What a reader derives from this (read-only) grid and asks for again, keyed by the reader
        (forms/headers.py keeps each row's header hits here: every row is tried as a header twice)."""

    def owner(self, row: int, col: int) -> Optional[Cell]:
        """The cell covering (row, col), merged from above or the left included."""
        if 0 <= row < self.n_rows and 0 <= col < self.n_cols:
            return self._owner[row][col]
        return None

    cell = owner

    def anchored(self, row: int, col: int) -> Optional[Cell]:
        """The cell that starts exactly at (row, col), if any."""
        cell = self.owner(row, col)
        return cell if cell is not None and cell.row == row and cell.col == col else None

    def text(self, row: int, col: int) -> str:
        """Text of the cell that starts exactly here ("" under a merge from above or from the left)."""
        cell = self.anchored(row, col)
        return cell.text if cell is not None else ""

    def row_cells(self, row: int) -> list[Cell]:
        """Distinct cells covering the row, left to right (including cells merged from above)."""
        cached = self._row_cells[row]
        if cached is None:  # computed once per row: the reader asks for a row's cells many times
            seen: list[Cell] = []
            for cell in self._owner[row]:
                if cell is not None and (not seen or seen[-1] is not cell):
                    seen.append(cell)
            cached = self._row_cells[row] = tuple(seen)
        return list(cached)

    def row_texts(self, row: int) -> list[str]:
        """Texts of the cells covering the row that start in it (merged cells from above count as blank)."""
        return [cell.text for cell in self.row_cells(row) if cell.row == row]

    def filled_texts(self, row: int) -> list[str]:
        """The non-blank texts that start in the row, whitespace removed."""
        return [text for c in self.anchors[row] if (text := squeeze(c.text))]

    def key(self, row: int, col: int) -> str:
        cell = self.owner(row, col)
        return squeeze(cell.text) if cell is not None else ""
