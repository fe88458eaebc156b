"""Totals found from a table's own structure: 合计/其中/numbering/科目编码/header spans/indentation."""

from __future__ import annotations

from extractor.forms.statements.columns import column_relations
from extractor.forms.statements.grid import FigureGrid, split_blocks
from extractor.forms.statements.rows import row_relations
from tests.rules_factories import DocumentBuilder, golden


def _block(build):
    doc = DocumentBuilder()
    table = doc.table("表")
    build(table)
    blocks = split_blocks(FigureGrid(doc.build().tables[0]))
    assert len(blocks) == 1
    return blocks[0]


def _rows(block, label_col=0, use_indent=False):
    columns = [c for c, col in block.columns.items() if col.kind == "number"]
    return {(r.total, tuple(r.parts), r.partial) for r in row_relations(block, label_col, columns, use_indent)}


def test_header_spans_with_qizhong_give_nested_column_totals():
    """Seed 004's 年度支出和结余情况: 其中 over 基本支出 (其中 人员/公用) and 项目支出, then 结余 columns."""
    (table,) = [t for t in golden("004").tables if any(c.text == "支出合计" for c in t.cells)]
    (block,) = split_blocks(FigureGrid(table))
    relations = {(r.total, tuple(r.parts)) for r in column_relations(block)}
    assert relations == {(1, (2, 5)), (2, (3, 4))}  # 支出合计 = 基本 + 项目; 基本 = 人员 + 公用; no 结余 total


def test_total_first_with_numbered_parts():
    def build(t):
        t.row(["机构名称", "收入合计", "上年结转"])
        t.row(["汇总", "30", "3"])
        t.row(["1.本级", "10", "1"])
        t.row(["2.中心", "20", "2"])

    assert _rows(_block(build)) == {(1, (2, 3), False)}


def test_qizhong_with_amountless_subgroup_flattens():
    """合计 / 其中：一般公共预算拨款 (blank) / 其中：上级 / 本级 / 政府性基金 …: 合计 = all amounts below."""

    def build(t):
        t.row(["资金来源", "年初预算数", "实际支出数"])
        t.row(["合计", "10", "9.6304"])
        t.row(["其中：一般公共预算拨款", "", ""])
        t.row(["其中: 上级", "0.0", "0.0"])
        t.row(["本级", "10.0", "9.6304"])
        t.row(["政府性基金", "0.0", "0.0"])

    assert _rows(_block(build)) == {(1, (3, 4, 5), True)}


def test_closing_totals_and_grand_total():
    """收支总表: 一、… 二、… 本年收入合计, then 年初结转 and 总计 = 本年收入合计 + 年初结转."""

    def build(t):
        t.row(["项目", "决算数"])
        t.row(["一、一般公共预算财政拨款收入", "2,940.05"])
        t.row(["二、其他收入", "6.20"])
        t.row(["本年收入合计", "2,946.25"])
        t.row(["年初结转和结余", "49.14"])
        t.row(["总计", "2,995.39"])

    assert _rows(_block(build)) == {(3, (1, 2), False), (5, (3, 4), False)}


def test_subject_codes_make_the_hierarchy():
    def build(t):
        t.row(["类", "款", "项", "科目名称", "合计"])
        t.row([{"text": "合计", "colspan": 4}, "2,112.86"])
        t.row(["201", "", "", "一般公共服务支出", "2,112.86"])
        t.row(["201", "06", "", "财政事务", "2,112.86"])
        t.row(["201", "06", "01", "行政运行", "1,511.90"])
        t.row(["201", "06", "02", "一般行政管理事务", "600.96"])

    assert _rows(_block(build), label_col=3) == {(1, (2,), False), (2, (3,), False), (3, (4, 5), False)}


def test_alternative_breakdowns_each_sum_to_the_total():
    def build(t):
        t.row(["", "年初预算数", "全年预算数"])
        t.row(["年度资金总额", "100", "120"])
        t.row(["按收入性质分：", "", ""])
        t.row(["一般公共预算", "60", "70"])
        t.row(["其他资金", "40", "50"])
        t.row(["按支出性质分：", "", ""])
        t.row(["基本支出", "70", "80"])
        t.row(["项目支出", "30", "40"])

    assert _rows(_block(build)) == {(1, (3, 4), False), (1, (6, 7), False)}


def test_indentation_in_office_files_closes_a_qizhong_group():
    def build(t):
        t.row(["项目", "金额"])
        t.row([{"text": "支出合计", "indent": 0}, "10"])
        t.row([{"text": "基本支出", "indent": 10}, "6"])
        t.row([{"text": "其中：人员经费", "indent": 20}, "4"])
        t.row([{"text": "公用经费", "indent": 30}, "2"])
        t.row([{"text": "项目支出", "indent": 10}, "4"])

    relations = _rows(_block(build), use_indent=True)
    assert (1, (2, 5), False) in relations and (2, (3, 4), True) in relations


def test_difference_column_between_years():
    def build(t):
        t.row(["序号", "支出项目", "2022年（万元）", "2021年（万元）", "增减额"])
        t.row(["1", "工资福利支出", "1567.51", "1097.82", "469.69"])
        t.row(["2", "商品服务支出", "363.27", "369.86", "-6.59"])

    block = _block(build)
    assert block.columns[0].kind == "index"
    assert {(r.total, tuple(r.parts)) for r in column_relations(block)} == {(2, (3, 4))}


def test_a_form_line_inside_a_budget_block_is_not_a_part():
    def build(t):
        t.row(["资金来源", "年初预算数", "调整数", "执行率"])
        t.row(["合计", "10", "0", "96.30%"])
        t.row(["其中：本级", "10", "0", "96.3"])
        t.row(["上级", "0", "0", "0"])
        t.row(["自评得分（满分100分）", "99.63", "预算执行（10分）", "9.63"])

    relations = _rows(_block(build))
    assert all(4 not in parts for _, parts, _ in relations)
