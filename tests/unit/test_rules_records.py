"""Rules over indicator and score records: totals, weights, scores, blanks, duplicates, deviations, descriptions."""

from __future__ import annotations

from tests.rules_factories import DocumentBuilder, findings_of

COLUMNS = {"name": 0, "target": 1, "actual": 2, "weight": 3, "score": 4, "description": 5, "deviation_reason": 6}


def _form(rows, *, total=None, level1="产出指标(50分)", extra_summaries=()):
    doc = DocumentBuilder(year=2024)
    table = doc.table("绩效指标", role="indicators")
    table.row(["三级指标", "指标值", "实际完成值", "分值", "得分", "完成情况简要描述", "偏差原因及改进措施"])
    for row in rows:
        cells = list(row) + [""] * (7 - len(row))
        table.row(cells, indicator={**COLUMNS, "level1": level1, "level2": "数量指标"})
    if total is not None:
        table.row(["总分", "", "", total[0], total[1], "", ""], score={"label": 0, "weight": 3, "score": 4})
    for label, weight, score in extra_summaries:
        table.row([label, "", "", weight, score, "", ""], score={"label": 0, "weight": 3, "score": 4})
    return doc.build()


ROWS = [("培训人数", "≥100人", "120人", "20", "20"), ("检查次数", "≥5次", "5次", "30", "30")]


def test_total_that_adds_up_and_one_that_does_not():
    assert findings_of(_form(ROWS, total=("50", "50"))) == []
    (finding,) = findings_of(_form(ROWS, total=("50", "49")), "sum_mismatch")
    assert finding.refs[0] == "c1.score" and finding.expected == 50 and finding.found == 49


def test_one_level_weight_printed_in_its_label():
    (finding,) = findings_of(_form(ROWS, level1="产出指标(60分)"), "sum_mismatch")
    assert finding.refs[0] == "i1.level1" and finding.found == 60 and finding.expected == 50


def test_one_level_subtotal_against_its_indicators():
    assert findings_of(_form(ROWS, extra_summaries=[("产出指标", "50", "50")])) == []
    (finding,) = findings_of(_form(ROWS, extra_summaries=[("产出", "50", "48")]), "sum_mismatch")
    assert finding.refs[0] == "c1.score" and finding.expected == 50


def test_score_above_weight_or_below_zero():
    findings = findings_of(
        _form([("培训人数", "≥100人", "120人", "20", "22"), ("检查次数", "≥5次", "5次", "30", "-1")]),
        "score_exceeds_weight",
    )
    assert [(f.refs[0], f.found) for f in findings] == [("i1.score", 22.0), ("i2.score", -1.0)]


def test_blank_required_value_but_not_a_printed_dash():
    rows = [
        ("培训人数", "≥100人", "120人", "20", "20"),
        ("检查次数", "≥5次", "5次", "30", ""),
        ("满意度", "≥90%", "95%", "10", "-"),
    ]
    assert [f.refs for f in findings_of(_form(rows), "missing_value")] == [["i2.score"]]


def test_duplicate_indicator_in_one_section():
    findings = findings_of(_form(ROWS + [("培训 人数", "≥100人", "110人", "0", "0")]), "duplicate_indicator")
    assert [f.refs for f in findings] == [["i3.name", "i1.name"]]


def test_missed_target_with_full_marks_and_met_target_with_marks_off():
    findings = findings_of(
        _form([("培训人数", "≥100人", "60人", "20", "20"), ("检查次数", "≥5次", "6次", "30", "25")]),
        "score_inconsistent",
    )
    assert [f.refs[0] for f in findings] == ["i1.score", "i2.score"]
    reasoned = _form([("检查次数", "≥5次", "6次", "30", "25", "", "检查质量不高")])
    assert findings_of(reasoned, "score_inconsistent") == []


def test_proportional_full_marks_are_consistent():
    """99.93% of a 100% target scores 5 × 0.9993 = 4.9965, printed 5."""
    assert findings_of(_form([("到位率", "100%", "99.93%", "5", "5")]), "score_inconsistent") == []


def test_deviation_over_thirty_percent_both_ways():
    findings = findings_of(
        _form(
            [
                ("服务项目数", "≥5个", "19个", "2", "2"),
                ("参训人数", "≥100人", "78人", "4", "3.12"),
                ("招商项目", "30个", "40个", "2", "2"),
                ("执行率", "≥90%", "100%", "2", "2"),
            ]
        ),
        "deviation_over_30",
    )
    assert [(f.refs[0], f.found) for f in findings] == [("i1.actual", 19.0), ("i3.actual", 40.0)]


def test_change_target_is_not_compared_with_a_level():
    rows = [("制造业比重提高", "3%", "比重17%", "5", "5"), ("工业增加值", "同比增长8%", "同比增长0.1%", "5", "2")]
    assert [f.refs[0] for f in findings_of(_form(rows), "deviation_over_30")] == ["i2.actual"]


def test_description_contradicts_actual_only_like_with_like():
    rows = [
        ("参训人数", "≥100人", "78人", "4", "3.12", "培训人员87人"),
        ("培训期数", "≥2期", "2期", "4", "4", "举办2期，培训120人"),
        ("招商次数", "≥5次", "10次", "4", "4", "组建三条产业链精准招商"),
        ("会议次数", "≥1次", "1次", "4", "4", "召开会议一次"),
    ]
    findings = findings_of(_form(rows), "described_vs_reported")
    assert [(f.refs, f.found) for f in findings] == [(["i1.actual", "i1.description"], 87.0)]


def test_last_years_figures_are_not_this_years_actual():
    rows = [("服务项目数", "≥5个", "19个", "2", "2", "", "2023年仅完成8个项目")]
    assert findings_of(_form(rows), "described_vs_reported") == []


