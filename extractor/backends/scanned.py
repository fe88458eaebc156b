"""The scanned-page reader: a page image → the same blocks a born-digital page gives.

    image ─► grey (red stamps fade) ─► level (skew) ─► upright (0/90/180/270)
          ─► ink ─► ruling lines → Segments (points) ─► shared grid builder → Grids
          ─► layout regions (CDLA): keep grids that are tables
          ─► text lines: from each cell's ink; detector only outside tables
          ─► one recognition pass over all line crops
          ─► shared table_block / text_blocks → TableBlock, ParagraphBlock

Everything after the blocks (stitching, form interpretation) is the born-digital path unchanged.
Coordinates are PDF points of the *upright* page (72 per inch, origin top-left).
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from extractor.tables.fill import table_block
from extractor.tables.grid import Grid, build_grids
from extractor.tables.structure import grids_for, text_blocks
from extractor.text.join import join_lines
from extractor.vision.cells import cell_confidence, clean_specks, dash_text, padded_crop
from extractor.vision.imaging import downscale, ink_mask, to_grey
from extractor.vision.lines import find_lines, line_pixels, snap_ends, to_segments
from extractor.vision.ocr import OcrEngine, engine_for
from extractor.vision.orientation import PageGeometry, normalise_page
from extractor.vision.page_text import (
    CellReading,
    erase,
    inked_sides,
    locate_cell_lines,
    locate_outside_lines,
    outside_blocks,
    rejoin_at_punctuation,
    split_at_column_gaps,
    split_tall_lines,
    text_only_ink,
)
from extractor.vision.regions import Region, load_layout_model, overlap_share
from extractor.vision.textfix import fix_recognised
from schemas import Block, ExtractOptions, PageContent, TableBlock, Word
from schemas.records import Problem, as_bbox

GRID_TOLERANCE_PT = 2.0
"""Scanned lines wobble by a pixel or two; the born-digital default (1.5 pt) is a little tight."""
MIN_TEXT_SCORE = 0.5
"""Outside tables, a recognised line below this score is noise (a smudge, a stamp edge)."""
LAYOUT_LONG_SIDE = 1000
SMALL_GRID_PT = 72.0
"""A grid smaller than an inch both ways needs the layout model's word that it is a table."""


class ScannedPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int
    width: float
    height: float
    """Size in points of the upright page (a page scanned sideways has its sides swapped)."""
    blocks: list[Block]
    geometry: PageGeometry
    problems: list[Problem] = Field(default_factory=list)
    """What went wrong on the page without losing it (e.g. an unusable vision-language answer)."""


def read_scanned_page(
    source: Any,
    options: Optional[ExtractOptions] = None,
    *,
    page_number: Optional[int] = None,
    page_size: Optional[tuple[float, float]] = None,
) -> list[Block]:
    """Blocks of one scanned page.

    `source` is a PyMuPDF page (rendered at `options.ocr.render_dpi`) or an image array (BGR or
    grey) with `page_number` and `page_size` (points) given.
    """
    return read_scanned(source, options, page_number=page_number, page_size=page_size).blocks


def read_scanned(
    source: Any,
    options: Optional[ExtractOptions] = None,
    *,
    page_number: Optional[int] = None,
    page_size: Optional[tuple[float, float]] = None,
) -> ScannedPage:
    """Like `read_scanned_page`, with the upright page's size and the orientation/skew undone.

    A page scanned sideways comes back with its width and height swapped: the blocks' boxes are
    in points of the upright page, so `Layout.page_sizes` should take this size, not the PDF's.
    """
    options = options or ExtractOptions()
    image, number, size = page_image(source, options, page_number, page_size)
    return read_page_image(image, number, size[0] / image.shape[1], options)


