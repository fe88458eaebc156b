"""`python -m extractor.review.render_page SOURCE PAGE DPI OUT MEMORY_MB [TURN_JSON]`: one page
image, rendered in a process of its own under an address-space limit, so a hostile page can only
fail its own render.

A spawned interpreter rather than a fork: the service has threads (the server's, the upload
processor's), and a fork copies whatever lock one of them held at that moment.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __name__ == "__main__":
    from extractor.sandbox import limit_memory

    source, page, dpi, out, memory_mb = sys.argv[1:6]
    limit_memory(int(memory_mb))
    from extractor.review.pages import render
    from schemas import PageInfo

    turn = PageInfo.model_validate_json(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[6] else None
    render(Path(source), int(page), int(dpi), Path(out), turn)
