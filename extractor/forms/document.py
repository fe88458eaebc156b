"""Document fields: 部门名称, 年度, 自评得分, 复核得分 — and each section's 实施单位.

Department precedence (docs/conventions.md): the 部门（单位）名称 of a department form, else the
主管部门 of a project form, else 预算部门 / 单位名称 / 部门：, else the department a title starts
with. The 实施单位 is never the department. Key labels come from lexicon.yaml (`key_labels`).
"""

from __future__ import annotations

import re
from typing import Optional

from extractor.forms.lexicon import lexicon
from extractor.forms.rows import TableReading
from extractor.text.join import squeeze
from schemas import Block, ExtractionResult, ParagraphBlock, ScoreSummary, Section, TableBlock

_YEAR = lexicon().layout_words.document_year
_BARE_YEAR = lexicon().layout_words.bare_year
_TITLE_DEPARTMENTS = tuple(lexicon().layout_words.title_departments)
TITLE_SCAN = 6
HEADER_ROWS_SCANNED = 3
"""A form prints its year in the title rows at the top of the table ((2020年度) under the title)."""
Readings = list[tuple[Optional[str], TableReading]]
DEPARTMENT_ORDER = ("department_form", "supervising", "budget_unit")


def key_field(label: str) -> Optional[str]:
    key = re.sub(r"[（(][^）)]*[）)]", "", squeeze(label)).rstrip("：:")
    return lexicon().key_labels.field_of(key)


def clean_department(text: str) -> Optional[str]:
    """A department name without codes, stamps and a trailing colon (`xx局（盖章）`, `xx局 123001`)."""
    name = re.sub(lexicon().department_noise, "", squeeze(text)).strip()
    return name or None


def _paragraph_pairs(blocks: list[Block]) -> list[tuple[str, str]]:
    """`label：value` pairs printed in lines outside tables (单位名称：xx局 填报日期：…)."""
    pairs = []
    for block in blocks[:TITLE_SCAN]:
        if not isinstance(block, ParagraphBlock):
            continue
        for match in re.finditer(r"([^\s:：]{2,10})[:：]\s*(\S+)", block.text):
            pairs.append((match.group(1), match.group(2)))
    return pairs


def _title_department(blocks: list[Block]) -> Optional[str]:
    heads = [squeeze(b.text) for b in blocks[:TITLE_SCAN] if isinstance(b, ParagraphBlock)]
    # A title printed over two lines arrives as two paragraphs: try each alone, then each pair.
    candidates = heads + [a + b for a, b in zip(heads, heads[1:])]
    for text in candidates:
        for pattern in _TITLE_DEPARTMENTS:
            match = pattern.search(text)
            if match:
                return match.group(1)
    suffixes = "|".join(sorted(map(re.escape, lexicon().org_suffixes), key=len, reverse=True))
    starts_with_org = re.compile(rf"^(\D{{2,30}}?(?:{suffixes}))\s*(?:19|20)\d{{2}}\s*年")
    for text in heads:
        match = starts_with_org.match(text)
        if match:
            return match.group(1)
    return None


def _department(readings: Readings, blocks: list[Block]) -> Optional[str]:
    found: dict[str, str] = {}
    for _, reading in readings:
        for pair in reading.key_values:
            field = key_field(pair.label.text)
            if field in DEPARTMENT_ORDER and pair.value is not None and field not in found:
                name = clean_department(pair.value.text)
                if name:
                    found[field] = name
    for label, value in _paragraph_pairs(blocks):
        field = key_field(label)
        if field in DEPARTMENT_ORDER and field not in found and (name := clean_department(value)):
            found[field] = name
    for field in DEPARTMENT_ORDER:
        if field in found:
            return found[field]
    return _title_department(blocks)


def implementing_unit(reading: TableReading) -> Optional[str]:
    """The 实施单位 / 资金使用单位 a project form prints (kept on its section)."""
    for pair in reading.key_values:
        if key_field(pair.label.text) == "implementing_unit" and pair.value is not None:
            return clean_department(pair.value.text)
    return None


def _year(sections: list[Section], readings: Readings, blocks: list[Block]) -> Optional[int]:
    for _, reading in readings:
        for pair in reading.key_values:
            if key_field(pair.label.text) == "year" and pair.value is not None:
                match = _BARE_YEAR.match(squeeze(pair.value.text)) or _YEAR.search(squeeze(pair.value.text))
                if match:
                    return int(match.group(1))
    candidates = [section.title for section in sections]
    candidates += [b.text for b in blocks[:TITLE_SCAN] if isinstance(b, ParagraphBlock)]
    candidates += [
        c.text
        for b in blocks
        if isinstance(b, TableBlock)
        for c in b.cells
        if c.row < HEADER_ROWS_SCANNED and c.text and (c.row == 0 or c.col_span == b.n_cols)
    ]
    for with_nian_du in (True, False):
        for text in candidates:
            for match in _YEAR.finditer(squeeze(text)):
                if match.group(2) or not with_nian_du:
                    return int(match.group(1))
    return None


def _score(scores: list[ScoreSummary], sections: list[Section], label: str, field: str) -> Optional[float]:
    order = {section.id: (section.kind != "department", index) for index, section in enumerate(sections)}
    ranked = sorted(scores, key=lambda s: order.get(s.section or "", (True, 99)))
    for wanted in (label, *lexicon().score_lines.document_fallbacks):
        for summary in ranked:
            value = getattr(summary, field)
            if summary.label == wanted and value is not None:
                return value
    return None


def document_scores(scores: list[ScoreSummary], sections: list[Section]) -> dict[str, Optional[float]]:
    """自评得分 and 复核得分 as read from the score summaries (the review service recomputes them
    after a reviewer corrects a score)."""
    return {
        "self_score": _score(scores, sections, lexicon().score_lines.self_score, "score"),
        "review_score": _score(scores, sections, lexicon().score_lines.review_score, "review_score"),
    }


def document_fields(
    sections: list[Section], readings: Readings, scores: list[ScoreSummary], blocks: list[Block]
) -> dict[str, object]:
    lines = lexicon().score_lines
    review = _score(scores, sections, lines.review_score, "review_score")
    return {
        "department": _department(readings, blocks),
        "year": _year(sections, readings, blocks),
        "self_score": _score(scores, sections, lines.self_score, "score"),
        # SPEC: the 复核得分 where the document is a review; a form's own 复核 column does not make it one
        "review_score": review if any(s.kind == "review" for s in sections) else None,
    }


def result_fields(result: ExtractionResult) -> dict[str, object]:
    """The document fields read again from a result alone: key-value rows of its tables, section
    titles, narrative and score summaries. The review service compares them before and after a
    correction so the header follows a corrected cell (主管部门's value, the 年度 row)."""
    from extractor.forms.rows import read_table  # late: rows imports this module's neighbours
    from extractor.forms.view import TableView

    readings: Readings = [(table.section, read_table(TableView(table))) for table in result.tables]
    blocks: list[Block] = [ParagraphBlock(text=section.title) for section in result.sections if section.title]
    blocks += [ParagraphBlock(text=paragraph.text, page=paragraph.page) for paragraph in result.narrative]
    blocks += [
        TableBlock(cells=table.cells, n_rows=table.n_rows, n_cols=table.n_cols, pages=table.pages)
        for table in result.tables
    ]
    return document_fields(result.sections, readings, result.scores, blocks)
