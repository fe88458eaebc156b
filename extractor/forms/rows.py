"""Walk a table's rows: headers open regions, data rows become role → cell maps.

One printed table often holds several blocks (a budget block, a score line, an
indicator block, a 总分 row); the walker switches region whenever a new header
row appears, and reads key-value rows (自评得分（满分100分） 90 …) anywhere.
"""

from __future__ import annotations

import re
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict

from extractor.forms.columns import type_columns
from extractor.forms.headers import (
    VOCABULARIES,
    ColumnRole,
    HeaderMatch,
    RegionKind,
    match_header,
    match_role,
)
from extractor.forms.lexicon import classify_header, header_key, key_label_field, lexicon
from extractor.forms.values import is_blank_marker, is_spreadsheet_error, parse_amount
from extractor.forms.view import TableView
from extractor.text.join import squeeze
from schemas import Cell

MIN_HEADER_ROLES = 3
"""A row naming this many roles is a header even if it also holds a key label (项目名称 …)."""
_PLACEHOLDER = re.compile(r"^[-—–/／\s]*$")
LABEL_ROLES = frozenset(lexicon().label_roles)
MONEY_ROLES = ("initial", "adjustment", "adjusted", "actual")
AMOUNT_ROLES = ("initial", "adjustment", "adjusted", "actual", "rate", "weight", "score", "review_score")


class RowRecord(BaseModel):
    """One data row read under a header: which cell holds each role."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    kind: RegionKind | Literal["total"]
    row: int
    cells: dict[str, Cell]
    label: Optional[Cell] = None
    """For budget and total rows: the printed label cell."""
    region_kind: RegionKind
    group: Optional[str] = None
    """The heading a funding line is printed under (计划生育转移支付资金合计), part of its item."""
    executed_by: Optional[Cell] = None
    """The label of the execution block joined into this budget line (市级财政资金使用情况 under
    市级预算执行情况), when it differs from `label`: the line's item names both."""


class KeyValue(BaseModel):
    """A `label | value` pair read from a form row (自评得分（满分100分） | 90)."""

    label: Cell
    value: Optional[Cell]
    row: int


def _starts_in(cell: Cell, role: ColumnRole) -> bool:
    return role.first_col <= cell.col <= role.last_col


def _cell_for(view: TableView, row: int, role: ColumnRole, header: HeaderMatch) -> Optional[Cell]:
    """The data cell under a header role: the rightmost cell starting inside the role's columns.

    Side labels (cells that already covered the header row, such as a tall
    年度绩效指标完成情况 cell) belong to no role.
    """
    chosen: Optional[Cell] = None
    for col in range(role.first_col, role.last_col + 1):
        cell = view.owner(row, col)
        if cell is None or cell.row <= header.row or not _starts_in(cell, role):
            continue
        if role.role in LABEL_ROLES and _PLACEHOLDER.match(cell.text) and chosen is not None:
            continue  # 政府性基金 | —— : the dash fills an unused sub-label column
        if cell.text and not (role.role in LABEL_ROLES and _PLACEHOLDER.match(cell.text)) or chosen is None:
            chosen = cell
    if chosen is None:
        cell = view.owner(row, role.first_col)
        if cell is not None and cell.row > header.row and _claimed_by(cell, header) == role.role:
            chosen = cell
    return chosen


def _claimed_by(cell: Cell, header: HeaderMatch) -> Optional[str]:
    for role in header.roles.values():
        if _starts_in(cell, role):
            return role.role
    return None


