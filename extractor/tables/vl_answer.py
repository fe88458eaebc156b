"""A vision-language model's answer about a table → cells with spans.

Document VL models answer a table-recognition prompt in one of two documented forms:
- HTML: `<table><tr><th colspan="2">…</th></tr><tr><td rowspan="2">…</td><td></td></tr></table>`;
- OTSL (Lysak et al. 2023, used by Docling and PaddleOCR-VL): one token per grid position, rows ended by `<nl>`:
  `<fcel>` a cell with text (the text follows the token), `<ecel>` an empty cell, `<lcel>` merged with the cell on
  its left, `<ucel>` merged with the cell above, `<xcel>` merged both ways (inside a 2-D span).
Both parse into the same `AnswerTable`; anything that does not describe a rectangular grid raises `MalformedAnswer`,
which the caller turns into a fall-back to the classical engine and a Problem.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from schemas import Cell, TableBlock
from schemas.records import BBox

OTSL_TOKEN = re.compile(r"<(fcel|ecel|lcel|ucel|xcel|nl)>")
OTHER_TAG = re.compile(r"<[^<>]{1,40}>")
MAX_SPAN = 200
"""A span wider than any real form: a runaway answer, not a table."""


class MalformedAnswer(ValueError):
    """The answer does not describe a table grid; the message says why."""


class AnswerCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    header: bool = False


class AnswerTable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n_rows: int
    n_cols: int
    cells: list[AnswerCell] = Field(default_factory=list)


def parse_answer(answer: str) -> list[AnswerTable]:
    """Every table of an answer, in order; HTML when it has `<table>`/`<tr>`, OTSL when it has OTSL tokens."""
    if re.search(r"<\s*(table|tr)\b", answer, re.IGNORECASE):
        return parse_html(answer)
    if OTSL_TOKEN.search(answer):
        return [parse_otsl(answer)]
    raise MalformedAnswer("回答中没有表格 (no HTML table and no OTSL tokens in the answer)")


# --- HTML ----------------------------------------------------------------------------------------


class _RawCell(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = ""
    row_span: int = 1
    col_span: int = 1
    header: bool = False


class _HtmlTables(HTMLParser):
    """Collects rows of raw cells per top-level table; tags inside a cell only contribute their text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[_RawCell]]] = []
        self.depth = 0
        self.cell: Optional[_RawCell] = None
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
            return
        if self.depth != 1:
            return  # a table nested inside a cell: its text joins the cell's
        if tag == "tr":
            self._close_cell()
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._close_cell()
            if not self.tables[-1]:
                self.tables[-1].append([])  # a cell before any <tr>: lenient, as browsers are
            values = dict(attrs)
            self.cell = _RawCell(
                row_span=_span(values.get("rowspan")), col_span=_span(values.get("colspan")), header=tag == "th"
            )
            self.parts = []
        elif tag == "br" and self.cell is not None:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self.depth == 1:
                self._close_cell()
            self.depth = max(0, self.depth - 1)
        elif self.depth == 1 and tag in ("td", "th", "tr"):
            self._close_cell()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.parts.append(data)

    def _close_cell(self) -> None:
        if self.cell is None:
            return
        text = "\n".join(line.strip() for line in "".join(self.parts).splitlines() if line.strip())
        self.tables[-1][-1].append(self.cell.model_copy(update={"text": text}))
        self.cell = None
        self.parts = []


def _span(value: Optional[str]) -> int:
    if value is None or not value.strip():
        return 1
    try:
        span = int(value.strip())
    except ValueError as error:
        raise MalformedAnswer(f"跨度不是整数 (span {value!r} is not an integer)") from error
    if not 1 <= span <= MAX_SPAN:
        raise MalformedAnswer(f"跨度超出范围 (span {span} out of range)")
    return span


