"""Text lines inside a table cell, found from the ink itself, without a text detector.

A ruled cell is a clean little image once its borders are erased: its text lines are the bands of
rows that hold ink. Each band becomes one crop for the recogniser. Only a band too tall for one
line (lines printed with no leading) is handed to the text detector to be split.
"""

from __future__ import annotations

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

PixelBox = tuple[int, int, int, int]

MIN_BAND_INCH = 0.035
"""Ink bands thinner than this are not text lines: a flat stroke (a dash) or specks."""
DASH_WIDTH_SHARE = 0.25
"""A thin band at least this share of the page's character height wide is a printed dash (-, —, ——),
the forms' blank marker. A hyphen is about a third of a character wide, whatever the resolution (4 px
at 150 dpi, 6 px at 200, 8 px at 300 in the seed scans); an absolute length lost the short ones."""
CHAR_INCH = 0.09
"""The character height assumed on a page that holds no text line to measure it from (10.5 pt text)."""
BAND_GAP_INCH = 0.015
"""Blank rows shorter than this inside a line (between the parts of 二, 三, …) do not split it."""
PAD_INCH = 0.04
"""White margin around each line crop: the recogniser reads badly when glyphs touch the edge."""
EDGE_RULE_INCH = 0.015
"""Ink along a cell's border no thicker than this (3 px at 200 dpi) may be what is left of the border."""
EDGE_RULE_SHARE = 0.8
"""...and it is left of the border when it runs along at least this share of the cell's side."""


class CellLines(BaseModel):
    """The text lines found in one cell, in page pixels, top to bottom."""

    model_config = ConfigDict(extra="forbid")

    boxes: list[PixelBox]
    """Text lines to recognise."""
    dashes: list[PixelBox] = []
    """Flat strokes standing alone on their line: printed dashes, read from their shape."""
    touches_border: bool = False
    """Ink runs into the cell's border: text may belong to a neighbour (merged or split cell)."""
    speckled: bool = False
    """Ink was seen but none of it looked like text."""


