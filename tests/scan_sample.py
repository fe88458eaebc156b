"""A small born-digital 项目支出绩效自评表 drawn with PyMuPDF, for the scanned-path tests.

Two pages: the form's funding and indicator tables on page 1 (merged cells, multi-line cells),
the indicator table continued on page 2 and a narrative paragraph. Scanned copies of it must give
the same records as the PDF itself.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

FONT = "cjk"
"""PyMuPDF's bundled Droid Sans Fallback, embedded (and subset) so glyph widths in the PDF are true."""
SIZE = 9.0
LINE = 12.0

# (row, col, row_span, col_span, text lines)
Cell = tuple[int, int, int, int, list[str]]

PAGE1_COLUMNS = [50, 58, 84, 62, 62, 56, 40, 44, 40]
PAGE1: list[Cell] = [
    (0, 0, 1, 2, ["项目名称"]),
    (0, 2, 1, 7, ["城乡社区环境综合整治项目"]),
    (1, 0, 1, 2, ["主管部门"]),
    (1, 2, 1, 3, ["某区城市管理局"]),
    (1, 5, 1, 1, ["实施单位"]),
    (1, 6, 1, 3, ["某区环境卫生所"]),
    (2, 0, 4, 1, ["项目资金", "（万元）"]),
    (2, 1, 1, 2, [""]),
    (2, 3, 1, 1, ["年初预算数"]),
    (2, 4, 1, 1, ["全年预算数"]),
    (2, 5, 1, 1, ["全年执行数"]),
    (2, 6, 1, 1, ["分值"]),
    (2, 7, 1, 1, ["执行率"]),
    (2, 8, 1, 1, ["得分"]),
    (3, 1, 1, 2, ["年度资金总额"]),
    (3, 3, 1, 1, ["120.00"]),
    (3, 4, 1, 1, ["118.50"]),
    (3, 5, 1, 1, ["112.30"]),
    (3, 6, 1, 1, ["10"]),
    (3, 7, 1, 1, ["94.77%"]),
    (3, 8, 1, 1, ["9.48"]),
    (4, 1, 1, 2, ["其中：当年财政拨款"]),
    (4, 3, 1, 1, ["100.00"]),
    (4, 4, 1, 1, ["98.50"]),
    (4, 5, 1, 1, ["95.30"]),
    (4, 6, 1, 1, ["—"]),
    (4, 7, 1, 1, ["96.75%"]),
    (4, 8, 1, 1, ["—"]),
    (5, 1, 1, 2, ["其他资金"]),
    (5, 3, 1, 1, ["20.00"]),
    (5, 4, 1, 1, ["20.00"]),
    (5, 5, 1, 1, ["17.00"]),
    (5, 6, 1, 1, ["—"]),
    (5, 7, 1, 1, ["85.00%"]),
    (5, 8, 1, 1, ["—"]),
    (6, 0, 1, 1, ["一级指标"]),
    (6, 1, 1, 1, ["二级指标"]),
    (6, 2, 1, 1, ["三级指标"]),
    (6, 3, 1, 1, ["年度指标值"]),
    (6, 4, 1, 1, ["实际完成值"]),
    (6, 5, 1, 1, ["分值"]),
    (6, 6, 1, 1, ["得分"]),
    (6, 7, 1, 2, ["偏差原因分析", "及改进措施"]),
    (7, 0, 4, 1, ["产出指标"]),
    (7, 1, 2, 1, ["数量指标"]),
    (7, 2, 1, 1, ["整治背街小巷数量"]),
    (7, 3, 1, 1, ["≥45条"]),
    (7, 4, 1, 1, ["48条"]),
    (7, 5, 1, 1, ["10"]),
    (7, 6, 1, 1, ["10"]),
    (7, 7, 1, 2, [""]),
    (8, 2, 1, 1, ["清运垃圾量"]),
    (8, 3, 1, 1, ["≥1500吨"]),
    (8, 4, 1, 1, ["1,620吨"]),
    (8, 5, 1, 1, ["10"]),
    (8, 6, 1, 1, ["10"]),
    (8, 7, 1, 2, [""]),
    (9, 1, 1, 1, ["质量指标"]),
    (9, 2, 1, 1, ["验收合格率"]),
    (9, 3, 1, 1, ["=100%"]),
    (9, 4, 1, 1, ["98%"]),
    (9, 5, 1, 1, ["10"]),
    (9, 6, 1, 1, ["8"]),
    (9, 7, 1, 2, ["两处返工，已督促", "施工单位整改"]),
    (10, 1, 1, 1, ["时效指标"]),
    (10, 2, 1, 1, ["完成时间"]),
    (10, 3, 1, 1, ["2023年", "11月底"]),
    (10, 4, 1, 1, ["2023年", "12月"]),
    (10, 5, 1, 1, ["10"]),
    (10, 6, 1, 1, ["9"]),
    (10, 7, 1, 2, ["雨季影响工期"]),
]
PAGE2_COLUMNS = PAGE1_COLUMNS
PAGE2: list[Cell] = [
    (0, 0, 2, 1, ["效益指标"]),
    (0, 1, 1, 1, ["社会效益", "指标"]),
    (0, 2, 1, 1, ["居民环境改善", "情况"]),
    (0, 3, 1, 1, ["显著改善"]),
    (0, 4, 1, 1, ["明显改善"]),
    (0, 5, 1, 1, ["15"]),
    (0, 6, 1, 1, ["14"]),
    (0, 7, 1, 2, [""]),
    (1, 1, 1, 1, ["生态效益", "指标"]),
    (1, 2, 1, 1, ["垃圾分类准确率"]),
    (1, 3, 1, 1, ["≥90%"]),
    (1, 4, 1, 1, ["92.5%"]),
    (1, 5, 1, 1, ["15"]),
    (1, 6, 1, 1, ["15"]),
    (1, 7, 1, 2, [""]),
    (2, 0, 1, 1, ["满意度", "指标"]),
    (2, 1, 1, 1, ["服务对象", "满意度指标"]),
    (2, 2, 1, 1, ["居民满意度"]),
    (2, 3, 1, 1, ["≥85%"]),
    (2, 4, 1, 1, ["91%"]),
    (2, 5, 1, 1, ["10"]),
    (2, 6, 1, 1, ["10"]),
    (2, 7, 1, 2, [""]),
    (3, 0, 1, 5, ["总分"]),
    (3, 5, 1, 1, ["100"]),
    (3, 6, 1, 1, ["85.48"]),
    (3, 7, 1, 2, [""]),
]
NARRATIVE = [
    "本年度共整治背街小巷48条，清运垃圾1620吨，居民满意度达到91%。",
    "下一步将加强施工质量监管，确保整治效果长期保持。",
]