def parse_html(answer: str) -> list[AnswerTable]:
    """Tables of an HTML answer; rowspan/colspan placed on an occupancy grid the way browsers place them."""
    if not re.search(r"<\s*table\b", answer, re.IGNORECASE):
        answer = f"<table>{answer}</table>"  # rows without the wrapper: still one table
    parser = _HtmlTables()
    parser.feed(answer)
    parser.close()
    if parser.tables and parser.tables[-1]:
        parser._close_cell()  # an answer cut off inside its last cell keeps that cell
    tables = [_place(rows) for rows in parser.tables if any(rows)]
    if not tables:
        raise MalformedAnswer("HTML 表格没有单元格 (the HTML table has no cells)")
    return tables


def _place(rows: list[list[_RawCell]]) -> AnswerTable:
    taken: set[tuple[int, int]] = set()
    cells: list[AnswerCell] = []
    for row_index, row in enumerate(rows):
        col = 0
        for raw in row:
            while (row_index, col) in taken:
                col += 1
            spots = {(r, c) for r in range(row_index, row_index + raw.row_span) for c in range(col, col + raw.col_span)}
            if spots & taken:
                raise MalformedAnswer(f"HTML 单元格跨度重叠 (spans overlap in row {row_index + 1})")
            taken |= spots
            cells.append(
                AnswerCell(
                    row=row_index,
                    col=col,
                    row_span=raw.row_span,
                    col_span=raw.col_span,
                    text=raw.text,
                    header=raw.header,
                )
            )
            col += raw.col_span
    n_rows = max(cell.row + cell.row_span for cell in cells)
    n_cols = max(cell.col + cell.col_span for cell in cells)
    return AnswerTable(n_rows=n_rows, n_cols=n_cols, cells=cells)


# --- OTSL ----------------------------------------------------------------------------------------


def parse_otsl(answer: str) -> AnswerTable:
    """An OTSL answer → cells; the grid must be rectangular and every merge token must continue a cell."""
    grid = _otsl_grid(answer)
    width = len(grid[0])
    if any(len(row) != width for row in grid):
        widths = sorted({len(row) for row in grid})
        raise MalformedAnswer(f"OTSL 各行长度不一 (rows of different lengths {widths})")
    cells: list[AnswerCell] = []
    for r, row in enumerate(grid):
        for c, (token, text) in enumerate(row):
            if token in ("lcel", "xcel") and c == 0:
                raise MalformedAnswer(f"OTSL 第{r + 1}行以合并符开头 (row {r + 1} starts with <{token}>)")
            if token in ("ucel", "xcel") and r == 0:
                raise MalformedAnswer(f"OTSL 首行含向上合并符 (first row has <{token}>)")
            if token not in ("fcel", "ecel"):
                continue
            col_span = 1
            while c + col_span < width and grid[r][c + col_span][0] == "lcel":
                col_span += 1
            row_span = 1
            while r + row_span < len(grid) and grid[r + row_span][c][0] == "ucel":
                row_span += 1
            cells.append(AnswerCell(row=r, col=c, row_span=row_span, col_span=col_span, text=text))
    _check_cover(cells, len(grid), width)
    return AnswerTable(n_rows=len(grid), n_cols=width, cells=cells)


def _otsl_grid(answer: str) -> list[list[tuple[str, str]]]:
    """Rows of (token, text following it); text before the first token (a preamble) is dropped."""
    pieces = OTSL_TOKEN.split(answer)
    rows: list[list[tuple[str, str]]] = [[]]
    for index in range(1, len(pieces), 2):
        token, text = pieces[index], _clean(pieces[index + 1])
        if token == "nl":
            rows.append([])
        else:
            rows[-1].append((token, text))
    rows = [row for row in rows if row]
    if not rows:
        raise MalformedAnswer("OTSL 没有单元格 (no OTSL cells)")
    return rows


def _clean(text: str) -> str:
    """Cell text without stray tags (`<otsl>`, `<b>`) and surrounding blanks."""
    return OTHER_TAG.sub("", text).strip()


def _check_cover(cells: list[AnswerCell], n_rows: int, n_cols: int) -> None:
    """Every grid position belongs to exactly one cell: otherwise merge tokens point nowhere (e.g. a lone
    `<ucel>` under a `<lcel>`) and the answer is not a table."""
    count = [[0] * n_cols for _ in range(n_rows)]
    for cell in cells:
        for r in range(cell.row, cell.row + cell.row_span):
            for c in range(cell.col, cell.col + cell.col_span):
                count[r][c] += 1
    for r, row in enumerate(count):
        for c, value in enumerate(row):
            if value != 1:
                raise MalformedAnswer(f"OTSL 合并不成矩形 (position {r + 1},{c + 1} covered {value} times)")


