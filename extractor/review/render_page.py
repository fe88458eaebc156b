"""`python -m extractor.review.render_page SOURCE PAGE DPI OUT MEMORY_MB`: one page image, rendered
in a process of its own under an address-space limit, so a hostile page can only fail its own render.

A spawned interpreter rather than a fork: the service has threads (the server's, the upload
processor's), and a fork copies whatever lock one of them held at that moment.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def render(source: Path, page: int, dpi: int, out: Path) -> None:
    import pymupdf

    with pymupdf.open(source) as document:
        pixmap = document[page - 1].get_pixmap(dpi=dpi)
        out.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed: a concurrent request never reads a half-written image.
        handle, temporary = tempfile.mkstemp(dir=out.parent, suffix=".png")
        os.close(handle)
        pixmap.save(temporary)
        os.replace(temporary, out)


if __name__ == "__main__":
    from extractor.sandbox import limit_memory

    source, page, dpi, out, memory_mb = sys.argv[1:6]
    limit_memory(int(memory_mb))
    render(Path(source), int(page), int(dpi), Path(out))
