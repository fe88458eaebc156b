"""Which template family a section was read as (sections[].template_family).

The families and their conditions are data (lexicon.yaml `families`); this module collects what
the reader found in a section — column roles of every region, level weights, a scored budget
block — and returns the first family whose conditions all hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Optional

from pydantic import BaseModel

from extractor.forms.lexicon import Family, lexicon
from extractor.forms.rows import TableReading
from extractor.text.join import squeeze

_MARKS = lexicon().score_lines.marks_in_label


class SectionTraits(BaseModel):
    """What the reader found in one section's tables."""

    title: str
    kind: str
    roles: set[str]
    level_weights: bool
    budget_weight: bool
    budget_marks: Optional[float] = None


def traits(title: str, kind: str, readings: list[TableReading], level_weights: bool) -> SectionTraits:
    roles: set[str] = set()
    budget_weight = False
    budget_marks: Optional[float] = None
    for reading in readings:
        for header in reading.headers:
            roles |= header.roles.keys()
            level_weights = level_weights or bool(header.level_weights)
            if header.kind == "budget":
                budget_weight = budget_weight or "weight" in header.roles
                budget_marks = budget_marks or _marks(cell.text for cell in header.header_cells)
    return SectionTraits(
        title=squeeze(title),
        kind=kind,
        roles=roles,
        level_weights=level_weights,
        budget_weight=budget_weight,
        budget_marks=budget_marks,
    )


def _marks(texts: Iterable[str]) -> Optional[float]:
    """Full marks printed on a budget block's header or side label: 预算执行情况(万元)(20分) → 20."""
    for text in texts:
        match = _MARKS.search(squeeze(text))
        if match:
            return float(match.group(1))
    return None


def _holds(family: Family, found: SectionTraits) -> bool:
    if family.kinds and found.kind not in family.kinds:
        return False
    if family.title_any and not any(word in found.title for word in family.title_any):
        return False
    if family.requires_any and not set(family.requires_any) & found.roles:
        return False
    if family.requires_all and not set(family.requires_all) <= found.roles:
        return False
    if family.level_weights and not found.level_weights:
        return False
    if family.budget_marks is not None and found.budget_marks != family.budget_marks:
        return False
    return not family.budget_weight or found.budget_weight


def template_family(found: SectionTraits) -> Optional[str]:
    return next((family.key for family in lexicon().families if _holds(family, found)), None)
