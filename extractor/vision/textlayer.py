"""Is a PDF page's text layer worth reading, or must the page be read as a scan?

A pure function of the page's extracted text, so the PDF backend can decide page by page
(pdf_digital / pdf_scanned / pdf_mixed). A text layer is not usable when:
- the page holds images and almost no text (a scan, perhaps with a page number or a scanner's
  stamp in the text layer);
- the text is extraction junk: `(cid:123)` placeholders from fonts without a Unicode map,
  U+FFFD replacement characters, private-use code points, control characters;
- the text is mostly characters that never occur in these documents (mis-mapped fonts give
  Latin-1 or symbol soup instead of 汉字).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from typing import Union

CID_PATTERN = re.compile(r"\(cid:\d+\)")
MIN_CHARS_WITH_IMAGES = 30
"""A page with images needs this many non-space characters before its text layer is trusted."""
MAX_JUNK_SHARE = 0.05
MIN_PLAUSIBLE_SHARE = 0.8


@lru_cache(maxsize=65536)  # per character: every page asks again about the same few hundred
def _is_junk(char: str) -> bool:
    if char == "\ufffd":
        return True
    category = unicodedata.category(char)
    return category in ("Co", "Cs", "Cn") or (category == "Cc" and char not in "\t\n\r")


@lru_cache(maxsize=65536)
def _is_plausible(char: str) -> bool:
    """Characters these documents are made of: 汉字, ASCII, CJK and full-width punctuation, common symbols."""
    code = ord(char)
    if code < 0x80:
        return True
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:  # CJK unified ideographs (+ ext. A)
        return True
    if 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF:  # CJK punctuation, full-width forms
        return True
    if 0x2000 <= code <= 0x206F or 0x2100 <= code <= 0x22FF:  # general punctuation, letterlike, maths (≥ ≤ ％)
        return True
    if 0x2460 <= code <= 0x24FF or 0x2160 <= code <= 0x218F:  # circled and Roman numerals
        return True
    return unicodedata.category(char).startswith("Z")


def text_layer_usable(
    page_text: str, has_images: Union[bool, Callable[[], bool]] = False, *, min_chars: int = MIN_CHARS_WITH_IMAGES
) -> bool:
    """True when the page's text layer can be read instead of the page image.

    `has_images` may be a function: it is then asked only when the answer depends on it (a page
    with little text), because listing a page's images costs as much as the rest of this test.
    """
    if "(cid:" in page_text:
        without_cid = CID_PATTERN.sub("", page_text)
        cid_count = len(CID_PATTERN.findall(page_text))  # each placeholder stands for one glyph
    else:  # the common page: no placeholder, no regular-expression pass
        without_cid, cid_count = page_text, 0
    # Each distinct character is classified once: a page repeats a few hundred of them thousands of times.
    counts = Counter(without_cid)
    for char in [char for char in counts if char.isspace()]:
        del counts[char]
    n_characters = sum(counts.values())
    total = n_characters + cid_count
    if total == 0:
        return not _asked(has_images)  # an empty page without images is simply blank; with images it is a scan
    junk = cid_count + sum(count for char, count in counts.items() if _is_junk(char))
    if junk / total > MAX_JUNK_SHARE:
        return False
    plausible = sum(count for char, count in counts.items() if _is_plausible(char))
    if n_characters and plausible / n_characters < MIN_PLAUSIBLE_SHARE:
        return False
    if n_characters < min_chars and _asked(has_images):
        return False
    return True


def _asked(has_images: Union[bool, Callable[[], bool]]) -> bool:
    return has_images() if callable(has_images) else has_images
