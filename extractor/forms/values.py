"""Parse printed target/actual values and amounts (docs/conventions.md, "Values").

`parse_value("≥1,500人")` → Value(raw="≥1,500人", op=">=", value=1500, unit="人").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional, cast

from extractor.forms.figures import blank_markers, half_width, is_blank, read_figure
from extractor.forms.lexicon import lexicon
from extractor.text.join import clean_text
from schemas import Value
from schemas.records import Operator

SPREADSHEET_ERROR = re.compile(r"^#(DIV/0!|REF!|VALUE!|N/A|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|#+)$", re.I)
"""What a spreadsheet prints instead of a value; the validator's spreadsheet_error reads the same pattern."""
BLANK_MARKERS = blank_markers()
AMOUNT_CELL_UNITS = frozenset(lexicon().cell_words.amount_cell_units)
MAX_UNIT_LENGTH = 6

# Operators written before the number, longest first so `>=` wins over `>` (lexicon.yaml: operators);
# a bound word (控制在) states an upper bound only when 以内/以下 follows, marked "<=?".
_PREFIX_OPS: tuple[tuple[str, str], ...] = (
    *lexicon().operator_words(),
    *((word, "<=?") for word in lexicon().bound_words),
)
# Words after the number and unit that state the operator.
_SUFFIX_OPS: tuple[tuple[str, str], ...] = tuple(lexicon().operator_suffix_words())
# A number glued to a Latin letter names a thing (4G, 5G, A4), it is no quantity.
_NUMBER = re.compile(r"(?<![A-Za-z])(?:[-－−]?\d[\d,，]*(?:\.\d+)?|[-－−]?\.\d+)(?![\d.]*[A-Za-z])")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
_DATE = lexicon().cell_words.date
_UNIT_STOP = re.compile(r"[\s,，;；。、:：()（）\[\]【】]")
_CN_MEASURE = lexicon().cell_words.chinese_count


def is_blank_marker(text: Optional[str]) -> bool:
    return text is None or not text.strip() or is_blank(text)


@lru_cache(maxsize=4096)  # pure: every rule asks it of the same cells
def is_spreadsheet_error(text: Optional[str]) -> bool:
    return text is not None and bool(SPREADSHEET_ERROR.match(text.strip()))


def to_float(text: str) -> float:
    """A printed number to float: thousands separators and full-width minus removed."""
    return float(text.replace(",", "").replace("，", "").replace("－", "-").replace("−", "-"))


def parse_amount(text: Optional[str]) -> Optional[float]:
    """An amount, rate, weight or score: `1,837.28` → 1837.28, `96.30%` → 96.3, blanks → None."""
    if text is None or is_spreadsheet_error(text):
        return None
    # one parser for reader and validator (forms/figures.py); another money unit than the table's is no amount
    figure = read_figure(text, units=AMOUNT_CELL_UNITS)
    return None if figure is None or figure.blank else figure.value


def _op_before(text: str) -> Optional[str]:
    """The operator word that ends right before the number (`≥5`, `满意度大于90%`)."""
    text = text.rstrip()
    for word, op in _PREFIX_OPS:
        if text.endswith(word):
            return op
    return None


def _unit_after(rest: str) -> tuple[Optional[str], Optional[str]]:
    """The unit right after the number and an operator word after it, if any."""
    rest = rest.lstrip().replace("％", "%")
    op = None
    for word, suffix_op in _SUFFIX_OPS:
        position = rest.find(word)
        if position != -1:
            op = suffix_op
            rest = rest[:position]
            break
    stop = _UNIT_STOP.search(rest)
    unit = rest[: stop.start()] if stop else rest
    if unit.startswith("%"):
        return "%", op
    if not unit or len(unit) > MAX_UNIT_LENGTH or _NUMBER.search(unit):
        return None, op
    return unit, op


def _chinese_measure(text: str) -> Optional[tuple[float, str]]:
    """`三期` → (3, "期"): a Chinese numeral followed by a measure word."""
    match = _CN_MEASURE.match(text)
    if not match:
        return None
    import cn2an  # imported on first use: it costs 0.17 s CPU and most documents print no Chinese numeral

    try:
        return float(cn2an.cn2an(match.group(1), "smart")), match.group(2)
    except (ValueError, KeyError):
        return None


def parse_value(text: Optional[str]) -> Value:
    """Read a target or actual cell into op / value / unit / qualitative."""
    raw = clean_text(text)
    if raw is None:
        return Value()
    # Numbers are found on the half-width text (１２ is 12); one character for one, so positions hold.
    compact = half_width(raw.strip())
    if is_blank(compact) or is_spreadsheet_error(compact):
        return Value(raw=raw)
    if _DATE.search(compact):
        return Value(raw=raw, qualitative=True)
    numbers = _NUMBER.findall(compact)
    if len(numbers) != 1:
        measured = _chinese_measure(compact) if not numbers else None
        if measured is not None:
            return Value(raw=raw, value=measured[0], unit=measured[1])
        return Value(raw=raw, qualitative=True)
    match = _NUMBER.search(compact)
    assert match is not None
    op = _op_before(compact[: match.start()])
    unit, suffix_op = _unit_after(compact[match.end() :])
    if op == "<=?":  # 控制在…: an upper bound only when 以内/以下 follows
        op = suffix_op if suffix_op == "<=" else None
    op = op or suffix_op
    return Value(raw=raw, op=cast(Optional[Operator], op), value=to_float(match.group()), unit=unit)
