"""Which rows and columns of a block are totals of which others, read from the table itself.

Rows: a 合计/汇总/总额 row before or after its parts, 其中 lines, list numbering
(一、 > （一） > 1. > （1） > ①), 科目编码 prefixes (201 > 20106 > 2010601), 按…分 groups
(each an alternative breakdown of the total) and, in office files, indentation.
Columns: a 其中 header spanning sub-columns (the column left of it is their total),
a spanning header over a 合计/小计 sub-column, a 合计 column followed by its parts,
and 增减 columns (later year = earlier year + change).

Nothing here knows item names: the structure is what the printed table shows. Whether a
relation really holds is confirmed by the figures in `sums.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal, Optional

from schemas import Cell

from extractor.rules.grid import Block, is_spreadsheet_error, squeeze
from extractor.rules.tolerance import parse_printed

TOTAL_LABEL = re.compile(r"(合计|总计|小计|汇总|总额|共计|总分|^计)$")
_GROUP_LABEL = re.compile(r"^按.{1,10}分[：:]?$|^[^\d]{1,12}[：:]$")
_QIZHONG = re.compile(r"^其中[：:]?")
_BRACKETED = re.compile(r"[（(][^）)]*[）)]$")
_NUMBERING = (
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
    (re.compile(r"^\d+[、.．](?!\d)"), 3),
    (re.compile(r"^[（(]\d+[）)]"), 4),
    (re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]"), 5),
)
_YEAR = re.compile(r"((?:19|20)\d{2})")
_DIFFERENCE_HEADER = re.compile(r"增减|增长额|差额|变动额|增加额")
_TOTAL_HEADER = re.compile(r"^(本年|本期|年度)?(收入|支出)?(合计|总计)$|^合计$")
INDENT_TOLERANCE = 1.0


@dataclass
class Relation:
    """total = Σ parts along one axis: parts are rows (axis rows) or columns (axis columns)."""

    axis: Literal["rows", "columns"]
    total: int
    parts: list[int]
    partial_allowed: bool = False
    """其中 lines may leave something out: only parts exceeding their total are certain errors."""
    needs_confirmation: bool = False
    """Read from a weaker cue (合计 column, 增减 column): flagged only where most lines agree."""
    columns: list[int] = field(default_factory=list)
    """For row relations: the numeric columns it applies to (one side of the table)."""


@dataclass
class RowItem:
    row: int
    label: str
    total: bool
    group: bool
    qizhong: bool
    numbering: Optional[int]
    code: Optional[str]
    indent: Optional[float]
    amountless: bool
    parent: Optional[int] = None


def is_figure(text: str) -> bool:
    """A number, a blank marker or a spreadsheet error: what an amount cell may print."""
    return parse_printed(text) is not None or is_spreadsheet_error(text)


def label_key(label: str) -> str:
    """Label without whitespace, 其中, list numbering and a trailing bracketed note."""
    text = _QIZHONG.sub("", squeeze(label))
    for pattern, _ in _NUMBERING:
        text = pattern.sub("", text)
    return _BRACKETED.sub("", text)


def is_total_label(label: str) -> bool:
    key = label_key(label)
    return bool(key) and bool(TOTAL_LABEL.search(key))


def _numbering(label: str) -> Optional[int]:
    text = squeeze(label)
    return next((level for pattern, level in _NUMBERING if pattern.match(text)), None)


def _items(block: Block, label_col: int, columns: list[int], use_indent: bool) -> list[RowItem]:
    grid = block.grid
    code_cols = [c for c, column in block.columns.items() if column.kind == "code" and c < label_col]
    items = []
    for row in block.body_rows:
        cell: Optional[Cell] = grid.cell(row, label_col)
        label = cell.text if cell is not None and cell.row == row else ""
        texts = [squeeze(grid.text(row, c)) for c in columns]
        if not squeeze(label) and not any(texts):
            continue
        if any(t and not is_figure(t) for t in texts):
            continue  # words inside the amount columns: a form line (自评得分 90 预算执行 …), not a data row
        code = "".join(squeeze(grid.text(row, c)) for c in code_cols) or None
        items.append(RowItem(
            row=row, label=squeeze(label), total=is_total_label(label),
            group=bool(_GROUP_LABEL.match(squeeze(label))) and not any(texts),
            qizhong=bool(_QIZHONG.match(squeeze(label))), numbering=_numbering(label),
            code=code if code and code.isdigit() else None,
            indent=cell.indent if use_indent and cell is not None else None, amountless=not any(texts),
        ))
    return items


def _tree_by_code(items: list[RowItem]) -> None:
    open_total: Optional[int] = None
    for i, item in enumerate(items):
        if item.code is None:
            if item.total and i == 0:
                open_total = i
            elif item.total:
                for j in range(i):
                    if items[j].parent == open_total and j != open_total and items[j].code is not None:
                        items[j].parent = i
                item.parent = open_total
            continue
        parent = next((j for j in range(i - 1, -1, -1)
                       if items[j].code and item.code.startswith(items[j].code) and items[j].code != item.code), None)
        item.parent = parent if parent is not None else open_total


def total_rank(label: str) -> int:
    """总计 closes more than 合计, 合计 more than 小计: 总计 = 本年收入合计 + 年初结转."""
    key = label_key(label)
    return 3 if key.endswith("总计") else 1 if key.endswith("小计") else 2


def _tree_by_outline(items: list[RowItem]) -> None:
    stack: list[int] = []
    open_total: Optional[int] = None
    closings: list[tuple[int, int]] = []
    for i, item in enumerate(items):
        if item.total:
            rank = total_rank(item.label)
            start = max((j for j, r in closings if r >= rank), default=-1)
            earlier = [j for j in range(start + 1, i) if items[j].parent == open_total and j != open_total]
            if not earlier:
                item.parent, open_total, stack = None, i, [i]
                continue
            for j in earlier:
                items[j].parent = i
            item.parent = open_total
            closings.append((i, rank))
            stack = [open_total] if open_total is not None else []
            continue
        if item.group:
            item.parent = open_total
            stack = ([open_total] if open_total is not None else []) + [i]
            continue
        if item.numbering is not None:
            while stack and stack[-1] != open_total and not items[stack[-1]].group and (
                    items[stack[-1]].numbering is None or items[stack[-1]].numbering >= item.numbering):
                stack.pop()
            item.parent = stack[-1] if stack else open_total
            stack.append(i)
            continue
        if item.qizhong and i > 0:
            item.parent = i - 1
            while stack and stack[-1] != i - 1:
                stack.pop()
            stack.append(i)
            continue
        _place_plain(items, i, stack, open_total)


def _place_plain(items: list[RowItem], i: int, stack: list[int], open_total: Optional[int]) -> None:
    """A row with no cue of its own: a sibling of the row above, unless indentation says otherwise.

    Inside a 其中 group the rows after 其中 are its siblings while they are indented at least as
    far as the 其中 row (their text lines up after "其中：").
    """
    item = items[i]
    while stack:
        top_index = stack[-1]
        top = items[top_index]
        if top_index == open_total or top.group:
            break
        group = _qizhong_start(items, top_index)
        reference = items[group].indent if group is not None else top.indent
        if item.indent is not None and reference is not None:
            if item.indent < reference - INDENT_TOLERANCE:
                stack.pop()
                continue
            if group is None and item.indent > reference + INDENT_TOLERANCE:
                break
        item.parent = top.parent
        stack[-1] = i
        return
    item.parent = stack[-1] if stack else open_total
    stack.append(i)


def _qizhong_start(items: list[RowItem], index: int) -> Optional[int]:
    """The 其中 row that opened the group `index` belongs to, if any."""
    parent = items[index].parent
    for j in range(index, -1, -1):
        if items[j].parent == parent and items[j].qizhong:
            return j
        if j < index and items[j].parent != parent and j != parent:
            continue
        if j == parent:
            return None
    return None


def _children(items: list[RowItem], parent: int) -> list[int]:
    return [j for j, it in enumerate(items) if it.parent == parent]


def _flatten(items: list[RowItem], indices: list[int]) -> list[int]:
    """Rows with no amounts stand for their own parts (一般公共预算拨款 → 上级, 本级)."""
    flat: list[int] = []
    for j in indices:
        if items[j].amountless:
            flat.extend(_flatten(items, _children(items, j)))
        else:
            flat.append(j)
    return flat


def row_relations(block: Block, label_col: int, columns: list[int], use_indent: bool) -> list[Relation]:
    items = _items(block, label_col, columns, use_indent)
    if any(it.code for it in items):
        _tree_by_code(items)
    else:
        _tree_by_outline(items)
    relations = []
    for p, parent in enumerate(items):
        if parent.amountless:
            continue
        children = _children(items, p)
        groups = [c for c in children if items[c].group]
        breakdowns = [_flatten(items, _children(items, g)) for g in groups]
        plain = _flatten(items, [c for c in children if not items[c].group])
        breakdowns.append(plain)
        for parts in breakdowns:
            if not parts:
                continue
            partial = any(items[c].qizhong for c in children) or any(items[j].qizhong for j in parts)
            if len(parts) == 1 and (partial or not (parent.total or parent.code)):
                continue
            relations.append(Relation("rows", parent.row, [items[c].row for c in parts],
                                      partial_allowed=partial, columns=columns))
    return relations


def _cells_below(block: Block, cell: Cell, first: int, last: int) -> list[Cell]:
    """Distinct header cells in the header row right below `cell`, across columns first..last."""
    below = cell.row + cell.row_span
    if below not in block.header_rows:
        return []
    seen: list[Cell] = []
    for col in range(first, last + 1):
        other = block.grid.cell(below, col)
        if other is not None and other.row == below and (not seen or seen[-1] is not other):
            seen.append(other)
    return seen


def _is_qizhong(cell: Cell) -> bool:
    return bool(re.fullmatch(r"其中[：:]?", squeeze(cell.text)))


def _totals_of(block: Block, cell: Cell) -> list[int]:
    """The column(s) that carry a header cell's total: itself, its 合计 sub-column, or its parts."""
    first, last = cell.col, cell.col + cell.col_span - 1
    if first == last:
        return [first] if block.columns.get(first) and block.columns[first].kind == "number" else []
    subs = _cells_below(block, cell, first, last)
    named = [s for s in subs if s.col_span == 1 and TOTAL_LABEL.search(squeeze(s.text))]
    if named:
        return [named[0].col]
    columns: list[int] = []
    for sub in subs:
        if not _is_qizhong(sub):
            columns.extend(_totals_of(block, sub))
    return columns


