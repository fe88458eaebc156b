"""The stage on small built forms: the form's printed precision, rounding tolerance, missing data, re-scoring."""

from __future__ import annotations

from typing import Optional

from extractor.rules import validate
from extractor.scoring.stage import rescore, score_result
from extractor.scoring.summary import summary_rows
from schemas import ExtractionResult
from tests.rules_factories import DocumentBuilder

COLUMNS = {"name": 0, "target": 1, "actual": 2, "weight": 3, "score": 4}


def form(rows: list[tuple[str, ...]], budget: Optional[tuple[str, str, str, str]] = None) -> ExtractionResult:
    """A project form: indicator rows (name, target, actual, weight, score), an optional 预算执行 block."""
    doc = DocumentBuilder(year=2024).section("project", "项目支出绩效自评表")
    if budget is not None:
        money = doc.table("预算执行情况", role="budget")
        money.row(["项目", "调整后预算数", "实际支出数", "执行率"])
        money.row(["合计", budget[0], budget[1], budget[2]], budget={"item": 0, "adjusted": 1, "actual": 2, "rate": 3})
        money.row(["预算执行", "10", budget[3], ""], score={"label": 0, "weight": 1, "score": 2})
    table = doc.table("绩效指标", role="indicators")
    table.row(["三级指标", "指标值", "实际完成值", "分值", "得分"])
    for row in rows:
        table.row(list(row), indicator={**COLUMNS, "level1": "产出指标", "level2": "数量指标"})
    return doc.build()


def by_id(result: ExtractionResult) -> dict[str, object]:
    return {r.id: r for r in (*result.indicators, *result.budget_lines, *result.scores)}


def test_proposals_round_to_the_precision_the_form_prints() -> None:
    scored = score_result(form([("培训人数", "≥100人", "78人", "4", "3.1"), ("检查次数", "≥5次", "5次", "6", "6")]))
    assert by_id(scored)["i1"].expected_score == 3.1  # type: ignore[attr-defined]  # 3.12 printed to one place
    assert scored.sections[0].deductions == []
    assert not [f for f in validate(scored) if any(r.endswith("expected_score") for r in f.refs)]


def test_a_score_above_the_proposal_beyond_rounding_is_deducted_and_warned() -> None:
    scored = score_result(form([("检查次数", "≥5次", "3次", "10", "8.0")]))
    (deduction,) = scored.sections[0].deductions
    assert (deduction.ref, deduction.points) == ("i1.score", 2.0)
    assert "10 × 3/5 = 6" in deduction.reason
    assert scored.sections[0].proposed_review_score == 6.0
    (warning,) = [f for f in validate(scored) if "i1.expected_score" in f.refs]
    assert (warning.rule, warning.severity, warning.expected, warning.found) == ("score_inconsistent", "warning", 6, 8)


def test_missing_figures_are_undecided_and_keep_the_self_score() -> None:
    scored = score_result(form([("满意度", "≥90%", "", "5", "5"), ("检查次数", "≥5次", "5次", "5", "5")]))
    first = by_id(scored)["i1"]
    assert first.expected_score is None and "缺少" in first.scoring  # type: ignore[attr-defined]
    assert scored.sections[0].proposed_review_score == 10


def test_budget_block_rate_from_its_total_line() -> None:
    scored = score_result(form([("检查次数", "≥5次", "5次", "90", "90")], budget=("100.00", "88.88", "88.88%", "9")))
    summary = next(s for s in scored.scores if s.label == "预算执行")
    assert summary.expected_score == 8.89
    assert summary.scoring == "分值10 × 执行率88.88% = 8.89"
    assert [(d.ref, d.points) for d in scored.sections[0].deductions] == [(f"{summary.id}.score", 0.11)]
    assert scored.document.proposed_review_score == 98.89


def test_rescoring_after_a_correction_follows_the_corrected_actual() -> None:
    scored = score_result(form([("检查次数", "≥5次", "3次", "10", "10")]))
    assert scored.sections[0].deductions[0].points == 4
    corrected = scored.model_copy(deep=True)
    corrected.indicators[0].actual = corrected.indicators[0].actual.model_copy(update={"raw": "5次", "value": 5.0})
    again = rescore(corrected)
    assert again.indicators[0].expected_score == 10 and again.sections[0].deductions == []
    assert rescore(form([("检查次数", "≥5次", "3次", "10", "10")])).indicators[0].expected_score is None


def test_the_final_review_score_is_the_records_review_scores_once_all_are_set() -> None:
    scored = score_result(form([("检查次数", "≥5次", "3次", "10", "10"), ("培训", "≥1次", "1次", "5", "5")]))
    (row,) = summary_rows([scored])
    assert (row.self_score, row.proposed_score, row.review_score) == (None, 11.0, None)
    scored.indicators[0].review_score = 6.0
    scored.indicators[1].review_score = 5.0
    (row,) = summary_rows([scored])
    assert row.review_score == 11.0


def test_a_budget_row_scored_without_its_weight_takes_the_summary_weight() -> None:
    doc = DocumentBuilder(year=2024).section("project", "项目支出绩效自评表")
    money = doc.table("预算执行情况", role="budget")
    money.row(["项目", "预算数", "执行数", "执行率", "得分"])
    money.row(
        ["年度财政资金总额", "10.00", "6.69", "66.88%", "13.38"],
        budget={"item": 0, "adjusted": 1, "actual": 2, "rate": 3, "score": 4},
    )
    money.row(["预算执行情况", "20", ""], score={"label": 0, "weight": 1})
    scored = score_result(doc.build(), "national_project")  # its own default weight is 10
    line = scored.budget_lines[0]
    assert (line.expected_score, line.scoring) == (13.38, "分值20 × 执行率66.88% = 13.38")
