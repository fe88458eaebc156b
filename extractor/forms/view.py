"""A dense view of a table for the reader: the shared cell grid (extractor/tables/cellgrid.py).

Kept as the name the reader's modules import; the validator uses the same class.
"""

from __future__ import annotations

from extractor.tables.cellgrid import CellGrid

TableView = CellGrid
"""Which cell owns each (row, col) position; one implementation for reader and validator."""

__all__ = ["TableView"]