def _draw_table(page: pymupdf.Page, left: float, top: float, columns: list[float], cells: list[Cell]) -> float:
    n_rows = max(row + span for row, _, span, _, _ in cells)
    heights = [22.0] * n_rows
    for row, _, row_span, _, lines in cells:
        if row_span == 1:
            heights[row] = max(heights[row], 10.0 + LINE * len(lines))
    xs = [left]
    for width in columns:
        xs.append(xs[-1] + width)
    ys = [top]
    for height in heights:
        ys.append(ys[-1] + height)
    for row, col, row_span, col_span, lines in cells:
        rect = pymupdf.Rect(xs[col], ys[row], xs[col + col_span], ys[row + row_span])
        page.draw_rect(rect, color=(0, 0, 0), width=0.6)
        text_height = LINE * len(lines)
        y = rect.y0 + (rect.height - text_height) / 2 + SIZE
        for line in lines:
            page.insert_text((rect.x0 + 3, y), line, fontname=FONT, fontsize=SIZE)
            y += LINE
    return ys[-1]


def _new_page(document: pymupdf.Document) -> pymupdf.Page:
    page = document.new_page(width=595, height=842)
    page.insert_font(fontname=FONT, fontbuffer=pymupdf.Font(FONT).buffer)
    return page


def build_sample_form(path: Path) -> Path:
    document = pymupdf.open()
    page = _new_page(document)
    page.insert_text((200, 70), "项目支出绩效自评表", fontname=FONT, fontsize=16)
    page.insert_text((250, 92), "（2023年度）", fontname=FONT, fontsize=10)
    page.insert_text((470, 112), "单位：万元", fontname=FONT, fontsize=SIZE)
    _draw_table(page, 50, 120, PAGE1_COLUMNS, PAGE1)
    page = _new_page(document)
    bottom = _draw_table(page, 50, 60, PAGE2_COLUMNS, PAGE2)
    y = bottom + 30
    for line in NARRATIVE:
        page.insert_text((70, y), line, fontname=FONT, fontsize=10.5)
        y += 18
    document.subset_fonts()
    document.save(path, garbage=3, deflate=True)
    document.close()
    return path
