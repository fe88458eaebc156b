"""Every profile rule on its own: direction, caps, rounding to the printed precision, missing data."""

from __future__ import annotations

import pytest

from extractor.scoring.criteria import recognise
from extractor.scoring.profiles import Band, DeviationRule
from extractor.scoring.rules import (
    Quantity,
    band_of,
    budget_score,
    deviation_of,
    qualitative_score,
    quantitative_score,
    round_to,
    with_deviation,
)

BANDS = (
    Band(label="达成", words=("达成预期指标", "完成"), low=0.8, high=1.0),
    Band(label="未达成", words=("未完成",), low=0.0, high=0.6),
    Band(label="全额", words=("全面合规",), low=1.0, high=1.0),
)


def test_budget_is_weight_times_rate_rounded_to_the_form() -> None:
    proposal = budget_score(10, 77.70, 2)
    assert proposal.expected == 7.77
    assert proposal.scoring == "分值10 × 执行率77.70% = 7.77"
    assert budget_score(10, 96.3, 2).expected == 9.63
    assert budget_score(10, 99.93, 2).expected == 9.99
    assert budget_score(10, 99.93, 1).expected == 10.0


def test_budget_is_capped_at_its_weight_and_never_negative() -> None:
    over = budget_score(20, 130, 2)
    assert over.expected == 20
    assert "超过分值" in over.scoring
    assert budget_score(10, 130, 2, cap=False).expected == 13
    assert budget_score(10, -5, 2).expected == 0


def test_budget_without_rate_or_weight_cannot_be_decided() -> None:
    assert budget_score(10, None, 2).expected is None
    assert "无法确定" in budget_score(10, None, 2).scoring
    assert budget_score(None, 90, 2).expected is None


def test_missed_at_least_target_scores_actual_over_target() -> None:
    proposal = quantitative_score(10, ">=", Quantity(5, "家"), Quantity(3, "家"), 2)
    assert proposal.expected == 6
    assert proposal.scoring == "目标≥5家，实际3家，10 × 3/5 = 6"
    assert quantitative_score(4, ">=", Quantity(100, "人"), Quantity(78, "人"), 2).expected == 3.12
    assert quantitative_score(5, ">=", Quantity(90, "%"), Quantity(78, "%"), 2).expected == 4.33


def test_missed_at_most_target_scores_target_over_actual() -> None:
    proposal = quantitative_score(6, "<=", Quantity(80, "%"), Quantity(120, "%"), 2)
    assert proposal.expected == 4
    assert "6 × 80/120 = 4" in proposal.scoring


def test_met_targets_score_in_full_in_both_directions() -> None:
    assert quantitative_score(2, ">=", Quantity(5), Quantity(19), 2).expected == 2
    assert quantitative_score(2, "<=", Quantity(0, "%"), Quantity(-22, "%"), 2).expected == 2
    assert quantitative_score(3, "=", Quantity(100, "%"), Quantity(100, "%"), 2).expected == 3
    assert "已完成" in quantitative_score(3, None, Quantity(35), Quantity(35), 2).scoring


def test_a_zero_target_or_non_positive_actual_cannot_be_proportioned() -> None:
    assert quantitative_score(2, ">=", Quantity(0), Quantity(-1), 2).expected is None
    assert quantitative_score(2, "<=", Quantity(5), Quantity(-1), 2).expected == 2  # met: under the limit
    assert quantitative_score(2, "<", Quantity(5), Quantity(6), 2).expected == round_to(2 * 5 / 6, 2)


def test_deviation_beyond_limit_takes_its_share_of_the_weight() -> None:
    rule = DeviationRule(limit=0.3, deduct_share=0.1, when="exceeded")
    full = quantitative_score(2, ">=", Quantity(5, "个"), Quantity(19, "个"), 2)
    deviation = deviation_of(">=", 5, 19, rule)
    assert deviation == pytest.approx(2.8)
    after = with_deviation(full, 2, deviation, rule, 2)
    assert after.expected == 1.8
    assert "偏离280%" in after.scoring and "0.2分" in after.scoring


def test_deviation_directions() -> None:
    exceeded = DeviationRule(when="exceeded")
    assert deviation_of(">=", 100, 129, exceeded) is None  # inside the limit
    assert deviation_of(">=", 100, 50, exceeded) is None  # a miss is not an excess
    assert deviation_of("<=", 100, 37.84, exceeded) is None  # far under a ≤ limit is no fault
    missed = DeviationRule(when="missed")
    assert deviation_of(">=", 100, 50, missed) == pytest.approx(0.5)
    assert deviation_of("<=", 100, 140, missed) == pytest.approx(0.4)
    assert deviation_of(">=", 0, 5, DeviationRule(when="both")) is None  # no share of a zero target
    assert deviation_of(">=", 5, 19, DeviationRule(enabled=False)) is None


def test_deviation_never_makes_a_score_negative() -> None:
    rule = DeviationRule(deduct_share=0.5)
    zero = quantitative_score(1, "=", Quantity(100, "%"), Quantity(0, "%"), 2)
    assert with_deviation(zero, 1, 1.0, rule, 2).expected == 0


def test_qualitative_band_gives_a_range_not_a_guess() -> None:
    proposal = qualitative_score(10, "达成预期指标", "显著提高", BANDS, 2)
    assert proposal.expected is None
    assert (proposal.low, proposal.high) == (8, 10)
    assert "无法确定" in proposal.scoring


def test_qualitative_single_score_band_decides() -> None:
    assert qualitative_score(5, "全面合规", "合规", BANDS, 2).expected == 5


def test_qualitative_longest_word_wins_and_unknown_words_are_undecided() -> None:
    found = band_of("未完成", BANDS)
    assert found is not None and found[0].label == "未达成"
    assert qualitative_score(6, "严格执行", "严格执行制度", BANDS, 2).scoring.endswith("无法确定得分")
    assert qualitative_score(6, None, "x", BANDS, 2).expected is None
    same = qualitative_score(5, "合理", "合理", BANDS, 2)  # the actual repeats the target: the top band
    assert same.high == 5 and "与目标一致" in same.scoring


def test_rounding_is_half_up_at_the_printed_precision() -> None:
    assert round_to(2.345, 2) == 2.35
    assert round_to(0.125, 2) == 0.13
    assert round_to(4.333333, 2) == 4.33
    assert round_to(7.5, 0) == 8


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("达到目标值得满分，未达到不得分", "binary"),
        ("完成率×分值", "proportional"),
        ("得分=实际完成值/目标值×分值", "proportional"),
        ("按完成比例计分", "proportional"),
        ("每少1个扣0.5分，扣完为止", "per_unit"),
        ("每降低1个百分点扣1分", "per_unit"),
    ],
)
def test_criteria_formula_shapes(text: str, kind: str) -> None:
    formula = recognise(text)
    assert formula is not None and formula.kind == kind


def test_criteria_without_a_formula_is_not_guessed() -> None:
    assert recognise("根据完成情况酌情打分") is None
    assert recognise(None) is None


def test_criteria_formulas_change_the_score_of_a_missed_target() -> None:
    binary = recognise("完成目标得满分，未完成不得分")
    assert quantitative_score(5, ">=", Quantity(10), Quantity(9), 2, binary).expected == 0
    per_unit = recognise("每少1个扣0.5分")
    proposal = quantitative_score(5, ">=", Quantity(10, "个"), Quantity(7, "个"), 2, per_unit)
    assert proposal.expected == 3.5
    assert "扣1.5分" in proposal.scoring
    assert quantitative_score(1, ">=", Quantity(10), Quantity(0), 2, per_unit).expected == 0  # floor at zero
