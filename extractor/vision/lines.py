"""Ruling lines of a scanned page: OpenCV morphology → `Segment`s in page points.

The scan is level when this runs (see orientation.py). A ruling line is a long, thin run of ink.
1. Opening the ink mask with a short flat kernel keeps straight runs (pieces) and drops most text,
   stamps and handwriting, whose strokes are short or curved.
2. Pieces on one line with small gaps between them (faint printing, JPEG and binarisation break
   thin lines) are chained; a chain long enough and mostly inked is a line candidate.
3. A candidate with ink right beside it along most of its length is a row of character strokes
   (the tops of 三, 二, 百 … in one line of text), not a rule, and is dropped.
4. Lines broken by a blot or a fold (a larger gap, long pieces either side) are joined.
The segments then go to the shared grid builder (extractor/tables/grid.py), exactly as the vector
lines of a born-digital page do.
"""

from __future__ import annotations

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict

from schemas import Segment

PIECE_INCH = 0.2
"""Straight runs shorter than this are not looked at: strokes of one character (≤ 0.17 in at 12 pt)."""
BREAK_INCH = 0.03
"""Gaps up to this inside a line are breaks in the print, bridged when chaining pieces."""
MIN_FILL = 0.75
"""A chain must be inked along at least this share of its length."""
MIN_LINE_INCH = 0.28
"""Shortest ruling line kept: longer than any stroke of a 12 pt character (~0.17 in)."""
MAX_BESIDE_SHARE = 0.5
"""A rule has ink beside it only where lines cross it or text touches it; a row of strokes almost everywhere."""
SHORT_PIECE_INCH = 0.08
SHORT_LINE_INCH = 0.1
"""Rules between 0.1 and 0.28 in count only when they run from one long rule to another (`short_rules`)."""
JOIN_GAP_INCH = 0.08
"""Collinear lines closer than this are one line (a line broken by a blot or a fold)."""
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
    covered: float = 0.0
    """Length actually inked (pieces), ≤ end − start."""

    @property
    def length(self) -> float:
        return self.end - self.start


