"""The SPEC tolerances on printed figures: rounding is not an error, a typo is."""

from __future__ import annotations

import pytest

from extractor.facts.tolerance import (
    difference,
    exceeds,
    from_float,
    parse_printed,
    product_agrees,
    ratio_agrees,
    same_figure,
    sum_agrees,
    truncated_agrees,
)


def p(text: str, **kwargs):
    printed = parse_printed(text, **kwargs)
    assert printed is not None, text
    return printed


@pytest.mark.parametrize(
    "text, value, decimals, percent",
    [
        ("1,837.28", 1837.28, 2, False),
        ("9.6304", 9.6304, 4, False),
        ("96.30%", 96.3, 2, True),
        ("96.3", 96.3, 1, False),
        ("-22%", -22.0, 0, True),
        ("０．５３", 0.53, 2, False),
        (" 10.00 ", 10.0, 2, False),
        ("－6.59", -6.59, 2, False),
    ],
)
def test_parse_keeps_the_printed_precision(text, value, decimals, percent):
    printed = p(text)
    assert (printed.value, printed.decimals, printed.percent) == (value, decimals, percent)


@pytest.mark.parametrize("text", ["达成预期指标", "#DIV/0!", "", "1.2.3", "12a", "%"])
def test_words_and_errors_are_not_numbers(text):
    assert parse_printed(text) is None


def test_blank_markers_and_zero_are_exact():
    assert p("——").exact and p("——").value == 0
    assert p("0").exact and p("0.00").exact
    assert not p("0.53").exact


def test_whole_scores_are_exact_only_when_asked():
    assert p("9", exact_integers=True).exact
    assert not p("9").exact
    assert not p("4.33", exact_integers=True).exact


def test_same_figure_at_the_coarser_precision():
    assert same_figure(p("96.30%"), p("96.3"))
    assert same_figure(p("9.6304"), p("9.63"))
    assert not same_figure(p("254.03"), p("254.04"))
    assert not same_figure(p("902.59"), p("902.58"))
    assert not same_figure(p("10.80"), p("1.08"))


def test_sum_of_parts_within_n_half_units():
    assert sum_agrees([p("2470.10"), p("364.35")], p("2834.44"))
    assert sum_agrees([p("189.09"), p("374.82"), p("0.75"), p("0"), p("2.14")], p("566.79"))
    assert not sum_agrees([p("189.09"), p("3.87"), p("0.75"), p("0"), p("2.14")], p("1958.52"))
    assert not sum_agrees([p("3.87"), p("374.82"), p("5.00"), p("26.57"), p("1001.64")], p("1413.16"))


def test_a_single_part_may_differ_by_one_unit():
    assert sum_agrees([p("10.01")], p("10.00"))
    assert not sum_agrees([p("10.02")], p("10.00"))


def test_exact_scores_must_add_up_exactly():
    parts = [p(t, exact_integers=True) for t in ("8", "7", "6", "8")]
    assert not sum_agrees(parts, p("30", exact_integers=True))
    assert sum_agrees(parts, p("29", exact_integers=True))


def test_rates_agree_when_some_rounding_gives_them():
    assert ratio_agrees(p("0.53"), p("10.00"), p("5.28%"))
    assert ratio_agrees(p("0.13"), p("25.57"), p("0.50%"))
    assert ratio_agrees(p("7.76"), p("9.50"), p("81.73%"))
    assert ratio_agrees(p("12.12"), p("21.00"), p("57.70%"))
    assert not ratio_agrees(p("1.90"), p("1.90"), p("90%"))
    assert not ratio_agrees(p("9", exact_integers=True), p("10", exact_integers=True), p("100%"))


def test_undefined_rates_are_not_judged():
    assert ratio_agrees(p("0"), p("0"), p("0"))
    assert ratio_agrees(p("5"), p("0"), p("50%"))


def test_truncated_rates_are_recognised():
    assert truncated_agrees(p("373.5"), p("292.62"), p("1.27"), scale=1)
    assert not truncated_agrees(p("373.5"), p("292.62"), p("1.30"), scale=1)


def test_budget_score_is_weight_times_rate():
    assert product_agrees(p("10"), p("96.30%"), p("9.63"))
    assert product_agrees(p("10"), p("99.93%"), p("9.99"))
    assert not product_agrees(p("10"), p("96.30%"), p("6.93"))


def test_difference_carries_both_roundings():
    gap = difference(p("8982.84"), p("5205.51"))
    assert gap.value == pytest.approx(3777.33) and gap.half_unit == pytest.approx(0.01)


def test_exceeds_beyond_rounding_only():
    assert exceeds(p("98", exact_integers=True), p("90", exact_integers=True))
    assert not exceeds(p("4.33"), p("4.33"))
    assert not exceeds(p("5.00"), p("5"))


def test_from_float_reads_decimals_from_the_shortest_repr():
    assert from_float(3.12).decimals == 2
    assert from_float(10.0).decimals == 0
    assert from_float(10.0, exact_integers=True).exact


def test_a_rate_printed_as_a_share_of_one_is_a_fraction_and_a_percent_is_not():
    from extractor.rules.rates import as_fraction

    assert as_fraction(p("0.958")) and as_fraction(p("1.00"))
    assert not as_fraction(p("95.8%")) and not as_fraction(p("0.5%")) and not as_fraction(p("20"))
