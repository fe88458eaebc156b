"""sum_mismatch in tables: every total row and total column against its parts.

The structure is the reader's (`tables[].regions[].totals`, read by `extractor.forms.statements`);
the figures decide what is certain:
- a relation the table declares (合计/汇总/总额 over list lines or 科目编码, 按…分 groups, a header
  span over a 合计 sub-column) is checked on every line;
- a 其中 relation may be partial: it is trusted once it adds up on at least as many lines as it
  fails; until then only parts exceeding their total are reported;
- a weaker cue (a 合计 column followed by columns, a 增减 column) needs two agreeing lines
  and more agreeing than failing ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Optional

from extractor.facts.tolerance import Printed, decimals_of, format_number, parse_printed, sum_agrees, sum_tolerance
from extractor.rules.docview import DocView, TableBlocks
from extractor.rules.findings import Draft, figure
from extractor.rules.grid import Block, header_leaf, is_spreadsheet_error, squeeze
from schemas import TotalRelation

MAX_NAMED_PARTS = 4
MIN_COLUMNS_TO_DISOWN = 3
"""A total row that disagrees with its rows in this many columns and agrees in none is misread, not misprinted."""


@dataclass
class Line:
    """One line a relation is checked on: a column (row relations) or a row (column relations)."""

    key: int
    total: Printed
    parts: list[Printed]

    @property
    def parts_sum(self) -> float:
        return sum(p.value for p in self.parts)

    @property
    def holds(self) -> bool:
        return sum_agrees(self.parts, self.total)

    @property
    def trivial(self) -> bool:
        return self.total.value == 0 and all(p.value == 0 for p in self.parts)

    @property
    def exceeds(self) -> bool:
        return (
            all(p.value >= 0 for p in self.parts)
            and self.parts_sum > self.total.value + sum_tolerance(self.parts, self.total) + 1e-9
        )


def _number(block: Block, row: int, col: int) -> tuple[bool, Optional[Printed]]:
    """(usable, figure): an empty cell is an exact zero; words or #DIV/0! make the line unusable."""
    text = squeeze(block.grid.text(row, col))
    if not text:
        return True, None
    if is_spreadsheet_error(text):
        return False, None
    printed = block.printed(row, col) if col in block.columns else parse_printed(text)
    return printed is not None, printed


def _line(block: Block, relation: TotalRelation, key: int) -> Optional[Line]:
    if relation.axis == "rows":
        cells = [(relation.total, key)] + [(r, key) for r in relation.parts]
    else:
        cells = [(key, relation.total)] + [(key, c) for c in relation.parts]
    read = [_number(block, r, c) for r, c in cells]
    if not all(ok for ok, _ in read) or read[0][1] is None or all(p is None for _, p in read[1:]):
        return None
    zero = Printed(0.0, 0, exact=True)
    return Line(key, read[0][1], [p if p is not None else zero for _, p in read[1:]])


def _lines(block: Block, relation: TotalRelation) -> list[Line]:
    keys = relation.columns if relation.axis == "rows" else block.body_rows
    return [line for key in keys if (line := _line(block, relation, key)) is not None]


def _failing(relation: TotalRelation, lines: list[Line]) -> list[Line]:
    holding = [line.holds for line in lines]  # each line's sum checked once, not once per list
    failing = [line for line, holds in zip(lines, holding) if not holds]
    agreeing = [line for line, holds in zip(lines, holding) if holds and not line.trivial]
    if not failing:
        return []
    if relation.confirm:
        if relation.bare_total and len(lines) == 1:
            return failing  # a one-line table (三公经费) cannot confirm itself; its 合计 header is cue enough
        return failing if len(agreeing) >= 2 and len(agreeing) > len(failing) else []
    if relation.partial:
        if agreeing and len(agreeing) >= len(failing):
            return failing
        return [line for line in failing if line.exceeds]
    return failing


