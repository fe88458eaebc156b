"""The validator on ../shared/real: real published budgets and final accounts (born-digital PDFs).

Every table's row and column totals and every stated sum there are checked; what is
reported is exactly the list below, each item judged against the printed document, and
a digit mistyped in any checked cell is caught and points at that cell.
Skipped where the corpus is not beside the checkout.
"""

from __future__ import annotations

import re

import pytest

from extractor.pipeline import extract
from extractor.rules import check
from extractor.rules.docview import DocView
from extractor.rules.sums import _lines
from schemas import ExtractionResult, Table
from tests.corpus import MISSING_REAL, REAL_FILES

FILES = REAL_FILES
pytestmark = pytest.mark.skipif(not FILES, reason=MISSING_REAL)
PARAGRAPHS = r"p\d+\.text"
CELL = r"t\d+\.r\d+c\d+"

# (rule, first ref pattern, found, expected): each one read in the PDF and found to be a real error.
REAL_FINDINGS: dict[str, list[tuple[str, str, object, object]]] = {
    "24年普陀区财政局（测试问题版本）.pdf": [  # the publisher's planted-error version
        ("rate_mismatch", PARAGRAPHS, 1.87, 100.0),  # 收入支出总计0万元 … 减少56.95万元，下降1.87%
        ("direction_mismatch", PARAGRAPHS, "大于", "小于"),  # 行政运行 1511.89 < 1560.05 “决算数大于预算数”
        ("direction_mismatch", PARAGRAPHS, "大于", "小于"),  # 职业年金 80.38 < 80.81 “决算数大于预算数”
        ("direction_mismatch", PARAGRAPHS, "等于", "小于"),  # 行政单位医疗 60.99 < 62.29 “决算数等于预算数”
        ("rate_mismatch", PARAGRAPHS, 71.73, 71.65),  # 2106.66 ÷ 2940.05 printed “占71.73%”
        ("cross_reference_mismatch", PARAGRAPHS, 0.0, 2995.39),  # 收入支出总计0万元, table 总计 2,995.39
        ("cross_reference_mismatch", CELL, 326.72, 326.71),  # 社会保障和就业支出: detail 326.72, 总表 326.71
    ],
    "上海市普陀区财政局2024年度部门决算.pdf": [
        ("rate_mismatch", PARAGRAPHS, 71.73, 71.65),  # same “占71.73%” in the published original
        ("cross_reference_mismatch", PARAGRAPHS, 0.3, 2961.68),  # 财政拨款收入支出总计0.3万元, table 2,961.68
        ("cross_reference_mismatch", CELL, 326.72, 326.71),  # 支出决算表 326.72 (= its 项), 收入支出决算总表 326.71
        ("cross_reference_mismatch", CELL, 326.72, 326.71),  # the same in the 一般公共预算财政拨款 pair of tables
    ],
    "上海市普陀区规划和自然资源局 2024 年度部门决算.pdf": [
        ("cross_reference_mismatch", CELL, 236.64, 236.63),  # 卫生健康支出: 支出决算表 236.64, 总表 236.63
        ("cross_reference_mismatch", CELL, 3845.24, 3845.25),  # 城乡社区支出: 支出决算表 3845.24, 总表 3845.25
        ("cross_reference_mismatch", CELL, 236.64, 236.63),  # 卫生健康支出 in the 一般公共预算财政拨款 tables
    ],
    "上海市普陀区人民政府万里街道办事处24年预算.pdf": [
        ("sum_mismatch", PARAGRAPHS, 8013.0, 8103.0),  # 地上建筑面积8013 (其中 7998 + 105 = 8103)
    ],
}


@pytest.fixture(scope="module")
def results() -> dict[str, ExtractionResult]:
    return {path.name: extract(path) for path in FILES}


def test_real_documents_report_exactly_their_real_errors(results):
    for name, result in results.items():
        validation = check(result)
        assert validation.problems == [], name
        found = sorted((f.rule, f.found, f.expected) for f in validation.findings if f.severity != "info")
        wanted = sorted((rule, found, expected) for rule, _, found, expected in REAL_FINDINGS.get(name, []))
        assert found == wanted, name
        for rule, ref, value, _ in REAL_FINDINGS.get(name, []):
            assert any(
                f.rule == rule and f.found == value and re.fullmatch(ref, f.refs[0]) for f in validation.findings
            )


def _checked_cells(result: ExtractionResult) -> list[tuple[str, int, int]]:
    """Cells that take part in a total the reader read (tables[].regions) holding on a non-zero line."""
    view = DocView(result)
    cells = set()
    for table in view.tables:
        for block in table.blocks:
            for relation in block.totals:
                for line in _lines(block, relation):
                    if line.holds and not line.trivial:
                        for key in (relation.total, *relation.parts):
                            row, col = (key, line.key) if relation.axis == "rows" else (line.key, key)
                            if re.search(r"[1-9]", table.grid.text(row, col)):
                                cells.add((table.table.id, row, col))
    return sorted(cells)


def _mistype(table: Table, row: int, col: int) -> Table:
    """The table with the middle digit of one cell changed (+3): a typo, not a rounding."""
    cells = []
    for cell in table.cells:
        if cell.row == row and cell.col == col:
            digits = [i for i, ch in enumerate(cell.text) if ch.isdigit()]
            i = digits[len(digits) // 2]
            cell = cell.model_copy(
                update={"text": cell.text[:i] + str((int(cell.text[i]) + 3) % 10) + cell.text[i + 1 :]}
            )
        cells.append(cell)
    return table.model_copy(update={"cells": cells})


@pytest.mark.parametrize("name", ["上海市普陀区财政局2024年度部门决算.pdf", "上海市普陀区商务委员会25年预算.pdf"])
def test_a_typo_in_any_checked_cell_is_caught_at_that_cell(results, name):
    result = results[name]
    cells = _checked_cells(result)
    assert len(cells) > 100
    view = DocView(result)
    for table_id, row, col in cells[::9]:
        tables = [_mistype(t, row, col) if t.id == table_id else t for t in result.tables]
        findings = check(result.model_copy(update={"tables": tables})).findings
        ref = view.ref(table_id, row, col)
        assert any(f.rule == "sum_mismatch" and ref in f.refs for f in findings), (table_id, row, col)
