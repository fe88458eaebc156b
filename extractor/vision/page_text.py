"""Where text is on a level scanned page: line crops inside grid cells and text lines outside tables.

Inside a ruled table the cell borders already say where text is, so lines come from each cell's
own ink (cells.py) and the text detector is not run over the table at all. Outside tables the
page is cut into blocks of ink (title, unit line, narrative) and the detector runs on those blocks
only, at a reduced resolution that is still comfortable for it.
"""

from __future__ import annotations

import unicodedata

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from extractor.tables.grid import Grid, GridCell
from extractor.vision.cells import CellLines, PixelBox, bands, cell_lines
from extractor.vision.imaging import downscale
from extractor.vision.ocr import OcrEngine

DETECT_DPI = 120.0
"""Resolution at which the detector looks at text outside tables: 10.5 pt text is ~17 px high."""
BLOCK_GAP_INCH = 0.25
"""Blank space that separates two blocks of text outside tables."""
TALL_LINE_FACTOR = 1.8
"""A cell band this many times the page's usual line height holds more than one line."""


class CellReading(BaseModel):
    """Where the text of one grid cell is on the page."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    grid_index: int
    cell: GridCell
    box: PixelBox
    lines: CellLines
    split_by_detector: bool = False


def points_box_to_pixels(bbox: tuple[float, float, float, float], pixels_per_point: float, inset: int) -> PixelBox:
    x0, y0, x1, y1 = (int(round(v * pixels_per_point)) for v in bbox)
    return (x0 + inset, y0 + inset, max(x0 + inset + 1, x1 - inset), max(y0 + inset + 1, y1 - inset))


def locate_cell_lines(
    grids: list[Grid], text_ink: np.ndarray, dpi: float, pixels_per_point: float
) -> list[CellReading]:
    """Every grid cell with its text-line boxes (an empty cell has none).

    Text lines do not depend on the page's character height, dashes do: the height is measured on the
    text lines of a first pass, then every cell with ink is looked at again with it.
    """
    inset = max(1, int(dpi / 100))
    readings = []
    for index, grid in enumerate(grids):
        for cell in grid.cells:
            box = points_box_to_pixels(cell.bbox, pixels_per_point, inset)
            readings.append(CellReading(grid_index=index, cell=cell, box=box, lines=cell_lines(text_ink, box, dpi)))
    heights = [box[3] - box[1] for reading in readings for box in reading.lines.boxes]
    if not heights:
        return readings
    char_height = float(np.median(heights))
    return [
        reading.model_copy(update={"lines": cell_lines(text_ink, reading.box, dpi, char_height)})
        if reading.lines.boxes or reading.lines.dashes or reading.lines.speckled
        else reading
        for reading in readings
    ]


def split_tall_lines(readings: list[CellReading], grey: np.ndarray, engine: OcrEngine) -> list[CellReading]:
    """Let the detector split bands that are too tall to be one line (lines printed without leading)."""
    heights = [box[3] - box[1] for reading in readings for box in reading.lines.boxes]
    if not heights:
        return readings
    usual = float(np.median(heights))
    out = []
    for reading in readings:
        boxes: list[PixelBox] = []
        split = False
        for box in reading.lines.boxes:
            if box[3] - box[1] <= TALL_LINE_FACTOR * usual:
                boxes.append(box)
                continue
            found = detect_lines(grey, box, engine, scale=1.0)
            if len(found) >= 2:
                boxes.extend(found)
                split = True
            else:
                boxes.append(box)
        if split:
            lines = reading.lines.model_copy(update={"boxes": sorted(boxes, key=lambda b: (b[1], b[0]))})
            reading = reading.model_copy(update={"lines": lines, "split_by_detector": True})
        out.append(reading)
    return out


def detect_lines(grey: np.ndarray, box: PixelBox, engine: OcrEngine, scale: float) -> list[PixelBox]:
    """Text-line boxes (page pixels) the detector finds inside `box`, looked at `scale` times smaller."""
    x0, y0, x1, y1 = box
    pad = 8
    crop = grey[max(0, y0 - pad) : y1 + pad, max(0, x0 - pad) : x1 + pad]
    if crop.size == 0:
        return []
    small = downscale(crop, scale)
    factor = crop.shape[1] / max(small.shape[1], 1)
    found = []
    for quad in engine.detect(small):
        qx0, qy0 = quad.min(axis=0) * factor
        qx1, qy1 = quad.max(axis=0) * factor
        left, top = max(0, x0 - pad), max(0, y0 - pad)
        found.append((int(left + qx0), int(top + qy0), int(np.ceil(left + qx1)), int(np.ceil(top + qy1))))
    return reading_order(found)


def reading_order(boxes: list[PixelBox]) -> list[PixelBox]:
    """Top to bottom by line, left to right within a line."""
    ordered: list[list[PixelBox]] = []
    for box in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        middle = (box[1] + box[3]) / 2
        if ordered and ordered[-1][0][1] <= middle <= ordered[-1][0][3]:
            ordered[-1].append(box)
        else:
            ordered.append([box])
    return [box for line in ordered for box in sorted(line, key=lambda b: b[0])]


def outside_blocks(text_ink: np.ndarray, grids: list[Grid], pixels_per_point: float, dpi: float) -> list[PixelBox]:
    """Blocks of ink outside every grid (titles, unit lines, narrative, unruled tables)."""
    outside = text_ink.copy()
    margin = max(2, int(dpi * 0.02))
    for grid in grids:
        x0, y0, x1, y1 = points_box_to_pixels(grid.bbox, pixels_per_point, 0)
        outside[max(0, y0 - margin) : y1 + margin, max(0, x0 - margin) : x1 + margin] = 0
    blocks = []
    min_size = max(2, int(dpi * 0.035))
    for top, bottom in bands(outside.sum(axis=1), int(dpi * BLOCK_GAP_INCH), min_size):
        for left, right in bands(outside[top:bottom].sum(axis=0), int(dpi * 0.6), min_size):
            blocks.append((left, top, right, bottom))
    return blocks


def locate_outside_lines(
    grey_clean: np.ndarray, blocks: list[PixelBox], engine: OcrEngine, dpi: float
) -> list[PixelBox]:
    """Text lines outside tables: the detector on each block at DETECT_DPI."""
    scale = min(1.0, DETECT_DPI / dpi)
    lines: list[PixelBox] = []
    for block in blocks:
        lines.extend(detect_lines(grey_clean, block, engine, scale))
    return lines


COLUMN_GAP_LINES = 0.65
"""An empty stretch inside a detected line this many ink heights wide separates two cells' texts (a word
space is about a quarter of the height; a tight header row prints its cells about two thirds of a character
apart). Measured on the printed height, not the detector's padded box."""


