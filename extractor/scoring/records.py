"""The records a profile scores, as one typed list (indicators, budget lines, score summaries)."""

from __future__ import annotations

from typing import Union

from schemas import BudgetLine, ExtractionResult, Indicator, ScoreSummary

Scored = Union[Indicator, BudgetLine, ScoreSummary]


def scored_records(result: ExtractionResult) -> list[Scored]:
    return [*result.indicators, *result.budget_lines, *result.scores]


def record_name(record: Scored) -> str:
    if isinstance(record, Indicator):
        return record.name
    if isinstance(record, BudgetLine):
        return record.item
    return record.label
