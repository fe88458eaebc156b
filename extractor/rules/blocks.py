"""sum_mismatch between blocks of budget lines: a 合计 block against the blocks listed after it.

Some forms print their budget as label | amount lines in blocks, each under a heading row of its own
(彭水's 计划生育转移支付资金合计(万元) block, then 其中: and one block per sub-programme, each with
年度预算资金总额 / 中央补助 / 市级资金 / 本级资金). The 合计 block's line of a label is the sum of the
same label's lines in the blocks below it. The relation is read from the reader's budget lines and the
cells they were read from; it is trusted once it holds on at least two labels and on at least as many
labels as it fails on (two blocks that merely share labels are not a breakdown).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Optional

from extractor.facts.labels import QIZHONG
from extractor.facts.tolerance import Printed, decimals_of, format_number, sum_agrees
from extractor.forms.statements.structure import is_total_label
from extractor.rules.docview import DocView
from extractor.rules.findings import Draft, figure
from extractor.text.join import squeeze
from schemas import BudgetLine

AMOUNT_FIELDS = ("initial", "adjustment", "adjusted", "actual")
FIELD_WORDS = {"initial": "年初预算数", "adjustment": "调整数", "adjusted": "预算数", "actual": "执行数"}
_UNIT_NOTE = re.compile(r"[（(][^（）()]*[）)]$")
_EDGE_PUNCT = re.compile(r"^[\s:：)）]+|[\s:：)）]+$")


@dataclass
class LineBlock:
    heading: str
    lines: dict[str, BudgetLine] = field(default_factory=dict)
    """Line label (其中 and punctuation removed) → the line."""


def _item_cell(line: BudgetLine) -> Optional[tuple[int, int]]:
    cells = line.source.cells.get("item")
    return (cells[-1][0], cells[-1][1]) if cells else None


def _line_label(text: str) -> str:
    return _EDGE_PUNCT.sub("", QIZHONG.sub("", squeeze(text)))


def _blocks(view: DocView, table_id: str, lines: list[BudgetLine]) -> list[LineBlock]:
    """Runs of lines on consecutive rows, each named by the nearest text above it in its item column."""
    table = view.table(table_id)
    if table is None:
        return []
    grid = table.grid
    placed = sorted(((cell, line) for line in lines if (cell := _item_cell(line)) is not None), key=lambda p: p[0])
    blocks: list[LineBlock] = []
    previous_row: Optional[int] = None
    for (row, col), line in placed:
        if previous_row is None or row != previous_row + 1:
            heading = ""
            for above in range(row - 1, -1, -1):
                text = squeeze(grid.text(above, col))
                if text and not QIZHONG.fullmatch(text):
                    heading = text
                    break
            blocks.append(LineBlock(heading))
        label = _line_label(grid.text(row, col))
        if label and label not in blocks[-1].lines:
            blocks[-1].lines[label] = line
        previous_row = row
    return blocks


def _is_total_heading(heading: str) -> bool:
    return is_total_label(_UNIT_NOTE.sub("", heading))


def block_sums(view: DocView) -> Iterator[Draft]:
    by_table: dict[str, list[BudgetLine]] = {}
    for line in view.result.budget_lines:
        if line.source.table is not None and line.source.cells:
            by_table.setdefault(line.source.table, []).append(line)
    for table_id, lines in by_table.items():
        blocks = _blocks(view, table_id, lines)
        for index, total in enumerate(blocks):
            if not _is_total_heading(total.heading):
                continue
            parts = [
                b for b in blocks[index + 1 :] if not _is_total_heading(b.heading) and set(b.lines) & set(total.lines)
            ]
            if len(parts) >= 2:
                yield from _check(view, total, parts)


def _check(view: DocView, total: LineBlock, parts: list[LineBlock]) -> Iterator[Draft]:
    checks: list[tuple[BudgetLine, str, Printed, list[tuple[BudgetLine, Printed]]]] = []
    for label, line in total.lines.items():
        for name in AMOUNT_FIELDS:
            printed = view.printed_field(line, name)
            if printed is None:
                continue
            found = [(p.lines[label], view.printed_field(p.lines[label], name)) for p in parts if label in p.lines]
            figures = [(record, value) for record, value in found if value is not None]
            if len(figures) >= 2:
                checks.append((line, name, printed, figures))
    failing = [c for c in checks if not sum_agrees([v for _, v in c[3]], c[2])]
    if not failing or len(checks) - len(failing) < 2 or len(checks) - len(failing) < len(failing):
        return  # not confirmed as a breakdown: these blocks only share line labels
    for line, name, printed, figures in failing:
        values = [v for _, v in figures]
        decimals = decimals_of(values)
        computed = sum(v.value for v in values)
        shown = " + ".join(v.show() for v in values)
        label = next(key for key, value in total.lines.items() if value is line)
        yield Draft(
            "sum_mismatch",
            "error",
            f"「{total.heading}」的「{label}」{FIELD_WORDS[name]}为{printed.show()}，"
            f"而其下{len(values)}块的「{label}」合计{shown} = {format_number(computed, decimals)}",
            (f"{line.id}.{name}", *(f"{record.id}.{name}" for record, _ in figures)),
            expected=figure(computed, decimals),
            found=printed.value,
        )
