"""One read-only view of a result that every rule shares: tables as blocks, refs, sentences.

Built once per validation (the rules stay pure functions of it). `ref()` names a
table cell the way a reviewer finds it: the record field it was read into
("b2.rate", "c1.score", "i7.actual"), or the cell itself ("t3.r5c2") when no
record holds it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional, TypeVar, Union

from extractor.facts.numbers import Sentence, flowing_sentences
from extractor.facts.tolerance import Printed, from_float, parse_printed
from extractor.forms.build import score_label
from extractor.forms.headers import BUDGET_ROLES, INDICATOR_ROLES, SCORE_ROLES, match_role
from extractor.rules.grid import Block, FigureGrid, header_parts, split_blocks, squeeze
from schemas import BudgetLine, ExtractionResult, Indicator, ScoreSummary, Table, ValidationOptions, Value

Record = Union[Indicator, BudgetLine, ScoreSummary]
T = TypeVar("T")
NUMERIC_FIELDS = ("initial", "adjustment", "adjusted", "actual", "rate", "weight", "score", "review_score")
SCORE_FIELDS = ("weight", "score", "review_score")
OFFICE_KINDS = ("docx", "xlsx", "xls")


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


def _vocabulary(record: Record) -> dict[str, list[str]]:
    if isinstance(record, Indicator):
        return INDICATOR_ROLES
    if isinstance(record, BudgetLine):
        return BUDGET_ROLES
    return SCORE_ROLES


@dataclass
class DocView:
    result: ExtractionResult
    options: ValidationOptions = field(default_factory=ValidationOptions)
    tables: list[TableBlocks] = field(init=False)
    records_at: dict[tuple[str, int], list[Record]] = field(init=False)

    def __post_init__(self) -> None:
        self._row_refs: dict[tuple[str, int], dict[int, str]] = {}
        self._field_cells: dict[str, tuple[str, int, int]] = {}
        self._roles: dict[tuple[str, str], Optional[tuple[str, int]]] = {}
        self._memo: dict[tuple[str, object], object] = {}
        self.tables = []
        for table in self.result.tables:
            grid = FigureGrid(table)
            self.tables.append(TableBlocks(table, grid, split_blocks(grid)))
        self._tables_by_id = {view.table.id: view for view in self.tables}
        self.records_at = {}
        self._cell_refs: dict[tuple[str, int, int], str] = {}
        self._read_cells: dict[str, list[tuple[int, int]]] = {}
        records: list[Record] = [*self.result.indicators, *self.result.budget_lines, *self.result.scores]
        for record in records:
            table_id = record.source.table
            if table_id is None:
                continue
            if record.source.cells:
                self._index_cells(record, table_id)
            elif record.source.row is not None:  # read without the reader's cells: guessed per row below
                self.records_at.setdefault((table_id, record.source.row), []).append(record)

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

    @property
    def use_indent(self) -> bool:
        """Indentation is a deliberate hierarchy mark in office files; in PDFs it is also centring."""
        return self.result.document.kind in OFFICE_KINDS

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
            found = self._refs_of_row(view, row).get(col)
            if found is not None:
                return found
        return f"{table_id}.r{row}c{col}"

    def read_as_other(self, table_id: str, rows: list[int], col: int, field_name: str) -> bool:
        """The reader read a cell of this column (in these rows) into another field: 得分(20分*执行率) is a score."""
        for row in rows:
            read = self._cell_refs.get((table_id, row, col))
            if read is not None and read.split(".", 1)[1] != field_name:
                return True
        return False

    def _refs_of_row(self, view: TableBlocks, row: int) -> dict[int, str]:
        key = (view.table.id, row)
        if key not in self._row_refs:
            refs: dict[int, str] = {}
            records = self.records_at.get(key, [])
            if records:
                for cell in view.grid.anchors[row]:
                    found = self._field_ref(view, records, row, cell.col)
                    if found is not None and found not in refs.values():
                        refs[cell.col] = found
                        self._field_cells[found] = (view.table.id, row, cell.col)
            self._row_refs[key] = refs
        return self._row_refs[key]

    def _role(self, part: str, record: Record) -> Optional[tuple[str, int]]:
        key = (type(record).__name__, part)
        if key not in self._roles:
            self._roles[key] = match_role(part, _vocabulary(record))
        return self._roles[key]

    def _header_field(self, view: TableBlocks, block: Optional[Block], col: int, record: Record) -> Optional[str]:
        """The record field a column's header names (预算执行率 → rate), read once per column and record type."""
        key = ("field", view.table.id, id(block), col, type(record).__name__)
        if key not in self._memo:
            name = None
            header = block.columns[col].header if block is not None and col in block.columns else ""
            for part in reversed(header_parts(header)):
                role = self._role(part, record) if part else None
                if role:
                    name = role[0] if role[0] in type(record).model_fields else None
                    break
            self._memo[key] = name
        return self._memo[key]  # type: ignore[return-value]

    def _field_ref(self, view: TableBlocks, records: list[Record], row: int, col: int) -> Optional[str]:
        text = view.grid.text(row, col)
        printed = view.grid.number(text)
        keyed = self._key_value_ref(view, records, row, col)
        if keyed is not None:
            return keyed
        block = view.block_of(row)
        for record in records:
            name = self._header_field(view, block, col, record)
            if name is not None and (name not in NUMERIC_FIELDS or _matches(getattr(record, name), printed)):
                return f"{record.id}.{name}"
        return None  # no guess by value: a cell whose field is not known names itself (t3.r5c2)

    def _key_value_ref(self, view: TableBlocks, records: list[Record], row: int, col: int) -> Optional[str]:
        """A form line `自评得分（满分100分） | 90 | 预算执行（10分） | #DIV/0!`: the label left of the cell."""
        summaries = [r for r in records if isinstance(r, ScoreSummary)]
        if not summaries:
            return None
        left = [c for c in view.grid.anchors[row] if c.col < col and squeeze(c.text)]
        if not left:
            return None
        label = score_label(left[-1].text)
        for summary in summaries:
            if summary.label == label:
                return f"{summary.id}.{'review_score' if summary.score is None and summary.review_score is not None else 'score'}"
        return None

    def memo(self, namespace: str, key: object, compute: Callable[[], T]) -> T:
        """A value computed once per validation (readings, lists of a sentence …), shared by the rules."""
        slot = (namespace, key)
        if slot not in self._memo:
            self._memo[slot] = compute()
        return self._memo[slot]  # type: ignore[return-value]

    # --- printed figures of records -------------------------------------------------------

    def printed_field(self, record: Record, name: str) -> Optional[Printed]:
        """A record's number as printed: from its cell where the table holds it, else its float."""
        return self.memo("printed", (record.id, name), lambda: self._printed_field(record, name))

    def _printed_field(self, record: Record, name: str) -> Optional[Printed]:
        value = getattr(record, name, None)
        exact = name in SCORE_FIELDS
        cell_text = self.cell_text_of(record, name)
        if cell_text is not None:
            printed = parse_printed(cell_text.replace("分", "").split("：")[-1], exact_integers=exact)
            if printed is not None and (value is None or abs(printed.value - value) < 1e-9):
                return printed
        if value is None:
            return None
        return from_float(value, exact_integers=exact)

    def cell_of(self, record: Record, name: str) -> Optional[tuple[str, int, int]]:
        """(table, row, col) of the (first) cell a record's field was read from, when it can be found."""
        view = self.table(record.source.table)
        if view is None:
            return None
        if record.source.cells:
            cells = self._read_cells.get(f"{record.id}.{name}")
            return (view.table.id, *cells[0]) if cells else None
        if record.source.row is None:
            return None
        self._refs_of_row(view, record.source.row)
        return self._field_cells.get(f"{record.id}.{name}")

    def cell_text_of(self, record: Record, name: str) -> Optional[str]:
        """The text of the cell a record's field was read from, when it can be found."""
        view = self.table(record.source.table)
        row = record.source.row
        if view is None:
            return None
        if record.source.cells:
            cells = self._read_cells.get(f"{record.id}.{name}")
            # operator | value | unit printed in separate cells read as one text, as the reader joined them
            return "".join(view.grid.text(r, c) for r, c in cells) if cells else None
        if row is None:
            return None
        self._refs_of_row(view, row)
        where = self._field_cells.get(f"{record.id}.{name}")
        return view.grid.text(where[1], where[2]) if where is not None else None


def _matches(value: object, printed: Optional[Printed]) -> bool:
    if isinstance(value, Value):
        value = value.value
    if printed is None:
        return True  # blank, error or text: the role decides
    if value is None:
        return printed.exact and printed.value == 0 and not any(ch.isdigit() for ch in printed.text)  # "-", "——"
    return abs(value - printed.value) < 1e-9
