"""Document fields: 部门名称, 年度, 自评得分, 复核得分."""

from __future__ import annotations

import re
from typing import Optional

from extractor.text.join import squeeze
from schemas import Block, ParagraphBlock, ScoreSummary, Section, TableBlock

_DEPARTMENT_KEYS = ("部门（单位）名称", "部门(单位)名称", "部门名称", "州级预算部门名称", "预算部门名称")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(度)?(?!\s*\d{1,2}\s*月)")
_TITLE_DEPARTMENTS = (
    re.compile(r"^(\D{3,}?)(?:19|20)?\d{2}\s*年度?\s*(?:部门|单位)?(?:决算|预算)"),
    re.compile(
        r"(?:19|20)\d{2}\s*年(?:度)?\s*(?!度)(\D{3,}?)(?:部门整体|部门预算|整体支出|部门决算|单位预算|预算执行)"
    ),
)
TITLE_SCAN = 6


def _department(readings, blocks: list[Block]) -> Optional[str]:
    for _, reading in readings:
        for pair in reading.key_values:
            if squeeze(pair.label.text).startswith(_DEPARTMENT_KEYS) and pair.value is not None:
                return squeeze(pair.value.text)
    heads = [squeeze(b.text) for b in blocks[:TITLE_SCAN] if isinstance(b, ParagraphBlock)]
    # A title printed over two lines arrives as two paragraphs: try each alone, then each pair.
    for text in heads + [a + b for a, b in zip(heads, heads[1:])]:
        for pattern in _TITLE_DEPARTMENTS:
            match = pattern.search(text)
            if match:
                return match.group(1)
    return None


def _year(sections: list[Section], blocks: list[Block]) -> Optional[int]:
    candidates = [section.title for section in sections]
    candidates += [b.text for b in blocks[:TITLE_SCAN] if isinstance(b, ParagraphBlock)]
    candidates += [c.text for b in blocks if isinstance(b, TableBlock) for c in b.cells if c.row == 0 and c.text]
    for with_nian_du in (True, False):
        for text in candidates:
            for match in _YEAR.finditer(squeeze(text)):
                if match.group(2) or not with_nian_du:
                    return int(match.group(1))
    return None


def _score(scores: list[ScoreSummary], sections: list[Section], label: str, field: str) -> Optional[float]:
    order = {section.id: (section.kind != "department", index) for index, section in enumerate(sections)}
    ranked = sorted(scores, key=lambda s: order.get(s.section or "", (True, 99)))
    for wanted in (label, "总分", "合计"):
        for summary in ranked:
            value = getattr(summary, field)
            if summary.label == wanted and value is not None:
                return value
    return None


def document_scores(scores: list[ScoreSummary], sections: list[Section]) -> dict[str, Optional[float]]:
    """自评得分 and 复核得分 as read from the score summaries (the review service recomputes them
    after a reviewer corrects a score)."""
    return {
        "self_score": _score(scores, sections, "自评得分", "score"),
        "review_score": _score(scores, sections, "复核得分", "review_score"),
    }


def document_fields(sections: list[Section], readings, scores: list[ScoreSummary], blocks: list[Block]) -> dict:
    review = _score(scores, sections, "复核得分", "review_score")
    return {
        "department": _department(readings, blocks),
        "year": _year(sections, blocks),
        "self_score": _score(scores, sections, "自评得分", "score"),
        "review_score": review if any(s.kind == "review" for s in sections) or review is not None else None,
    }