def row_label(block: Block, row: int, label_col: Optional[int]) -> str:
    if label_col is not None:
        cell = block.grid.cell(row, label_col)
        if cell is not None and cell.row == row and squeeze(cell.text):
            return squeeze(cell.text)
    texts = [squeeze(c.text) for c in block.grid.anchors[row] if squeeze(c.text)]
    return texts[0] if texts else f"第{row + 1}行"


def header_name(block: Block, col: int) -> str:
    header = block.columns[col].header if col in block.columns else ""
    return header_leaf(header) if header else f"第{col + 1}列"


def _names(names: list[str]) -> str:
    shown = "、".join(names[:MAX_NAMED_PARTS])
    return shown + (f"等{len(names)}项" if len(names) > MAX_NAMED_PARTS else "")


def _draft(
    view: DocView, table: TableBlocks, block: Block, relation: TotalRelation, line: Line, label_col: Optional[int]
) -> Draft:
    decimals = decimals_of([line.total, *line.parts])
    computed = format_number(line.parts_sum, decimals)
    difference = format_number(abs(line.parts_sum - line.total.value), decimals)
    table_id = table.table.id
    if relation.axis == "rows":
        column = header_name(block, line.key)
        total_name = row_label(block, relation.total, label_col)
        parts = _names([row_label(block, r, label_col) for r in relation.parts])
        message = (
            f"{table.name}「{column}」列：「{total_name}」为{line.total.show()}，"
            f"其下各项（{parts}）合计{computed}，相差{difference}"
        )
        refs = [view.ref(table_id, relation.total, line.key)] + [
            view.ref(table_id, r, line.key) for r in relation.parts
        ]
    else:
        label = row_label(block, line.key, block.label_column(relation.total))
        parts = _names([header_name(block, c) for c in relation.parts])
        message = (
            f"{table.name}「{label}」行：{header_name(block, relation.total)}为{line.total.show()}，"
            f"而{parts}合计{computed}，相差{difference}"
        )
        refs = [view.ref(table_id, line.key, relation.total)] + [
            view.ref(table_id, line.key, c) for c in relation.parts
        ]
    if relation.partial and line.exceeds and not relation.confirm:
        message += "（各部分之和超过合计数）"
    return Draft(
        "sum_mismatch",
        "error",
        message,
        tuple(dict.fromkeys(refs)),
        expected=figure(line.parts_sum, decimals),
        found=line.total.value,
    )


SCORE_FIELDS = ("weight", "score", "review_score")


def _reads_scores(view: DocView, table: TableBlocks, relation: TotalRelation, line: Line) -> bool:
    """The reader read some of the line's cells as weights or scores: points, not amounts.

    Scores add up along the reader's levels (hierarchy.py, scores.py), which know which rows a total
    counts; a column of 自评得分 beside budget, target and indicator rows is no column of amounts.
    """
    if relation.axis == "rows":
        cells = [(relation.total, line.key), *((r, line.key) for r in relation.parts)]
    else:
        cells = [(line.key, relation.total), *((line.key, c) for c in relation.parts)]
    refs = (view.ref(table.table.id, row, col) for row, col in cells)
    return any(ref.rsplit(".", 1)[-1] in SCORE_FIELDS and not ref.startswith(table.table.id + ".") for ref in refs)


def table_sums(view: DocView) -> Iterator[Draft]:
    """Every total the reader read in a table (an indicator region has none: its 总分 is scores.py's)."""
    for table in view.tables:
        for block in table.blocks:
            for relation in block.totals:
                lines = _lines(block, relation)
                failing = _failing(relation, lines)
                if relation.axis == "rows" and len(lines) >= MIN_COLUMNS_TO_DISOWN and len(failing) == len(lines):
                    continue  # wrong in every column: these rows are not that total's parts (a cut-off table)
                for line in failing:
                    if not _reads_scores(view, table, relation, line):
                        yield _draft(view, table, block, relation, line, relation.label_col)
