"""Options for a run, as pydantic classes so the CLI, API and workers share them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field

from schemas.records import RuleId, Severity


class OcrOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: Literal["rapidocr", "paddleocr"] = "rapidocr"
    model_dir: Optional[Path] = None
    """Directory with the engine's model files; None means the files shipped in the engine's wheel."""
    render_dpi: int = 200
    """Resolution at which scanned PDF pages are rasterised."""


class ReadLimits(BaseModel):
    """Work a file may ask for before it is read, checked before parsing (README: Limits)."""

    model_config = ConfigDict(extra="forbid")

    max_pages: int = Field(default=2000, ge=1)
    """A PDF or TIFF with more pages is refused (not truncated: a partial form is a wrong form)."""
    max_page_pixels: int = Field(default=60_000_000, ge=1)
    """A page image (scan, rendered page, image frame) larger than this is not decoded: 60 MP is an A3
    page at 400 dpi."""
    max_document_pixels: int = Field(default=2_000_000_000, ge=1)
    """All page images of one document together."""
    max_form_draws: int = Field(default=100_000, ge=1)
    """Form XObjects a PDF page may draw, nesting multiplied out (a 10 KB file can ask for 2^40)."""
    max_form_depth: int = Field(default=64, ge=1)
    max_unpacked_bytes: int = Field(default=256 * 1024 * 1024, ge=1)
    """OOXML: all parts together, uncompressed (besides the compression-ratio gate)."""
    max_part_bytes: int = Field(default=64 * 1024 * 1024, ge=1)
    """OOXML: one XML part, uncompressed (a sheet of this size is ~1M filled cells)."""
    max_text_chars: int = Field(default=10_000_000, ge=1)
    """Characters of text one document may hold (a 6 KB XLSX can repeat one 200 KB string in every cell)."""
    max_sheets: int = Field(default=200, ge=1)
    max_sheet_cells: int = Field(default=200_000, ge=1)
    """Rows plus cells one worksheet may hold (counted while streaming it, before it is parsed)."""


TableEngine = Literal["auto", "ruled", "aligned", "vl"]
"""How table structure is found (extractor/tables/structure.py)."""


class ValidationOptions(BaseModel):
    """What the validator runs and how loud it is; defaults are each rule's own declaration."""

    model_config = ConfigDict(extra="forbid")

    skip_rules: list[str] = Field(default_factory=list)
    """Names of declared rules not to run (`cross_references`, `units` …; see extractor.rules.registry)."""
    severity: dict[RuleId, Severity] = Field(default_factory=dict)
    """Rule id → the severity its findings get instead of the one the rule declares."""
    deviation_limit: float = Field(default=0.30, gt=0)
    """deviation_over_30: how far (a share of the target) an actual may stray before it is reported."""


class VlOptions(BaseModel):
    """How the optional vision-language table engine runs (extractor/vision/vl.py)."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["tables", "page"] = "tables"
    """`tables`: the model reads each table region the classical engines found; `page`: the whole page,
    for pages where no table region was found at all."""
    batch_size: int = Field(default=1, ge=1)
    """Images per `generate` call (more is faster on a GPU, slower and heavier on a CPU)."""
    page_seconds: float = Field(default=120.0, gt=0)
    """Time limit per image: generation stops past it and the answer counts as cut off."""
    max_new_tokens: int = Field(default=2048, ge=1, le=8192)
    """Upper bound on the answer's length in tokens (a large table in OTSL is ~1–2 tokens per cell)."""
    render_dpi: int = Field(default=150, ge=72, le=600)
    """Resolution at which born-digital table regions are rendered for the model."""
    reread_below: Optional[float] = Field(default=None, ge=0, le=1)
    """Re-read scanned cells whose OCR confidence is below this with the model (None: never)."""


class ExtractOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ocr: OcrOptions = Field(default_factory=OcrOptions)
    validate_records: bool = True
    """Run the validator and fill `findings`."""
    validation: ValidationOptions = Field(default_factory=ValidationOptions)
    max_pages: Optional[int] = None
    """Stop reading after this many pages (None: all)."""
    limits: ReadLimits = Field(default_factory=ReadLimits)
    table_engine: TableEngine = "auto"
    """`auto`: ruled grids, plus alignment where text outside them lines up as a table; `ruled`: grids only;
    `aligned`: alignment for every table; `vl`: a configured vision-language model."""
    vl_model: Optional[Path] = None
    """Local directory of a vision-language model (with its manifest.json); None: $EXTRACTOR_VL_MODEL."""
    vl: VlOptions = Field(default_factory=VlOptions)
    score_profile: Optional[str] = None
    """Propose review scores after interpretation: a profile name (`extractor profiles`), `auto` (each
    section's profile from its template family or kind), or None (no scoring stage)."""
