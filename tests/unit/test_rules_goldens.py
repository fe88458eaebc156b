"""The acceptance findings of issue 4 on the seed goldens (fixtures/seeds/*/golden.json), the one truth of the seeds.

Each expected finding is asserted with its rule and the record field or cell it points to;
each agreeing figure is asserted silent; and each error is shown to be what triggers its
finding by reprinting the figure right (or wrong) and seeing the finding go (or come).
test_rules_fixtures.py checks the same goldens and every rendered format against the full list.
"""

from __future__ import annotations

from extractor.rules import check, validate
from schemas import Finding
from tests.rules_factories import golden, reprint, rewrite


def _with(findings: list[Finding], rule: str, first_ref: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule and f.refs[0] == first_ref]


def _serious(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in ("error", "warning")]


def test_000_division_by_zero_in_budget_and_budget_score_is_all_there_is():
    findings = _serious(validate(golden("000")))
    assert [(f.rule, f.refs, f.found) for f in findings] == [
        ("spreadsheet_error", ["b1.rate"], "#DIV/0!"),
        ("spreadsheet_error", ["c2.score"], "#DIV/0!"),
    ]
    assert "预算执行" in findings[1].message


def test_000_project_rate_typo_and_budget_score_typo_are_found():
    """9.6304/10 printed 96.30%, 9.63 = 10 × 96.30%, 99.63 = 90 + 9.63 all agree; a swapped digit does not."""
    assert _with(validate(reprint(golden("000"), "b6.rate", "69.30%")), "rate_mismatch", "b6.rate")
    score = validate(reprint(golden("000"), "c4.score", "6.93"))
    # a score that does not follow from 分值 × 执行率 is score_inconsistent (the rate is right; as real_forms f09)
    assert _with(score, "score_inconsistent", "c4.score")
    assert _with(score, "sum_mismatch", "c3.score")  # 99.63 no longer equals 90 + 6.93


def test_001_total_weight_and_score_cannot_both_hold():
    total = [f for f in validate(golden("001")) if f.rule == "sum_mismatch" and "c1.weight" in f.refs]
    assert len(total) == 1 and total[0].refs[:2] == ["c1.weight", "c1.score"]
    assert "分值100、得分98" in total[0].message and "分值90、得分88" in total[0].message


def test_001_total_that_counts_the_budget_line_is_fine():
    findings = validate(reprint(golden("001"), "c1.weight", "100", cell_ref="t1.r21c6"))
    assert not [f for f in findings if f.rule in ("sum_mismatch", "score_exceeds_weight") and "c1.weight" in f.refs]


def test_001_personnel_expenditure_printed_differently_once():
    (finding,) = [f for f in validate(golden("001")) if f.rule == "cross_reference_mismatch"]
    assert (finding.found, finding.expected) == (254.04, 254.03)
    assert finding.refs[0] == "p46.text" and len(finding.refs) == 3
    assert not [f for f in validate(rewrite(golden("001"), "254.04", "254.03")) if f.rule == "cross_reference_mismatch"]


def test_001_amount_in_yuan_beside_the_same_amount_in_wan_yuan():
    (unit,) = [f for f in validate(golden("001")) if f.rule == "unit_mismatch"]
    assert unit.refs[0] == "p69.text" and unit.found == "元"


def test_002_rates_flagged_are_exactly_the_two_wrong_rows_and_a_repair_silences_one():
    """Rows 2–5, 12, 18 (0.53/10.00 printed 5.28%, 0.13/25.57 printed 0.50% …) agree within rounding."""
    findings = validate(golden("002"))
    assert {f.refs[0] for f in findings if f.rule == "rate_mismatch"} == {"b14.rate", "b16.rate"}
    (row16,) = _with(findings, "rate_mismatch", "b16.rate")
    assert (row16.expected, row16.found) == (100.0, 90.0)
    assert set(row16.refs) == {"b16.rate", "b16.actual", "b16.adjusted"}
    assert not _with(validate(reprint(golden("002"), "b16.rate", "100%")), "rate_mismatch", "b16.rate")


