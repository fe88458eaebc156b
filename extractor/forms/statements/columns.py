"""Columns of a block that total others, read from the header cells.

A 其中 header spanning sub-columns (the column left of it is their total), a spanning header
over a 合计/小计 sub-column, a 合计 column followed by its sibling columns (also over parallel
预算数/决算数 sub-columns), and 增减 columns (later year = earlier year + change).
"""

from __future__ import annotations

import re
from typing import Optional

from extractor.forms.lexicon import lexicon
from extractor.forms.statements.grid import Block, header_leaf, squeeze
from extractor.forms.statements.structure import TOTAL_LABEL
from schemas import Cell, TotalRelation

_YEAR = re.compile(r"((?:19|20)\d{2})")
_PATTERNS = lexicon().statements.patterns


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
    return bool(_PATTERNS.qizhong_header.fullmatch(squeeze(cell.text)))


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


def column_relations(block: Block) -> list[TotalRelation]:
    relations: list[TotalRelation] = []
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
                    relations.append(TotalRelation(axis="columns", total=first - 1, parts=parts, partial=True))
                continue
            if (
                first in numeric
                and _PATTERNS.total_header.match(squeeze(cell.text))
                and grid.cell(row, last + 1) is not None
            ):
                relations.extend(
                    _total_column(block, cell, numeric) if first == last else _parallel_totals(block, cell)
                )
            if cell.col_span > 1:
                subs = _cells_below(block, cell, first, last)
                named = [
                    s for s in subs if s.col_span == 1 and TOTAL_LABEL.search(squeeze(s.text)) and s.col in numeric
                ]
                if named:
                    parts = [c for s in subs if s is not named[0] and not _is_qizhong(s) for c in _totals_of(block, s)]
                    if parts:
                        relations.append(TotalRelation(axis="columns", total=named[0].col, parts=parts))
    relations.extend(_difference_columns(block, numeric))
    unique: dict[tuple[int, tuple[int, ...]], TotalRelation] = {}
    for relation in relations:  # the same total read from two cues: keep the firmer reading
        key = (relation.total, tuple(relation.parts))
        if key not in unique or unique[key].confirm and not relation.confirm:
            unique[key] = relation
    return list(unique.values())


def _total_column(block: Block, cell: Cell, numeric: set[int]) -> list[TotalRelation]:
    """A 合计 column and the columns right of it in the same header row, up to a non-amount column."""
    parts: list[int] = []
    col = cell.col + 1
    while col < block.grid.n_cols:
        other = block.grid.cell(cell.row, col)
        if (
            other is None
            or other.row != cell.row
            or _PATTERNS.total_header.match(squeeze(other.text))
            or _is_qizhong(other)
        ):
            break
        columns = _totals_of(block, other)
        if not columns:
            break
        parts.extend(columns)
        col = other.col + other.col_span
    if len(parts) < 2:
        return []
    bare = bool(_PATTERNS.bare_total_header.fullmatch(squeeze(cell.text)))
    return [TotalRelation(axis="columns", total=cell.col, parts=parts, partial=True, confirm=True, bare_total=bare)]


def _leaf_name(block: Block, col: int) -> str:
    return header_leaf(block.columns[col].header) if col in block.columns else ""


def _leaves_by_name(block: Block, cell: Cell, names: list[str]) -> Optional[dict[str, int]]:
    """预算数/决算数 under a header cell: one column per name, the 小计 one where there are several."""
    columns = [c for c in range(cell.col, cell.col + cell.col_span) if block.columns.get(c) is not None]
    found: dict[str, int] = {}
    for name in names:
        candidates = [c for c in columns if _leaf_name(block, c) == name]
        if len(candidates) > 1:
            candidates = [c for c in candidates if _PATTERNS.subtotal_header.search(block.columns[c].header)]
        if len(candidates) != 1:
            return None
        found[name] = candidates[0]
    return found


def _parallel_totals(block: Block, cell: Cell) -> list[TotalRelation]:
    """合计 over 预算数 | 决算数, beside items each over 预算数 | 决算数: one relation per sub-column."""
    names = [_leaf_name(block, c) for c in range(cell.col, cell.col + cell.col_span)]
    if len(set(names)) != len(names) or not all(names):
        return []
    siblings: list[dict[str, int]] = []
    col = cell.col + cell.col_span
    while col < block.grid.n_cols:
        other = block.grid.cell(cell.row, col)
        if other is None or other.row != cell.row:
            break
        mapped = _leaves_by_name(block, other, names)
        if mapped is None:
            return []
        siblings.append(mapped)
        col = other.col + other.col_span
    if len(siblings) < 2:
        return []
    return [
        TotalRelation(
            axis="columns",
            total=cell.col + i,
            parts=[s[name] for s in siblings],
            partial=True,
            confirm=True,
            bare_total=True,
        )
        for i, name in enumerate(names)
    ]


def _difference_columns(block: Block, numeric: set[int]) -> list[TotalRelation]:
    relations = []
    years = {}
    for col in numeric:
        found = _YEAR.findall(block.columns[col].header)
        if len(set(found)) == 1:
            years[col] = int(found[0])
    for col in sorted(numeric):
        if not _PATTERNS.difference_header.search(header_leaf(block.columns[col].header)):
            continue
        dated = sorted(((y, c) for c, y in years.items() if c < col), reverse=True)
        if len(dated) >= 2 and dated[0][0] != dated[1][0]:
            later, earlier = dated[0][1], dated[1][1]
            relations.append(TotalRelation(axis="columns", total=later, parts=[earlier, col], confirm=True))
    return relations
