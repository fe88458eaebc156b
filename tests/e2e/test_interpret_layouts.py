"""Forms laid out differently but meaning the same thing read the same records.

Each test builds a small real DOCX/XLSX with python-docx/openpyxl (columns in another
order, other header words, a two-level label column) and runs the whole pipeline.
"""

from pathlib import Path

import docx
import openpyxl

from extractor.pipeline import extract


def _docx_table(document, rows, merges=()):
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    for (r0, c0), (r1, c1) in merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    return table


def test_project_form_in_docx(tmp_path: Path):
    document = docx.Document()
    document.add_paragraph("2022年度预算项目绩效自评表")
    rows = [
        ["项目名称", "评审会经费", "", "", "", "", ""],
        ["资金来源", "", "年初预算数", "年中预算调整数", "调整后预算数", "实际支出数", "预算执行率(%)"],
        ["合计", "", "10", "0", "10", "9.6304", "96.30%"],
        ["其中：一般公共预算拨款", "其中: 上级", "0.0", "0.0", "0.0", "0.0", "0"],
        ["", "本级", "10.0", "0.0", "10.0", "9.6304", "96.3"],
        ["自评得分（满分100分）", "", "99.63", "预算执行（10分）", "9.63", "", ""],
        ["一级指标", "二级指标", "指标内容", "指标值", "分值", "实际完成值", "指标得分"],
        ["产出指标", "数量指标", "评审会召开次数", "≥1次", "20", "1", "20"],
        ["", "质量指标", "通过率", "≥60%", "10", "65%", "10"],
        ["满意度指标", "服务对象满意度", "服务对象满意度", "≥90%", "10", "90", "10"],
    ]
    _docx_table(
        document,
        rows,
        merges=[((0, 1), (0, 6)), ((1, 0), (1, 1)), ((2, 0), (2, 1)), ((3, 0), (4, 0)), ((7, 0), (8, 0))],
    )
    path = tmp_path / "project.docx"
    document.save(path)

    result = extract(path)

    assert [s.kind for s in result.sections] == ["project"]
    assert result.sections[0].project_name == "评审会经费"
    assert result.document.year == 2022 and result.document.self_score == 99.63
    assert [(b.item, b.initial, b.adjusted, b.actual, b.rate) for b in result.budget_lines] == [
        ("合计", 10, 10, 9.6304, 96.3),
        ("上级", 0, 0, 0, 0),
        ("本级", 10, 10, 9.6304, 96.3),
    ]
    assert [
        (i.level1, i.level2, i.name, i.target.op, i.target.value, i.weight, i.score) for i in result.indicators
    ] == [
        ("产出指标", "数量指标", "评审会召开次数", ">=", 1, 20, 20),
        ("产出指标", "质量指标", "通过率", ">=", 60, 10, 10),
        ("满意度指标", "服务对象满意度", "服务对象满意度", ">=", 90, 10, 10),
    ]
    assert {(c.label, c.weight, c.score) for c in result.scores} == {("自评得分", 100, 99.63), ("预算执行", 10, 9.63)}


def test_department_form_in_xlsx_with_other_column_order(tmp_path: Path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "自评表"
    rows = [
        ["2023年度部门整体支出绩效自评表", None, None, None, None, None, None],
        ["部门（单位）名称", "庆城县工业和信息化局", None, None, None, None, None],
        ["一级指标", "二级指标", "三级指标", "分值", "得分", "预期指标值", "实际完成指标值"],
        ["部门管理", "财务管理", "年度报告提交及时性", 6, 6, "及时提交年度报告", "及时"],
        ["部门管理", "财务管理", "预算内支出", 8, 8, "预算内支出", "658.82 万元"],
        ["履职效果", "服务对象满意度", "单位职工满意度", 8, 8, "≥90%", "职工满意度 100%"],
        ["总分", None, None, 22, 22, None, None],
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:G1")
    sheet.merge_cells("B2:G2")
    path = tmp_path / "department.xlsx"
    workbook.save(path)

    result = extract(path)

    assert [s.kind for s in result.sections] == ["department"]
    assert result.document.department == "庆城县工业和信息化局"
    assert result.document.year == 2023
    names = [(i.name, i.weight, i.score, i.target.raw, i.actual.value, i.actual.unit) for i in result.indicators]
    assert names == [
        ("年度报告提交及时性", 6, 6, "及时提交年度报告", None, None),
        ("预算内支出", 8, 8, "预算内支出", 658.82, "万元"),
        ("单位职工满意度", 8, 8, "≥90%", 100, "%"),
    ]
    assert [(c.label, c.weight, c.score) for c in result.scores] == [("总分", 22, 22)]
    assert result.document.self_score == 22
    assert result.tables[0].title == "2023年度部门整体支出绩效自评表"
