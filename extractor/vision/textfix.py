"""Small, evidence-based corrections of recognised text.

The recogniser sees a tightly cropped line, so it cannot see the side bearings that tell a
full-width parenthesis or colon from an ASCII one. Chinese typesetting puts full-width forms
around and after 汉字, so an ASCII form touching a CJK character is turned into its full-width form.
Digits and Latin text keep ASCII forms (`(1)`, `1,620`, `10:30`).
"""

from __future__ import annotations

import re

_CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_OPEN_BEFORE_CJK = re.compile(r"\((?=" + _CJK + ")")
_CLOSE_AFTER_CJK = re.compile(r"(?<=" + _CJK + r")\)")
_COLON_AFTER_CJK = re.compile(r"(?<=" + _CJK + r"):")


def normalise_punctuation(text: str) -> str:
    text = _OPEN_BEFORE_CJK.sub("（", text)
    text = _CLOSE_AFTER_CJK.sub("）", text)
    return _COLON_AFTER_CJK.sub("：", text)
