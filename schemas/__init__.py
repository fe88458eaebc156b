"""Pydantic models only, no I/O: the SPEC contract and the stage objects."""

from schemas.options import ExtractOptions, OcrOptions
from schemas.layout import Block, Layout, PageContent, ParagraphBlock, Segment, TableBlock, Word
from schemas.records import (
    RULE_IDS,
    SCHEMA_VERSION,
    BudgetLine,
    Cell,
    DocumentInfo,
    ExtractionResult,
    Finding,
    Indicator,
    Paragraph,
    Problem,
    ScoreSummary,
    Section,
    Source,
    Table,
    Value,
)

__all__ = [
    "ExtractOptions", "OcrOptions",
    "Block", "Layout", "PageContent", "ParagraphBlock", "Segment", "TableBlock", "Word",
    "RULE_IDS", "SCHEMA_VERSION", "BudgetLine", "Cell", "DocumentInfo", "ExtractionResult",
    "Finding", "Indicator", "Paragraph", "Problem", "ScoreSummary", "Section", "Source",
    "Table", "Value",
]