def page_image(
    source: Any, options: ExtractOptions, page_number: Optional[int], page_size: Optional[tuple[float, float]]
) -> tuple[np.ndarray, int, tuple[float, float]]:
    if isinstance(source, np.ndarray):
        if page_size is None:
            raise ValueError("page_size (points) is required with an image array")
        return source, page_number or 1, page_size
    from extractor.pdflib import pymupdf

    page: pymupdf.Page = source
    pixmap = page.get_pixmap(dpi=options.ocr.render_dpi, colorspace=pymupdf.csRGB, alpha=False)
    rgb = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3)
    image = np.ascontiguousarray(rgb[:, :, ::-1])
    # MuPDF keeps decoded page images in its store; a scan's are large and never needed again.
    pymupdf.TOOLS.store_shrink(100)
    return image, page.number + 1, (page.rect.width, page.rect.height)


def read_page_image(
    image: np.ndarray, page_number: int, points_per_pixel: float, options: ExtractOptions
) -> ScannedPage:
    """Read one page image whose pixels are `points_per_pixel` points wide."""
    engine = engine_for(options.ocr)
    dpi = 72.0 / points_per_pixel
    grey = to_grey(image)
    grey, geometry = normalise_page(grey, dpi, engine)
    height_px, width_px = grey.shape[:2]
    page = PageContent(
        number=page_number,
        width=round(width_px * points_per_pixel, 2),
        height=round(height_px * points_per_pixel, 2),
        scanned=True,
    )
    ink = ink_mask(grey, dpi)
    lines = snap_ends(find_lines(ink, dpi), reach=dpi * 0.08)
    segments = to_segments(lines, points_per_pixel)
    grids = build_grids(segments, tolerance=GRID_TOLERANCE_PT)
    # The layout model only arbitrates small ruled boxes; most pages have none, so it runs only then.
    if any(is_small(grid) for grid in grids):
        regions = layout_regions(grey, points_per_pixel)
        grids = [grid for grid in grids if is_table(grid, regions)]
    grids = grids_for(grids, options.table_engine)

    line_mask = line_pixels(ink, lines)
    text_ink = clean_specks(text_only_ink(ink, line_mask), dpi)
    clean = erase(grey, line_mask)
    pixels_per_point = 1.0 / points_per_pixel
    readings = split_tall_lines(locate_cell_lines(grids, text_ink, dpi, pixels_per_point), clean, engine)
    detected = locate_outside_lines(clean, outside_blocks(text_ink, grids, pixels_per_point, dpi), engine, dpi)
    # Without a ruled-only engine, lines are cut at column gaps (each piece read alone) and the boxes kept
    # to the ink, so that the alignment engine sees cells and column gaps as printed.
    aligned = options.table_engine != "ruled"
    pieces = split_at_column_gaps(detected, text_ink) if aligned else [[box] for box in detected]
    outside = [box for line in pieces for box in line]

    crops = [padded_crop(clean, box, dpi, limit=reading.box) for reading in readings for box in reading.lines.boxes]
    crops += [padded_crop(clean, box, dpi) for box in outside]
    heights = [box[3] - box[1] for reading in readings for box in reading.lines.boxes] + [b[3] - b[1] for b in outside]
    recognised = recognise(engine, crops, heights)

    tables, position = cell_tables(grids, readings, recognised, page_number, points_per_pixel)
    if aligned:
        pieces = [[inked_sides(box, text_ink) for box in line] for line in pieces]
    words = [
        Word(text=text, bbox=as_bbox(round(v * points_per_pixel, 2) for v in box), confidence=round(score, 4))
        for box, text, score in rejoin_at_punctuation(pieces, recognised[position:])
        if text.strip() and score >= MIN_TEXT_SCORE
    ]
    blocks: list[Block] = [table for table in tables if any(cell.text for cell in table.cells)]
    blocks += text_blocks(words, page, segments, options.table_engine)
    blocks.sort(key=lambda block: block.bbox[1] if block.bbox else 0.0)
    blocks, problems = vl_step(blocks, grey, page, points_per_pixel, options)
    return ScannedPage(
        number=page_number, width=page.width, height=page.height, blocks=blocks, geometry=geometry, problems=problems
    )


