"""One read-only view of a result that every rule shares: tables as blocks, refs, sentences.

Built once per validation (the rules stay pure functions of it). Tables are the reader's
regions (`tables[].regions`: column roles and the totals the table prints) over a cell grid;
a result stored before the reader gave regions is re-read from its stored cells by the same
reader code. `ref()` names a table cell the way a reviewer finds it: the record field the
reader read from it (`source.cells`: "b2.rate", "c1.score", "i7.actual"), or the cell itself
("t3.r5c2") when no record holds it. Nothing here reads a header or guesses a field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional, TypeVar, Union, cast

from extractor.facts.numbers import Sentence, flowing_sentences
from extractor.facts.tolerance import Printed, from_float, parse_printed
from extractor.forms.lexicon import lexicon
from extractor.forms.statements import blocks_of, read_regions
from extractor.rules.grid import Block, FigureGrid
from schemas import BudgetLine, ExtractionResult, Indicator, ScoreSummary, Table, ValidationOptions

Record = Union[Indicator, BudgetLine, ScoreSummary]
T = TypeVar("T")
SCORE_FIELDS = ("weight", "score", "review_score")


def _without_marks(text: str) -> str:
    """A score cell's text without its marks unit (9.5分 → 9.5)."""
    for unit in lexicon().cell_words.mark_units:
        text = text.replace(unit, "")
    return text


@dataclass
class TableBlocks:
    table: Table
    grid: FigureGrid
    blocks: list[Block]
    _row_block: dict[int, Block] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._row_block = {row: block for block in self.blocks for row in block.body_rows}

    def block_of(self, row: int) -> Optional[Block]:
        return self._row_block.get(row)

    @property
    def name(self) -> str:
        """How a message names the table: its title, else its id."""
        return f"「{self.table.title}」" if self.table.title else f"表{self.table.id}"


@dataclass
class DocView:
    result: ExtractionResult
    options: ValidationOptions = field(default_factory=ValidationOptions)
    tables: list[TableBlocks] = field(init=False)

    def __post_init__(self) -> None:
        self._memo: dict[tuple[object, ...], object] = {}
        self.tables = []
        for table in self.result.tables:
            grid = FigureGrid(table)
            # A result stored before the reader gave regions: the same reader code reads its stored cells.
            regions = table.regions or read_regions(table, self.result.document.kind, grid)
            self.tables.append(TableBlocks(table, grid, blocks_of(grid, regions)))
        self._tables_by_id = {view.table.id: view for view in self.tables}
        self._cell_refs: dict[tuple[str, int, int], str] = {}
        self._read_cells: dict[str, list[tuple[int, int]]] = {}
        records: list[Record] = [*self.result.indicators, *self.result.budget_lines, *self.result.scores]
        for record in records:
            # A record without `source.cells` (stored before the reader kept them) names no cell: its
            # cells name themselves (t3.r5c2) and its figures are its floats.
            if record.source.table is not None and record.source.cells:
                self._index_cells(record, record.source.table)

    def _index_cells(self, record: Record, table_id: str) -> None:
        """The reader's `source.cells`: each field's cells, and for each cell the field read from it.

        A cell several records share (a merged 一级指标) names the first record read from it.
        """
        fields = type(record).model_fields
        for name, cells in record.source.cells.items():
            if name not in fields:
                continue  # a reading the record does not keep (a 得分率 beside a summary): the cell names itself
            ref = f"{record.id}.{name}"
            self._read_cells[ref] = [(row, col) for row, col in cells]
            for row, col in cells:
                self._cell_refs.setdefault((table_id, row, col), ref)

    @cached_property
    def sentences(self) -> list[Sentence]:
        """The narrative's sentences, read across paragraphs a line or page break cut mid-sentence."""
        return flowing_sentences([(f"{p.id}.text", p.text) for p in self.result.narrative])

    def table(self, table_id: Optional[str]) -> Optional[TableBlocks]:
        return self._tables_by_id.get(table_id) if table_id is not None else None

    # --- refs -------------------------------------------------------------------------------

    def ref(self, table_id: str, row: int, col: int) -> str:
        """The record field a cell was read into, else `t3.r5c2`."""
        view = self.table(table_id)
        if view is not None:
            cell = view.grid.cell(row, col)
            if cell is not None:
                row, col = cell.row, cell.col
            read = self._cell_refs.get((table_id, row, col))
            if read is not None:
                return read
        return f"{table_id}.r{row}c{col}"

    def read_as_other(self, table_id: str, rows: list[int], col: int, field_name: str) -> bool:
        """The reader read a cell of this column (in these rows) into another field: 得分(20分*执行率) is a score."""
        for row in rows:
            read = self._cell_refs.get((table_id, row, col))
            if read is not None and read.split(".", 1)[1] != field_name:
                return True
        return False

    def memo(self, namespace: str, key: object, compute: Callable[[], T]) -> T:
        """A value computed once per validation (readings, lists of a sentence …), shared by the rules."""
        slot = (namespace, key)
        if slot not in self._memo:
            self._memo[slot] = compute()
        return cast(T, self._memo[slot])  # the memo holds what `compute` returned for this slot

    # --- printed figures of records -------------------------------------------------------

    def printed_field(self, record: Record, name: str) -> Optional[Printed]:
        """A record's number as printed: from its cell where the table holds it, else its float."""
        return self.memo("printed", (record.id, name), lambda: self._printed_field(record, name))

    def _printed_field(self, record: Record, name: str) -> Optional[Printed]:
        value = getattr(record, name, None)
        exact = name in SCORE_FIELDS
        cell_text = self.cell_text_of(record, name)
        if cell_text is not None:
            printed = parse_printed(_without_marks(cell_text).split("：")[-1], exact_integers=exact)
            if printed is not None and (value is None or abs(printed.value - value) < 1e-9):
                return printed
        if value is None:
            return None
        return from_float(value, exact_integers=exact)

    def cell_of(self, record: Record, name: str) -> Optional[tuple[str, int, int]]:
        """(table, row, col) of the (first) cell a record's field was read from, when it can be found."""
        view = self.table(record.source.table)
        cells = self._read_cells.get(f"{record.id}.{name}")
        return (view.table.id, *cells[0]) if view is not None and cells else None

    def cell_text_of(self, record: Record, name: str) -> Optional[str]:
        """The text of the cell a record's field was read from, when it can be found."""
        view = self.table(record.source.table)
        cells = self._read_cells.get(f"{record.id}.{name}")
        if view is None or not cells:
            return None
        # operator | value | unit printed in separate cells read as one text, as the reader joined them
        return "".join(view.grid.text(r, c) for r, c in cells)