def _label_cell(view: TableView, row: int, header: HeaderMatch) -> Optional[Cell]:
    """A budget/total row's label: the rightmost printed cell left of the first value column."""
    value_cols = [r.first_col for name, r in header.roles.items() if name not in ("item", "label")]
    limit = min(value_cols) if value_cols else view.n_cols
    label: Optional[Cell] = None
    side: Optional[Cell] = None
    for cell in view.row_cells(row):
        if cell.col >= limit:
            break
        if cell.row <= header.first_row and cell.row_span > 1:
            side = cell
            continue  # a side label spanning the header, not this row's label
        if cell.text and not _PLACEHOLDER.match(cell.text):
            if label is not None and re.fullmatch(r"\d{1,3}", squeeze(cell.text)):
                continue  # a 行次 row number right of the label names the row, it is no label
            label = cell
    if label is None and side is not None and side.row + side.row_span - 1 == row == header.row + 1:
        return side  # a block of one line (市级预算执行情况(万元) | 2960.00 …): its side label names it
    return label


def _has_any(cells: dict[str, Cell], roles: tuple[str, ...]) -> bool:
    return any(role in cells and not is_blank_marker(cells[role].text) for role in roles)


def _printed_any(cells: dict[str, Cell], roles: tuple[str, ...]) -> bool:
    return any(role in cells and cells[role].text.strip() for role in roles)


def _foreign(cells: dict[str, Cell]) -> bool:
    """Words where a budget or score block prints amounts: the block has ended (调整原因说明, 项目终止时间)."""
    for role in AMOUNT_ROLES:
        cell = cells.get(role)
        if cell is None or not cell.text.strip():
            continue
        text = cell.text.strip()
        if parse_amount(text) is None and not is_blank_marker(text) and not is_spreadsheet_error(text):
            return True
    return False


def ends_region(view: TableView, row: int, header: HeaderMatch) -> bool:
    if header.kind == "indicators":
        return False
    cells = {
        name: cell for name, role in header.roles.items() if (cell := _cell_for(view, row, role, header)) is not None
    }
    return _foreign(cells)


def _levels_under_name(view: TableView, row: int, header: HeaderMatch) -> dict[str, Cell]:
    """One header (评价内容) over three columns: the columns left of the name are 一级 and 二级."""
    name = header.roles.get("name")
    if name is None or name.first_col == name.last_col or {"level1", "level2"} & header.roles.keys():
        return {}
    parts: list[Cell] = []
    for col in range(name.first_col, name.last_col + 1):
        cell = view.owner(row, col)
        if cell is not None and cell.row > header.row and (not parts or parts[-1] is not cell):
            parts.append(cell)
    parts = [cell for cell in parts if not _PLACEHOLDER.match(cell.text)]
    if len(parts) < 2:
        return {}
    found = {"name": parts[-1], "level2": parts[-2]}
    if len(parts) >= 3:
        found["level1"] = parts[-3]
    return found


MIN_NUMBERING = 3


def _column_numbering(view: TableView, row: int) -> bool:
    """A row that numbers the columns (列次 | 1 | 2 | 3 …): consecutive integers left to right."""
    numbers = []
    for cell in view.row_cells(row):
        text = squeeze(cell.text)
        if cell.row == row and re.fullmatch(r"\d{1,2}", text):
            numbers.append(int(text))
    return len(numbers) >= MIN_NUMBERING and all(b == a + 1 for a, b in zip(numbers, numbers[1:]))