def test_002_indicators_deviation_description_and_sums():
    findings = validate(golden("002"))
    (far,) = _with(findings, "deviation_over_30", "i8.actual")
    assert (far.expected, far.found) == (5, 19)
    assert not [f for f in findings if f.rule in ("sum_mismatch", "score_exceeds_weight")]
    described = [f for f in findings if f.rule == "described_vs_reported"]
    assert [(f.refs[0], f.found) for f in described] == [("i13.actual", 90.0)]  # 及时完成率为90%, table 100


def test_004_carried_over_column_and_the_centre_row():
    findings = validate(golden("004"))
    (column,) = _with(findings, "sum_mismatch", "t2.r4c2")
    assert (column.expected, column.found) == (195.85, 1958.52)
    (row,) = _with(findings, "sum_mismatch", "t2.r6c1")
    assert (row.expected, row.found) == (1411.90, 1413.16)
    # With 195.85 printed the column adds up; the 1.26 of the centre's row still shows in its row and in 汇总.
    repaired = [f for f in validate(reprint(golden("004"), "t2.r4c2", "195.85")) if f.refs[0].startswith("t2.")]
    assert sorted(f.refs[0] for f in repaired if f.rule == "sum_mismatch") == ["t2.r4c1", "t2.r6c1"]
    assert all(abs(f.found - f.expected) < 1.3 for f in repaired if f.rule == "sum_mismatch")


def test_004_initial_budget_parts_and_the_narrative_against_them():
    findings = validate(golden("004"))
    (total,) = _with(findings, "sum_mismatch", "b1.initial")
    assert (total.expected, total.found) == (1454.57, 1761.31) and {"b6.initial", "b7.initial"} <= set(total.refs)
    text = [f for f in findings if f.rule == "cross_reference_mismatch" and "b6.initial" in f.refs]
    assert [(f.refs[0], f.found, f.expected) for f in text] == [("p50.text", 1624.45, 1317.72)]
    consistent = validate(reprint(golden("004"), "b6.initial", "1624.45"))
    assert not _with(consistent, "sum_mismatch", "b1.initial")
    assert not [f for f in consistent if f.rule == "cross_reference_mismatch" and "b6.initial" in f.refs]


def test_004_narrative_against_the_basic_expenditure_table():
    findings = [f for f in validate(golden("004")) if f.rule == "cross_reference_mismatch" and f.refs[0] == "p53.text"]
    assert sorted((f.found, f.expected, f.refs[1]) for f in findings) == [
        (10.8, 1.08, "t8.r4c2"),
        (902.59, 902.58, "t8.r3c2"),
    ]


def test_004_growth_rates_agree_and_a_wrong_one_is_found():
    assert not [f for f in _serious(validate(golden("004"))) if f.rule == "rate_mismatch" and f.refs[0] == "p59.text"]
    wrong = validate(rewrite(golden("004"), "增幅97.86%", "增幅79.86%"))
    (finding,) = [f for f in wrong if f.rule == "rate_mismatch" and f.refs[0] == "p59.text"]
    assert finding.expected == 97.86


def test_004_subtotals_against_indicators_and_their_rate():
    findings = validate(golden("004"))
    level = [(f.refs[0], f.expected, f.found) for f in findings if f.rule == "sum_mismatch" and f.refs[0][0] == "c"]
    assert level == [("c4.score", 29.0, 30.0), ("c5.score", 10.0, 9.0)]
    (rate,) = [f for f in findings if f.rule == "rate_mismatch" and "c5.score" in f.refs]
    assert rate.expected == 90.0


def test_every_finding_names_records_and_has_a_message():
    for seed in ("000", "001", "002", "004"):
        result = check(golden(seed))
        assert result.problems == []
        for finding in result.findings:
            assert finding.refs and all("." in ref for ref in finding.refs)
            assert finding.message and any("\u4e00" <= ch <= "\u9fff" for ch in finding.message)
        assert [f.id for f in result.findings] == [f"f{i}" for i in range(1, len(result.findings) + 1)]
