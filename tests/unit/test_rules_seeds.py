"""The acceptance findings of issue 4 on hand-built results modelled on the seed dumps.

Each expected finding is asserted with its rule and the record field it points to;
each agreeing figure is asserted silent; and each error is shown to be what triggers
its finding by repairing it and seeing the finding go.
"""

from __future__ import annotations

from extractor.rules import check, validate
from schemas import Finding
from tests.rules_seeds import (
    NARRATIVE_001,
    NARRATIVE_004,
    seed_000_department,
    seed_000_project,
    seed_001,
    seed_002,
    seed_004,
)


def _with(findings: list[Finding], rule: str, first_ref: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule and f.refs[0] == first_ref]


def _serious(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


def test_000_division_by_zero_in_budget_and_budget_score_is_a_spreadsheet_error():
    findings = validate(seed_000_department())
    assert [f.refs for f in findings if f.rule == "spreadsheet_error"] == [["b1.rate"], ["c2.score"]]
    assert all(f.found == "#DIV/0!" and f.severity == "error" for f in findings if f.rule == "spreadsheet_error")
    assert "预算执行（10分）" in findings[1].message


def test_000_department_form_has_nothing_else_to_report():
    assert [f.rule for f in _serious(validate(seed_000_department()))] == ["spreadsheet_error"] * 2


def test_000_project_form_agrees_everywhere():
    """9.6304/10 printed 96.30% and 96.3, 9.63 = 10 × 96.30%, 99.63 = 90 + 9.63: all rounding."""
    result = check(seed_000_project())
    assert result.problems == []
    assert _serious(result.findings) == []


def test_000_project_rate_typo_and_budget_score_typo_are_found():
    rate = validate(seed_000_project(rate_text="69.30%"))
    assert _with(rate, "rate_mismatch", "b1.rate")
    score = validate(seed_000_project(score_text="6.93"))
    assert _with(score, "rate_mismatch", "c2.score")
    assert _with(score, "sum_mismatch", "c1.score")  # 99.63 no longer equals 90 + 6.93


def test_001_total_weight_and_score_cannot_both_hold():
    findings = validate(seed_001())
    total = [f for f in findings if f.rule == "sum_mismatch" and "c1.weight" in f.refs]
    assert len(total) == 1
    assert total[0].refs[:2] == ["c1.weight", "c1.score"]
    assert "分值100、得分98" in total[0].message and "分值90、得分88" in total[0].message


def test_001_total_that_counts_the_budget_line_is_fine():
    findings = validate(seed_001(total_weight="100"))
    assert not [f for f in findings if f.rule in ("sum_mismatch", "score_exceeds_weight") and "c1.weight" in f.refs]


def test_001_personnel_expenditure_printed_differently_once():
    findings = _with(validate(seed_001()), "cross_reference_mismatch", "p2.text")
    assert len(findings) == 1
    finding = findings[0]
    assert finding.found == 254.04 and finding.expected == 254.03
    assert set(finding.refs) == {"p2.text", "p1.text", "p4.text"}


def test_001_consistent_narrative_has_no_cross_reference():
    narrative = tuple(text.replace("254.04", "254.03") for text in NARRATIVE_001)
    assert not [f for f in validate(seed_001(narrative=narrative)) if f.rule == "cross_reference_mismatch"]


def test_001_amount_in_yuan_beside_the_same_amount_in_wan_yuan():
    units = [f for f in validate(seed_001()) if f.rule == "unit_mismatch"]
    assert len(units) == 1 and units[0].refs[0] == "p3.text" and units[0].found == "元"


def test_002_service_projects_far_above_target():
    findings = _with(validate(seed_002()), "deviation_over_30", "i8.actual")
    assert len(findings) == 1 and findings[0].expected == 5 and findings[0].found == 19


def test_002_row_16_rate_printed_90_percent_for_full_execution():
    findings = _with(validate(seed_002()), "rate_mismatch", "b16.rate")
    assert len(findings) == 1
    assert findings[0].expected == 100.0 and findings[0].found == 90.0
    assert set(findings[0].refs) == {"b16.rate", "b16.actual", "b16.adjusted"}


def test_002_rates_that_agree_within_rounding_are_silent():
    """Rows 2–5, 12, 18 (0.53/10.00 printed 5.28%, 0.13/25.57 printed 0.50% …) and every other agreeing row."""
    flagged = {f.refs[0] for f in validate(seed_002()) if f.rule == "rate_mismatch"}
    assert flagged == {"b14.rate", "b16.rate"}  # 14: nothing spent ("-") yet 90% printed
    assert not {f"b{n}.rate" for n in (2, 3, 4, 5, 12, 18)} & flagged


def test_002_repaired_row_16_is_silent():
    assert not _with(validate(seed_002(row16_rate="100%")), "rate_mismatch", "b16.rate")


def test_002_score_summaries_add_up():
    findings = validate(seed_002())
    assert not [f for f in findings if f.rule in ("sum_mismatch", "score_exceeds_weight")]
    assert not [f for f in findings if f.rule == "rate_mismatch" and f.refs[0].startswith("t1.")]


def test_002_narrative_completion_rate_contradicts_the_reported_actual():
    findings = [f for f in validate(seed_002()) if f.rule == "described_vs_reported"]
    assert [(f.refs, f.found) for f in findings] == [(["i13.actual", "p4.text"], 90.0)]


def test_002_last_year_figures_in_the_deviation_reason_are_not_a_contradiction():
    """“2023年…仅完成8个” beside an actual of 19 speaks of another year."""
    assert not [f for f in validate(seed_002()) if f.rule == "described_vs_reported" and "i8.actual" in f.refs]


def test_004_carried_over_column_total_is_ten_times_its_rows():
    findings = _with(validate(seed_004()), "sum_mismatch", "t1.r2c2")
    assert len(findings) == 1 and findings[0].expected == 195.85 and findings[0].found == 1958.52


def test_004_small_business_centre_row_total():
    findings = _with(validate(seed_004()), "sum_mismatch", "t1.r4c1")
    assert len(findings) == 1 and findings[0].expected == 1411.90 and findings[0].found == 1413.16


def test_004_repaired_carry_over_leaves_only_the_centre_row():
    """With 195.85 printed, the column adds up; the 1.26 of the centre's row still shows in its row and in 汇总."""
    findings = [
        f for f in validate(seed_004(upper_carry="195.85")) if f.rule == "sum_mismatch" and f.refs[0].startswith("t1.")
    ]
    assert sorted(f.refs[0] for f in findings) == ["t1.r2c1", "t1.r4c1"]
    assert all(abs(f.found - f.expected) < 1.3 for f in findings)


def test_004_narrative_against_basic_expenditure_table():
    findings = [f for f in validate(seed_004()) if f.rule == "cross_reference_mismatch" and f.refs[0] == "p4.text"]
    assert sorted((f.found, f.expected, f.refs[1]) for f in findings) == [
        (10.8, 1.08, "t3.r4c2"),
        (902.59, 902.58, "t3.r3c2"),
    ]


def test_004_initial_budget_parts_do_not_make_the_total():
    sums = _with(validate(seed_004()), "sum_mismatch", "b1.initial")
    assert len(sums) == 1 and sums[0].expected == 1454.57 and sums[0].found == 1761.31
    assert {"b6.initial", "b7.initial"} <= set(sums[0].refs)


def test_004_narrative_basic_budget_against_the_table():
    findings = [f for f in validate(seed_004()) if f.rule == "cross_reference_mismatch" and "b6.initial" in f.refs]
    assert [(f.refs[0], f.found, f.expected) for f in findings] == [("p2.text", 1624.45, 1317.72)]


def test_004_consistent_initial_budget_is_silent():
    findings = validate(seed_004(basic_initial="1624.45"))
    assert not _with(findings, "sum_mismatch", "b1.initial")
    assert not [f for f in findings if f.rule == "cross_reference_mismatch" and "b6.initial" in f.refs]


def test_004_spending_and_comparison_tables_that_add_up_are_silent():
    """支出合计 = 基本 + 项目, 基本 = 人员 + 公用 (2470.10 + 364.35 against 2834.44 is rounding), 增减额 columns."""
    flagged = {f.refs[0].split(".")[0] for f in validate(seed_004()) if f.rule == "sum_mismatch"}
    assert not flagged & {"t2", "t3", "t4"}


def test_004_narrative_list_exceeding_its_total():
    findings = [f for f in validate(seed_004()) if f.rule == "sum_mismatch" and f.refs == ["p10.text"]]
    assert len(findings) == 1 and findings[0].expected == 18.33 and findings[0].found == 8.54


def test_004_increase_called_a_decline():
    findings = [f for f in validate(seed_004()) if f.rule == "direction_mismatch"]
    assert [(f.refs, f.found) for f in findings] == [(["p5.text"], "降幅")]


def test_004_growth_rates_that_agree_are_silent():
    narrative = NARRATIVE_004
    findings = [
        f for f in validate(seed_004(narrative=narrative)) if f.rule == "rate_mismatch" and f.severity != "info"
    ]
    assert not [f for f in findings if f.refs[0].startswith("p")]


def test_004_wrong_growth_rate_is_found():
    narrative = tuple(t.replace("增幅97.86%", "增幅79.86%") for t in NARRATIVE_004)
    findings = [
        f for f in validate(seed_004(narrative=narrative)) if f.rule == "rate_mismatch" and f.refs == ["p7.text"]
    ]
    assert len(findings) == 1 and findings[0].expected == 97.86


def test_004_subtotals_against_indicators_and_their_rate():
    findings = validate(seed_004())
    level = [
        (f.refs[0], f.expected, f.found) for f in findings if f.rule == "sum_mismatch" and f.refs[0].startswith("c")
    ]
    assert level == [("c3.score", 29.0, 30.0), ("c4.score", 10.0, 9.0)]
    rate = [f for f in findings if f.rule == "rate_mismatch" and "c4.score" in f.refs]
    assert len(rate) == 1 and rate[0].expected == 90.0


def test_every_finding_names_records_and_has_a_message():
    for build in (seed_000_department, seed_000_project, seed_001, seed_002, seed_004):
        result = check(build())
        assert result.problems == []
        for finding in result.findings:
            assert finding.refs and all("." in ref for ref in finding.refs)
            assert finding.message and any("\u4e00" <= ch <= "\u9fff" for ch in finding.message)
        assert [f.id for f in result.findings] == [f"f{i}" for i in range(1, len(result.findings) + 1)]
