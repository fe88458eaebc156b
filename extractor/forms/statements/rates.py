"""Rate columns and the columns they are the ratio of: rate = numerator ÷ denominator.

The numerator and denominator of a rate column are read from the header leaves with the
lexicon's `statements.rate_definitions` (执行率: 实际支出/执行数 over 调整后/全年预算; 得分率:
得分 over 分值; 控制率: 实际 over 预算/编制) and confirmed by the lines: of the pairs the
headers allow, the one that agrees on most lines is the form's own definition. Without a
header reading, a pair of amount columns is adopted only when it agrees with the rate on at
least two lines and more than it fails (evidence `content`). The relations are
`schemas.RateRelation`, stored in `tables[].regions[].rates`; `rule rate_mismatch` checks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from extractor.facts.tolerance import Printed, ratio_agrees
from extractor.forms.lexicon import lexicon
from extractor.forms.statements.grid import Block, header_leaf, squeeze
from schemas import RateRelation

MAX_BLIND_COLUMNS = 8
"""Without a header reading, only the first amount columns are paired: a wide table's later columns are
other years or sub-columns, and pairing all of them makes a chance agreement likely."""
_BLANK_RATES = ("-", "—", "——", "/")

RateLine = tuple[int, Printed, Printed, Printed]
"""(row, numerator, denominator, rate) as printed on one body line."""


_PATTERNS = lexicon().statements.patterns


@dataclass
class _Candidate:
    numerator: int
    denominator: int
    evidence: Literal["header", "content"]
    agreeing: int = 0
    failing: int = 0


def rate_lines(block: Block, rate_col: int, numerator: int, denominator: int) -> list[RateLine]:
    """The body lines printing a rate and both its terms (a blank numerator beside a denominator is 0)."""
    lines = []
    for row in block.body_rows:
        rate = block.printed(row, rate_col)
        if rate is None or rate.exact and rate.text in _BLANK_RATES:
            continue
        num, den = block.printed(row, numerator), block.printed(row, denominator)
        if not squeeze(block.grid.text(row, numerator)):
            num = Printed(0.0, 0, exact=True) if den is not None else None
        if num is None or den is None or den.value == 0:
            continue
        lines.append((row, num, den, rate))
    return lines


def _leaf(block: Block, col: int) -> str:
    return header_leaf(block.columns[col].header)


def _candidates(block: Block, rate_col: int) -> list[_Candidate]:
    header = _leaf(block, rate_col)
    numbers = [c for c, column in sorted(block.columns.items()) if column.kind == "number"]
    for definition in _PATTERNS.rate_definitions:
        if not definition.rate.search(header):
            continue
        nums = [c for c in numbers if definition.numerator.search(_leaf(block, c))]
        dens = [c for c in numbers if definition.denominator.search(_leaf(block, c))]
        dens.sort(key=lambda c: not _PATTERNS.rate_denominator_first.search(_leaf(block, c)))
        pairs = [_Candidate(n, d, "header") for d in dens for n in nums if n != d]
        if pairs:
            return pairs
    blind = numbers[:MAX_BLIND_COLUMNS]
    return [_Candidate(n, d, "content") for n in blind for d in blind if n != d]


def _relation(block: Block, rate_col: int) -> Optional[RateRelation]:
    best: Optional[_Candidate] = None
    for candidate in _candidates(block, rate_col):
        for _, num, den, rate in rate_lines(block, rate_col, candidate.numerator, candidate.denominator):
            if ratio_agrees(num, den, rate):
                candidate.agreeing += 1
            else:
                candidate.failing += 1
        if best is None or candidate.agreeing > best.agreeing:
            best = candidate  # the first of equals: header pairs come in the lexicon's denominator order
    if best is None:
        return None
    if best.evidence == "content" and not (best.agreeing >= 2 and best.agreeing > best.failing):
        return None  # no header says so and the lines do not show it: no relation is read
    return RateRelation(rate=rate_col, numerator=best.numerator, denominator=best.denominator, evidence=best.evidence)


def rate_relations(block: Block) -> list[RateRelation]:
    """Each rate column's numerator and denominator, where the headers or the lines define them."""
    relations = []
    for col, column in sorted(block.columns.items()):
        if column.kind == "rate" and (relation := _relation(block, col)) is not None:
            relations.append(relation)
    return relations
