"""Table structure as a stage of its own: a page's words and ruling lines → tables with cells, and paragraphs.

Engines (`ExtractOptions.table_engine`):
- `ruled`: grids drawn by ruling lines only (tables/grid.py); everything else is prose.
- `auto` (default): ruled grids, then tables found by text alignment (tables/aligned.py) among the words that
  lie outside every grid, with strict thresholds so that prose stays prose; a fully ruled document comes out
  exactly as under `ruled`.
- `aligned`: ignore vertical rules and read every table by alignment (horizontal rules still divide rows):
  for forms whose vertical ruling is partial or misleading.
- `vl`: a vision-language model (extractor/vision/vl.py), only where one is configured: the tables are found as
  under `auto`, then each region is re-read by the model (extractor/tables/vl_tables.py, called by the backends,
  which hold the page image).
The same function serves born-digital pages (text-layer words) and scans (recognised lines).
"""

from __future__ import annotations

from typing import Optional

from extractor.tables.aligned import LOOSE, STRICT, Refine, aligned_tables
from extractor.tables.fill import fill_grids
from extractor.tables.grid import Grid
from extractor.tables.paragraphs import paragraphs_of
from schemas import Block, PageContent, Segment, Word
from schemas.options import TableEngine


def text_blocks(
    words: list[Word],
    page: PageContent,
    segments: list[Segment],
    engine: TableEngine,
    refine: Optional[Refine] = None,
) -> list[Block]:
    """Words outside ruled grids: tables found by alignment (unless `ruled`), the rest as paragraphs."""
    engine = classical(engine)
    if engine == "ruled" or not words:
        return list(paragraphs_of(words, page))
    settings = STRICT if engine == "auto" else LOOSE
    tables, rest = aligned_tables(words, page.number, segments, settings, refine)
    return [*tables, *paragraphs_of(rest, page)]


def classical(engine: TableEngine) -> TableEngine:
    """The engine that finds the table regions: `vl` re-reads what `auto` finds."""
    return "auto" if engine == "vl" else engine


def grids_for(grids: list[Grid], engine: TableEngine) -> list[Grid]:
    """The ruled grids an engine keeps: none under `aligned`, which reads every table by alignment."""
    return [] if classical(engine) == "aligned" else grids


def page_blocks(
    page: PageContent, grids: list[Grid], engine: TableEngine = "auto", refine: Optional[Refine] = None
) -> list[Block]:
    """Every table and paragraph of a page, sorted top to bottom."""
    tables, outside = fill_grids(page, grids_for(grids, engine))
    blocks: list[Block] = [table for table in tables if any(cell.text for cell in table.cells)]
    blocks += text_blocks(outside, page, page.segments, engine, refine)
    blocks.sort(key=lambda block: block.bbox[1] if block.bbox else 0.0)
    return blocks
