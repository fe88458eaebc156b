"""Full-width or ASCII punctuation, decided from the blank space around the glyph's ink.

The recogniser reads a tightly cropped line and often cannot tell （ from (, ： from :, ＝ from =.
The page can: a full-width form occupies a whole em with its ink pushed to one side (（ to the
right, ）：，； to the left) or centred (＝), so the blank space on its open side is a good part of an
em, where an ASCII form sits close to its neighbours. The recogniser's CTC time steps say roughly
where each character is; the ink columns of the crop say exactly where the glyph and its
neighbours start and end.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

FULL_WIDTH = {"=": "＝", ":": "：", ",": "，", ";": "；", "(": "（", ")": "）"}
HALF_WIDTH = {full: half for half, full in FULL_WIDTH.items()}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

OPEN_SIDE_EM = 0.25
"""Blank space beside a glyph, in em, above which the form is full-width. Measured on rendered
text: ASCII forms leave 0.04–0.21 em to their neighbours, full-width forms 0.29–0.58 em."""


def ink_runs(crop: np.ndarray) -> list[tuple[int, int]]:
    """Runs of inked columns [start, end) of a grey line crop."""
    _, ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    columns = ink.sum(axis=0) > 0
    runs: list[tuple[int, int]] = []
    start = None
    for index, inked in enumerate(columns):
        if inked and start is None:
            start = index
        elif not inked and start is not None:
            runs.append((start, index))
            start = None
    if start is not None:
        runs.append((start, len(columns)))
    return runs


def _run_at(runs: list[tuple[int, int]], x: float, reach: float, lean: int = 0) -> int | None:
    """The ink run of the glyph whose CTC centre is `x`.

    A full-width form's centre may fall in its blank half, so `lean` says where its ink is:
    1 for （ (ink on the right), -1 for ）：，； (ink on the left), 0 for ＝ (centred).
    """
    best, best_distance = None, reach
    for index, (start, end) in enumerate(runs):
        if start <= x < end:
            return index
        if lean > 0 and end <= x or lean < 0 and start > x:
            continue
        distance = min(abs(x - start), abs(x - end))
        if distance <= best_distance:
            best, best_distance = index, distance
    return best


def open_side_gap(runs: list[tuple[int, int]], index: int, side: int) -> float | None:
    """Blank columns between run `index` and its neighbour on `side` (-1 left, 1 right); None at a line end."""
    neighbour = index + side
    if not 0 <= neighbour < len(runs):
        return None
    if side < 0:
        return float(runs[index][0] - runs[neighbour][1])
    return float(runs[neighbour][0] - runs[index][1])


def choose_widths(text: str, centres: list[float], crop: np.ndarray, em: float) -> str:
    """`text` with = : , ; ( ) in the width the ink shows; other characters unchanged."""
    if len(centres) != len(text) or em <= 0 or not any(char in FULL_WIDTH or char in HALF_WIDTH for char in text):
        return text
    grey = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    runs = ink_runs(grey)
    out: list[str] = []
    opening_full: bool | None = None
    for position, (char, centre) in enumerate(zip(text, centres)):
        half = HALF_WIDTH.get(char, char)
        if half not in FULL_WIDTH:
            out.append(char)
            continue
        lean = {"(": 1, "=": 0}.get(half, -1)
        run = _run_at(runs, centre, reach=0.5 * em, lean=lean)
        # The recogniser errs towards ASCII: a full-width reading is kept, an ASCII one is
        # upgraded only on evidence, and a closing bracket always matches its opening one.
        full = char in HALF_WIDTH or (run is not None and bool(_is_full(half, runs, run, em)))
        # The recogniser reads a full-width form's own margin as a space ("= 4次" for "＝4次").
        if (
            half in "=:("
            and position + 2 < len(text)
            and text[position + 1] == " "
            and not text[position + 2].isspace()
        ):
            full = True
        if half == "(":
            if run is None and char == "(":
                full = position + 1 < len(text) and bool(_CJK.match(text[position + 1]))
            opening_full = full
        elif half == ")" and opening_full is not None:
            full = opening_full
        elif half == ",":
            # Never upgraded: the recogniser tells commas apart well, and ASCII commas between
            # 汉字 do occur in print, where a comma's small glyph leaves a wide gap either way.
            full = char in HALF_WIDTH
        out.append(FULL_WIDTH[half] if full else half)
    # A space read into a full-width form's own margin is not a printed space.
    text_out = "".join(out)
    return re.sub(r"(?<=[＝：，；（])\s+|\s+(?=[）])", "", text_out)


def _is_full(half: str, runs: list[tuple[int, int]], run: int, em: float) -> bool | None:
    """Wider of the two gaps beside the glyph (fonts push full-width ink left, right or centre it)."""
    gaps = [gap for gap in (open_side_gap(runs, run, -1), open_side_gap(runs, run, 1)) if gap is not None]
    if not gaps:
        return None
    return max(gaps) / em > OPEN_SIDE_EM