def clean_specks(text_ink: np.ndarray, dpi: float) -> np.ndarray:
    """Drop connected components too small to be part of a glyph (scan noise, JPEG dirt)."""
    min_area = max(3, int((dpi / 100.0) ** 2 * 3))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(text_ink, connectivity=8)
    keep = np.zeros(count, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    return np.where(keep[labels], 255, 0).astype(np.uint8)


def bands(profile: np.ndarray, min_gap: int, min_size: int) -> list[tuple[int, int]]:
    """Runs of non-zero entries in a projection profile, small gaps bridged, small runs dropped."""
    runs: list[list[int]] = []
    for index in np.flatnonzero(profile):
        if runs and index - runs[-1][1] <= min_gap:
            runs[-1][1] = int(index)
        else:
            runs.append([int(index), int(index)])
    return [(start, end + 1) for start, end in runs if end + 1 - start >= min_size]


def cell_lines(text_ink: np.ndarray, box: PixelBox, dpi: float, char_height: float | None = None) -> CellLines:
    """Text-line boxes (page pixels) of the cell `box`, read from the page's text-only ink mask.

    `char_height` is the page's usual text-line height in pixels: a dash is measured against it.
    """
    x0, y0, x1, y1 = box
    ink = without_edge_rules(text_ink[y0:y1, x0:x1], dpi)
    if ink.size == 0 or not ink.any():
        # The ink test: a cell with nothing printed in it is never handed to the recogniser.
        return CellLines(boxes=[])
    min_size = max(2, int(dpi * MIN_BAND_INCH))
    min_gap = max(1, int(dpi * BAND_GAP_INCH))
    found: list[PixelBox] = []
    dashes: list[PixelBox] = []
    for top, bottom in bands(ink.sum(axis=1), min_gap, 1):
        columns = ink[top:bottom].sum(axis=0)
        spans = bands(columns, int(dpi * 0.5), 1)  # words of one line stay together
        if not spans:
            continue
        left, right = spans[0][0], spans[-1][1]
        box = (x0 + left, y0 + top, x0 + right, y0 + bottom)
        if bottom - top >= min_size:
            found.append(box)
        elif len(spans) <= 2 and is_dash(right - left, bottom - top, char_height or dpi * CHAR_INCH):
            dashes.append(box)
    edge = 1
    touches = bool(ink[:, :edge].any() or ink[:, -edge:].any() or ink[:edge].any() or ink[-edge:].any())
    has_text = bool(found or dashes)
    return CellLines(boxes=found, dashes=dashes, touches_border=touches and has_text, speckled=not has_text)


def is_dash(width: int, height: int, char_height: float) -> bool:
    """Whether a band too thin to be a text line is a printed dash rather than a speck.

    A dash is a stroke at least about a quarter of a character long and no taller than it is long
    (blur rounds a short hyphen into a square blob at 150 dpi); a speck that survived cleaning is
    shorter than that, a vertical stroke is taller than long.
    """
    return width >= DASH_WIDTH_SHARE * char_height and width >= height


def without_edge_rules(ink: np.ndarray, dpi: float) -> np.ndarray:
    """A cell's ink without what is left of its own borders.

    Line removal misses a sliver of a border now and then (a skewed rule, a rule thicker than the
    line finder's estimate). Left in, a sliver along a side reads as a text line (recognised as 1 or
    丨) and one along the top or bottom as a printed dash, so an empty cell would come out filled.
    A sliver is a component touching the side it runs along, thin, and nearly as long as that side;
    a glyph touching the border is short next to the cell's side and stays.
    """
    if ink.size == 0 or not (ink[:, 0].any() or ink[:, -1].any() or ink[0].any() or ink[-1].any()):
        return ink
    height, width = ink.shape
    thin = max(2, int(dpi * EDGE_RULE_INCH))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    wide, tall = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    along_side = (wide <= thin) & (tall >= EDGE_RULE_SHARE * height) & ((left == 0) | (left + wide == width))
    along_end = (tall <= thin) & (wide >= EDGE_RULE_SHARE * width) & ((top == 0) | (top + tall == height))
    sliver = along_side | along_end
    sliver[0] = False  # label 0 is the paper
    if not sliver.any():
        return ink
    return np.where(sliver[labels], 0, ink).astype(np.uint8)


def padded_crop(grey: np.ndarray, box: PixelBox, dpi: float, limit: PixelBox | None = None) -> np.ndarray:
    """The grey image under `box` with a small white margin, clipped to `limit` (the cell)."""
    pad = max(2, int(dpi * PAD_INCH))
    x0, y0, x1, y1 = box
    lx0, ly0, lx1, ly1 = limit if limit is not None else (0, 0, grey.shape[1], grey.shape[0])
    cx0, cy0 = max(lx0, x0 - pad), max(ly0, y0 - pad)
    cx1, cy1 = min(lx1, x1 + pad), min(ly1, y1 + pad)
    crop = grey[cy0:cy1, cx0:cx1]
    # Pad to the full margin with paper where the cell border cut it off.
    return cv2.copyMakeBorder(
        crop,
        max(0, cy0 - (y0 - pad)),
        max(0, (y1 + pad) - cy1),
        max(0, cx0 - (x0 - pad)),
        max(0, (x1 + pad) - cx1),
        cv2.BORDER_CONSTANT,
        value=255,
    )


def cell_confidence(scores: list[float], lines: CellLines, split_by_detector: bool) -> float:
    """A cell's confidence: its weakest line's recognition score, lowered where its structure is doubtful."""
    if not lines.boxes and not lines.dashes:
        return 0.9 if lines.speckled else 0.99
    if not lines.boxes:  # only dashes: their reading depends on a length estimate
        return 0.9 if not lines.touches_border else 0.8
    confidence = min(scores) if scores else 0.5
    if split_by_detector:
        confidence *= 0.95
    if lines.touches_border:
        confidence *= 0.9
    return round(float(confidence), 4)


def dash_text(width: int, line_height: float) -> str:
    """A printed blank marker from its length: a hyphen, an em dash or a double em dash."""
    ratio = width / max(line_height, 1.0)
    if ratio < 0.7:
        return "-"
    if ratio < 1.6:
        return "—"
    return "——"
