"""Printed numbers and the SPEC's tolerances: rounding is not an error, a typo is.

Every check works on the figures as printed (`Printed`): the value and how many
decimals were printed, because the float alone has lost it ("96.30%" and "96.3"
are one figure, "10.00" and "10" have different rounding intervals).

- one figure printed twice agrees at the coarser printed precision (`same_figure`);
- a sum of n printed parts may differ from its printed total by up to n half units
  of the last printed place, and at least one unit (`sum_tolerance`);
- a printed rate agrees with its parts when some values inside the parts' rounding
  intervals give it (`ratio_agrees`).

Two domain readings the SPEC leaves open, fixed here:
- a printed zero and a blank marker (`-`, `——`) are exact: nobody rounds 0.3 to "0";
- weights and scores printed without decimals are exact (`exact_integers=True`): forms allocate
  and award whole points, and a computed score is printed with its decimals (3.12, 4.33).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from extractor.forms.figures import is_blank, read_figure

EPSILON = 1e-9


@dataclass(frozen=True)
class Printed:
    """A number as printed: its value, the decimals printed, and whether it is exact."""

    value: float
    decimals: int = 0
    percent: bool = False
    exact: bool = False
    text: str = ""
    spread: Optional[float] = None
    """Half-width of the rounding interval when it is not half a unit (a difference of two figures)."""

    def __post_init__(self) -> None:
        # Computed once: every comparison reads them, often thousands of times per document.
        unit = 0.0 if self.exact else 10.0**-self.decimals
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "half_unit", self.spread if self.spread is not None else unit / 2)

    unit: float = field(init=False, repr=False, compare=False)
    """One unit of the last printed place (0 for an exact figure)."""
    half_unit: float = field(init=False, repr=False, compare=False)

    @property
    def low(self) -> float:
        return self.value - self.half_unit

    @property
    def high(self) -> float:
        return self.value + self.half_unit

    def show(self) -> str:
        """The figure as printed (or as the float would be printed)."""
        return self.text or format_number(self.value, self.decimals)


def percent_text(rate: Printed) -> str:
    """A rate as printed, with its % sign (96.30% stays 96.30%, 96.3 becomes 96.3%)."""
    shown = rate.show()
    return shown if shown.endswith("%") else f"{shown}%"


def format_number(value: float, decimals: int) -> str:
    return f"{value:.{max(decimals, 0)}f}"


def is_blank_marker(text: Optional[str]) -> bool:
    return is_blank(text)


@lru_cache(maxsize=4096)  # Printed is frozen; the rules parse the same cell texts many times
def parse_printed(text: Optional[str], *, exact_integers: bool = False) -> Optional[Printed]:
    """`1,837.28` → 1837.28 (2 decimals); `96.30%` → 96.3 (2 decimals, percent); text → None.

    Read by the one figure parser the reader uses too (forms/figures.py); blank markers read as an
    exact zero here, spreadsheet errors and words are not numbers.
    """
    return None if text is None else _parse_printed(text, exact_integers)


@lru_cache(maxsize=8192)
def _parse_printed(text: str, exact_integers: bool) -> Optional[Printed]:
    # A pure function of the text with a frozen result, remembered: the rules of one validation read the
    # same cells and figures again (weight and score "0.45" on every row, "-", "100%"). benchmarks clear it
    # (`extractor.facts.clear_caches`) so that a run is timed as the first reading of its document.
    figure = read_figure(text)
    if figure is None:
        return None
    if figure.blank:
        return Printed(0.0, 0, exact=True, text=figure.text)
    exact = figure.value == 0.0 or (exact_integers and figure.decimals == 0)
    return Printed(figure.value, figure.decimals, percent=figure.percent, exact=exact, text=figure.text)


def clear_caches() -> None:
    """Forget remembered readings (benchmarks time a document's first validation)."""
    _parse_printed.cache_clear()


def from_float(value: float, *, exact_integers: bool = False) -> Printed:
    """A record's float when no printed text is at hand: the decimals its shortest repr shows."""
    text = repr(float(value))
    if "e" in text or "E" in text:
        return Printed(value, 6)
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    decimals = len(fraction)
    exact = value == 0.0 or (exact_integers and decimals == 0)
    return Printed(value, decimals, exact=exact)


def difference(a: Printed, b: Printed) -> Printed:
    """a − b, with the rounding of both: its interval is as wide as theirs together."""
    value = a.value - b.value
    decimals = max(a.decimals, b.decimals)
    return Printed(
        value,
        decimals,
        exact=a.exact and b.exact,
        text=format_number(value, decimals),
        spread=a.half_unit + b.half_unit,
    )


def magnitude(a: Printed) -> Printed:
    return Printed(abs(a.value), a.decimals, a.percent, a.exact, a.text.lstrip("-−－"), a.spread)


def same_figure(a: Printed, b: Printed) -> bool:
    """One figure printed twice: equal at the coarser printed precision (96.30 vs 96.3 agree)."""
    difference = abs(a.value - b.value)
    coarse = a.half_unit if a.half_unit > b.half_unit else b.half_unit
    return difference <= coarse or difference <= coarse + EPSILON * max(1.0, abs(a.value), abs(b.value))


def sum_tolerance(parts: Iterable[Printed], total: Printed) -> float:
    """n half units of the parts' last printed places, and at least one unit of the finest place."""
    numbers = list(parts)
    half = sum(p.half_unit for p in numbers)
    units = [p.unit for p in (*numbers, total) if not p.exact]
    return max(half, min(units) if units else 0.0)


def sum_agrees(parts: Iterable[Printed], total: Printed) -> bool:
    numbers = list(parts)
    difference = abs(sum(p.value for p in numbers) - total.value)
    scale = max([1.0, abs(total.value)] + [abs(p.value) for p in numbers])
    return difference <= sum_tolerance(numbers, total) + EPSILON * scale


def _corners(low_a: float, high_a: float, low_b: float, high_b: float, op) -> tuple[float, float]:
    values = [op(x, y) for x in (low_a, high_a) for y in (low_b, high_b)]
    return min(values), max(values)


def ratio_range(numerator: Printed, denominator: Printed, scale: float = 100.0) -> Optional[tuple[float, float]]:
    """All ratios numerator/denominator × scale that values inside the rounding intervals give.

    None when the denominator's interval reaches zero (no rate is defined).
    """
    if denominator.low <= 0 <= denominator.high:
        return None
    low, high = _corners(numerator.low, numerator.high, denominator.low, denominator.high, lambda x, y: x / y)
    return low * scale, high * scale


def ratio_agrees(numerator: Printed, denominator: Printed, rate: Printed, scale: float = 100.0) -> bool:
    """Does some value inside the parts' intervals give the printed rate? Undefined rates agree."""
    span = ratio_range(numerator, denominator, scale)
    if span is None:
        return True
    slack = EPSILON * max(1.0, abs(rate.value))
    return span[0] <= rate.high + slack and rate.low - slack <= span[1]


def ratio(numerator: Printed, denominator: Printed, scale: float = 100.0) -> Optional[float]:
    if denominator.value == 0:
        return None
    return numerator.value / denominator.value * scale


def truncated_agrees(numerator: Printed, denominator: Printed, rate: Printed, scale: float = 100.0) -> bool:
    """The printed rate is the computed one cut (not rounded) at the printed decimals (1.2764 → 1.27)."""
    value = ratio(numerator, denominator, scale)
    if value is None:
        return False
    factor = 10**rate.decimals
    return abs(math.trunc(value * factor) / factor - rate.value) <= EPSILON * max(1.0, abs(rate.value))


def product_agrees(weight: Printed, rate: Printed, score: Printed, scale: float = 100.0) -> bool:
    """score = weight × rate / scale for some values inside the rounding intervals."""
    low, high = _corners(weight.low, weight.high, rate.low / scale, rate.high / scale, lambda x, y: x * y)
    slack = EPSILON * max(1.0, abs(score.value))
    return low <= score.high + slack and score.low - slack <= high


def exceeds(value: Printed, limit: Printed) -> bool:
    """value > limit beyond any rounding of either (4.33 does not exceed 4.33; 98 exceeds 90)."""
    return value.low > limit.high + EPSILON * max(1.0, abs(limit.value))


def relative_deviation(actual: float, target: float) -> Optional[float]:
    """|actual − target| / |target|, None for a zero target."""
    if target == 0:
        return None
    return abs(actual - target) / abs(target)


def decimals_of(numbers: Iterable[Printed]) -> int:
    return max((p.decimals for p in numbers), default=0)


def show_sum(value: float, numbers: Iterable[Printed]) -> str:
    """A computed sum printed at the precision of its parts."""
    return format_number(value, decimals_of(numbers))