def piece_masks(ink: np.ndarray, dpi: float, piece_inch: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Masks of straight horizontal and vertical runs at least `piece_inch` long."""
    length = max(7, int(dpi * piece_inch))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1)))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, length)))
    return horizontal, vertical


def _pieces(mask: np.ndarray, horizontal: bool, dpi: float) -> list[PixelLine]:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    pieces = []
    max_thickness = max(3.0, dpi * MAX_THICKNESS_INCH)
    for index in range(1, count):
        x, y, w, h, _area = stats[index]
        length = w if horizontal else h
        # The line's own rows (columns): those inked along most of its length. A character stroke
        # that touches the line joins its component but must not move or thicken it.
        own = labels[y : y + h, x : x + w] == index
        profile = own.sum(axis=1 if horizontal else 0)
        rows = np.flatnonzero(profile >= 0.5 * profile.max())
        thickness = float(len(rows))
        if thickness > max_thickness:
            continue
        weights = profile[rows].astype(np.float64)
        pos = float((rows * weights).sum() / weights.sum()) + (y if horizontal else x)
        start, end = (x, x + w) if horizontal else (y, y + h)
        pieces.append(
            PixelLine(
                horizontal=horizontal,
                pos=pos,
                start=float(start),
                end=float(end),
                thickness=thickness,
                covered=float(length),
            )
        )
    return pieces


def join_collinear(lines: list[PixelLine], gap: float, tolerance: float) -> list[PixelLine]:
    """Join lines at the same position (within `tolerance`) whose ends are at most `gap` apart."""
    joined: list[PixelLine] = []
    rows: list[list[PixelLine]] = []
    for line in sorted(lines, key=lambda item: item.pos):
        if rows and abs(line.pos - rows[-1][-1].pos) <= tolerance:
            rows[-1].append(line)
        else:
            rows.append([line])
    for row in rows:
        current: PixelLine | None = None
        for line in sorted(row, key=lambda item: item.start):
            if current is not None and line.start <= current.end + gap:
                overlap = min(max(0.0, current.end - line.start), line.end - line.start)
                total = current.covered + line.covered - overlap
                current = current.model_copy(
                    update={
                        "pos": (current.pos * current.covered + line.pos * line.covered) / max(total, 1e-6),
                        "end": max(current.end, line.end),
                        "covered": total,
                        "thickness": max(current.thickness, line.thickness),
                    }
                )
                continue
            if current is not None:
                joined.append(current)
            current = line
        if current is not None:
            joined.append(current)
    return joined


def beside_share(ink: np.ndarray, line: PixelLine, dpi: float) -> float:
    """Share of the line's length with ink just above or below it (left or right for verticals)."""
    near = int(line.thickness / 2) + 2
    far = near + max(3, int(dpi * 0.025))
    pos, start, end = int(round(line.pos)), int(line.start), int(line.end)
    view = ink if line.horizontal else ink.T
    before = view[max(0, pos - far) : max(0, pos - near), start:end]
    after = view[pos + near : pos + far, start:end]
    if before.size == 0 and after.size == 0:
        return 0.0
    flags = np.zeros(end - start, dtype=bool)
    if before.size:
        flags |= before.any(axis=0)
    if after.size:
        flags |= after.any(axis=0)
    return float(flags.mean()) if flags.size else 0.0


def _candidates(ink: np.ndarray, dpi: float, piece_inch: float, min_inch: float) -> list[PixelLine]:
    """Chains of straight pieces that are long enough, mostly inked and without text beside them."""
    tolerance = max(2.0, dpi * 0.012)
    found: list[PixelLine] = []
    for horizontal, mask in zip((True, False), piece_masks(ink, dpi, piece_inch)):
        chains = join_collinear(_pieces(mask, horizontal, dpi), dpi * BREAK_INCH, tolerance)
        found += [
            chain
            for chain in chains
            if chain.length >= dpi * min_inch
            and chain.covered >= MIN_FILL * chain.length
            and beside_share(ink, chain, dpi) <= MAX_BESIDE_SHARE
        ]
    return found


def _touches(line: PixelLine, others: list[PixelLine], at: float, reach: float) -> bool:
    """Does a perpendicular rule pass within `reach` (plus its own half thickness) of the point `at`?"""
    return any(
        other.horizontal != line.horizontal
        and abs(other.pos - at) <= reach + other.thickness / 2
        and other.start - reach <= line.pos <= other.end + reach
        for other in others
    )


def short_rules(ink: np.ndarray, dpi: float, long_lines: list[PixelLine]) -> list[PixelLine]:
    """Rules shorter than MIN_LINE_INCH, kept only where they run from one long rule to another.

    A divider inside a single low row (a label and its value) is only as long as the row is
    high; a character stroke of that length almost never spans the gap between two rules.
    """
    reach = max(3.0, dpi * 0.015)
    tolerance = max(2.0, dpi * 0.012)
    out = []
    for line in _candidates(ink, dpi, SHORT_PIECE_INCH, SHORT_LINE_INCH):
        if line.length >= dpi * MIN_LINE_INCH:
            continue
        duplicate = any(
            other.horizontal == line.horizontal
            and abs(other.pos - line.pos) <= tolerance
            and other.start - reach <= line.start
            and line.end <= other.end + reach
            for other in long_lines
        )
        if (
            not duplicate
            and _touches(line, long_lines, line.start, reach)
            and _touches(line, long_lines, line.end, reach)
        ):
            out.append(line)
    return out


def find_lines(ink: np.ndarray, dpi: float) -> list[PixelLine]:
    """Horizontal and vertical ruling lines of a level page, in pixels."""
    tolerance = max(2.0, dpi * 0.012)
    candidates = _candidates(ink, dpi, PIECE_INCH, MIN_LINE_INCH)
    lines = join_collinear([c for c in candidates if c.horizontal], dpi * JOIN_GAP_INCH, tolerance)
    lines += join_collinear([c for c in candidates if not c.horizontal], dpi * JOIN_GAP_INCH, tolerance)
    lines += short_rules(ink, dpi, lines)
    reach = int(dpi * MIN_LINE_INCH)
    extended = []
    for line in lines:
        # A stub may be followed up to the next crossing rule, never through it (into a merged cell's text).
        stops = [
            other.pos
            for other in lines
            if other.horizontal != line.horizontal and other.start - reach <= line.pos <= other.end + reach
        ]
        extended.append(extend_along_ink(ink, line, int(dpi * BREAK_INCH), reach, stops))
    return extended


def extend_along_ink(ink: np.ndarray, line: PixelLine, max_gap: int, reach: int, stops: list[float]) -> PixelLine:
    """Follow the line's ink past its ends, over breaks of up to `max_gap` px.

    The pieces a broken line is found from are at least PIECE_INCH long, so a stub shorter than
    that at either end (the last few millimetres before a border) is picked up here.
    """
    half = max(1, int(np.ceil(line.thickness / 2)))
    pos = int(round(line.pos))
    view = ink if line.horizontal else ink.T
    band = view[max(0, pos - half) : pos + half + 1]
    inked = np.asarray(band.any(axis=0))

    def walk(start: int, step: int) -> int:
        if any(abs(stop - start) <= half + 3 for stop in stops):
            return start  # the line already ends on a crossing rule
        ahead = [stop for stop in stops if (stop - start) * step > 0]
        limit = min(abs(stop - start) for stop in ahead) + half if ahead else reach
        last, gap, index = start, 0, start + step
        while 0 <= index < len(inked) and abs(index - start) <= min(reach, limit):
            if inked[index]:
                last, gap = index, 0
            else:
                gap += 1
                if gap > max_gap:
                    break
            index += step
        return last

    start = walk(int(line.start), -1)
    end = walk(min(int(np.ceil(line.end)) - 1, len(inked) - 1), 1) + 1
    return line.model_copy(update={"start": float(min(start, line.start)), "end": float(max(end, line.end))})


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


def line_pixels(ink: np.ndarray, lines: list[PixelLine]) -> np.ndarray:
    """Ink of the ruling lines (slightly grown), to erase them from the page before reading text."""
    mask = np.zeros_like(ink)
    for line in lines:
        half = int(np.ceil(line.thickness / 2)) + 2
        pos, start, end = int(round(line.pos)), int(line.start), int(np.ceil(line.end))
        if line.horizontal:
            mask[max(0, pos - half) : pos + half + 1, start : end + 1] = 255
        else:
            mask[start : end + 1, max(0, pos - half) : pos + half + 1] = 255
    return cv2.bitwise_and(cv2.dilate(ink, np.ones((3, 3), np.uint8)), mask)


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
