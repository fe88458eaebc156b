"""Legacy XLS (BIFF) backend through xlrd, sharing the sheet logic of XLSX."""

from __future__ import annotations

from pathlib import Path

import xlrd

from extractor.backends.office import TextBudget
from extractor.backends.sheets import SheetGrid, format_number, sheet_blocks
from extractor.errors import InputError
from extractor.text.join import clean_text
from schemas import Block, Layout, ReadLimits


def _printed(book: xlrd.Book, sheet: xlrd.sheet.Sheet, row: int, col: int) -> str:
    cell = sheet.cell(row, col)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#ERR")
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        xf = book.xf_list[sheet.cell_xf_index(row, col)]
        number_format = book.format_map[xf.format_key].format_str
        return format_number(float(cell.value), number_format)
    return clean_text(str(cell.value)) or ""


def read_xls(path: Path, limits: ReadLimits | None = None) -> Layout:
    limits = limits or ReadLimits()
    budget = TextBudget(path, limits)
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as error:
        raise InputError(path, f"XLS 无法打开 (cannot open legacy XLS: {error})") from error
    if book.nsheets > limits.max_sheets:
        raise InputError(path, f"工作表过多 ({book.nsheets} sheets, the limit is {limits.max_sheets})")
    blocks: list[Block] = []
    sheets_seen: list[str] = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if sheet.nrows * sheet.ncols > limits.max_sheet_cells:  # the loop below visits every one
            raise InputError(
                path,
                f"工作表过大 ({sheet.name}: {sheet.nrows}×{sheet.ncols} cells, the limit is {limits.max_sheet_cells})",
            )
        grid = SheetGrid(name=sheet.name)
        for row in range(sheet.nrows):
            for col in range(sheet.ncols):
                text = budget.take(_printed(book, sheet, row, col))
                if text:
                    grid.texts[(row, col)] = text
        grid.merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        blocks.extend(sheet_blocks(grid, page=len(sheets_seen) + 1))
        sheets_seen.append(grid.name)
        book.unload_sheet(index)
    return Layout(kind="xls", page_count=max(1, len(sheets_seen)), blocks=blocks)
