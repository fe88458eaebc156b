"""Stitching a table that runs over many pages, fragment by fragment (issue 13: linear, not quadratic).

The joining rules are those of tests/unit/test_grid_and_stitch.py; these tests check that they
still hold after many joins, where the grown table's header and bottom row must be tracked.
"""

from __future__ import annotations

from typing import Optional

from extractor.tables.stitch import stitch_tables
from schemas import Cell, Layout, ParagraphBlock, TableBlock

HEADER = ["项目", "金额"]


def _table(
    rows: list[list[Optional[str]]],
    page: int,
    edges: tuple[float, ...] = (0.0, 100.0, 200.0),
    spans: Optional[dict[tuple[int, int], int]] = None,
) -> TableBlock:
    spans = spans or {}
    cells = [
        Cell(row=r, col=c, row_span=spans.get((r, c), 1), text=text, page=page)
        for r, row in enumerate(rows)
        for c, text in enumerate(row)
        if text is not None
    ]
    return TableBlock(
        cells=cells,
        n_rows=len(rows),
        n_cols=len(rows[0]),
        pages=[page],
        bbox=(0, 500, 200, 800),
        last_bbox=(0, 500, 200, 800),
        column_edges=list(edges),
    )


def test_table_over_many_pages_is_one_table_with_one_header() -> None:
    pages = 40
    fragments = [_table([HEADER, [f"a{p}", str(p)], [f"b{p}", str(p)]], page=p) for p in range(1, pages + 1)]
    [table] = stitch_tables(Layout(kind="pdf_digital", blocks=fragments)).blocks
    assert isinstance(table, TableBlock)
    assert table.pages == list(range(1, pages + 1))
    assert table.n_rows == 1 + 2 * pages
    first_column = [cell.text for cell in table.cells if cell.col == 0]
    assert first_column == ["项目"] + [f"{letter}{p}" for p in range(1, pages + 1) for letter in "ab"]
    assert [(c.row, c.col) for c in table.cells] == sorted((c.row, c.col) for c in table.cells)


def test_one_row_cells_over_several_breaks_are_rows_not_cut_merges() -> None:
    first = _table([["一级", "x"], ["产出指标", "a"]], page=1)
    middle = [_table([["", f"m{p}"]], page=p) for p in (2, 3, 4)]
    [table] = stitch_tables(Layout(kind="pdf_digital", blocks=[first, *middle])).blocks
    assert isinstance(table, TableBlock)
    level1 = next(cell for cell in table.cells if cell.text == "产出指标")
    # an empty part under a one-row cell is a blank cell of a new row: a cut merge needs a span
    assert table.n_rows == 5
    assert [c.text for c in table.cells if c.col == 1] == ["x", "a", "m2", "m3", "m4"]
    assert level1.row == 1


def test_vertical_merge_spanning_breaks_is_rejoined_each_time() -> None:
    first = _table([HEADER, ["合计", "1"], [None, "2"]], page=1, spans={(1, 0): 2})
    second = _table([["", "3"], [None, "4"]], page=2, spans={(0, 0): 2})
    third = _table([["", "5"], [None, "6"]], page=3, spans={(0, 0): 2})
    [table] = stitch_tables(Layout(kind="pdf_digital", blocks=[first, second, third])).blocks
    assert isinstance(table, TableBlock)
    total = next(cell for cell in table.cells if cell.text == "合计")
    assert (total.row, total.row_span) == (1, 6)
    assert not any(cell.col == 0 and cell.text == "" for cell in table.cells)
    assert [c.text for c in table.cells if c.col == 1] == ["金额", "1", "2", "3", "4", "5", "6"]


def test_a_table_ended_by_text_starts_a_new_run() -> None:
    one = _table([HEADER, ["a", "1"]], page=1)
    two = _table([HEADER, ["b", "2"]], page=2)
    note = ParagraphBlock(text="注：以上为本级支出，下表为下级单位支出情况。", page=2)
    three = _table([HEADER, ["c", "3"]], page=3)
    four = _table([HEADER, ["d", "4"]], page=4)
    blocks = stitch_tables(Layout(kind="pdf_digital", blocks=[one, two, note, three, four])).blocks
    tables = [block for block in blocks if isinstance(block, TableBlock)]
    assert [t.pages for t in tables] == [[1, 2], [3, 4]]
    assert [t.n_rows for t in tables] == [3, 3]


def test_finer_grid_on_a_later_page_renumbers_the_grown_table() -> None:
    first = _table([HEADER, ["a", "1"]], page=1)
    second = _table([HEADER, ["b", "2"]], page=2)
    finer = _table([["c", "x", "3"]], page=3, edges=(0.0, 50.0, 100.0, 200.0))
    [table] = stitch_tables(Layout(kind="pdf_digital", blocks=[first, second, finer])).blocks
    assert isinstance(table, TableBlock)
    assert table.n_cols == 3 and table.column_edges == [0.0, 50.0, 100.0, 200.0]
    amount = next(cell for cell in table.cells if cell.text == "金额")
    assert (amount.col, amount.col_span) == (2, 1)
    project = next(cell for cell in table.cells if cell.text == "项目")
    assert (project.col, project.col_span) == (0, 2)
