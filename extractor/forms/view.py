"""A dense view of a table: which cell owns each (row, col) position."""

from __future__ import annotations

from typing import Optional

from extractor.text.join import squeeze
from schemas import Cell, TableBlock


class TableView:
    """Read-only grid access for interpretation: owners, row cells and texts."""

    def __init__(self, table: TableBlock) -> None:
        self.table = table
        self.n_rows = table.n_rows
        self.n_cols = table.n_cols
        self._owner: list[list[Optional[Cell]]] = [[None] * table.n_cols for _ in range(table.n_rows)]
        for cell in table.cells:
            for row in range(cell.row, min(cell.row + cell.row_span, table.n_rows)):
                for col in range(cell.col, min(cell.col + cell.col_span, table.n_cols)):
                    self._owner[row][col] = cell

    def owner(self, row: int, col: int) -> Optional[Cell]:
        if 0 <= row < self.n_rows and 0 <= col < self.n_cols:
            return self._owner[row][col]
        return None

    def row_cells(self, row: int) -> list[Cell]:
        """Distinct cells covering the row, left to right (including cells merged from above)."""
        seen: list[Cell] = []
        for col in range(self.n_cols):
            cell = self._owner[row][col]
            if cell is not None and (not seen or seen[-1] is not cell):
                seen.append(cell)
        return seen

    def row_texts(self, row: int) -> list[str]:
        """Texts of the cells that start in this row (merged cells from above count as blank)."""
        return [cell.text for cell in self.row_cells(row) if cell.row == row]

    def key(self, row: int, col: int) -> str:
        cell = self.owner(row, col)
        return squeeze(cell.text) if cell is not None else ""