def read_row(view: TableView, row: int, header: HeaderMatch) -> Optional[RowRecord]:
    cells = {}
    for name, role in header.roles.items():
        cell = _cell_for(view, row, role, header)
        if cell is not None:
            cells[name] = cell
    first_text = next((squeeze(c.text) for c in view.row_cells(row) if c.text and c.row == row), "")
    if first_text in lexicon().totals:
        total = next(c for c in view.row_cells(row) if c.text and c.row == row)
        return RowRecord(kind="total", row=row, cells=cells, label=total, region_kind=header.kind)
    if header.kind == "indicators":
        cells.update(_levels_under_name(view, row, header))
        name_cell = cells.get("name")
        if name_cell is None or not name_cell.text or name_cell.row != row:
            return None
        if re.match(lexicon().placeholder_name, squeeze(name_cell.text)):
            return None  # 指标2: — an unfilled template row
        for key, role in header.level_weights.items():
            cell = _cell_for(view, row, role, header)
            if cell is not None:
                cells[key] = cell
        # A scoring table (评分表) lists its indicators with criteria even where nothing is scored yet.
        scoring_table = bool({"criteria", "explanation"} & header.roles.keys())
        if not scoring_table and not _has_any(cells, ("target", "actual", "weight", "score")):
            return None
        return RowRecord(kind="indicators", row=row, cells=cells, region_kind=header.kind)
    label: Optional[Cell] = cells.get("item") or cells.get("label") or _label_cell(view, row, header)
    if label is None or not label.text or label.row != row and label.row_span == 1:
        return None
    money = tuple(role for role in MONEY_ROLES if role in header.roles)
    if not _printed_any(cells, money or AMOUNT_ROLES):
        return None  # a grouping row (按收入性质分：) prints nothing in the money columns
    if _column_numbering(view, row):
        return None  # 列次 0 1 2 3 …: the columns' numbers, not amounts
    return RowRecord(kind=header.kind, row=row, cells=cells, label=label, region_kind=header.kind)


def _is_key_label(text: str) -> bool:
    return key_label_field(text) is not None


def key_values(view: TableView, row: int) -> list[KeyValue]:
    """Label cells of the known document fields and the printed cell right of each."""
    cells = view.row_cells(row)
    found = []
    for index, cell in enumerate(cells):
        if cell.row != row or not _is_key_label(cell.text):
            continue
        value = next((c for c in cells[index + 1 :] if c.text), None)
        if value is None:
            value = _figure_below(view, cell)
        if value is not None and (_is_key_label(value.text) or _is_header_word(value.text)):
            value = None
        found.append(KeyValue(label=cell, value=value, row=row))
    return found


def _figure_below(view: TableView, label: Cell) -> Optional[Cell]:
    """A key label with nothing to its right heads its column: the figure printed right below it
    (a 自评得分 column at the form's right edge holding 100)."""
    below = view.owner(label.row + label.row_span, label.col)
    if below is None or below.col != label.col or parse_amount(below.text) is None:
        return None
    return below


def _is_header_word(text: str) -> bool:
    return any(match_role(text, vocabulary) is not None for vocabulary in VOCABULARIES.values())


class TableReading(BaseModel):
    records: list[RowRecord]
    key_values: list[KeyValue]
    headers: list[HeaderMatch]
    continued: bool = False
    """The table opens without a header and was read under the previous table's indicator header."""

    def open_region(self) -> Optional[HeaderMatch]:
        """The indicator header still open at the table's end (a next table may continue it)."""
        return self.headers[-1] if self.headers and self.headers[-1].kind == "indicators" else None


def inline_budget(view: TableView, row: int) -> Optional[tuple[HeaderMatch, RowRecord]]:
    """A budget row printed as `label: | amount` pairs (预算执行情况 | 预算数: | 2.38 | 执行数: | 2.38).

    The national 转移支付区域绩效目标自评表 prints its budget this way. The pairs' value columns
    head a budget region, so the rows below (其中：中央补助 | 2.38 万元 | …) are read under them.
    """
    cells = view.row_cells(row)
    roles: dict[str, ColumnRole] = {}
    found: dict[str, Cell] = {}
    for index, cell in enumerate(cells[:-1]):
        text = squeeze(cell.text)
        if cell.row != row or not text.endswith((":", "：")):
            continue
        hit = classify_header(text, "budget")
        value = cells[index + 1]
        if hit is None or hit.role not in MONEY_ROLES + ("rate",) or parse_amount(value.text) is None:
            continue
        last = value.col + value.col_span - 1
        roles[hit.role] = ColumnRole(
            role=hit.role, first_col=value.col, last_col=last, rank=hit.rank, evidence=hit.evidence
        )
        found[hit.role] = value
    if not found:
        return None
    label = next((c for c in cells if c.text.strip() and c.col < min(r.first_col for r in roles.values()) - 1), None)
    if label is None:
        return None
    header = HeaderMatch(kind="budget", row=row, first_row=row, roles=roles)
    return header, RowRecord(kind="budget", row=row, cells=found, label=label, region_kind="budget")


