"""DOCX backend: body paragraphs and tables in document order, with gridSpan / vMerge."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import docx
from docx.oxml.ns import qn

from extractor.backends.office import TextBudget, check_office_archive
from extractor.errors import InputError
from extractor.text.join import join_lines
from schemas import Block, Cell, Layout, ParagraphBlock, ReadLimits, TableBlock


def read_docx(path: Path, limits: ReadLimits | None = None) -> Layout:
    limits = limits or ReadLimits()
    check_office_archive(path, limits)
    budget = TextBudget(path, limits)
    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises several kinds for a broken package
        raise InputError(path, f"DOCX 无法打开 (cannot open DOCX: {error})") from error
    blocks: list[Block] = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            text = budget.take(_paragraph_text(element))
            if text:
                blocks.append(ParagraphBlock(text=text, page=1))
        elif element.tag == qn("w:tbl"):
            table = _table(element)
            for cell in table.cells if table is not None else []:
                budget.take(cell.text)
            if table is not None:
                blocks.append(table)
    return Layout(kind="docx", page_count=1, blocks=blocks)


def _paragraph_text(paragraph) -> str:
    return "".join(node.text or "" for node in paragraph.iter(qn("w:t"))).strip()


def _cell_text(tc) -> str:
    return join_lines([_paragraph_text(p) for p in tc.iterchildren(qn("w:p"))])


def _cell_indent(tc) -> Optional[float]:
    """Left indent of the cell's first paragraph in points (twips / 20), a hierarchy hint."""
    for ind in tc.iter(qn("w:ind")):
        for key in ("w:left", "w:start", "w:firstLine"):
            value = ind.get(qn(key))
            if value and value.lstrip("-").isdigit():
                return int(value) / 20
    return None


def _table(tbl) -> Optional[TableBlock]:
    """Cells with spans from a w:tbl; vMerge="continue" cells extend the cell above."""
    cells: list[Cell] = []
    open_merges: dict[int, Cell] = {}  # grid column → the cell a vertical merge started in
    n_cols = 0
    rows = list(tbl.iterchildren(qn("w:tr")))
    for row_index, tr in enumerate(rows):
        col = 0
        for tc in tr.iterchildren(qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            span = 1
            merge: Optional[str] = None
            if props is not None:
                grid_span = props.find(qn("w:gridSpan"))
                if grid_span is not None:
                    span = int(grid_span.get(qn("w:val"), "1"))
                v_merge = props.find(qn("w:vMerge"))
                if v_merge is not None:
                    merge = v_merge.get(qn("w:val"), "continue")
            if merge == "continue" and col in open_merges:
                above = open_merges[col]
                grown = above.model_copy(update={"row_span": above.row_span + 1})
                cells[cells.index(above)] = grown
                open_merges[col] = grown
            else:
                cell = Cell(row=row_index, col=col, col_span=span, text=_cell_text(tc), indent=_cell_indent(tc))
                cells.append(cell)
                if merge == "restart":
                    open_merges[col] = cell
                else:
                    open_merges.pop(col, None)
            col += span
        n_cols = max(n_cols, col)
    if not cells or not any(cell.text for cell in cells):
        return None
    return TableBlock(cells=cells, n_rows=len(rows), n_cols=n_cols, pages=[1])
