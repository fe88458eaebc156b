"""Small, evidence-based corrections of recognised text.

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

_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_OPEN_BEFORE_CJK = re.compile(r"\((?=" + _CJK + ")")
_CLOSE_AFTER_CJK = re.compile(r"(?<=" + _CJK + r")\)")
_COLON_AFTER_CJK = re.compile(r"(?<=" + _CJK + r"):")


def normalise_punctuation(text: str) -> str:
    text = _OPEN_BEFORE_CJK.sub("（", text)
    text = _CLOSE_AFTER_CJK.sub("）", text)
    return _COLON_AFTER_CJK.sub("：", text)


@lru_cache(maxsize=1)
def _to_simplified():
    """OpenCC converter, built once per process (it loads its dictionaries)."""
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    if text.isascii():
        return text
    return _to_simplified().convert(text)


def fix_recognised(text: str) -> str:
    """Everything the scanned reader applies to a recognised line."""
    return normalise_punctuation(to_simplified(text.strip()))
