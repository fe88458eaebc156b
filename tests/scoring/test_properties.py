"""Property tests of the scoring rules: bounds, caps, direction (monotonicity) and rounding."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.scoring.profiles import DeviationRule
from extractor.scoring.rules import (
    Quantity,
    budget_score,
    deviation_of,
    quantitative_score,
    round_to,
    with_deviation,
)
from extractor.scoring.stage import score_result

weights = st.sampled_from([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 20.0, 30.0])
rates = st.floats(min_value=0, max_value=200, allow_nan=False)
positive = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)
decimals = st.integers(min_value=0, max_value=3)
ops = st.sampled_from([">=", "<=", "=", None, ">", "<"])


@given(weights, rates, decimals)
def test_budget_score_stays_within_zero_and_weight(weight: float, rate: float, places: int) -> None:
    expected = budget_score(weight, rate, places).expected
    assert expected is not None and 0 <= expected <= weight


@given(weights, rates, rates, decimals)
def test_budget_score_grows_with_the_rate(weight: float, a: float, b: float, places: int) -> None:
    low, high = sorted((a, b))
    assert budget_score(weight, low, places).expected <= budget_score(weight, high, places).expected  # type: ignore[operator]  # both decided: rates given


@given(weights, st.floats(min_value=0, max_value=100, allow_nan=False), decimals)
def test_budget_score_is_the_product_within_half_a_printed_unit(weight: float, rate: float, places: int) -> None:
    expected = budget_score(weight, rate, places).expected
    assert expected is not None and abs(expected - weight * rate / 100) <= 0.5 * 10**-places + 1e-9


@given(weights, ops, positive, positive, decimals)
def test_quantitative_score_is_bounded(weight: float, op: str, target: float, actual: float, places: int) -> None:
    expected = quantitative_score(weight, op, Quantity(target), Quantity(actual), places).expected
    assert expected is None or 0 <= expected <= weight


@given(weights, positive, positive, positive, decimals)
def test_more_is_never_worse_for_an_at_least_target(
    weight: float, target: float, a: float, b: float, places: int
) -> None:
    low, high = sorted((a, b))
    worse = quantitative_score(weight, ">=", Quantity(target), Quantity(low), places).expected
    better = quantitative_score(weight, ">=", Quantity(target), Quantity(high), places).expected
    assert worse is not None and better is not None and worse <= better


@given(weights, positive, positive, positive, decimals)
def test_less_is_never_worse_for_an_at_most_target(
    weight: float, target: float, a: float, b: float, places: int
) -> None:
    low, high = sorted((a, b))
    better = quantitative_score(weight, "<=", Quantity(target), Quantity(low), places).expected
    worse = quantitative_score(weight, "<=", Quantity(target), Quantity(high), places).expected
    assert worse is not None and better is not None and worse <= better


@given(weights, st.sampled_from([">=", "<=", "="]), positive, decimals)
def test_meeting_the_target_exactly_scores_in_full(weight: float, op: str, target: float, places: int) -> None:
    assert quantitative_score(weight, op, Quantity(target), Quantity(target), places).expected == round_to(
        weight, places
    )


@given(weights, positive, positive, decimals)
def test_a_missed_at_least_target_is_the_proportion_within_rounding(
    weight: float, target: float, actual: float, places: int
) -> None:
    expected = quantitative_score(weight, ">=", Quantity(target), Quantity(actual), places).expected
    share = min(actual / target, 1.0)
    assert expected is not None and abs(expected - weight * share) <= 0.5 * 10**-places + 1e-9


@given(weights, ops, positive, positive, st.floats(min_value=0, max_value=1), decimals)
def test_a_deviation_deduction_only_lowers_and_never_below_zero(
    weight: float, op: str, target: float, actual: float, share: float, places: int
) -> None:
    rule = DeviationRule(deduct_share=share, when="both")
    proposal = quantitative_score(weight, op, Quantity(target), Quantity(actual), places)
    after = with_deviation(proposal, weight, deviation_of(op, target, actual, rule), rule, places)
    if proposal.expected is None:
        assert after.expected is None
    else:
        assert after.expected is not None and 0 <= after.expected <= proposal.expected


row = st.tuples(
    st.sampled_from(["≥", "≤", "＝"]),
    st.integers(min_value=1, max_value=200),
    st.integers(min_value=0, max_value=300),
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=0, max_value=20),
)


@settings(max_examples=40, deadline=None)
@given(st.lists(row, min_size=1, max_size=6))
def test_a_section_proposal_adds_its_parts_and_deducts_only_overscoring(rows: list[tuple]) -> None:
    from tests.scoring.test_forms import form

    built = form([(f"指标{n}", f"{op}{t}个", f"{a}个", str(w), str(s)) for n, (op, t, a, w, s) in enumerate(rows)])
    scored = score_result(built)
    section = scored.sections[0]
    parts = [i.expected_score if i.expected_score is not None else i.score for i in scored.indicators]
    assert section.proposed_review_score == round_to(sum(p or 0.0 for p in parts), 2)
    for deduction in section.deductions:
        record = next(i for i in scored.indicators if f"{i.id}.score" == deduction.ref)
        assert record.score is not None and record.expected_score is not None
        assert deduction.points == round_to(record.score - record.expected_score, 2) > 0
    assert score_result(scored) == scored  # scoring twice changes nothing
