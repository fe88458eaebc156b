"""Small, evidence-based corrections of recognised text.

Full-width or ASCII? See glyphwidth.py; without positions, context decides (below).

The recogniser is multilingual (simplified, traditional, Japanese) and now and then picks a
traditional or Japanese form of a character (決 for 决). Submissions are printed in simplified
Chinese, so recognised text goes through OpenCC's traditional → simplified conversion.

The recogniser sees a tightly cropped line, so it cannot see the side bearings that tell a
full-width parenthesis or colon from an ASCII one. Chinese typesetting puts full-width forms
around and after 汉字, so an ASCII form touching a CJK character is turned into its full-width form.
Digits and Latin text keep ASCII forms (`(1)`, `1,620`, `10:30`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from extractor.vision.glyphwidth import choose_widths

_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"


def normalise_punctuation(text: str) -> str:
    """Context only: ( before 汉字 opens a full-width pair, its ) follows it; : after 汉字 is ：."""
    out = []
    opening_full = False
    for index, char in enumerate(text):
        if char in "(（":
            opening_full = char == "（" or bool(index + 1 < len(text) and re.match(_CJK, text[index + 1]))
            out.append("（" if opening_full else "(")
        elif char in ")）":
            out.append("）" if opening_full or char == "）" else ")")
        elif char == ":" and index > 0 and re.match(_CJK, text[index - 1]):
            out.append("：")
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=1)
def _to_simplified():
    """OpenCC converter, built once per process (it loads its dictionaries)."""
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    if text.isascii():
        return text
    return _to_simplified().convert(text)


def fix_recognised(
    text: str, centres: list[float] | None = None, crop: np.ndarray | None = None, line_height: float = 0.0
) -> str:
    """Everything the scanned reader applies to a recognised line.

    With the characters' positions and the crop, punctuation width comes from the ink
    (glyphwidth.py); without them, from the characters around it (`normalise_punctuation`).
    """
    simplified = to_simplified(text)
    if centres is None or crop is None or len(centres) != len(simplified):
        return normalise_punctuation(simplified.strip())
    return choose_widths(simplified, centres, crop, line_height).strip()