def _continues(view: TableView, carried: Optional[HeaderMatch]) -> Optional[HeaderMatch]:
    """The previous table's indicator header, when this table goes on with its rows: no header of
    its own in the first row, no more columns (trailing ones may drop) and a name under the name
    column."""
    if carried is None or match_header(view, 0) is not None:
        return None
    name = carried.roles.get("name")
    if view.n_cols > carried.n_cols or name is None or name.last_col >= view.n_cols:
        return None  # another grid; a continuation may only lose trailing columns (a blank 备注 column)
    cell = view.owner(0, name.first_col) if name is not None else None
    if cell is None or not cell.text.strip() or cell.row != 0:
        return None
    roles = {key: role for key, role in carried.roles.items() if role.last_col < view.n_cols}
    return carried.model_copy(update={"row": -1, "first_row": -1, "header_cells": [], "roles": roles})


def _money(text: str) -> bool:
    return any(word in text for word in lexicon().money_words)


def funding_line(view: TableView, row: int, header: HeaderMatch) -> Optional[RowRecord]:
    """A `label | amount` line inside an indicator block, under a carried indicator name
    (年度预算资金总额 | 1084.25 under 预算资金安排): a budget line (its group is set afterwards)."""
    name = header.roles.get("name")
    owner = view.owner(row, name.first_col) if name is not None else None
    if owner is None or owner.row == row:
        return None  # a row that starts its own indicator is no funding line
    printed = [cell for cell in view.row_cells(row) if cell.row == row and cell.text.strip()]
    if len(printed) != 2 or parse_amount(printed[1].text) is None or parse_amount(printed[0].text) is not None:
        return None
    label, amount = printed
    return RowRecord(kind="budget", row=row, cells={"adjusted": amount}, label=label, region_kind="budget")


def _with_groups(view: TableView, lines: list[RowRecord]) -> list[RowRecord]:
    """Funding lines under their group heading: the nearest money heading above in the label column
    with no amount beside it (计划生育转移支付资金合计(万元)). Lines with no money word anywhere are dropped."""
    found = []
    for line in lines:
        assert line.label is not None
        col, group = line.label.col, None
        for row in range(line.row - 1, -1, -1):
            cell = view.owner(row, col)
            if cell is None or cell.row != row or cell.col != col or not cell.text.strip():
                continue
            beside = view.owner(row, col + cell.col_span)
            if _money(cell.text) and (beside is None or beside is cell or parse_amount(beside.text) is None):
                group = header_key(cell.text)
                break
        if _money(squeeze(line.label.text)) or (group is not None and _money(group)):
            found.append(line.model_copy(update={"group": group}))
    return found


def _same_amounts(first: RowRecord, second: RowRecord) -> Optional[set[str]]:
    """The money roles both lines print, or None when one of them prints a different amount there."""
    shared = {role for role in MONEY_ROLES if role in first.cells and role in second.cells}
    for role in shared:
        if parse_amount(first.cells[role].text) != parse_amount(second.cells[role].text):
            return None
    return shared


def _label_text(record: RowRecord) -> Optional[str]:
    return squeeze(record.label.text) if record.label is not None else None


def _execution_pairs(budget: list[RowRecord], execution: list[RowRecord]) -> list[tuple[RowRecord, RowRecord]]:
    """Which budget line each execution line executes: the same printed label (资金来源 | 财政拨款 in both
    blocks), or the one line of each block when both print one (their side labels name the blocks)."""
    if len(budget) == 1 and len(execution) == 1:
        return [(budget[0], execution[0])]
    by_label: dict[str, RowRecord] = {}
    for line in budget:
        assert line.label is not None
        by_label.setdefault(squeeze(line.label.text), line)
    pairs = []
    for line in execution:
        assert line.label is not None
        found = by_label.get(squeeze(line.label.text))
        if found is not None:
            pairs.append((found, line))
    return pairs


