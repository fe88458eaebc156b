"""Page orientation (0/90/180/270) and skew (up to about ±5°), corrected before anything else.

Orientation in two cheap steps, no full-page text detection:
1. horizontal or vertical text? Characters of a printed line sit closer to each other than lines
   do, so ink blobs grown a little merge along the line: wide blobs mean upright or upside-down
   text, tall blobs mean a page turned by a quarter.
2. upright or upside down? The PP-OCR direction classifier (0°/180°) votes over the page's
   longest text-line crops.
Skew from a projection profile: ruling lines and text lines give sharp row sums only when they
are level, so the angle with the highest profile energy is the page's skew.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from extractor.vision.imaging import downscale, ink_mask, rotate_quarter, rotate_small
from extractor.vision.ocr import OcrEngine

# Work on a ~100 dpi copy: enough to see text lines, cheap to rotate many times.
ANALYSIS_DPI = 100.0
MAX_SKEW_DEGREES = 6.0
MIN_SKEW_DEGREES = 0.05
"""A smaller skew is left alone (not worth resampling the page); the review page does the same."""


class PageGeometry(BaseModel):
    """How a scan was turned: undo with `rotate_small(img, skew_degrees)` then `rotate_quarter(img, quarter_turns)`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quarter_turns: int = 0
    """Counter-clockwise quarter turns that make the levelled page upright (0..3)."""
    skew_degrees: float = 0.0
    """Counter-clockwise rotation in degrees that levels the page (applied first)."""
    orientation_confidence: float = 1.0


def remove_long_lines(ink: np.ndarray, min_length: int) -> np.ndarray:
    """Ink without ruling lines, so that blob statistics see only text."""
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_length, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_length)))
    lines = cv2.dilate(cv2.bitwise_or(horizontal, vertical), np.ones((3, 3), np.uint8))
    return cv2.bitwise_and(ink, cv2.bitwise_not(lines))


def text_blobs(text_ink: np.ndarray, dpi: float) -> np.ndarray:
    """Bounding boxes (x, y, w, h) of text-sized blobs after growing ink by a fraction of a character.

    At 100 dpi a 10–12 pt character is 14–17 px; growing by ~0.04 inch bridges the gaps between
    characters of a line (and the strokes inside one), but not the larger gaps between lines.
    """
    grow = max(1, int(round(dpi * 0.025)))
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * grow + 1, 2 * grow + 1))
    grown = cv2.dilate(text_ink, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    boxes = stats[1:count, :4]
    short_side = np.minimum(boxes[:, 2], boxes[:, 3])
    long_side = np.maximum(boxes[:, 2], boxes[:, 3])
    # a text line is between ~6 pt and ~30 pt thick, and not a page-sized smear
    keep = (short_side >= dpi * 0.08) & (short_side <= dpi * 0.45) & (long_side <= dpi * 8)
    return boxes[keep]


def line_direction(blobs: np.ndarray) -> tuple[str, float]:
    """'horizontal' or 'vertical', with a 0.5..1 confidence, from elongated blob counts (weighted by length)."""
    if len(blobs) == 0:
        return "horizontal", 0.5
    widths, heights = blobs[:, 2].astype(float), blobs[:, 3].astype(float)
    wide = widths[widths >= 2.0 * heights].sum()
    tall = heights[heights >= 2.0 * widths].sum()
    if wide + tall == 0:
        return "horizontal", 0.5
    if wide >= tall:
        return "horizontal", wide / (wide + tall)
    return "vertical", tall / (wide + tall)


def line_crops(grey: np.ndarray, blobs: np.ndarray, scale: float, limit: int = 24) -> list[np.ndarray]:
    """Crops of the `limit` widest horizontal blobs, cut from the full-resolution grey page."""
    wide = [b for b in blobs if b[2] >= 3 * b[3]]
    wide.sort(key=lambda b: -b[2])
    crops = []
    for x, y, w, h in wide[:limit]:
        x0, y0 = int(x / scale), int(y / scale)
        x1, y1 = int((x + w) / scale), int((y + h) / scale)
        crop = grey[max(0, y0) : y1, max(0, x0) : x1]
        if crop.size:
            crops.append(crop)
    return crops


def upside_down_vote(engine: OcrEngine, crops: Sequence[np.ndarray]) -> float:
    """Mean probability (0..1) that the text is upside down; 0.5 when there is nothing to read."""
    if not crops:
        return 0.5
    return float(np.mean(engine.upside_down(crops)))


def find_orientation(grey: np.ndarray, dpi: float, engine: OcrEngine) -> tuple[int, float]:
    """Quarter turns (ccw) that make the page upright, and how sure we are (0.5..1)."""
    scale = min(1.0, ANALYSIS_DPI / dpi)
    small = downscale(grey, scale)
    small_dpi = dpi * scale
    text_ink = remove_long_lines(ink_mask(small, small_dpi), int(small_dpi * 0.6))
    blobs = text_blobs(text_ink, small_dpi)
    direction, direction_confidence = line_direction(blobs)
    turns = 0
    if direction == "vertical":
        # Turn a quarter clockwise; the classifier then tells whether that was the right quarter.
        turns = 3
        grey = rotate_quarter(grey, turns)
        small = rotate_quarter(small, turns)
        text_ink = rotate_quarter(text_ink, turns)
        blobs = text_blobs(text_ink, small_dpi)
    flipped = upside_down_vote(engine, line_crops(grey, blobs, scale))
    if flipped > 0.5:
        turns = (turns + 2) % 4
    confidence = direction_confidence * max(flipped, 1 - flipped)
    return turns, round(float(confidence), 3)


def find_skew(ink: np.ndarray, dpi: float, max_degrees: float = MAX_SKEW_DEGREES) -> float:
    """Counter-clockwise angle (degrees) that levels the page, coarse-to-fine over row-profile energy."""
    scale = min(1.0, ANALYSIS_DPI / dpi)
    small = downscale(ink, scale)
    if not small.any():
        return 0.0

    def energy(angle: float) -> float:
        # Rows and columns both: the page may still be a quarter turn off at this point.
        turned = rotate_small_ink(small, angle)
        rows = turned.sum(axis=1, dtype=np.float64)
        columns = turned.sum(axis=0, dtype=np.float64)
        return float(np.square(np.diff(rows)).sum() + np.square(np.diff(columns)).sum())

    best = 0.0
    for step, span in ((0.5, max_degrees), (0.1, 0.5), (0.02, 0.1)):
        candidates = np.arange(best - span, best + span + 1e-9, step)
        best = float(max(candidates, key=energy))
    return round(best, 2)


def rotate_small_ink(ink: np.ndarray, degrees_ccw: float) -> np.ndarray:
    """Rotate an ink mask (black border = no ink)."""
    height, width = ink.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees_ccw, 1.0)
    return cv2.warpAffine(ink, matrix, (width, height), flags=cv2.INTER_NEAREST, borderValue=0)


def normalise_page(grey: np.ndarray, dpi: float, engine: OcrEngine) -> tuple[np.ndarray, PageGeometry]:
    """An upright and level copy of the grey page, and the geometry that was undone."""
    # Level first: line removal and blob shapes, which orientation relies on, need level lines.
    skew = find_skew(ink_mask(grey, dpi), dpi)
    if abs(skew) >= MIN_SKEW_DEGREES:
        grey = rotate_small(grey, skew)
    turns, confidence = find_orientation(grey, dpi, engine)
    grey = rotate_quarter(grey, turns)
    return grey, PageGeometry(quarter_turns=turns, skew_degrees=skew, orientation_confidence=confidence)
