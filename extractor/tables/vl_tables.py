"""`table_engine="vl"`: the classical engines find the page's tables, a vision-language model re-reads them.

For each table region (or the whole page, with `VlOptions.scope="page"`) the model is shown the region's image and
asked for the table (extractor/vision/vl.py); its answer (HTML or OTSL, extractor/tables/vl_answer.py) replaces the
classical table. A malformed or cut-off answer keeps the classical table and adds a Problem(stage="tables"), so a
page never loses a table to the model. Also: re-reading single cells whose OCR confidence is low.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Optional

import numpy as np

from extractor.tables.vl_answer import OTHER_TAG, AnswerTable, MalformedAnswer, parse_answer, table_block
from extractor.vision.vl import (
    TABLE_PROMPT,
    TEXT_PROMPT,
    VlAnswer,
    VlModel,
    VlNotConfigured,
    ask,
    load_model,
    model_dir_for,
)
from schemas import Block, ExtractOptions, TableBlock
from schemas.records import BBox, Problem

Render = Callable[[BBox], np.ndarray]
"""The page's pixels inside a box given in page points."""


def require_model(options: ExtractOptions) -> VlModel:
    """The configured model, checked and loaded; VlNotConfigured / ModelFileError otherwise."""
    directory = model_dir_for(options)
    if directory is None:
        raise VlNotConfigured()
    return load_model(directory)


def vl_page_tables(
    blocks: list[Block],
    page: int,
    page_box: BBox,
    render: Render,
    options: ExtractOptions,
    vl: Optional[VlModel] = None,
) -> tuple[list[Block], list[Problem]]:
    """The page's blocks with its tables read by the model, and a Problem for each answer that was not used."""
    vl = vl or require_model(options)
    if options.vl.scope == "page":
        return _whole_page(blocks, page, page_box, render, options, vl)
    regions = [block for block in blocks if isinstance(block, TableBlock) and block.bbox is not None]
    if not regions:
        return blocks, []
    answers = ask(vl, [render(_box(block)) for block in regions], TABLE_PROMPT, options.vl)
    problems: list[Problem] = []
    replaced: dict[int, Block] = {}
    for block, answer in zip(regions, answers):
        try:
            replaced[id(block)] = table_block(_single(answer), page, block.bbox, block)
        except MalformedAnswer as error:
            problems.append(_fallback(page, str(error)))
    return [replaced.get(id(block), block) for block in blocks], problems


def _whole_page(
    blocks: list[Block], page: int, page_box: BBox, render: Render, options: ExtractOptions, vl: VlModel
) -> tuple[list[Block], list[Problem]]:
    """Scope `page`: the model's tables replace every classical table of the page; prose stays."""
    (answer,) = ask(vl, [render(page_box)], TABLE_PROMPT, options.vl)
    try:
        if answer.cut_off:
            raise MalformedAnswer(_cut_reason(answer))
        tables = [table_block(table, page, page_box, cell_boxes=False) for table in parse_answer(answer.text)]
    except MalformedAnswer as error:
        return blocks, [_fallback(page, str(error))]
    kept = [block for block in blocks if not isinstance(block, TableBlock)]
    return [*tables, *kept], []


def _single(answer: VlAnswer) -> AnswerTable:
    """The one table a region's answer must hold."""
    if answer.cut_off:
        raise MalformedAnswer(_cut_reason(answer))
    tables = parse_answer(answer.text)
    if len(tables) != 1:
        raise MalformedAnswer(f"一个区域回答了 {len(tables)} 个表格 (one region, {len(tables)} tables in the answer)")
    return tables[0]


def _cut_reason(answer: VlAnswer) -> str:
    return f"回答被截断 (answer cut off after {answer.new_tokens} tokens, {answer.seconds:.1f} s)"


def _fallback(page: int, reason: str) -> Problem:
    return Problem(
        stage="tables", page=page, message=f"视觉语言模型的表格不可用，改用经典引擎 (vl answer unusable: {reason})"
    )


def _box(block: TableBlock) -> BBox:
    assert block.bbox is not None  # filtered by the caller
    return block.bbox


def reread_cells(
    table: TableBlock, render: Render, threshold: float, options: ExtractOptions, vl: VlModel
) -> TableBlock:
    """`table` with the text of each cell whose confidence is below `threshold` read again by the model.

    Only cells with a box can be re-read; an empty or cut-off answer keeps the OCR text.
    """
    weak = [cell for cell in table.cells if cell.confidence < threshold and cell.bbox is not None]
    if not weak:
        return table
    answers = ask(vl, [render(cell.bbox) for cell in weak if cell.bbox is not None], TEXT_PROMPT, options.vl)
    texts = {
        (cell.row, cell.col): OTHER_TAG.sub("", answer.text).strip()
        for cell, answer in zip(weak, answers)
        if not answer.cut_off and OTHER_TAG.sub("", answer.text).strip()
    }
    cells = [
        cell.model_copy(update={"text": texts[(cell.row, cell.col)]}) if (cell.row, cell.col) in texts else cell
        for cell in table.cells
    ]
    return table.model_copy(update={"cells": cells})


def crop_render(image: np.ndarray, points_per_pixel: float) -> Render:
    """A Render over a page image whose pixels are `points_per_pixel` points wide (scans)."""
    height, width = image.shape[:2]

    def render(box: BBox) -> np.ndarray:
        x0, y0, x1, y1 = (int(round(v / points_per_pixel)) for v in box)
        x0, y0 = max(0, min(x0, width - 1)), max(0, min(y0, height - 1))
        x1, y1 = max(x0 + 1, min(x1, width)), max(y0 + 1, min(y1, height))
        return np.ascontiguousarray(image[y0:y1, x0:x1])

    return render


def pdf_render(page: object, dpi: int) -> Render:
    """A Render over a born-digital PyMuPDF page: the region drawn at `dpi`."""
    from extractor.pdflib import pymupdf

    assert isinstance(page, pymupdf.Page)

    def render(box: BBox) -> np.ndarray:
        pixmap = page.get_pixmap(dpi=dpi, clip=pymupdf.Rect(*box), colorspace=pymupdf.csRGB, alpha=False)
        rgb = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3)
        return np.ascontiguousarray(rgb[:, :, ::-1])  # BGR, like every other page image here

    return render
