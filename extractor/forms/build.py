"""RowRecords and key-value pairs to SPEC records (indicators, budget lines, scores)."""

from __future__ import annotations

import re
from typing import Optional

from extractor.forms.rows import KeyValue, RowRecord
from extractor.forms.values import parse_amount, parse_value
from extractor.text.join import clean_text, squeeze
from schemas import BudgetLine, Cell, Indicator, ScoreSummary, Source

_QIZHONG = re.compile(r"^其中[:：]?")
_FULL_MARK = re.compile(r"[（(][^）)]*分[^）)]*[）)]")


def _union_bbox(cells: list[Cell]) -> Optional[tuple[float, float, float, float]]:
    boxes = [c.bbox for c in cells if c.bbox is not None]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _source(record_cells: list[Cell], table_id: str, row: int) -> Source:
    page = min((c.page for c in record_cells), default=1)
    on_page = [c for c in record_cells if c.page == page]
    return Source(page=page, bbox=_union_bbox(on_page), table=table_id, row=row)


def _text(cells: dict[str, Cell], role: str) -> Optional[str]:
    cell = cells.get(role)
    return clean_text(cell.text) if cell is not None else None


def _amount(cells: dict[str, Cell], role: str) -> Optional[float]:
    cell = cells.get(role)
    return parse_amount(cell.text) if cell is not None else None


def _confidence(cells: dict[str, Cell]) -> dict[str, float]:
    return {role: round(cell.confidence, 4) for role, cell in sorted(cells.items())}


class LevelCarry:
    """一级/二级指标 carried down blank cells, reset when the 一级 changes."""

    def __init__(self) -> None:
        self.level1: Optional[str] = None
        self.level2: Optional[str] = None

    def update(self, cells: dict[str, Cell]) -> tuple[Optional[str], Optional[str]]:
        level1 = squeeze(cells["level1"].text) if "level1" in cells else ""
        level2 = squeeze(cells["level2"].text) if "level2" in cells else ""
        if level1 and level1 != self.level1:
            self.level1, self.level2 = level1, None
        if level2:
            self.level2 = level2
        return self.level1, self.level2


def indicator(
    record: RowRecord, *, ident: str, section: str, table_id: str, levels: tuple[Optional[str], Optional[str]]
) -> Indicator:
    cells = record.cells
    return Indicator(
        id=ident,
        section=section,
        level1=levels[0],
        level2=levels[1],
        name=squeeze(cells["name"].text),
        target=parse_value(cells["target"].text) if "target" in cells else parse_value(None),
        actual=parse_value(cells["actual"].text) if "actual" in cells else parse_value(None),
        weight=_amount(cells, "weight"),
        score=_amount(cells, "score"),
        review_score=_amount(cells, "review_score"),
        description=_text(cells, "description"),
        deviation_reason=_text(cells, "deviation_reason"),
        review_comment=_text(cells, "review_comment"),
        source=_source(list(cells.values()), table_id, record.row),
        confidence=_confidence(cells),
    )


def budget_item(text: str) -> str:
    return _QIZHONG.sub("", squeeze(text))


def budget_line(
    record: RowRecord, *, ident: str, section: Optional[str], table_id: str, unit: Optional[str]
) -> BudgetLine:
    cells = record.cells
    assert record.label is not None
    all_cells = [record.label, *cells.values()]
    return BudgetLine(
        id=ident,
        section=section,
        item=budget_item(record.label.text),
        initial=_amount(cells, "initial"),
        adjustment=_amount(cells, "adjustment"),
        adjusted=_amount(cells, "adjusted"),
        actual=_amount(cells, "actual"),
        rate=_amount(cells, "rate"),
        unit=unit,
        weight=_amount(cells, "weight"),
        score=_amount(cells, "score"),
        review_score=_amount(cells, "review_score"),
        source=_source(all_cells, table_id, record.row),
        confidence=_confidence({"item": record.label, **cells}),
    )


def score_label(text: str) -> str:
    label = _FULL_MARK.sub("", squeeze(text)).rstrip("：:")
    if label in ("复核自评得分", "自评复核得分"):
        return "复核得分"
    if label in ("绩效自评综合得分", "综合得分"):
        return "自评得分"
    return label


def full_marks(text: str) -> Optional[float]:
    """`自评得分（满分100分）` → 100, `预算执行（10分）` → 10."""
    match = re.search(r"[（(](?:满分)?\s*(\d+(?:\.\d+)?)\s*分[）)]", squeeze(text))
    return float(match.group(1)) if match else None


def score_row(record: RowRecord, *, ident: str, section: Optional[str], table_id: str) -> ScoreSummary:
    cells = record.cells
    assert record.label is not None
    return ScoreSummary(
        id=ident,
        section=section,
        label=score_label(record.label.text),
        weight=_amount(cells, "weight"),
        score=_amount(cells, "score"),
        review_score=_amount(cells, "review_score"),
        source=_source([record.label, *cells.values()], table_id, record.row),
        confidence=_confidence({"label": record.label, **cells}),
    )


def score_pair(pair: KeyValue, *, ident: str, section: Optional[str], table_id: str) -> ScoreSummary:
    label = score_label(pair.label.text)
    value = parse_amount(pair.value.text) if pair.value is not None else None
    cells = {"label": pair.label, **({"score": pair.value} if pair.value is not None else {})}
    is_review = label == "复核得分"
    return ScoreSummary(
        id=ident,
        section=section,
        label=label,
        weight=full_marks(pair.label.text),
        score=None if is_review else value,
        review_score=value if is_review else None,
        source=_source(list(cells.values()), table_id, pair.row),
        confidence=_confidence(cells),
    )
