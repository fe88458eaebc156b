"""Pure scoring rules: one function per way a profile scores a record, all from plain figures.

Each returns a `Proposal`: the expected score rounded to the form's printed precision (None when the
profile cannot decide) and the reasoning in Chinese with the figures, so a reviewer can redo it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from extractor.scoring.criteria import Formula
from extractor.scoring.profiles import Band, DeviationRule

EPSILON = 1e-9
_OP_TEXT = {">=": "≥", "<=": "≤", ">": "＞", "<": "＜", "=": "＝", None: ""}


@dataclass(frozen=True)
class Proposal:
    expected: Optional[float]
    scoring: str
    low: Optional[float] = None
    """Where undecided within a band: the lowest and highest score the band allows."""
    high: Optional[float] = None


@dataclass(frozen=True)
class Quantity:
    """A quantitative target or actual: its value, as printed, with its unit."""

    value: float
    unit: Optional[str] = None

    def show(self) -> str:
        return f"{number(self.value)}{self.unit or ''}"


def round_to(value: float, decimals: int) -> float:
    """Half-up rounding as forms print (2.345 → 2.35), not banker's rounding."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def number(value: float) -> str:
    """A figure without float noise or trailing zeros: 10, 7.77, 1.8."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def budget_score(weight: Optional[float], rate: Optional[float], decimals: int, cap: bool = True) -> Proposal:
    """预算执行率 score = weight × rate (rate in percent), capped at the weight, never below zero."""
    if weight is None:
        return Proposal(None, "预算执行未列分值，无法确定得分")
    if rate is None:
        return Proposal(None, f"分值{number(weight)}，缺少预算执行率，无法确定得分")
    raw = max(weight * rate / 100, 0.0)
    capped = cap and raw > weight
    expected = round_to(weight if capped else raw, decimals)
    text = f"分值{number(weight)} × 执行率{rate:.2f}% = {number(expected)}"
    if capped:
        text = f"分值{number(weight)} × 执行率{rate:.2f}% 超过分值，按分值计{number(expected)}"
    return Proposal(expected, text)


def is_met(op: Optional[str], target: float, actual: float) -> bool:
    """`=`, `≥` and a bare figure are met by reaching the target; `≤` / `＜` by staying under it."""
    if op == "<=":
        return actual <= target + EPSILON
    if op == "<":
        return actual < target
    if op == ">":
        return actual > target
    return actual >= target - EPSILON


def _target_text(op: Optional[str], target: Quantity, actual: Quantity) -> str:
    return f"目标{_OP_TEXT.get(op, '')}{target.show()}，实际{actual.show()}"


def share_of_target(op: Optional[str], target: float, actual: float) -> Optional[tuple[float, str]]:
    """The share of marks of a missed target and the ratio as text, or None when it has no meaning."""
    if op in ("<=", "<"):
        if actual <= 0 or target < 0:
            return None
        return min(max(target / actual, 0.0), 1.0), f"{number(target)}/{number(actual)}"
    if target <= 0:
        return None
    return min(max(actual / target, 0.0), 1.0), f"{number(actual)}/{number(target)}"


def quantitative_score(
    weight: float,
    op: Optional[str],
    target: Quantity,
    actual: Quantity,
    decimals: int,
    formula: Optional[Formula] = None,
) -> Proposal:
    """Met → full marks; missed → in proportion (or by the formula the 评分标准 states)."""
    stated = _target_text(op, target, actual)
    if is_met(op, target.value, actual.value):
        return Proposal(round_to(weight, decimals), f"{stated}，已完成，得满分{number(weight)}")
    if formula is not None and formula.kind == "binary":
        return Proposal(0.0, f"{stated}，未完成；评分标准「{formula.text}」，得0")
    if formula is not None and formula.kind == "per_unit" and formula.step and formula.points is not None:
        gap = abs(actual.value - target.value)
        off = gap / formula.step * formula.points
        expected = round_to(max(weight - off, 0.0), decimals)
        return Proposal(
            expected,
            f"{stated}；评分标准「{formula.text}」：差{number(gap)}，扣{number(off)}分，"
            f"{number(weight)} − {number(off)} = {number(expected)}",
        )
    share = share_of_target(op, target.value, actual.value)
    if share is None:
        return Proposal(None, f"{stated}，未完成，目标值为零或实际值非正，无法按比例确定得分")
    ratio, ratio_text = share
    expected = round_to(weight * ratio, decimals)
    return Proposal(expected, f"{stated}，{number(weight)} × {ratio_text} = {number(expected)}")


def deviation_of(op: Optional[str], target: float, actual: float, rule: DeviationRule) -> Optional[float]:
    """How far beyond the limit the actual lies from the target (a share), in the directions the rule marks."""
    if not rule.enabled or abs(target) < EPSILON:
        return None
    share = (actual - target) / abs(target)
    upward = op not in ("<=", "<")
    exceeded = share > rule.limit if upward else False  # staying far under a ≤ limit is no fault
    missed = (-share > rule.limit) if upward else (share > rule.limit)
    hits = {"exceeded": exceeded, "missed": missed, "both": exceeded or missed}[rule.when]
    return abs(share) if hits else None


def with_deviation(
    proposal: Proposal, weight: float, deviation: Optional[float], rule: DeviationRule, decimals: int
) -> Proposal:
    """The proposal less the profile's deduction for a deviation beyond its limit."""
    if deviation is None or proposal.expected is None:
        return proposal
    off = weight * rule.deduct_share
    expected = round_to(max(proposal.expected - off, 0.0), decimals)
    return Proposal(
        expected,
        f"{proposal.scoring}；实际较目标偏离{deviation * 100:.0f}%（超过{rule.limit * 100:.0f}%），"
        f"扣分值的{rule.deduct_share * 100:.0f}%即{number(off)}分，得{number(expected)}",
    )


def band_of(text: str, bands: tuple[Band, ...]) -> Optional[tuple[Band, str]]:
    """The band whose longest word the text contains (未完成 beats 完成)."""
    best: Optional[tuple[Band, str]] = None
    for band in bands:
        for word in band.words:
            if word in text and (best is None or len(word) > len(best[1])):
                best = (band, word)
    return best


def qualitative_score(
    weight: float, actual_text: Optional[str], target_text: Optional[str], bands: tuple[Band, ...], decimals: int
) -> Proposal:
    """A qualitative indicator by band: decided only where the band allows one score."""
    actual = (actual_text or "").strip()
    if not actual:
        return Proposal(None, "定性指标，未填实际完成情况，无法确定得分")
    found = band_of(actual, bands)
    if found is None and target_text and actual == target_text.strip() and bands:
        found = (max(bands, key=lambda b: b.high), "与目标一致")
    if found is None:
        return Proposal(None, f"定性指标，实际「{actual}」无法归入评分档次，无法确定得分")
    band, word = found
    low, high = round_to(weight * band.low, decimals), round_to(weight * band.high, decimals)
    if low == high:
        return Proposal(low, f"定性指标，实际「{actual}」属「{band.label}」档（{word}），得{number(low)}")
    return Proposal(
        None,
        f"定性指标，实际「{actual}」属「{band.label}」档（{word}），得分区间{number(low)}–{number(high)}，"
        "具体分值无法确定",
        low=low,
        high=high,
    )
