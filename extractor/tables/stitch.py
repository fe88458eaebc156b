"""Join tables that continue across a page break into one logical table.

A table on page p+1 continues the last table of page p when nothing but a
continuation caption (续表, a repeated title or unit line) stands between them
and their columns line up: either the header rows repeat, or the column grid is
the same. Repeated header rows are dropped, and a merged cell cut by the break
(text on the first part, an empty second part) is made whole again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional, Union

from extractor.forms.lexicon import lexicon
from extractor.tables.aligned import onto_columns
from extractor.text.join import squeeze
from schemas import Block, Cell, Layout, ParagraphBlock, TableBlock

_CONTINUATION = lexicon().layout_words.continuation
_UNIT_LINE = lexicon().layout_words.unit_line
EDGE_TOLERANCE = 4.0
"""Column edges of two parts of one table may differ by this much (points)."""
MAX_HEADER_ROWS = 4


PAGED_KINDS = ("pdf_digital", "pdf_scanned", "pdf_mixed", "image")


def stitch_tables(layout: Layout) -> Layout:
    """Return the layout with every cross-page continuation joined to its table.

    Only paged inputs break tables across pages; a spreadsheet's sheets are separate tables.
    A lone one-cell frame left over afterwards is a boxed paragraph, not a table.
    """
    if layout.kind not in PAGED_KINDS:
        return layout
    return layout.model_copy(update={"blocks": stitch_blocks(layout.blocks)})


def stitch_blocks(blocks: Iterable[Block]) -> list[Block]:
    """The stitching of `stitch_tables` over blocks in reading order, consumed one at a time.

    A table that continues is grown fragment by fragment (cells appended, the TableBlock built
    once at the end), so a table running over n pages costs O(n), not O(n²) copies and sorts.
    """
    out: list[Union[Block, _Growing]] = []
    pending: list[ParagraphBlock] = []  # paragraphs seen since the last table
    for block in blocks:
        if isinstance(block, ParagraphBlock):
            pending.append(block)
            continue
        last = out[-1] if out else None
        previous = last if isinstance(last, _Growing) and _only_captions(pending, last) else None
        if previous is not None:
            # unruled parts: the next page's cells on the first part's columns
            block = onto_columns(block, previous.columns_reference())
        if previous is not None and _continues(previous, block, pending):
            previous.join(block)
            pending = []
            continue
        out.extend(pending)
        pending = []
        out.append(_Growing.start(block))
    out.extend(pending)
    return [_unbox(item.build() if isinstance(item, _Growing) else item) for item in out]


class _Growing:
    """A table being joined from its page fragments.

    Holds what the joining rules read: the columns, the pages, the leading rows (for repeated
    headers) and the bottom row (for merged cells cut by a page break).
    """

    def __init__(self, base: TableBlock, cells: list[Cell]) -> None:
        self.base = base
        self.cells = cells
        self.n_rows = base.n_rows
        self.n_cols = base.n_cols
        self.column_edges = list(base.column_edges)
        self.pages = list(base.pages)
        self.last_bbox = base.last_bbox
        self.joined = False
        self._index_rows()

    @classmethod
    def start(cls, table: TableBlock) -> _Growing:
        return cls(table, list(table.cells))

    def _index_rows(self) -> None:
        self.head = [cell for cell in self.cells if cell.row < MAX_HEADER_ROWS]
        self.bottom = {
            col: index
            for index, cell in enumerate(self.cells)
            if cell.row + cell.row_span == self.n_rows
            for col in range(cell.col, cell.col + cell.col_span)
        }

    def columns_reference(self) -> TableBlock:
        """The first part with the grown table's columns: what `onto_columns` reads (engine, edges)."""
        if self.column_edges == self.base.column_edges:
            return self.base
        return self.base.model_copy(update={"column_edges": self.column_edges, "n_cols": self.n_cols})

    def renumber(self, edges: list[float]) -> None:
        """Put the columns onto a finer grid of column edges (see `_on_edges`)."""
        if self.column_edges == edges or len(self.column_edges) < 2:
            return
        self.cells = _cells_on_edges(self.cells, self.column_edges, edges)
        self.n_cols, self.column_edges = len(edges) - 1, edges
        self._index_rows()

    def join(self, second: TableBlock) -> None:
        edges = _merged_edges(self, second)
        if edges is not None:
            self.renumber(edges)
            second = _on_edges(second, edges)
        skip = _header_rows_repeated(self, second)
        offset = self.n_rows
        bottom: dict[int, int] = {}
        new_rows = offset + second.n_rows - skip
        for cell in second.cells:
            if cell.row < skip:
                continue
            moved = cell.model_copy(update={"row": cell.row - skip + offset})
            at = self.bottom.get(cell.col) if cell.row == skip else None
            above = self.cells[at] if at is not None else None
            if above is not None and at is not None and _is_cut_merge(above, moved):
                grown = above.model_copy(update={"row_span": above.row_span + moved.row_span})
                self._replace(at, above, grown)
                for col in range(above.col, above.col + above.col_span):
                    self.bottom[col] = at
                    if grown.row + grown.row_span == new_rows:
                        bottom[col] = at
                continue
            self.cells.append(moved)
            if moved.row < MAX_HEADER_ROWS:
                self.head.append(moved)
            if moved.row + moved.row_span == new_rows:
                for col in range(moved.col, moved.col + moved.col_span):
                    bottom[col] = len(self.cells) - 1
        self.n_rows = new_rows
        self.bottom = bottom
        self.pages = sorted(set(self.pages) | set(second.pages))
        self.last_bbox = second.last_bbox
        self.joined = True

    def _replace(self, at: int, old: Cell, new: Cell) -> None:
        self.cells[at] = new
        if old.row < MAX_HEADER_ROWS:
            self.head[next(i for i, cell in enumerate(self.head) if cell is old)] = new

    def build(self) -> TableBlock:
        if not self.joined:
            return self.base  # the table as the backend made it
        cells = sorted(self.cells, key=lambda c: (c.row, c.col))
        return self.base.model_copy(
            update={
                "cells": cells,
                "n_rows": self.n_rows,
                "n_cols": self.n_cols,
                "column_edges": self.column_edges,
                "pages": self.pages,
                "last_bbox": self.last_bbox,
            }
        )


