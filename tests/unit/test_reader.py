"""The table reader on small laid-out forms: content typing, split values, label weights, parents,
source cells, column evidence and problems (issue 9)."""

from __future__ import annotations

import pytest

from extractor.forms.build import split_label_weight
from extractor.forms.columns import content_type
from extractor.forms.interpret import interpret
from schemas import Cell, DocumentInfo, ExtractionResult, Layout, ParagraphBlock, TableBlock


def _table(rows: list[list[str]], spans: dict[tuple[int, int], tuple[int, int]] | None = None) -> TableBlock:
    """Rows of texts; `spans` maps (row, col) → (row_span, col_span); covered positions hold None."""
    spans = spans or {}
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text is None:
                continue
            row_span, col_span = spans.get((r, c), (1, 1))
            cells.append(Cell(row=r, col=c, row_span=row_span, col_span=col_span, text=text))
    return TableBlock(cells=cells, n_rows=len(rows), n_cols=len(rows[0]), pages=[1])


def _read(*blocks) -> ExtractionResult:
    layout = Layout(kind="docx", blocks=list(blocks))
    return interpret(layout, DocumentInfo(file="x.docx", sha256="0", kind="docx"))


@pytest.mark.parametrize(
    ("texts", "kind"),
    [
        (["≥", "≤", "=", "不低于"], "operator"),
        (["个", "%", "平方米", "人次"], "unit"),
        (["95%", "100%"], "percent"),
        (["5", "10", "2.5"], "numeric"),
        (["按照评分标准逐项打分，未完成的按比例扣分", "完成得满分，未完成不得分"], "long_text"),
        (["及时", "合规"], "text"),
        (["", "—", "/"], None),
    ],
)
def test_content_type_of_a_column(texts, kind):
    assert content_type(texts) == kind


@pytest.mark.parametrize(
    ("label", "name", "weight"),
    [
        ("产出指标(50分)", "产出指标", 50),
        ("效益指标\n（30分）", "效益指标", 30),
        ("数量指标15分", "数量指标", 15),
        ("年度绩效目标(80分)", "年度绩效目标", 80),
        ("满意度指标", "满意度指标", None),
    ],
)
def test_weight_inside_a_label(label, name, weight):
    assert split_label_weight(label) == (name, weight)


def test_operator_value_unit_columns_join_into_one_value():
    result = _read(
        ParagraphBlock(text="2023年度项目支出绩效自评表"),
        _table(
            [
                ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值", "权重", "得分"],
                ["产出指标", "数量指标", "培训人次", "≥", "95", "%", "96", "10", "10"],
                ["效益指标", "社会效益", "满意度", "≤", "5", "次", "4", "10", "9"],
            ]
        ),
    )
    first = result.indicators[0]
    assert (first.target.raw, first.target.op, first.target.value, first.target.unit) == ("≥95%", ">=", 95, "%")
    assert (first.actual.raw, first.actual.value, first.actual.unit) == ("96%", 96, "%")
    assert first.source.cells["target"] == [(1, 3), (1, 4), (1, 5)]
    assert first.source.cells["score"] == [(1, 8)]
    columns = {c.col: (c.role, c.evidence) for c in result.tables[0].columns}
    assert columns[3] == ("operator", "lexicon:指标性质")
    assert columns[7] == ("weight", "lexicon:权重")


def test_operator_and_unit_columns_are_typed_by_content_without_a_known_header():
    result = _read(
        _table(
            [
                ["一级指标", "二级指标", "三级指标", "符", "指标值", "量纲", "实际完成值", "分值", "得分"],
                ["产出指标", "数量指标", "培训人次", "≥", "1500", "人", "1600", "10", "10"],
                ["产出指标", "质量指标", "合格率", "≥", "95", "%", "96", "10", "10"],
            ]
        )
    )
    assert [i.target.raw for i in result.indicators] == ["≥1500人", "≥95%"]
    evidence = {c.col: c.evidence for c in result.tables[0].columns}
    assert evidence[3] == "content:operator" and evidence[5] == "content:unit"


