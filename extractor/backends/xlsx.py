"""XLSX backend: every sheet, merged ranges, formula errors kept as their text."""

from __future__ import annotations

import warnings
from datetime import date, datetime
from pathlib import Path

import openpyxl

from extractor.backends.office import TextBudget, check_office_archive
from extractor.backends.sheets import SheetGrid, format_number, sheet_blocks
from extractor.errors import InputError
from extractor.forms.lexicon import lexicon
from extractor.text.join import clean_text
from schemas import Block, Layout, Problem, ReadLimits


def _printed(cell, budget: TextBudget) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        budget.take(value)  # counted before clean_text, whose work grows with the text
    if isinstance(value, bool):
        words = lexicon().cell_words
        return words.true_word if value else words.false_word
    if isinstance(value, (int, float)):
        return format_number(float(value), cell.number_format)
    if isinstance(value, (datetime, date)):
        return value.strftime("%Y-%m-%d")
    return clean_text(str(value)) or ""


def read_xlsx(path: Path, limits: ReadLimits | None = None) -> Layout:
    limits = limits or ReadLimits()
    check_office_archive(path, limits)
    budget = TextBudget(path, limits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about every unknown extension
            workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as error:
        raise InputError(path, f"XLSX 无法打开 (cannot open XLSX: {error})") from error
    blocks: list[Block] = []
    sheets_seen: list[str] = []
    problems: list[Problem] = []
    for sheet in workbook.worksheets:
        grid = SheetGrid(name=sheet.title)
        for row in sheet.iter_rows():
            for cell in row:
                text = _printed(cell, budget)
                if text:
                    grid.texts[(cell.row - 1, cell.column - 1)] = text
                    border = cell.border
                    if border is not None and any(
                        side is not None and side.style
                        for side in (border.left, border.right, border.top, border.bottom)
                    ):
                        grid.bordered.add((cell.row - 1, cell.column - 1))
                    indent = cell.alignment.indent if cell.alignment is not None else 0
                    if indent:
                        grid.indents[(cell.row - 1, cell.column - 1)] = float(indent)
        grid.merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in sheet.merged_cells.ranges]
        blocks.extend(sheet_blocks(grid, page=len(sheets_seen) + 1))
        sheets_seen.append(grid.name)
    workbook.close()
    return Layout(kind="xlsx", page_count=max(1, len(sheets_seen)), blocks=blocks, problems=problems)
