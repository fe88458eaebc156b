"""Figures stated in prose: numbers, 其中 lists, 较上年 changes, stated rates, units, cross-references."""

from __future__ import annotations

import pytest

from extractor.facts.numbers import comparable_units, find_mentions, split_sentences
from extractor.facts.prose import comparisons, stated_lists
from tests.rules_factories import DocumentBuilder, findings_of


def _doc(*paragraphs: str):
    return DocumentBuilder(year=2024).text(*paragraphs).build()


def test_mentions_keep_units_labels_and_precision():
    mentions = find_mentions("2023年本部门预算执行658.82万元，其中人员 254.04 万元，完成占比100%")
    assert [(m.value.value, m.value.decimals, m.unit) for m in mentions] == [
        (658.82, 2, "万元"),
        (254.04, 2, "万元"),
        (100.0, 0, "%"),
    ]
    assert mentions[1].prefix.strip() == "其中人员"


def test_chinese_numerals_with_measure_words_count():
    assert [(m.value.value, m.unit) for m in find_mentions("组建三条产业链，召开会议一次，举办两场")] == [
        (3.0, "条"),
        (1.0, "次"),
        (2.0, "场"),
    ]
    assert find_mentions("一次性补助，一条龙服务") == []


def test_dates_and_model_names_are_not_figures():
    assert find_mentions("截至2024年12月31日，建成5G基站") == []


def test_sentences_split_at_full_stops_not_semicolons():
    sentences = split_sentences("其中：财政拨款收入2940.05万元，占99.79%；其他收入6.2万元。下一句10万元。", "p1.text")
    assert len(sentences) == 2 and len(sentences[0].mentions) == 3


@pytest.mark.parametrize(
    "a, b, same",
    [("人", "人", True), ("次", "家次", True), ("万元", "亿元", True), ("人", "次", False), ("条", "次", False)],
)
def test_like_with_like(a, b, same):
    assert comparable_units(a, b) is same


def test_qizhong_list_with_shares_and_a_list_closed_by_a_total():
    sentence = split_sentences(
        "本年收入合计2946.25万元，其中：财政拨款收入2940.05万元，占99.79%；其他收入6.2万元，占0.21%；", "p"
    )[0]
    (stated,) = stated_lists(sentence)
    assert stated.parent.value.value == 2946.25 and [m.value.value for m in stated.parts] == [2940.05, 6.2]
    assert sorted(m.value.value for m in stated.shares.values()) == [0.21, 99.79]
    closing = split_sentences("工资福利支出1567.51万元，商品服务支出363.27万元，支出合计1930.78万元。", "p")[0]
    (stated,) = stated_lists(closing)
    assert stated.parent is None and stated.total.value.value == 1930.78


def test_a_list_stops_at_a_clause_without_figures():
    sentence = split_sentences(
        "年初预算1761.31万元，其中基本支出1624.45万元，项目支出136.85万元，均为财政拨款；"
        "全年预算数7838.03万元，其中基本支出2776.56万元，项目支出5061.47万元。",
        "p",
    )[0]
    assert [len(s.parts) for s in stated_lists(sentence)] == [2, 2]


def test_narrative_sums():
    assert (
        findings_of(_doc("项目总预算1170.00万，其中设备费600.00万、服务费570.00万，合计1170.00万。"), "sum_mismatch")
        == []
    )
    wrong = findings_of(
        _doc("项目总预算1170.00万，其中设备费600.00万、服务费507.00万，合计1170.00万。"), "sum_mismatch"
    )
    assert len(wrong) == 1 and wrong[0].expected == 1107.0 and wrong[0].refs == ["p1.text"]


def test_a_partial_qizhong_list_is_not_an_error_but_exceeding_parts_are():
    assert findings_of(_doc("支出合计100.00万元，其中办公费20.00万元、印刷费30.00万元。"), "sum_mismatch") == []
    assert len(findings_of(_doc("支出合计10.00万元，其中办公费20.00万元、印刷费30.00万元。"), "sum_mismatch")) == 1


def test_change_sentences():
    sentence = split_sentences("2022年实际执行27.74万元，同比2021年14.02万元，增加13.72万元，增幅97.86%。", "p")[0]
    (comparison,) = comparisons(sentence, None)
    assert (
        comparison.current.value.value,
        comparison.base.value.value,
        comparison.change.value.value,
        comparison.rate.value.value,
    ) == (27.74, 14.02, 13.72, 97.86)
    assert findings_of(_doc(sentence.text)) == []


def test_wrong_change_amount_and_wrong_growth_rate():
    change = findings_of(_doc("2022年实际执行27.74万元，同比2021年14.02万元，增加17.32万元。"), "sum_mismatch")
    assert len(change) == 1 and change[0].expected == 13.72
    rate = findings_of(_doc("2022年实际执行27.74万元，同比2021年14.02万元，增幅79.86%。"), "rate_mismatch")
    assert len(rate) == 1 and rate[0].expected == 97.86


def test_rate_of_a_change_whose_base_is_left_out():
    """下降1.87% of a total 2995.39 after 减少56.95: base = 2995.39 + 56.95."""
    good = "上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比，收入支出总计减少56.95万元，下降1.87%。"
    assert findings_of(_doc(*good.split("。")[:1], good.split("。", 1)[1])) == []
    bad = findings_of(
        _doc("财政局2024年度收入支出总计0万元。", "与2023年度相比，收入支出总计减少56.95万元，下降1.87%。"),
        "rate_mismatch",
    )
    assert len(bad) == 1 and bad[0].expected == 100.0


