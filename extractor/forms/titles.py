"""Titles: which paragraphs name a form, a table's caption and unit, section kinds, table roles."""

from __future__ import annotations

import re
from typing import Optional

from extractor.forms.lexicon import lexicon
from extractor.forms.values import parse_amount
from extractor.text.join import squeeze
from schemas import Block, ParagraphBlock, TableBlock
from schemas.records import SectionKind, TableRole


def _alternatives(words: list[str]) -> str:
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


_LEX = lexicon()
_FORM_TITLE = re.compile(rf"({_alternatives(_LEX.form_title_endings)})([（(][^）)]*[）)])?$")
_REPORT_TITLE = re.compile(rf"({_alternatives(_LEX.report_title_endings)})$")
_MONEY = _alternatives(_LEX.money_units)
_UNIT = re.compile(rf"(?:单位|金额单位)?[:：]?\s*[（(]?\s*(?:单位[:：])?\s*({_MONEY})\s*[）)]?")
MAX_TITLE_LENGTH = 60
CAPTION_LOOKBACK = 3


def is_form_title(text: str) -> bool:
    compact = squeeze(text)
    return len(compact) <= MAX_TITLE_LENGTH and bool(_FORM_TITLE.search(compact))


def is_report_title(text: str) -> bool:
    compact = squeeze(text)
    return (
        len(compact) <= MAX_TITLE_LENGTH
        and bool(_REPORT_TITLE.search(compact))
        and _LEX.layout_words.attachment_word not in compact
    )


def section_kind(title: str, reading: object) -> SectionKind:
    compact = squeeze(title)
    kinds = lexicon().section_kinds
    if any(word in compact for word in kinds.review_any):
        return "review"
    if any(word in compact for word in kinds.project_any) and not any(w in compact for w in kinds.department_any):
        return "project"
    return "department"


def _is_caption(text: str) -> bool:
    compact = squeeze(text)
    if not compact or len(compact) > MAX_TITLE_LENGTH or compact.endswith(("。", "；", "，")):
        return False
    return not _UNIT.fullmatch(compact)


def table_title(blocks: list[Block], index: int) -> Optional[str]:
    """The caption printed above the table, or a caption ending in 表 right below it."""
    table = blocks[index]
    assert isinstance(table, TableBlock)
    if table.caption:
        return squeeze(table.caption)
    for back in range(index - 1, max(-1, index - 1 - CAPTION_LOOKBACK), -1):
        block = blocks[back]
        if not isinstance(block, ParagraphBlock) or block.page != table.pages[0]:
            break
        if _is_caption(block.text) and not _LEX.layout_words.caption_unit_line.fullmatch(squeeze(block.text)):
            return squeeze(block.text)
    if index + 1 < len(blocks):
        after = blocks[index + 1]
        if (
            isinstance(after, ParagraphBlock)
            and after.page == table.pages[-1]
            and _is_caption(after.text)
            and squeeze(after.text).endswith(_LEX.layout_words.caption_ending)
        ):
            return squeeze(after.text)
    return None


def inner_title(table: TableBlock) -> Optional[str]:
    """A title printed in the table's first row as one cell across the whole width."""
    for cell in table.cells:
        if cell.row == 0 and cell.col == 0 and cell.col_span == table.n_cols and cell.text:
            return squeeze(cell.text)
    return None


def table_unit(blocks: list[Block], index: int) -> Optional[str]:
    """万元 / 元 from the table's header cells or the lines just above it."""
    table = blocks[index]
    assert isinstance(table, TableBlock)
    texts = [cell.text for cell in table.cells if cell.row < 3 or cell.col == 0]
    texts += [b.text for b in blocks[max(0, index - CAPTION_LOOKBACK) : index] if isinstance(b, ParagraphBlock)]
    for text in texts:
        match = _LEX.layout_words.table_unit.search(squeeze(text))
        if match and (_LEX.layout_words.unit_word in text or "（" in text or "(" in text):
            return match.group(1)
    return None


def table_role(table: TableBlock, reading) -> TableRole:
    kinds = {record.kind for record in reading.records}
    if "indicators" in kinds:
        return "indicators"
    if "budget" in kinds or any(h.kind == "budget" for h in reading.headers):
        return "budget"
    if kinds or any(h.kind == "scores" for h in reading.headers):
        return "scores"
    texts = [cell.text for cell in table.cells if cell.text]
    numeric = sum(1 for text in texts if parse_amount(text) is not None)
    if texts and numeric / len(texts) >= 0.25:
        return "budget"
    if reading.key_values:
        return "header"
    return "other"
