"""Rows of a block as a tree: which lines are totals of which others.

Cues, strongest first: 科目编码 prefixes (201 > 20106 > 2010601); a 合计/汇总/总额 line before its
parts or after them (总计 closing 合计); 按…分 groups (each an alternative breakdown of the total);
list numbering (一、 > （一） > 1. > （1） > ①, a list restarting at 一、 under a line of its own);
其中 lines; and, in office files, indentation. Lines with no amounts stand for their own parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from extractor.facts.labels import QIZHONG, label_key
from extractor.forms.lexicon import lexicon
from extractor.forms.statements.grid import Block, squeeze
from extractor.forms.statements.structure import is_figure, is_total_label, numbering_level
from schemas import Cell, TotalRelation

_GROUP_LABEL = lexicon().statements.patterns.group_label
INDENT_TOLERANCE = 1.0


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


def _items(block: Block, label_col: int, columns: list[int], use_indent: bool) -> list[RowItem]:
    grid = block.grid
    side_start = block.label_column(label_col)  # the other side's label column, in a two-sided table
    code_cols = [
        c
        for c, column in block.columns.items()
        if column.kind == "code" and (side_start if side_start is not None else -1) < c < label_col
    ]
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
        items.append(
            RowItem(
                row=row,
                label=squeeze(label),
                total=is_total_label(label),
                group=bool(_GROUP_LABEL.match(squeeze(label))) and not any(texts),
                qizhong=bool(QIZHONG.match(squeeze(label))),
                numbering=numbering_level(label),
                code=code if code and code.isdigit() else None,
                indent=cell.indent if use_indent and cell is not None else None,
                amountless=not any(texts),
            )
        )
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
        parent = next(
            (
                j
                for j in range(i - 1, -1, -1)
                if (earlier_code := items[j].code)
                and item.code
                and item.code.startswith(earlier_code)
                and earlier_code != item.code
            ),
            None,
        )
        item.parent = parent if parent is not None else open_total


_FIRST_ITEM = lexicon().statements.patterns.first_item


def _is_plain(item: RowItem) -> bool:
    return item.numbering is None and not item.total and not item.group and not item.qizhong and not item.amountless


def total_rank(label: str) -> int:
    """总计 closes more than 合计, 合计 more than 小计: 总计 = 本年收入合计 + 年初结转."""
    key = label_key(label)
    words = lexicon().statements
    return next((rank for word, rank in words.total_ranks.items() if key.endswith(word)), words.default_total_rank)


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
        if item.numbering is not None and _FIRST_ITEM.match(item.label) and i > 0 and _is_plain(items[i - 1]):
            item.parent = i - 1  # a list restarting at 一、 under a line of its own: that line's breakdown
            stack.append(i)
            continue
        if item.numbering is not None:
            while (
                stack
                and stack[-1] != open_total
                and not items[stack[-1]].group
                and ((top := items[stack[-1]].numbering) is None or top >= item.numbering)
            ):
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


def row_relations(block: Block, label_col: int, columns: list[int], use_indent: bool) -> list[TotalRelation]:
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
            relations.append(
                TotalRelation(
                    axis="rows",
                    total=parent.row,
                    parts=[items[c].row for c in parts],
                    partial=partial,
                    columns=columns,
                    label_col=label_col,
                )
            )
    return relations
