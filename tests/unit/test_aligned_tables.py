"""The alignment engine on hand-placed words: columns from shared gaps, rows from rules or spacing."""

from __future__ import annotations

from extractor.tables.aligned import LOOSE, STRICT, aligned_tables, onto_columns
from extractor.tables.structure import text_blocks
from schemas import PageContent, ParagraphBlock, Segment, TableBlock, Word

HEIGHT = 10.0


def _word(text: str, x: float, y: float, width: float | None = None) -> Word:
    return Word(text=text, bbox=(x, y, x + (width if width is not None else 10.0 * len(text)), y + HEIGHT))


def _grid(rows: list[list[str]], xs: list[float], top: float = 100.0, pitch: float = 16.0) -> list[Word]:
    """Words of a table printed without rules: one line per row, each cell at its column's x."""
    return [_word(text, x, top + index * pitch) for index, row in enumerate(rows) for text, x in zip(row, xs) if text]


def _texts(table: TableBlock) -> list[list[str]]:
    grid = [[""] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        grid[cell.row][cell.col] = cell.text
    return grid


BUDGET = [
    ["项目", "年初预算数", "全年执行数", "执行率"],
    ["合计", "120.00", "110.36", "91.97%"],
    ["本级", "100.00", "95.00", "95.00%"],
    ["上级", "20.00", "15.36", "76.80%"],
]
XS = [50.0, 150.0, 260.0, 370.0]


def test_an_unruled_table_is_found_with_its_cells() -> None:
    tables, rest = aligned_tables(_grid(BUDGET, XS), page=1)
    assert rest == []
    assert len(tables) == 1
    table = tables[0]
    assert (table.n_rows, table.n_cols, table.engine) == (4, 4, "aligned")
    assert _texts(table) == BUDGET


def test_prose_and_two_column_lists_stay_prose() -> None:
    prose = [
        _word("本年度部门整体支出绩效目标全部完成，预算执行率为百分之九十一点九七。", 50, 100 + 14 * i, 420)
        for i in range(5)
    ]
    contents = _grid([["一、收入支出决算总表", "5"], ["二、收入决算表", "6"], ["三、支出决算表", "7"]], [50.0, 400.0])
    tables, rest = aligned_tables(prose + contents, page=1)
    assert tables == []  # a table of contents has two columns: auto needs three
    assert len(rest) == len(prose) + len(contents)
    loose, _ = aligned_tables(contents, page=1, settings=LOOSE)
    assert len(loose) == 1 and loose[0].n_cols == 2


def test_a_wrapped_cell_stays_in_its_row_when_rows_are_spaced_apart() -> None:
    words = _grid(BUDGET[:2], XS, top=100.0, pitch=20.0)
    words += [_word("（含结转）", 50, 130.0), *_grid(BUDGET[2:], XS, top=150.0, pitch=20.0)]
    tables, _ = aligned_tables(words, page=1)
    texts = _texts(tables[0])
    assert len(texts) == 4
    assert texts[1][0] == "合计（含结转）" and texts[1][3] == "91.97%"


def test_horizontal_rules_divide_rows_and_a_broken_rule_merges_a_cell() -> None:
    rows = [
        ["产出", "数量指标", "培训人次", "≥100"],
        ["", "", "培训天数", "≥5"],
        ["", "质量指标", "合格率", "≥95%"],
        ["效益", "社会效益", "满意度", "≥90%"],
    ]
    words = _grid(rows, XS, top=100.0, pitch=20.0)
    # A rule above and under each row, but under row 0 it leaves out the first two columns (merged cells).
    rules = [Segment(x0=45, y0=y, x1=480, y1=y) for y in (95, 135, 155, 175)]
    rules.append(Segment(x0=255, y0=115, x1=480, y1=115))
    tables, _ = aligned_tables(words, page=1, segments=rules)
    table = tables[0]
    merged = [cell for cell in table.cells if cell.row_span > 1]
    assert {(c.col, c.row_span, c.text) for c in merged} == {(0, 2, "产出"), (1, 2, "数量指标")}

    assert _texts(table)[1][2:] == ["培训天数", "≥5"]


def test_a_label_centred_over_empty_columns_spans_them() -> None:
    words = _grid(BUDGET[1:], XS)
    # A header row whose middle label is centred over columns 1-2 (150 .. 370, middle 260).
    header = [_word("项目", 50.0, 84.0), _word("预算执行情况", 192.0, 84.0, 60.0), _word("执行率", 370.0, 84.0)]
    tables, _ = aligned_tables([*header, *words], page=1)
    top = [cell for cell in tables[0].cells if cell.row == 0 and cell.text]
    assert [(c.col, c.col_span, c.text) for c in top] == [(0, 1, "项目"), (1, 2, "预算执行情况"), (3, 1, "执行率")]


def test_continuation_is_put_on_the_first_parts_columns() -> None:
    first, _ = aligned_tables(_grid(BUDGET, XS), page=1)
    # Next page: the first column (a side label printed on page 1) is empty, so only three columns show.
    second, _ = aligned_tables(_grid([row[1:] for row in BUDGET[1:]], XS[1:]), page=2)
    placed = onto_columns(second[0], first[0])
    assert placed.n_cols == 4 and placed.column_edges == first[0].column_edges
    assert _texts(placed)[0] == ["", "120.00", "110.36", "91.97%"]


def test_ruled_engine_leaves_text_as_paragraphs() -> None:
    page = PageContent(number=1, width=595, height=842, words=_grid(BUDGET, XS))
    assert all(isinstance(b, ParagraphBlock) for b in text_blocks(page.words, page, [], "ruled"))
    kinds = [type(b) for b in text_blocks(page.words, page, [], "auto")]
    assert kinds == [TableBlock]


def test_strict_settings_are_the_auto_default() -> None:
    assert STRICT.min_columns >= 3 and STRICT.min_rows >= 3


def _spanning(table: TableBlock) -> list[tuple[int, int, int, str]]:
    return [(c.row, c.col, c.row_span, c.text) for c in table.cells if c.row_span > 1]


def test_a_side_label_centred_across_unruled_rows_spans_them() -> None:
    header = [["一级指标", "三级指标", "指标值", "实际值"]]
    rows = [["", "培训人次", "≥100", "120"], ["", "培训天数", "≥5", "6"], ["", "合格率", "≥95%", "98%"]]
    rows.append(["", "满意度", "≥90%", "93%"])
    words = _grid(header, XS, top=80.0) + _grid(rows, XS, top=100.0, pitch=20.0)
    # Centred over the four rows (100 .. 170): it straddles the gap between the second and third.
    words.append(_word("产出", 50.0, 130.0))
    tables, _ = aligned_tables(words, page=1)
    table = tables[0]
    assert table.n_rows == 5  # the label does not glue the rows it crosses together
    assert _spanning(table) == [(1, 0, 4, "产出")]
    assert [row[1:] for row in _texts(table)[1:]] == [row[1:] for row in rows]


def test_a_remark_beside_the_figures_stays_in_its_row() -> None:
    rows = [["合计", "120.00", "110.36", ""], ["本级", "100.00", "95.00", "未完成"], ["上级", "20.00", "15.36", ""]]
    rows.append(["其他", "0.00", "0.00", ""])
    tables, _ = aligned_tables(_grid(BUDGET[:1] + rows, XS, pitch=20.0), page=1)
    assert _spanning(tables[0]) == []
    assert _texts(tables[0])[2][3] == "未完成"


def test_a_line_in_a_larger_type_under_the_table_is_not_a_row() -> None:
    words = _grid(BUDGET, XS)
    signature = [
        Word(text="单位负责人签字：", bbox=(50.0, 166.0, 150.0, 180.0)),
        Word(text="填表人：张三", bbox=(200.0, 166.0, 280.0, 180.0)),
    ]
    tables, rest = aligned_tables(words + signature, page=1)
    assert _texts(tables[0]) == BUDGET
    assert rest == signature


def test_a_tall_recognised_box_among_boxes_as_tall_is_no_larger_type() -> None:
    # A scan's recognised boxes vary in height: a short word's box may reach into the line above. A lone
    # word boxed 1.4 lines tall inside a run holding a box as tall does not end the table.
    words = _grid(BUDGET, XS, pitch=25.0)
    tall = words[5].bbox
    words[5] = Word(text=words[5].text, bbox=(tall[0], tall[1] - 4.0, tall[2], tall[3]))
    words.append(Word(text="其他", bbox=(50.0, 133.0, 70.0, 147.0)))  # under 合计 (y 125..135)
    tables, rest = aligned_tables(words, page=1)
    assert rest == [] and len(tables) == 1
    assert _texts(tables[0])[1][0] == "合计其他"


def test_rows_printed_closer_than_a_quarter_line_are_told_apart_by_stacked_figures() -> None:
    # A scan of a table whose cells all fit one line: the rows' boxes lie 1.8 apart (under the quarter
    # line, 2.5, that separates rows where nothing else shows them), one row further down 4 apart. Figures
    # stacked in one column are two rows' figures, so the rows are told apart at their 1.8 gap; a wrapped
    # line whose box overlaps its cell's first line (as recognised lines of one cell do) stays in its cell.
    pitch = HEIGHT + 1.8
    words = _grid(BUDGET[:3], XS, top=100.0, pitch=pitch)
    words.append(_word("（含结转）", 50, 100.0 + 2 * pitch + HEIGHT - 1.0))
    words += _grid(BUDGET[3:], XS, top=100.0 + 3 * pitch + HEIGHT + 4.0)
    tables, rest = aligned_tables(words, page=1)
    assert rest == [] and len(tables) == 1
    expected = [list(row) for row in BUDGET]
    expected[2][0] = "本级（含结转）"
    assert _texts(tables[0]) == expected