AnyTable = Union[TableBlock, _Growing]


def _unbox(block: Block) -> Block:
    if isinstance(block, TableBlock) and block.n_rows == 1 and block.n_cols == 1:
        text = block.cells[0].text if block.cells else ""
        return ParagraphBlock(text=text, page=block.pages[0], bbox=block.bbox)
    return block


def _only_captions(paragraphs: list[ParagraphBlock], table: AnyTable) -> bool:
    """Between the parts may stand only continuation marks, unit lines or a repeated title."""
    return all(
        _CONTINUATION.match(squeeze(p.text))
        or _UNIT_LINE.match(squeeze(p.text))
        or p.page > table.pages[-1]
        and len(squeeze(p.text)) <= 40
        for p in paragraphs
    )


def _continues(first: AnyTable, second: TableBlock, between: list[ParagraphBlock]) -> bool:
    if second.pages[0] != first.pages[-1] + 1:
        return False
    if any(p.page == first.pages[-1] and not _CONTINUATION.match(squeeze(p.text)) for p in between):
        return False  # text after the table on its own page: the table ended there
    if first.n_cols != second.n_cols and _merged_edges(first, second) is None:
        return False
    if not any(cell.text for cell in second.cells):
        return False
    marked = any(_CONTINUATION.match(squeeze(p.text)) for p in between)
    return (
        marked
        or _header_rows_repeated(first, second) > 0
        or _same_columns(first, second)
        or _merged_edges(first, second) is not None
    )


def _merged_edges(first: AnyTable, second: TableBlock) -> Optional[list[float]]:
    """The finer column grid when one part's column lines are a subset of the other's.

    A part with fewer columns is the same table where its rows merge cells (a long text
    row alone on the next page); the outer borders must agree.
    """
    a, b = first.column_edges, second.column_edges
    if len(a) < 2 or len(b) < 2 or a == b:
        return None
    if abs(a[0] - b[0]) > EDGE_TOLERANCE or abs(a[-1] - b[-1]) > EDGE_TOLERANCE:
        return None
    fine, coarse = (a, b) if len(a) >= len(b) else (b, a)
    if all(any(abs(x - y) <= EDGE_TOLERANCE for y in fine) for x in coarse):
        return list(fine)
    return None


def _cells_on_edges(cells: list[Cell], old_edges: list[float], edges: list[float]) -> list[Cell]:
    index = [min(range(len(edges)), key=lambda i: abs(edges[i] - x)) for x in old_edges]
    return [
        cell.model_copy(update={"col": index[cell.col], "col_span": index[cell.col + cell.col_span] - index[cell.col]})
        for cell in cells
    ]


def _on_edges(table: TableBlock, edges: list[float]) -> TableBlock:
    """The same table with its columns renumbered onto a finer grid of column edges."""
    if table.column_edges == edges or len(table.column_edges) < 2:
        return table
    cells = _cells_on_edges(table.cells, table.column_edges, edges)
    return table.model_copy(update={"cells": cells, "n_cols": len(edges) - 1, "column_edges": edges})


def _same_columns(first: AnyTable, second: TableBlock) -> bool:
    if not first.column_edges or not second.column_edges:
        return False
    if len(first.column_edges) != len(second.column_edges):
        return False
    return all(abs(a - b) <= EDGE_TOLERANCE for a, b in zip(first.column_edges, second.column_edges))


def _row_texts(table: AnyTable, row: int) -> list[str]:
    texts = [""] * table.n_cols
    # A growing table keeps its leading rows apart: they are all a repeated header is compared with.
    cells = table.head if isinstance(table, _Growing) and row < MAX_HEADER_ROWS else table.cells
    for cell in cells:
        if cell.row <= row < cell.row + cell.row_span:
            for col in range(cell.col, cell.col + cell.col_span):
                texts[col] = squeeze(cell.text) if cell.row == row else "^"
    return texts


def _header_rows_repeated(first: AnyTable, second: TableBlock) -> int:
    """How many leading rows of `second` repeat the leading rows of `first` (0 when none)."""
    repeated = 0
    for row in range(min(MAX_HEADER_ROWS, first.n_rows - 1, second.n_rows - 1)):
        texts = _row_texts(second, row)
        if texts != _row_texts(first, row) or not any(t and t != "^" for t in texts):
            break
        repeated = row + 1
    return repeated


def _is_cut_merge(above: Cell, below: Cell) -> Optional[bool]:
    """A vertically merged cell cut by the page break: text above, an empty part below."""
    return (
        not below.text
        and bool(above.text)
        and above.col_span == below.col_span
        and (above.row_span > 1 or below.row_span > 1)
    )