def column_relations(block: Block) -> list[Relation]:
    relations: list[Relation] = []
    grid = block.grid
    numeric = {c for c, column in block.columns.items() if column.kind == "number"}
    for row in block.header_rows:
        for cell in grid.anchors[row]:
            first, last = cell.col, cell.col + cell.col_span - 1
            if _is_qizhong(cell) and first - 1 in numeric:
                parts: list[int] = []
                for sub in _cells_below(block, cell, first, last):
                    if not _is_qizhong(sub):
                        parts.extend(_totals_of(block, sub))
                if parts:
                    relations.append(Relation("columns", first - 1, parts, partial_allowed=True))
            elif cell.col_span > 1:
                subs = _cells_below(block, cell, first, last)
                named = [s for s in subs if s.col_span == 1 and TOTAL_LABEL.search(squeeze(s.text))
                         and s.col in numeric]
                if named:
                    parts = [c for s in subs if s is not named[0] and not _is_qizhong(s) for c in _totals_of(block, s)]
                    if parts:
                        relations.append(Relation("columns", named[0].col, parts))
            elif first in numeric and _TOTAL_HEADER.match(squeeze(cell.text)) and grid.cell(row, last + 1) is not None:
                relations.extend(_total_column(block, cell, numeric))
    relations.extend(_difference_columns(block, numeric))
    return relations