def _joins(budget: HeaderMatch, execution: HeaderMatch) -> bool:
    """A budget block with no actual column, then a block that prints the actual spending and lacks a
    money column of the first (江苏: 预算执行情况 年初预算数 | 调整 | 财政拨款数, then 资金使用情况
    财政拨款数 | 实际支付数): one budget read in two blocks of one table, not one block printed twice."""
    if budget.kind != "budget" or execution.kind != "budget":
        return False
    if "actual" in budget.roles or "actual" not in execution.roles:
        return False
    return bool(set(MONEY_ROLES) & budget.roles.keys() - execution.roles.keys())


def join_execution_blocks(regions: list[tuple[HeaderMatch, list[RowRecord]]]) -> list[RowRecord]:
    """The records of a table's regions, each execution block's lines joined into the budget lines of the
    block right above it (see _joins). A pair whose repeated column prints different amounts, or one
    block of several lines whose labels differ, is not the same budget: both lines stay as printed."""
    records: list[RowRecord] = []
    previous: Optional[tuple[HeaderMatch, list[RowRecord]]] = None
    for header, lines in regions:
        kept = list(lines)
        if previous is not None and _joins(previous[0], header):
            for first, second in _execution_pairs(previous[1], lines):
                shared = _same_amounts(first, second)
                same_label = _label_text(first) == _label_text(second)
                if shared is None or not (shared or same_label) or "actual" in first.cells:
                    continue  # nothing ties the two lines together but their position, or joined already
                first.cells = {**second.cells, **first.cells}
                if not same_label:
                    first.executed_by = second.label
                kept.remove(second)
        records += kept
        if lines or previous is None or previous[0].kind != header.kind:
            # a header cell spanning several rows (财政拨款数 over 其中: | 结转数) heads its block again on
            # each row it spans: those empty regions sit inside the block, they do not part two blocks
            previous = (header, lines)
    return records


def read_table(view: TableView, carried: Optional[HeaderMatch] = None) -> TableReading:
    """Headers open regions, data rows become records. `carried`: the indicator header left open by
    the previous table, read on when this table is its continuation (a block split over tables)."""
    regions: list[tuple[HeaderMatch, list[RowRecord]]] = []
    pairs: list[KeyValue] = []
    headers: list[HeaderMatch] = []
    header: Optional[HeaderMatch] = _continues(view, carried)
    continued = header is not None
    lines: list[RowRecord] = []
    if header is not None:
        headers.append(header)
        regions.append((header, []))
    row = 0
    while row < view.n_rows:
        found = match_header(view, row)
        row_pairs = key_values(view, row)
        inline = inline_budget(view, row) if not row_pairs else None
        if inline is not None:  # `预算数: | 2.38` pairs name roles too, but their values are on this row
            header, record = inline
            headers.append(header)
            regions.append((header, [record]))
            row += 1
            continue
        if found is not None and (len(found.roles) >= MIN_HEADER_ROLES or not row_pairs):
            found = type_columns(view, found, view.n_rows).model_copy(update={"n_cols": view.n_cols})
            header = found
            headers.append(found)
            regions.append((found, []))
            row = found.row + 1
            continue
        row_pairs = [pair for pair in row_pairs if pair.value is not None]
        pairs.extend(row_pairs)
        if header is not None and not row_pairs and ends_region(view, row, header):
            header = None
        if header is not None and not row_pairs:
            read = read_row(view, row, header)
            if read is None and header.kind == "indicators":
                line = funding_line(view, row, header)
                if line is not None:
                    lines.append(line)
            if read is not None:
                regions[-1][1].append(read)
        row += 1
    records = join_execution_blocks(regions) + _with_groups(view, lines)
    records.sort(key=lambda record: record.row)
    return TableReading(records=records, key_values=pairs, headers=headers, continued=continued)
