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


class ValidationOptions(BaseModel):
    """What the validator runs and how loud it is; defaults are each rule's own declaration."""

    model_config = ConfigDict(extra="forbid")

    skip_rules: list[str] = Field(default_factory=list)
    """Names of declared rules not to run (`cross_references`, `units` …; see extractor.rules.registry)."""
    severity: dict[RuleId, Severity] = Field(default_factory=dict)
    """Rule id → the severity its findings get instead of the one the rule declares."""
    deviation_limit: float = Field(default=0.30, gt=0)
    """deviation_over_30: how far (a share of the target) an actual may stray before it is reported."""


class ExtractOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ocr: OcrOptions = Field(default_factory=OcrOptions)
    validate_records: bool = True
    """Run the validator and fill `findings`."""
    validation: ValidationOptions = Field(default_factory=ValidationOptions)
    max_pages: Optional[int] = None
    """Stop reading after this many pages (None: all)."""
    score_profile: Optional[str] = None
    """Propose review scores after interpretation: a profile name (`extractor profiles`), `auto` (each
    section's profile from its template family or kind), or None (no scoring stage)."""