def _total_column(block: Block, cell: Cell, numeric: set[int]) -> list[Relation]:
    """A 合计 column and the columns right of it in the same header row, up to a non-amount column."""
    parts: list[int] = []
    col = cell.col + 1
    while col < block.grid.n_cols:
        other = block.grid.cell(cell.row, col)
        if other is None or other.row != cell.row or _TOTAL_HEADER.match(squeeze(other.text)) or _is_qizhong(other):
            break
        columns = _totals_of(block, other)
        if not columns:
            break
        parts.extend(columns)
        col = other.col + other.col_span
    if len(parts) < 2:
        return []
    return [Relation("columns", cell.col, parts, partial_allowed=True, needs_confirmation=True)]


def _difference_columns(block: Block, numeric: set[int]) -> list[Relation]:
    relations = []
    years = {}
    for col in numeric:
        found = _YEAR.findall(block.columns[col].header)
        if len(set(found)) == 1:
            years[col] = int(found[0])
    for col in sorted(numeric):
        if not _DIFFERENCE_HEADER.search(block.columns[col].header.split("/")[-1]):
            continue
        dated = sorted(((y, c) for c, y in years.items() if c < col), reverse=True)
        if len(dated) >= 2 and dated[0][0] != dated[1][0]:
            later, earlier = dated[0][1], dated[1][1]
            relations.append(Relation("columns", later, [earlier, col], needs_confirmation=True))
    return relations