def vl_step(
    blocks: list[Block], grey: np.ndarray, page: PageContent, points_per_pixel: float, options: ExtractOptions
) -> tuple[list[Block], list[Problem]]:
    """Under `table_engine="vl"`: low-confidence cells re-read (when asked), then tables re-read by the model."""
    if options.table_engine != "vl":
        return blocks, []
    from extractor.tables.vl_tables import crop_render, require_model, reread_cells, vl_page_tables

    vl = require_model(options)
    render = crop_render(grey, points_per_pixel)
    threshold = options.vl.reread_below
    if threshold is not None:
        blocks = [
            reread_cells(block, render, threshold, options, vl) if isinstance(block, TableBlock) else block
            for block in blocks
        ]
    return vl_page_tables(blocks, page.number, (0.0, 0.0, page.width, page.height), render, options, vl)


def recognise(engine: OcrEngine, crops: list[np.ndarray], line_heights: list[int]) -> list[tuple[str, float]]:
    """Recognise every crop of the page in one pass, then fix glyph forms (textfix.py)."""
    with_positions = getattr(engine, "recognize_with_positions", None)
    if with_positions is None:
        return [(fix_recognised(text), score) for text, score in engine.recognize(crops)]
    return [
        (fix_recognised(text, centres, crop, float(height)), score)
        for (text, score, centres), crop, height in zip(with_positions(crops), crops, line_heights)
    ]


def cell_tables(
    grids: list[Grid],
    readings: list[CellReading],
    recognised: list[tuple[str, float]],
    page_number: int,
    points_per_pixel: float,
) -> tuple[list[Any], int]:
    """TableBlocks from grids and the recognised lines of their cells; also how many results were used."""
    texts: list[dict[tuple[int, int], tuple[str, float, Optional[float]]]] = [{} for _ in grids]
    heights = [box[3] - box[1] for reading in readings for box in reading.lines.boxes]
    line_height = float(np.median(heights)) if heights else 1.0 / points_per_pixel * 9.0
    position = 0
    for reading in readings:
        count = len(reading.lines.boxes)
        results = recognised[position : position + count]
        position += count
        # Recognised lines and dashes, top to bottom.
        pieces = [(box[1], text) for box, (text, _) in zip(reading.lines.boxes, results) if text]
        pieces += [(box[1], dash_text(box[2] - box[0], line_height)) for box in reading.lines.dashes]
        text = join_lines([piece for _, piece in sorted(pieces, key=lambda item: item[0])])
        scores = [score for text_, score in results if text_]
        confidence = cell_confidence(scores, reading.lines, reading.split_by_detector)
        boxes = reading.lines.boxes + reading.lines.dashes
        indent = None
        if boxes and text:
            indent = round(min(box[0] for box in boxes) * points_per_pixel - reading.cell.bbox[0], 2)
        texts[reading.grid_index][(reading.cell.row, reading.cell.col)] = (text, confidence, indent)
    return [table_block(grid, page_number, cell_texts) for grid, cell_texts in zip(grids, texts)], position


def layout_regions(grey: np.ndarray, points_per_pixel: float) -> list[Region]:
    """CDLA regions with boxes in page points (the layout model always comes from its wheel)."""
    scale = min(1.0, LAYOUT_LONG_SIDE / max(grey.shape[:2]))
    small = downscale(grey, scale)
    factor = points_per_pixel / scale
    return [
        region.model_copy(update={"box": tuple(v * factor for v in region.box)})
        for region in load_layout_model().regions(small)
    ]


def is_small(grid: Grid) -> bool:
    """Under an inch both ways: a table only if the layout model says so (see `is_table`)."""
    x0, y0, x1, y1 = grid.bbox
    return (x1 - x0) < SMALL_GRID_PT and (y1 - y0) < SMALL_GRID_PT


def is_table(grid: Grid, regions: list[Region]) -> bool:
    """Keep what the born-digital path keeps (every grid), except a small ruled box that the
    layout model does not see as a table: a scan's boxes may be a stamp's frame or a signature box."""
    if not is_small(grid):
        return True
    tables = [region for region in regions if region.label == "table"]
    return any(overlap_share(grid.bbox, region.box) >= 0.3 for region in tables)