def test_scoring_table_levels_weights_and_parents():
    rows = [
        ["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "指标解释", "评分标准", "得分"],
        ["产出指标", "50", "数量指标", "30", "培训人数", "20", "参训人数", "达标得满分", "18"],
        [None, None, None, None, "培训次数", "10", "开班次数", "每少一次扣2分", "10"],
        [None, None, "质量指标", "20", "合格率", "20", "考试合格占比", "低于90%不得分", "20"],
        ["总分", None, None, None, None, "50", None, None, "48"],
    ]
    spans = {(1, 0): (3, 1), (1, 1): (3, 1), (1, 2): (2, 1), (1, 3): (2, 1), (4, 0): (1, 5)}
    for r, c in [(2, 0), (3, 0), (2, 1), (3, 1), (2, 2), (2, 3)] + [(4, c) for c in range(1, 5)]:
        rows[r][c] = None
    result = _read(ParagraphBlock(text="2022年度项目绩效评分表"), _table(rows, spans))

    assert [(i.level1, i.level2, i.name, i.weight, i.score) for i in result.indicators] == [
        ("产出指标", "数量指标", "培训人数", 20, 18),
        ("产出指标", "数量指标", "培训次数", 10, 10),
        ("产出指标", "质量指标", "合格率", 20, 20),
    ]
    assert result.indicators[0].criteria == "达标得满分" and result.indicators[0].explanation == "参训人数"
    scores = {s.id: s for s in result.scores}
    by_label = {s.label: s for s in result.scores}
    assert (by_label["产出指标"].weight, by_label["数量指标"].weight, by_label["质量指标"].weight) == (50, 30, 20)
    assert result.indicators[0].parent == by_label["数量指标"].id
    assert result.indicators[2].parent == by_label["质量指标"].id
    assert scores[by_label["数量指标"].parent].label == "产出指标"
    assert scores[by_label["产出指标"].parent].label == "总分"
    assert by_label["总分"].parent is None
    assert result.sections[0].template_family == "scoring_table_3level"


def test_weights_inside_level_labels_become_level_summaries():
    rows = [
        ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"],
        ["产出指标(50分)", "数量指标", "培训人数", "100人", "100人", "50", "50"],
        ["效益指标（30分）", "社会效益", "知晓率", "≥90%", "95%", "30", "28"],
    ]
    result = _read(_table(rows))
    assert [i.level1 for i in result.indicators] == ["产出指标", "效益指标"]
    assert [(s.label, s.weight) for s in result.scores] == [("产出指标", 50), ("效益指标", 30)]
    assert [i.parent for i in result.indicators] == [s.id for s in result.scores]
    assert result.indicators[0].source.cells["level1"] == [(1, 0)]


def test_unknown_header_and_unreadable_figure_are_problems_not_silence():
    result = _read(
        _table(
            [
                ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分", "稀奇列"],
                ["产出指标", "数量指标", "培训人次", "100人", "100人", "十分", "10", "x"],
            ]
        )
    )
    messages = [(p.stage, p.table, p.cell, p.message) for p in result.problems]
    assert any(cell == (0, 7) and "稀奇列" in message for _, _, cell, message in messages)
    assert any(cell == (1, 5) and "十分" in message for _, _, cell, message in messages)
    assert all(stage == "forms" and table == "t1" for stage, table, _, _ in messages)
    assert result.indicators[0].weight is None and result.indicators[0].score == 10
    assert {c.col: c.evidence for c in result.tables[0].columns}[7] == "none"


def test_a_header_without_records_is_reported():
    result = _read(_table([["资金来源", "年初预算数", "全年预算数", "全年执行数"], ["", "", "", ""]]))
    assert any("未读出任何记录" in p.message for p in result.problems)


def test_department_precedence_and_implementing_unit():
    result = _read(
        ParagraphBlock(text="2021年度项目支出绩效自评表"),
        _table(
            [
                ["项目名称", "初中公用经费", "实施单位", "银川市第六中学"],
                ["主管部门及代码", "银川市教育局（盖章） 610001", "预算部门", "银川市财政局"],
                ["一级指标", "二级指标", "三级指标", "指标值"],
                ["产出指标", "数量指标", "保障人数", "2370人"],
            ]
        ),
    )
    assert result.document.department == "银川市教育局"
    assert result.sections[0].implementing_unit == "银川市第六中学"
    assert result.document.year == 2021


def test_budget_printed_as_label_value_pairs():
    rows = [
        ["专项名称", "食品监管补助资金", None, None, None, "自评得分"],
        ["预算执行情况", "预算数:", "2.38", "执行数:", "2.38", "100"],
        [None, "其中:中央补助", "2.38 万元", "其中:中央补助", "2.38万元", None],
        [None, "地方资金", "万元", "地方资金", "万元", None],
    ]
    spans = {(0, 1): (1, 4), (1, 0): (3, 1), (1, 5): (3, 1)}
    for r, c in [(0, 2), (0, 3), (0, 4), (2, 0), (3, 0), (2, 5), (3, 5)]:
        rows[r][c] = None
    result = _read(_table(rows, spans))
    assert [(b.item, b.adjusted, b.actual) for b in result.budget_lines] == [
        ("预算执行情况", 2.38, 2.38),
        ("中央补助", 2.38, 2.38),
    ]
    assert result.budget_lines[0].source.cells["adjusted"] == [(1, 2)]


def test_unknown_columns_settled_by_content_in_a_scoring_table():
    result = _read(
        _table(
            [
                [
                    "一级指标",
                    "分值",
                    "二级指标",
                    "分值",
                    "指标名称",
                    "满分值",
                    "计分办法甲",
                    "释义甲",
                    "考评得分",
                    "审定得分",
                ],
                [
                    "决策",
                    "20",
                    "立项",
                    "20",
                    "立项规范性",
                    "20",
                    "程序规范得满分，否则扣2分",
                    "项目申请是否符合相关要求",
                    "18",
                    "17",
                ],
                [
                    None,
                    None,
                    None,
                    None,
                    "目标合理性",
                    "0",
                    "目标合理得满分，否则不得分",
                    "绩效目标是否依据充分",
                    "0",
                    "0",
                ],
            ],
            {(1, 0): (2, 1), (1, 1): (2, 1), (1, 2): (2, 1), (1, 3): (2, 1)},
        )
    )
    first = result.indicators[0]
    assert first.criteria == "程序规范得满分，否则扣2分"
    assert first.explanation == "项目申请是否符合相关要求"
    assert (first.weight, first.score, first.review_score) == (20, 18, 17)
    evidence = {c.col: c.evidence for c in result.tables[0].columns}
    assert evidence[6] == "content:scoring_rules" and evidence[9] == "head:得分+after_score"


def test_budget_execution_column_found_by_the_rate_it_explains():
    result = _read(
        _table(
            [
                ["资金来源", "年初预算数", "全年可用预算数", "本年实支", "预算执行率"],
                ["年度资金总额", "100", "200", "150", "75%"],
                ["其中：财政拨款", "100", "120", "120", "100%"],
            ]
        )
    )
    assert [(b.item, b.adjusted, b.actual, b.rate) for b in result.budget_lines] == [
        ("年度资金总额", 200, 150, 75),
        ("财政拨款", 120, 120, 100),
    ]
    assert {c.col: c.evidence for c in result.tables[0].columns}[3] == "content:rate_amount"


def test_indicator_block_continued_in_a_second_table_without_header():
    header = ["一级指标", "二级指标", "三级指标", "指标值", "实际完成值", "分值", "得分"]
    first = _table([header, ["产出指标(60分)", "数量指标", "培训人数", "100人", "100人", "60", "60"]])
    second = _table([["效益指标(40分)", "社会效益", "知晓率", "≥90%", "95%", "40", "38"]])
    result = _read(first, second)
    assert [(i.level1, i.name, i.score, i.source.table) for i in result.indicators] == [
        ("产出指标", "培训人数", 60, "t1"),
        ("效益指标", "知晓率", 38, "t2"),
    ]
    assert [(s.label, s.weight) for s in result.scores] == [("产出指标", 60), ("效益指标", 40)]


def test_funding_lines_inside_an_indicator_block():
    rows = [
        ["一级指标", "二级指标", "三级指标", "指标解释", "自评内容", "完成情况"],
        ["项目预算管理", "资金投入", "预算资金安排", "资金安排是否合理", "转移支付资金合计(万元)", None],
        [None, None, None, None, "年度预算资金总额):", "1084.25"],
        [None, None, None, None, "其中:中央补助", "668.00"],
        [None, None, None, None, "其中:", ""],
    ]
    spans = {(1, 0): (4, 1), (1, 1): (4, 1), (1, 2): (4, 1), (1, 3): (4, 1), (1, 4): (1, 2)}
    for r in (2, 3, 4):
        for c in range(4):
            rows[r][c] = None
    result = _read(_table(rows, spans))
    assert [(b.item, b.adjusted) for b in result.budget_lines] == [
        ("转移支付资金合计 年度预算资金总额", 1084.25),
        ("转移支付资金合计 其中:中央补助", 668.0),
    ]
    assert [i.name for i in result.indicators] == ["预算资金安排"]


def test_rate_printed_as_a_fraction_is_read_in_percent():
    result = _read(
        _table(
            [
                ["资金来源", "年初预算数", "全年预算数", "全年执行数", "执行率"],
                ["年度资金总额", "29", "29", "27.8", "0.958"],
            ]
        )
    )
    assert result.budget_lines[0].rate == pytest.approx(95.8)


def test_a_year_on_year_statement_gives_no_budget_lines_but_its_regions_and_totals():
    """经费控制情况 | 2021年决算数 | 2022年预算数 | 2022年决算数 (seed 004's 基础数据表): reading it as
    budget lines put last year's 决算 into `actual`; it stays a statement table with roles and totals."""
    result = _read(
        _table(
            [
                ["经费控制情况", "2021年决算数（万元）", "2022年预算数（万元）", "2022年决算数（万元）"],
                ["一、三公经费", "14.02", "73.30", "27.74"],
                ["1、公务用车购置和运行维护费", "11.50", "36.30", "24.83"],
                ["2、公务接待费", "2.52", "37.00", "2.91"],
            ]
        )
    )
    assert result.budget_lines == []
    (region,) = result.tables[0].regions
    assert (region.kind, region.header_rows, region.body_rows) == ("statement", [0], [1, 2, 3])
    assert [(c.role, c.header) for c in region.columns] == [
        ("label", "经费控制情况"),
        ("amount", "2021年决算数（万元）"),
        ("amount", "2022年预算数（万元）"),
        ("amount", "2022年决算数（万元）"),
    ]
    (total,) = region.totals
    assert (total.axis, total.total, total.parts, total.columns, total.label_col) == ("rows", 1, [2, 3], [1, 2, 3], 0)


def test_the_same_year_s_budget_and_execution_are_budget_lines():
    result = _read(
        _table(
            [
                ["项目", "2022年预算数", "2022年决算数", "执行率"],
                ["合计", "100", "90", "90%"],
                ["基本支出", "60", "50", "83.33%"],
                ["项目支出", "40", "40", "100%"],
            ]
        )
    )
    assert [(b.item, b.adjusted, b.actual) for b in result.budget_lines][1:] == [
        ("基本支出", 60.0, 50.0),
        ("项目支出", 40.0, 40.0),
    ]
    assert result.budget_lines[2].source.cells["actual"] == [(3, 2)]
    total, basic, project = result.budget_lines
    assert (total.parent, basic.parent, project.parent) == (None, total.id, total.id)  # the 合计 line over its parts
    (region,) = result.tables[0].regions
    assert [c.role for c in region.columns] == ["label", "amount", "amount", "rate"]
    assert [c.evidence for c in region.columns][3] == "head:执行率"
