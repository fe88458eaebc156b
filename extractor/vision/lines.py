"""Ruling lines of a scanned page: OpenCV morphology → `Segment`s in page points.

The scan is level when this runs (see orientation.py). A ruling line is a long, thin run of ink:
opening the ink mask with a long flat kernel keeps lines and drops text, stamps and handwriting
strokes, which are short. Before that, a short closing bridges the small breaks that faint
printing, JPEG and binarisation leave in a line, so a broken line still counts as one.
The segments then go to the shared grid builder (extractor/tables/grid.py), exactly as the vector
lines of a born-digital page do.
"""

from __future__ import annotations

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from schemas import Segment

MIN_LINE_INCH = 0.28
"""Shortest ruling line kept: longer than any stroke of a 12 pt character (~0.17 in)."""
BRIDGE_INCH = 0.012
"""Gaps this short inside a line are closed before lines are measured."""
JOIN_GAP_INCH = 0.08
"""Collinear pieces closer than this are one line (a line broken by a blot or a fold)."""
MAX_THICKNESS_INCH = 0.06
"""Thicker runs are filled areas or bold text, not ruling lines."""


class PixelLine(BaseModel):
    """A ruling line in pixels: `pos` is y for horizontals, x for verticals; [start, end] along it."""

    model_config = ConfigDict(extra="forbid")

    horizontal: bool
    pos: float
    start: float
    end: float
    thickness: float


def line_masks(ink: np.ndarray, dpi: float) -> tuple[np.ndarray, np.ndarray]:
    """Masks of horizontal and vertical ruling-line pixels."""
    min_length = max(15, int(dpi * MIN_LINE_INCH))
    bridge = max(1, int(dpi * BRIDGE_INCH))
    masks = []
    for horizontal in (True, False):
        shape = (bridge, 1) if horizontal else (1, bridge)
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, shape))
        shape = (min_length, 1) if horizontal else (1, min_length)
        masks.append(cv2.morphologyEx(closed, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape)))
    return masks[0], masks[1]


def _lines_from_mask(mask: np.ndarray, horizontal: bool, dpi: float) -> list[PixelLine]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    lines = []
    max_thickness = max(3.0, dpi * MAX_THICKNESS_INCH)
    for index in range(1, count):
        x, y, w, h, area = stats[index]
        length, extent = (w, h) if horizontal else (h, w)
        thickness = area / max(length, 1)
        if thickness > max_thickness:
            continue
        # Where the component sits across its length: the ink-weighted centre, robust to a slight slope.
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == index)
        pos = float((ys.mean() + y) if horizontal else (xs.mean() + x))
        start, end = (x, x + w) if horizontal else (y, y + h)
        lines.append(PixelLine(horizontal=horizontal, pos=pos, start=float(start), end=float(end), thickness=float(thickness)))
    return lines


def join_collinear(lines: list[PixelLine], gap: float, tolerance: float) -> list[PixelLine]:
    """Join pieces of one line, same position within `tolerance`, separated by less than `gap`."""
    joined: list[PixelLine] = []
    for line in sorted(lines, key=lambda item: (round(item.pos / max(tolerance, 1e-6)), item.start)):
        for index, other in enumerate(joined):
            if abs(other.pos - line.pos) <= tolerance and line.start <= other.end + gap and line.end >= other.start - gap:
                length = (other.end - other.start) + (line.end - line.start)
                pos = (other.pos * (other.end - other.start) + line.pos * (line.end - line.start)) / max(length, 1e-6)
                joined[index] = other.model_copy(
                    update={"pos": pos, "start": min(other.start, line.start), "end": max(other.end, line.end)}
                )
                break
        else:
            joined.append(line)
    return joined


def find_lines(ink: np.ndarray, dpi: float) -> list[PixelLine]:
    """Horizontal and vertical ruling lines of a level page, in pixels."""
    horizontal_mask, vertical_mask = line_masks(ink, dpi)
    gap, tolerance = dpi * JOIN_GAP_INCH, max(2.0, dpi * 0.015)
    lines = join_collinear(_lines_from_mask(horizontal_mask, True, dpi), gap, tolerance)
    lines += join_collinear(_lines_from_mask(vertical_mask, False, dpi), gap, tolerance)
    return lines


def to_segments(lines: list[PixelLine], points_per_pixel: float) -> list[Segment]:
    """Pixel lines → `Segment`s in page points (72 per inch, origin top-left)."""
    segments = []
    for line in lines:
        pos, start, end = line.pos * points_per_pixel, line.start * points_per_pixel, line.end * points_per_pixel
        if line.horizontal:
            segments.append(Segment(x0=round(start, 2), y0=round(pos, 2), x1=round(end, 2), y1=round(pos, 2)))
        else:
            segments.append(Segment(x0=round(pos, 2), y0=round(start, 2), x1=round(pos, 2), y1=round(end, 2)))
    return segments


def line_pixels(ink: np.ndarray, dpi: float) -> np.ndarray:
    """All ruling-line pixels (slightly grown), to erase them from cell crops before reading text."""
    horizontal_mask, vertical_mask = line_masks(ink, dpi)
    both = cv2.bitwise_or(horizontal_mask, vertical_mask)
    return cv2.dilate(both, np.ones((3, 3), np.uint8))


def snap_ends(lines: list[PixelLine], reach: float) -> list[PixelLine]:
    """Extend line ends that stop just short of a crossing line (worn or badly printed borders).

    A line end within `reach` of a perpendicular line that spans it is moved onto that line, so the
    grid builder sees the two as touching.
    """
    snapped = []
    for line in lines:
        crossing = [
            other.pos
            for other in lines
            if other.horizontal != line.horizontal and other.start - reach <= line.pos <= other.end + reach
        ]
        start, end = line.start, line.end
        before = [pos for pos in crossing if start - reach <= pos < start]
        after = [pos for pos in crossing if end < pos <= end + reach]
        if before:
            start = min(before)
        if after:
            end = max(after)
        snapped.append(line.model_copy(update={"start": start, "end": end}))
    return snapped
