"""Statement tables (收支总表, 支出表, 三公经费 …) as the reader reads them: regions, column roles, totals.

`read_regions` is the one reading: it splits a table into regions (header rows over body
rows), gives each column its role with the evidence (a 科目编码 header, a column of figures,
a 率 header …) and reads the totals the table prints — rows (合计/小计/总计 lines, 其中,
numbering, 科目编码 levels 类 > 款 > 项, indentation in office files) and columns (合计
columns, header spans, 增减) — and the terms of each rate column (rate = numerator ÷
denominator, from the headers or, failing them, the lines). The result is stored as
`tables[].regions`; `blocks_of` turns it back into the grid objects the validator's rules
walk, so the validator never reads a header itself.
"""

from __future__ import annotations

from typing import Optional

from extractor.forms.statements.columns import column_relations
from extractor.forms.statements.grid import Block, Column, ColumnKind, FigureGrid, split_blocks
from extractor.forms.statements.rates import rate_relations
from extractor.forms.statements.rows import row_relations
from schemas import RegionColumn, Table, TableRegion, TotalRelation
from schemas.records import DocumentKind, RegionRole

OFFICE_KINDS: tuple[DocumentKind, ...] = ("docx", "xlsx", "xls")
_ROLE_OF_KIND: dict[ColumnKind, Optional[RegionRole]] = {
    "number": "amount",
    "rate": "rate",
    "label": "label",
    "index": "index",
    "code": "code",
    "text": None,
}
_KIND_OF_ROLE: dict[Optional[RegionRole], ColumnKind] = {role: kind for kind, role in _ROLE_OF_KIND.items()}


def _sides(block: Block) -> dict[int, list[int]]:
    """Amount columns grouped by the label column on their left (a 收支总表 has two sides)."""
    sides: dict[int, list[int]] = {}
    for col in block.numeric_columns():
        if block.columns[col].kind != "number":
            continue
        label = block.label_column(col)
        if label is not None:
            sides.setdefault(label, []).append(col)
    return sides


def _totals(block: Block, use_indent: bool) -> list[TotalRelation]:
    if block.is_indicator_block:
        return []  # 总分 of an indicator block is read as score summaries and checked against its records
    rows = [
        relation
        for label_col, columns in _sides(block).items()
        for relation in row_relations(block, label_col, columns, use_indent)
    ]
    return rows + column_relations(block)


def _region(block: Block, use_indent: bool) -> TableRegion:
    return TableRegion(
        kind="indicators" if block.is_indicator_block else "statement",
        header_rows=block.header_rows,
        body_rows=block.body_rows,
        columns=[
            RegionColumn(col=col, role=_ROLE_OF_KIND[c.kind], evidence=c.evidence, header=c.header)
            for col, c in sorted(block.columns.items())
        ],
        totals=_totals(block, use_indent),
        rates=rate_relations(block),
    )


def read_regions(table: Table, kind: DocumentKind, grid: Optional[FigureGrid] = None) -> list[TableRegion]:
    """The table's regions with column roles and totals, for a document of this kind (`grid`: the
    table's grid when the caller has built it already)."""
    use_indent = kind in OFFICE_KINDS  # indentation is a deliberate hierarchy mark there; in PDFs it is also centring
    return [_region(block, use_indent) for block in split_blocks(grid or FigureGrid(table))]


def blocks_of(grid: FigureGrid, regions: list[TableRegion]) -> list[Block]:
    """The stored regions as blocks over the table's grid (what the validator's rules walk).

    A region stored before the reader gave rate relations (`rates` null) has them read now, by the same code.
    """
    blocks = []
    for region in regions:
        block = Block(
            grid,
            list(region.header_rows),
            list(region.body_rows),
            {c.col: Column(c.col, c.header, _KIND_OF_ROLE[c.role], c.evidence) for c in region.columns},
            is_indicator_block=region.kind == "indicators",
            totals=list(region.totals),
        )
        block.rates = list(region.rates) if region.rates is not None else rate_relations(block)
        blocks.append(block)
    return blocks
