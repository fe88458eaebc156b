"""One reading of a printed figure, shared by the reader (`values.parse_amount`) and the validator
(`rules.tolerance.parse_printed`): its value, the decimals printed, the percent sign and the unit.

    read_figure("1,837.28")  → 1837.28, 2 decimals
    read_figure("96.30％")   → 96.3, 2 decimals, percent
    read_figure("１２３．４５") → 123.45 (full-width digits read as digits)
    read_figure("12.5万元", units=AMOUNT_UNITS) → 12.5, unit 万元;  read_figure("1.5亿元", …) → 1.5, unit 亿元
    read_figure("— —")       → a blank (the lexicon's blank markers, spaces ignored)
    read_figure("合规"), read_figure("#DIV/0!"), read_figure("12.5万元") → None (words; a unit not allowed)

Callers choose which units a cell may carry after its number: the validator reads bare figures
(a "5个" cell is a word to a column of amounts), the reader's amount cells allow 分 and money units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Optional

from extractor.forms.lexicon import lexicon

HALF_WIDTH = str.maketrans("０１２３４５６７８９．％－＋，：", "0123456789.%-+,:")
"""Full-width digits and signs to their ASCII forms, one character for one (positions are kept)."""
MONEY_UNITS = frozenset(lexicon().money_units)
AMOUNT_UNITS = MONEY_UNITS | frozenset(lexicon().cell_words.mark_units)
_LABEL = lexicon().cell_words.score_cell_label
_FIGURE = re.compile(r"^([-+−])?(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(%|[^\d.,%:]{1,4})?$")


@dataclass(frozen=True)
class Figure:
    """A number as printed: value, decimals printed, percent sign, unit; or a blank marker."""

    value: float
    decimals: int = 0
    percent: bool = False
    unit: Optional[str] = None
    text: str = ""
    """The cell text as printed (stripped)."""
    blank: bool = False
    """A blank marker (-, —, ／ …): no figure printed, which a sum counts as an exact zero."""


def half_width(text: str) -> str:
    return text.translate(HALF_WIDTH)


@cache
def blank_markers() -> frozenset[str]:
    """The lexicon's blank markers (loaded once, immutable)."""
    return frozenset(lexicon().blank_markers)


def is_blank(text: Optional[str]) -> bool:
    """A blank marker as printed (spaces inside ignored: "— —" is "——")."""
    return text is not None and half_width(text).replace(" ", "") in blank_markers()


@lru_cache(maxsize=4096)  # pure and immutable: the reader and every rule parse the same cell texts
def read_figure(text: Optional[str], *, units: frozenset[str] = frozenset()) -> Optional[Figure]:
    """The figure a cell prints, or None for words, dates, errors and units not in `units`."""
    if text is None:
        return None
    printed = text.strip()
    cleaned = half_width(printed).replace(" ", "")
    if not cleaned:
        return None
    if cleaned in blank_markers():
        return Figure(0.0, text=printed, blank=True)
    if units:
        cleaned = _LABEL.sub("", cleaned)
    match = _FIGURE.match(cleaned)
    if not match or (match.group(2) is None and match.group(3) is None):
        return None
    tail = match.group(4)
    percent = tail == "%"
    if tail is not None and not percent and tail not in units:
        return None
    whole = (match.group(2) or "0").replace(",", "")
    fraction = match.group(3) or ""
    sign = -1.0 if match.group(1) in ("-", "−") else 1.0
    value = sign * float(f"{whole}.{fraction or '0'}")
    return Figure(value, len(fraction), percent, "%" if percent else tail, printed)
