"""Grid from ruling lines (spans, open borders) and stitching across pages."""

from extractor.tables.grid import build_grids
from extractor.tables.stitch import stitch_tables
from schemas import Cell, Layout, ParagraphBlock, Segment, TableBlock


def _h(y, x0, x1):
    return Segment(x0=x0, y0=y, x1=x1, y1=y)


def _v(x, y0, y1):
    return Segment(x0=x, y0=y0, x1=x, y1=y1)


def test_grid_with_merged_cells():
    # 3 rows x 3 cols; top-left cell spans two rows; bottom row's last two cells are one.
    segments = [
        _h(0, 0, 300),
        _h(20, 100, 300),
        _h(40, 0, 300),
        _h(60, 0, 300),
        _v(0, 0, 60),
        _v(100, 0, 60),
        _v(200, 0, 40),
        _v(300, 0, 60),
    ]
    [grid] = build_grids(segments)
    cells = {(c.row, c.col): (c.row_span, c.col_span) for c in grid.cells}
    assert (grid.n_rows, grid.n_cols) == (3, 3)
    assert cells[(0, 0)] == (2, 1)
    assert cells[(2, 1)] == (1, 2)
    assert len(grid.cells) == 7


def test_grid_without_outer_vertical_borders():
    segments = [_h(0, 0, 300), _h(20, 0, 300), _h(40, 0, 300), _v(150, 0, 40)]
    [grid] = build_grids(segments)
    assert (grid.n_rows, grid.n_cols) == (2, 2)
    assert grid.col_edges[0] == 0 and grid.col_edges[-1] == 300


def test_broken_lines_are_joined_and_separate_tables_kept_apart():
    table_a = [
        _h(0, 0, 140),
        _h(0, 141, 300),
        _h(20, 0, 300),
        _h(40, 0, 300),
        _v(0, 0, 40),
        _v(300, 0, 40),
        _v(150, 0, 40),
    ]
    table_b = [_h(100, 0, 300), _h(120, 0, 300), _v(0, 100, 120), _v(300, 100, 120), _v(80, 100, 120)]
    grids = build_grids(table_a + table_b)
    assert [(g.n_rows, g.n_cols) for g in grids] == [(2, 2), (1, 2)]


def _table(rows, page, edges=(0.0, 100.0, 200.0), spans=None):
    spans = spans or {}
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is None:
                continue
            row_span = spans.get((r, c), 1)
            cells.append(Cell(row=r, col=c, row_span=row_span, text=text, page=page))
    return TableBlock(
        cells=cells,
        n_rows=len(rows),
        n_cols=len(rows[0]),
        pages=[page],
        bbox=(0, 500, 200, 800),
        last_bbox=(0, 500, 200, 800),
        column_edges=list(edges),
    )


def test_repeated_header_is_dropped_when_joining():
    first = _table([["项目", "金额"], ["a", "1"]], page=1)
    second = _table([["项目", "金额"], ["b", "2"]], page=2)
    stitched = stitch_tables(Layout(kind="pdf_digital", blocks=[first, second]))
    [table] = stitched.blocks
    assert table.pages == [1, 2] and table.n_rows == 3
    assert [c.text for c in table.cells if c.col == 0] == ["项目", "a", "b"]


def test_same_grid_without_header_continues():
    first = _table([["项目", "金额"], ["a", "1"]], page=1)
    second = _table([["b", "2"], ["c", "3"]], page=2)
    [table] = stitch_tables(Layout(kind="pdf_digital", blocks=[first, second])).blocks
    assert table.n_rows == 4


def test_continuation_caption_joins_and_disappears():
    first = _table([["项目", "金额"], ["a", "1"]], page=1)
    caption = ParagraphBlock(text="续表", page=2)
    second = _table([["b", "2"]], page=2, edges=(0.0, 120.0, 200.0))
    blocks = stitch_tables(Layout(kind="pdf_digital", blocks=[first, caption, second])).blocks
    assert len(blocks) == 1 and blocks[0].n_rows == 3


def test_merged_cell_cut_by_the_page_break_is_rejoined():
    first = _table([["一级", "x"], ["产出指标", "a"], [None, "b"]], page=1, spans={(1, 0): 2})
    second = _table([["", "c"], [None, "d"]], page=2, spans={(0, 0): 2})
    [table] = stitch_tables(Layout(kind="pdf_digital", blocks=[first, second])).blocks
    level1 = next(c for c in table.cells if c.text == "产出指标")
    assert (level1.row, level1.row_span) == (1, 4)
    assert not any(c.col == 0 and c.text == "" for c in table.cells)


def test_text_after_a_table_ends_it():
    first = _table([["项目", "金额"], ["a", "1"]], page=1)
    note = ParagraphBlock(text="注：本表为空表。", page=1)
    second = _table([["b", "2"]], page=2)
    assert len(stitch_tables(Layout(kind="pdf_digital", blocks=[first, note, second])).blocks) == 3