def _ink_rows(profile: np.ndarray) -> int:
    """How many pixel rows of a line box carry ink: the printed height, without the detector's margin."""
    inked = np.flatnonzero(profile)
    return int(inked[-1] - inked[0] + 1) if inked.size else 0


def split_at_column_gaps(lines: list[PixelBox], text_ink: np.ndarray) -> list[list[PixelBox]]:
    """Detected text lines cut where a wide empty stretch runs through them.

    The detector joins the texts of neighbouring cells of a table printed without vertical rules into
    one line when they stand close (a tight header row); a gap of more than COLUMN_GAP_LINES ink heights
    is never inside one cell's text (characters and word spaces are narrower), so the line is cut there
    and each part is read on its own, which the alignment engine then puts in its column. The height is
    the ink's, not the box's: the detector's box reaches a margin above and below the characters, which
    would make the gap look narrower than it is printed. A full-width punctuation mark carries blank space
    of its own that can reach the same width: `rejoin_at_punctuation` undoes such cuts once the pieces are
    read. Each line's pieces are returned together, left to right.
    """
    split: list[list[PixelBox]] = []
    for x0, y0, x1, y1 in lines:
        pieces: list[PixelBox] = []
        split.append(pieces)
        area = text_ink[y0:y1, x0:x1]
        height = max(_ink_rows(area.sum(axis=1)), 1)
        profile = area.sum(axis=0)
        inked = [x for x, value in enumerate(profile) if value > 0]
        if not inked:
            pieces.append((x0, y0, x1, y1))
            continue
        start = previous = inked[0]
        for x in inked[1:]:
            if x - previous > COLUMN_GAP_LINES * height:
                pieces.append((x0 + start, y0, x0 + previous + 1, y1))
                start = x
            previous = x
        pieces.append((x0 + start, y0, x0 + previous + 1, y1) if start != inked[0] else (x0, y0, x1, y1))
    return split


def wide_punctuation(character: str) -> bool:
    """A full-width punctuation mark (，。、；：《》（）【】“” …): printed in a whole character cell of which
    its ink fills only a part, so the blank beside it is wider than between two characters. Quotation marks
    and dashes are of ambiguous width in Unicode and full width in Chinese print."""
    return unicodedata.category(character).startswith("P") and unicodedata.east_asian_width(character) in "WFA"


def rejoin_at_punctuation(
    pieces: list[list[PixelBox]], readings: list[tuple[str, float]]
) -> list[tuple[PixelBox, str, float]]:
    """The read pieces of each line, with the cuts made beside a full-width punctuation mark undone.

    `readings` holds the recognised text and score of every piece, in the order of `pieces`. A gap
    between two cells' texts is blank paper; a gap next to a full-width mark (》（, 号）， …) is that mark's
    own blank half, inside one text: the two pieces are one word again (box around both, lower score).
    """
    words: list[tuple[PixelBox, str, float]] = []
    position = 0
    for line in pieces:
        joined: list[tuple[PixelBox, str, float]] = []
        for box, (text, score) in zip(line, readings[position : position + len(line)]):
            left = joined[-1] if joined else None
            if left is not None and left[1] and text and (wide_punctuation(left[1][-1]) or wide_punctuation(text[0])):
                (a0, a1, a2, a3), (b0, b1, b2, b3) = left[0], box
                merged = (min(a0, b0), min(a1, b1), max(a2, b2), max(a3, b3))
                joined[-1] = (merged, left[1] + text, min(left[2], score))
            else:
                joined.append((box, text, score))
        position += len(line)
        words.extend(joined)
    return words


def inked_sides(box: PixelBox, text_ink: np.ndarray) -> PixelBox:
    """A line box narrowed to its first and last inked column.

    The detector's box (and the recogniser's crop) reaches a margin past the characters on both sides; the
    alignment engine measures the empty bands between cells on the words' boxes, and that margin would
    narrow every column gap by twice its width (two cells a character apart would touch). Top and bottom
    are kept: the engine measures their margin itself (aligned.py `_padding`).
    """
    x0, y0, x1, y1 = box
    inked = np.flatnonzero(text_ink[y0:y1, x0:x1].sum(axis=0))
    if not inked.size:
        return box
    return (x0 + int(inked[0]), y0, x0 + int(inked[-1]) + 1, y1)


def erase(grey: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Grey page with the masked pixels (ruling lines) turned to paper."""
    clean = grey.copy()
    clean[mask > 0] = 255
    return clean


def text_only_ink(ink: np.ndarray, line_mask: np.ndarray) -> np.ndarray:
    return cv2.bitwise_and(ink, cv2.bitwise_not(line_mask))
