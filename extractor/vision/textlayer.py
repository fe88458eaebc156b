"""Is a PDF page's text layer worth reading, or is the page a scan?"""

from __future__ import annotations

import re

MIN_CHARS = 20
"""Fewer visible characters than this on a page that carries an image: treat it as a scan."""
_JUNK = re.compile(r"\(cid:\d+\)|\ufffd")


def text_layer_usable(text: str, *, has_images: bool) -> bool:
    """True when the extracted text can be trusted.

    A page with no image is always read from its text layer (an empty page is
    simply empty). A page with an image needs enough characters, and not too much
    junk from fonts without a Unicode map (CID codes, replacement characters).
    """
    visible = "".join(text.split())
    if not has_images:
        return True
    if len(visible) < MIN_CHARS:
        return False
    junk = sum(len(match) for match in _JUNK.findall(visible))
    return junk / len(visible) < 0.1
