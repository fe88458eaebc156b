"""Joining wrapped text the way a reader would (docs/conventions.md, "Text")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\v\f]+\s*")
_WHITESPACE = re.compile(r"\s+")


def _is_wide(char: str) -> bool:
    """CJK ideographs and full-width punctuation: no space is needed around them."""
    return unicodedata.east_asian_width(char) in ("W", "F") or char in "、，。：；！？（）《》“”‘’【】…—·"


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines: nothing between wide characters, one space between Latin words."""
    out = ""
    for line in (part.strip() for part in lines):
        if not line:
            continue
        if out and not _is_wide(out[-1]) and not _is_wide(line[0]) and out[-1].isalnum() and line[0].isalnum():
            out += " "
        out += line
    return out


def clean_text(text: str | None) -> str | None:
    """Printed text minus line breaks; None for a blank cell."""
    if text is None:
        return None
    joined = join_lines(_LINE_BREAKS.split(text))
    return joined or None


@lru_cache(maxsize=8192)  # pure; reader and rules squeeze the same cell texts again and again
def squeeze(text: str | None) -> str:
    """All whitespace removed (names, labels, matching keys)."""
    return _WHITESPACE.sub("", text or "").replace("\u3000", "")
