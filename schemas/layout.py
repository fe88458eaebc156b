"""Intermediate objects passed between stages, before records exist.

A backend turns a file into a `Layout`: an ordered list of blocks (paragraphs
and tables) with their page and box. Table stitching and form interpretation
read only this; they never reach back into the file.
"""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field

from schemas.records import BBox, Cell, DocumentKind, Problem


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Word(_Model):
    """A word or text span with its box in page points; confidence 1.0 for a text layer."""

    text: str
    bbox: BBox
    confidence: float = 1.0


class Segment(_Model):
    """A ruling line in page points; horizontal when y0 == y1, vertical when x0 == x1."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def horizontal(self) -> bool:
        return abs(self.y1 - self.y0) <= abs(self.x1 - self.x0)


class PageContent(_Model):
    """What a page-based backend (PDF, image) reads from one page."""

    number: int
    width: float
    height: float
    words: list[Word] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    scanned: bool = False


class TableBlock(_Model):
    type: Literal["table"] = "table"
    cells: list[Cell]
    n_rows: int
    n_cols: int
    pages: list[int]
    bbox: Optional[BBox] = None
    """Box of the table's part on its first page."""
    last_bbox: Optional[BBox] = None
    """Box of the table's part on its last page (for stitching)."""
    caption: Optional[str] = None
    """A title the backend knows for certain (an XLSX sheet name, a DOCX caption)."""
    column_edges: list[float] = Field(default_factory=list)
    """x of the vertical grid lines on the page, when the table has geometry."""
    engine: Literal["ruled", "aligned", "vl"] = "ruled"
    """Which table-structure engine found it (extractor/tables/structure.py): the column edges of an
    `aligned` table are the middles of the empty bands between its columns, not drawn lines."""
    header_rows: list[int] = Field(default_factory=list)
    """Rows the source itself marks as headers (a vision-language answer's `<th>` rows); empty when it
    does not say (the reader then finds headers from their words)."""


class ParagraphBlock(_Model):
    type: Literal["paragraph"] = "paragraph"
    text: str
    page: int = 1
    bbox: Optional[BBox] = None


Block = Union[TableBlock, ParagraphBlock]


class Layout(_Model):
    """A whole file as blocks in reading order."""

    kind: DocumentKind
    page_count: int = 1
    page_sizes: dict[int, tuple[float, float]] = Field(default_factory=dict)
    scan_turns: dict[int, tuple[int, float]] = Field(default_factory=dict)
    """Scanned pages: page → (quarter turns, skew degrees) the reader undid (see PageInfo)."""
    blocks: list[Block] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