# --- to the layout schema ------------------------------------------------------------------------


def table_block(
    table: AnswerTable,
    page: int,
    bbox: Optional[BBox],
    classical: Optional[TableBlock] = None,
    *,
    cell_boxes: bool = True,
) -> TableBlock:
    """A `TableBlock` (engine `vl`) for `table` read from the region `bbox` of `page`.

    The model gives no cell geometry. Each cell's box comes from the region and a grid over it: the column
    edges and row heights of the `classical` table the answer replaces where it has as many columns (rows),
    else the region divided evenly; highlights and corrections then point at the right part of the page.
    Without `cell_boxes` (a whole page read at once: `bbox` is the page, not the table) cells have no box.
    Rows whose cells are all `<th>` are the table's header rows.
    """
    box = bbox if cell_boxes else None
    columns = _edges(box, table.n_cols, 0, _classical_columns(classical, table.n_cols))
    rows = _edges(box, table.n_rows, 1, _classical_rows(classical, table.n_rows))
    cells = [
        Cell(
            row=c.row,
            col=c.col,
            row_span=c.row_span,
            col_span=c.col_span,
            text=c.text,
            page=page,
            bbox=None if rows is None or columns is None else _cell_box(c, columns, rows),
        )
        for c in table.cells
    ]
    return TableBlock(
        cells=cells,
        n_rows=table.n_rows,
        n_cols=table.n_cols,
        pages=[page],
        bbox=bbox,
        last_bbox=bbox,
        column_edges=columns or [],
        engine="vl",
        header_rows=header_rows(table),
    )


def header_rows(table: AnswerTable) -> list[int]:
    """The rows every cell of which (spanning cells included) is a `<th>`."""
    kinds: dict[int, set[bool]] = {}
    for cell in table.cells:
        for row in range(cell.row, cell.row + cell.row_span):
            kinds.setdefault(row, set()).add(cell.header)
    return sorted(row for row, seen in kinds.items() if seen == {True})


def _classical_columns(classical: Optional[TableBlock], n_cols: int) -> Optional[list[float]]:
    if classical is None or len(classical.column_edges) != n_cols + 1:
        return None
    return list(classical.column_edges)


def _classical_rows(classical: Optional[TableBlock], n_rows: int) -> Optional[list[float]]:
    """Row edges of the classical table: halfway between the text of consecutive rows (its own rows only
    when it has as many as the answer and every row has a boxed cell of its own)."""
    if classical is None or classical.n_rows != n_rows or classical.bbox is None:
        return None
    tops: dict[int, float] = {}
    bottoms: dict[int, float] = {}
    for cell in classical.cells:
        if cell.bbox is None or cell.row_span != 1:
            continue
        tops[cell.row] = min(tops.get(cell.row, cell.bbox[1]), cell.bbox[1])
        bottoms[cell.row] = max(bottoms.get(cell.row, cell.bbox[3]), cell.bbox[3])
    if len(tops) != n_rows:
        return None
    inner = [(bottoms[row] + tops[row + 1]) / 2 for row in range(n_rows - 1)]
    return [classical.bbox[1], *inner, classical.bbox[3]]


def _edges(bbox: Optional[BBox], count: int, axis: int, known: Optional[list[float]]) -> Optional[list[float]]:
    """`count` + 1 edges along x (axis 0) or y (axis 1): `known` ones, else the region divided evenly."""
    if known is not None:
        return [round(v, 2) for v in known]
    if bbox is None or count < 1:
        return None
    start, end = bbox[axis], bbox[axis + 2]
    return [round(start + (end - start) * i / count, 2) for i in range(count + 1)]


def _cell_box(cell: AnswerCell, columns: list[float], rows: list[float]) -> BBox:
    return (columns[cell.col], rows[cell.row], columns[cell.col + cell.col_span], rows[cell.row + cell.row_span])