def test_direction_words_against_the_figures():
    findings = findings_of(_doc("项目支出6148.40万元，比2021年项目支出4078.15万元增加2070.25万元，降幅50.76%。"))
    assert [(f.rule, f.found) for f in findings] == [("direction_mismatch", "降幅")]
    assert findings_of(_doc("本部门预算执行率99.93%，比2021年的93.56%提高幅度较大。")) == []
    assert findings_of(_doc("本部门预算执行率89.93%，比2021年的93.56%提高幅度较大。"), "direction_mismatch")


def test_verdict_of_final_accounts_against_budget():
    sentence = "年初预算为1560.05 万元，支出决算为1511.89 万元。决算数{}预算数的主要原因：人员变化。"
    assert findings_of(_doc(sentence.format("小于"))) == []
    wrong = findings_of(_doc(sentence.format("大于")), "direction_mismatch")
    assert len(wrong) == 1 and wrong[0].expected == "小于"
    assert findings_of(_doc("年初预算为10.00万元，支出决算为10.00万元。决算数与预算数基本持平。")) == []


def test_stated_rates_from_their_amounts():
    assert findings_of(_doc("2022年政府采购预算169.23万元，实际执行67.53万元，政府采购执行率39.90%。")) == []
    wrong = findings_of(
        _doc("2022年政府采购预算169.23万元，实际执行67.53万元，政府采购执行率93.90%。"), "rate_mismatch"
    )
    assert len(wrong) == 1 and wrong[0].expected == 39.9
    assert findings_of(_doc("共有编制91人。年末实有在职人数为78人，本年度在职人员控制率为85.71%。")) == []


def test_truncated_rate_is_only_information():
    findings = findings_of(
        _doc("年初预算安排公用经费总额292.62万元，实际支出公用经费总额373.5万元，公用经费控制率为1.27倍。"),
        severities=("error", "warning", "info"),
    )
    assert [(f.rule, f.severity) for f in findings] == [("rate_mismatch", "info")]


def test_shares_of_a_listed_total():
    ok = "一般公共预算财政拨款支出2940.05万元，主要用于：社会保障和就业支出326.72万元，占11.11%；卫生健康支出60.99万元，占2.07%。"
    assert findings_of(_doc(ok), "rate_mismatch") == []
    wrong = findings_of(_doc(ok.replace("占11.11%", "占71.73%")), "rate_mismatch")
    assert len(wrong) == 1 and wrong[0].expected == 11.11


def test_same_amount_in_yuan_and_wan_yuan():
    findings = findings_of(_doc("当年财政拨款 381.58 万元，全年支出 381.58 元，执行率 100%。"), "unit_mismatch")
    assert len(findings) == 1 and findings[0].found == "元"
    assert findings_of(_doc("因公出国费0元，公务接待费2.91万元。"), "unit_mismatch") == []


def test_narrative_total_named_after_a_table():
    doc = DocumentBuilder(year=2024)
    doc.text("本单位2024年度收入支出总计0.3万元。")
    table = doc.table("收入支出决算总表", section=None, role="other")
    table.row(["项目", "决算数", "项目", "决算数"])
    table.row(["本年收入合计", "2,946.25", "本年支出合计", "2,940.05"])
    table.row(["年初结转和结余", "49.14", "年末结转和结余", "55.34"])
    table.row(["总计", "2,995.39", "总计", "2,995.39"])
    findings = findings_of(doc.build(), "cross_reference_mismatch")
    assert [(f.refs[0], f.found, f.expected) for f in findings] == [("p1.text", 0.3, 2995.39)]


def test_sentences_of_different_years_are_not_cross_referenced():
    doc = _doc(
        "2022年公用经费支出364.35万元，人员经费2470.10万元。", "2021年公用经费支出364.36万元，人员经费2470.10万元。"
    )
    assert findings_of(doc, "cross_reference_mismatch") == []


def _summary_and_detail(detail_title: str, social: str):
    doc = DocumentBuilder(year=2024)
    summary = doc.table("财政拨款收入支出决算总表", section=None, role="other")
    summary.row(["项目", "一般公共预算财政拨款"])
    for label, value in (
        ("一、一般公共服务支出", "2,106.66"),
        ("二、社会保障和就业支出", "326.71"),
        ("三、卫生健康支出", "60.99"),
        ("四、住房保障支出", "445.69"),
        ("本年支出合计", "2,940.05"),
    ):
        summary.row([label, value])
    detail = doc.table(detail_title, section=None, role="other")
    detail.row(["科目名称", "合计"])
    for label, value in (
        ("一般公共服务支出", "2,106.66"),
        ("社会保障和就业支出", social),
        ("卫生健康支出", "60.99"),
        ("住房保障支出", "445.69"),
    ):
        detail.row([label, value])
    return doc.build()


def test_summary_table_against_its_detail_table():
    findings = findings_of(_summary_and_detail("一般公共预算财政拨款支出决算表", "326.72"), "cross_reference_mismatch")
    assert [(f.found, f.expected) for f in findings] == [(326.72, 326.71)]
    assert (
        findings_of(_summary_and_detail("一般公共预算财政拨款支出决算表", "326.71"), "cross_reference_mismatch") == []
    )


def test_tables_of_different_funds_are_not_compared():
    """支出决算表 counts every fund; 一般公共预算财政拨款 is one of them: their lines may differ."""
    assert findings_of(_summary_and_detail("支出决算表", "330.72"), "cross_reference_mismatch") == []
