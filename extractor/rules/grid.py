"""The table model the rules walk: the reader's regions (`tables[].regions`) as blocks over a cell grid.

Nothing here reads a header or classifies a column: that is the reader's (`extractor.forms.statements`).
The names are re-exported so the rule modules import them from one place.
"""

from __future__ import annotations

from extractor.forms.statements.grid import Block, Column, FigureGrid, header_leaf
from extractor.forms.values import is_spreadsheet_error
from extractor.text.join import squeeze

__all__ = ["Block", "Column", "FigureGrid", "header_leaf", "is_spreadsheet_error", "squeeze"]