def test_validation_options_set_the_deviation_limit_skip_rules_and_override_severity():
    from extractor.rules import validate
    from schemas import ValidationOptions

    result = _form([("招商项目", "30个", "40个", "2", "2"), ("参训人数", "≥100人", "78人", "4", "3.12")])
    by_default = [f for f in validate(result) if f.rule == "deviation_over_30"]
    assert [f.refs[0] for f in by_default] == ["i1.actual"] and by_default[0].severity == "warning"
    loose = validate(result, ValidationOptions(deviation_limit=0.5))
    assert [f for f in loose if f.rule == "deviation_over_30"] == []
    strict = validate(result, ValidationOptions(deviation_limit=0.2, severity={"deviation_over_30": "error"}))
    assert [(f.refs[0], f.severity) for f in strict if f.rule == "deviation_over_30"] == [
        ("i1.actual", "error"),
        ("i2.actual", "error"),
    ]
    assert [
        f for f in validate(result, ValidationOptions(skip_rules=["deviations"])) if f.rule == "deviation_over_30"
    ] == []


def test_budget_rate_printed_as_a_fraction_is_checked_on_the_percent_scale():
    doc = DocumentBuilder(year=2024)
    table = doc.table("预算执行情况")
    table.row(["项目", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    columns = {"item": 0, "adjusted": 1, "actual": 2, "weight": 3, "rate": 4, "score": 5}
    table.row(["年度资金总额", "29", "27.8", "9", "0.958", "8.62"], budget=columns)
    assert findings_of(doc.build(), "rate_mismatch") == findings_of(doc.build(), "score_inconsistent") == []
    doc = DocumentBuilder(year=2024)
    table = doc.table("预算执行情况")
    table.row(["项目", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
    table.row(["年度资金总额", "29", "27.8", "9", "0.958", "8"], budget=columns)
    # the rate agrees with its amounts; the score does not follow from it (f09_ah_yuan's verified inconsistency)
    assert findings_of(doc.build(), "rate_mismatch") == []
    (finding,) = findings_of(doc.build(), "score_inconsistent")
    assert finding.refs[0] == "b1.score" and finding.expected == 8.62


def test_marks_taken_off_an_actual_that_prints_its_target_again():
    """完成时间为2022年12月30日 | 完成时间为2022年12月30日, 5 of 6 points, no reason: the target is met."""
    rows = [
        ("完成时间", "完成时间为2022年12月30日", "完成时间为2022年12月30日。", "6", "5"),
        ("办学条件", "改善学校的办学条件", "改善学校的办学条件", "15", "15"),
        ("验收情况", "通过验收", "部分通过", "10", "8"),  # a different actual: not judged without figures
        ("宣传", "改善", "改善", "10", "8", "", "宣传周推迟"),  # a reason is given
    ]
    findings = findings_of(_form(rows), "score_inconsistent")
    assert [(f.refs[0], f.expected, f.found) for f in findings] == [("i1.score", 6.0, 5.0)]


def test_a_rate_reported_at_100_percent_where_no_target_is_set():
    rows = [("预算执行率", "—", "100%", "10", "9"), ("资金到位率", "—", "98%", "10", "9")]
    assert [f.refs[0] for f in findings_of(_form(rows), "score_inconsistent")] == ["i1.score"]


def test_a_level_printing_dashes_for_a_field_does_not_require_it():
    doc = DocumentBuilder(year=2024)
    table = doc.table("绩效指标", role="indicators")
    table.row(["三级指标", "指标值", "实际完成值", "分值", "得分", "完成情况简要描述", "偏差原因及改进措施"])
    rows = [
        ("项目决策", ("完整性", "—", "目标明确", "4", "4")),
        ("项目决策", ("可行性", "", "实际工作需求", "2", "2")),
        ("项目产出", ("保障人数", "2370人", "2370人", "10", "10")),
        ("项目产出", ("办公成本", "15万元", "15万元", "4", "4")),
        ("项目产出", ("维修成本", "", "35万元", "3", "3")),
    ]
    for level1, row in rows:
        table.row([*row, "", ""], indicator={**COLUMNS, "level1": level1})
    # 可行性 sits in a level whose rows print "—" as 指标值; 维修成本 in one whose rows print values.
    assert [f.refs for f in findings_of(doc.build(), "missing_value")] == [["i5.target"]]


def _execution_form(actual: str, *, name: str = "预算执行率") -> list:
    """苏州's form: the budget line and the indicator grid in one table; 预算执行率 reported as an indicator."""
    doc = DocumentBuilder(year=2017)
    table = doc.table("项目绩效自评表", role="indicators")
    table.row(["项目", "年初预算数", "调整后预算数", "实际支付数", ""])
    table.row(
        ["市级预算执行情况", "2960.00", "2960.00", "2798.30", ""],
        budget={"item": 0, "initial": 1, "adjusted": 2, "actual": 3},
    )
    table.row(["指标名称", "目标值", "实际完成值", "权重", "自评分"])
    table.row(
        [name, "95%", actual, "2.8", "2.8"], indicator={"name": 0, "target": 1, "actual": 2, "weight": 3, "score": 4}
    )
    return findings_of(doc.build(), "rate_mismatch")


def test_an_execution_rate_indicator_against_the_forms_own_budget():
    (finding,) = _execution_form("=98%")  # 2798.30 / 2960.00 = 94.54%
    assert finding.refs == ["i1.actual", "b1.actual", "b1.adjusted"] and finding.expected == 94.54
    assert _execution_form("94.54%") == []
    assert _execution_form("98%", name="政府采购执行率") == []  # another rate, whatever its figure
