"""Totals and their parts, read from the table itself: the shared vocabulary of rows.py and columns.py.

Rows: a 合计/汇总/总额 row before or after its parts, 其中 lines, list numbering
(一、 > （一） > 1. > （1） > ①), 科目编码 prefixes (201 > 20106 > 2010601), 按…分 groups
(each an alternative breakdown of the total) and, in office files, indentation.
Columns: a 其中 header spanning sub-columns (the column left of it is their total),
a spanning header over a 合计/小计 sub-column, a 合计 column followed by its parts,
and 增减 columns (later year = earlier year + change).

Nothing here knows item names: the structure is what the printed table shows. Whether a
relation really holds is confirmed by the figures in `rules/sums.py`. The relations are
`schemas.TotalRelation`, stored in `tables[].regions[].totals`.
"""

from __future__ import annotations

from typing import Optional

from extractor.facts.labels import NUMBERING, label_key
from extractor.facts.tolerance import parse_printed
from extractor.forms.lexicon import lexicon
from extractor.forms.statements.grid import is_spreadsheet_error, squeeze

TOTAL_LABEL = lexicon().statements.patterns.total_label


def is_figure(text: str) -> bool:
    """A number, a blank marker or a spreadsheet error: what an amount cell may print."""
    return parse_printed(text) is not None or is_spreadsheet_error(text)


def is_total_label(label: str) -> bool:
    key = label_key(label)
    return bool(key) and bool(TOTAL_LABEL.search(key))


def numbering_level(label: str) -> Optional[int]:
    text = squeeze(label)
    return next((level for pattern, level in NUMBERING if pattern.match(text)), None)
